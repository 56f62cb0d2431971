"""Render Rayon's PNG icons from public/icons/*.svg with headless Chromium.

Run from the repository root after changing an SVG:  .venv/bin/python webapp/scripts/render_icons.py
(The PNGs are committed; the build does not run this.)
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import sync_playwright

ICONS = Path(__file__).resolve().parent.parent / "public" / "icons"
# (source SVG, output PNG, size in pixels)
TARGETS = [
    ("icon.svg", "icon-192.png", 192),
    ("icon.svg", "icon-512.png", 512),
    ("icon-maskable.svg", "icon-maskable-512.png", 512),
    ("icon-maskable.svg", "apple-touch-icon.png", 180),  # iOS rounds the corners itself
]
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main() -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for source, output, size in TARGETS:
            page = browser.new_page(viewport={"width": size, "height": size})
            svg = (ICONS / source).read_text()
            page.set_content(
                "<style>html,body{margin:0;background:transparent}svg{display:block;width:100vw;height:100vh}</style>"
                + svg
            )
            page.screenshot(path=str(ICONS / output), omit_background=True)
            page.close()
            print(f"wrote {output} ({size}×{size})")
        browser.close()


if __name__ == "__main__":
    main()
