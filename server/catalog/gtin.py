"""GTIN (EAN/UPC) check digits."""

from __future__ import annotations


class GtinError(ValueError):
    """Not a GTIN; the message says why."""


def check_digit(body: str) -> int:
    """The GS1 check digit of the digits before it (weights 3,1,3,1… from the right)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def normalise_gtin(value: object) -> str:
    """A GTIN-8, -12, -13 or -14 with a valid check digit, as stored: GTIN-12 and GTIN-14 with a
    leading zero become their GTIN-13 (the same trade item). Spaces and hyphens are ignored.

    :raise GtinError: when it is not one.
    """
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise GtinError("must be a GTIN given as text (8, 12, 13 or 14 digits)")
    text = str(value).strip().replace(" ", "").replace("-", "")
    if not text.isascii() or not text.isdigit():
        raise GtinError(f"'{value}' is not a GTIN: only digits are allowed")
    if len(text) not in (8, 12, 13, 14):
        raise GtinError(f"'{value}' is not a GTIN: it has {len(text)} digits, not 8, 12, 13 or 14")
    expected = check_digit(text[:-1])
    if int(text[-1]) != expected:
        raise GtinError(f"'{value}' is not a valid GTIN: the check digit should be {expected}")
    if len(text) == 12:
        text = "0" + text
    elif len(text) == 14 and text.startswith("0"):
        text = text[1:]
    return text


def with_check_digit(body: str) -> str:
    """``body`` followed by its check digit (for generating demo GTINs)."""
    return body + str(check_digit(body))
