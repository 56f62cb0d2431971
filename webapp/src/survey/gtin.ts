// GTIN (EAN/UPC) check digits, as the server reads them (server/catalog/gtin.py).

/** The GS1 check digit of the digits before it (weights 3,1,3,1… from the right). */
export function checkDigit(body: string): number {
  let total = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    total += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (total % 10)) % 10;
}

export type GtinResult =
  | { ok: true; gtin: string }
  | { ok: false; code: "gtinDigits" | "gtinLength" | "gtinCheck"; params: Record<string, string | number> };

/**
 * A GTIN-8, -12, -13 or -14 with a valid check digit, as the server stores it: GTIN-12 and a
 * GTIN-14 with a leading zero become their GTIN-13. Spaces and hyphens are ignored.
 */
export function normaliseGtin(value: string): GtinResult {
  const text = value.trim().replace(/[ -]/g, "");
  if (!/^[0-9]+$/.test(text)) return { ok: false, code: "gtinDigits", params: {} };
  if (![8, 12, 13, 14].includes(text.length)) return { ok: false, code: "gtinLength", params: { count: text.length } };
  const expected = checkDigit(text.slice(0, -1));
  if (Number(text[text.length - 1]) !== expected) return { ok: false, code: "gtinCheck", params: { digit: expected } };
  if (text.length === 12) return { ok: true, gtin: "0" + text };
  if (text.length === 14 && text.startsWith("0")) return { ok: true, gtin: text.slice(1) };
  return { ok: true, gtin: text };
}
