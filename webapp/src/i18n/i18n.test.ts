import { describe, expect, it } from "vitest";
import { CATALOGUES, detectLanguage, formatMessage, localeFor, makeI18n } from "./index";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("message catalogues", () => {
  const en = CATALOGUES.en as Record<string, string>;
  for (const lang of ["de", "fr"] as const) {
    const other = CATALOGUES[lang] as Record<string, string>;
    it(`${lang} has every English key and no other`, () => {
      expect(Object.keys(other).sort()).toEqual(Object.keys(en).sort());
    });
    it(`${lang} uses the same placeholders as English`, () => {
      for (const key of Object.keys(en)) expect([key, placeholders(other[key])]).toEqual([key, placeholders(en[key])]);
    });
    it(`${lang} translates the navigation`, () => {
      expect(other["nav.nearby"]).not.toBe(en["nav.nearby"]);
      expect(other["nav.search"]).not.toBe(en["nav.search"]);
    });
  }
});

describe("language choice", () => {
  it("takes the first browser language we speak", () => {
    expect(detectLanguage(["de-AT", "en"])).toBe("de");
    expect(detectLanguage(["it-IT", "fr-BE", "de"])).toBe("fr");
    expect(detectLanguage(["es"])).toBe("en");
    expect(detectLanguage([])).toBe("en");
  });
  it("formats in the browser's regional variant of the chosen language", () => {
    expect(localeFor("de", ["de-CH", "en"])).toBe("de-CH");
    expect(localeFor("fr", ["de-CH", "en"])).toBe("fr");
    expect(localeFor("en", ["en-GB"])).toBe("en-GB");
  });
});

describe("messages", () => {
  it("fills placeholders and keeps unknown ones", () => {
    expect(formatMessage("Near {city}", { city: "Köln" })).toBe("Near Köln");
    expect(formatMessage("{a} and {b}", { a: 1 })).toBe("1 and {b}");
  });
  it("chooses plural forms and formats the count", () => {
    expect(makeI18n("en", "en").plural("list.count", 1)).toBe("1 outlet");
    expect(makeI18n("en", "en").plural("list.count", 1234)).toBe("1,234 outlets");
    expect(makeI18n("de", "de").plural("list.count", 1234)).toBe("1.234 Geschäfte");
    expect(makeI18n("fr", "fr").plural("list.count", 0)).toBe("0 magasin"); // French: 0 is singular
  });
  it("translates", () => {
    expect(makeI18n("de", "de").t("nav.map")).toBe("Karte");
    expect(makeI18n("fr", "fr").t("nearby.from.city", { city: "Lyon" })).toBe("Autour de Lyon");
  });
});
