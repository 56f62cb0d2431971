/// <reference types="vitest/config" />
// Vite build of the Rayon web app: the app (index.html) and the service worker (sw.js at
// the site root, so that its scope is the whole app).
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { defineConfig, type Plugin } from "vite";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string };

const SW_TOKEN = "__RAYON_PRECACHE_MANIFEST__";

/** Every file under `dir`, as site paths ("/assets/index-abc.js"). */
function siteFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push("/" + relative(dir, full).split(sep).join("/"));
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * Writes the app shell's file list and a content hash into the built sw.js, so that the
 * service worker precaches exactly this build and a new build is a new service worker.
 */
function precacheManifest(): Plugin {
  let outDir = "dist";
  return {
    name: "rayon-precache-manifest",
    apply: "build",
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      const swPath = join(outDir, "sw.js");
      const files = siteFiles(outDir).filter(
        (f) => f !== "/sw.js" && !f.endsWith(".map") && !f.startsWith("/.vite/"),
      );
      const hash = createHash("sha256");
      for (const f of files) hash.update(f).update(readFileSync(join(outDir, f)));
      const manifest = { version: hash.digest("hex").slice(0, 12), files };
      const source = readFileSync(swPath, "utf8");
      const pattern = new RegExp(`(["'\`])${SW_TOKEN}\\1`);
      if (!pattern.test(source)) throw new Error(`sw.js: ${SW_TOKEN} not found; cannot write the precache list`);
      writeFileSync(swPath, source.replace(pattern, () => JSON.stringify(JSON.stringify(manifest))));
    },
  };
}

export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
  plugins: [precacheManifest()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2021",
    assetsInlineLimit: 0, // no data: URLs: a strict CSP may forbid them for images
    rollupOptions: {
      input: { index: "index.html", sw: "src/sw/sw.ts" },
      output: {
        entryFileNames: (chunk) => (chunk.name === "sw" ? "sw.js" : "assets/[name]-[hash].js"),
      },
    },
  },
  server: {
    // `npm run dev` talks to a local API (flask --app server.wsgi run, port 5000 by default).
    proxy: { "/api": process.env.RAYON_API_ORIGIN ?? "http://127.0.0.1:5000" },
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
