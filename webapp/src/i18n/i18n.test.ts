import { describe, expect, it } from "vitest";
import { CATALOGUES, detectLanguage, formatMessage, languageFor, localeFor, makeI18n, type Lang } from "./index";

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
  it("prefers the user's own choice, then the user's locale, then the phone", () => {
    const saved = (choices: Record<string, Lang>) => (id: number | null) => choices[id === null ? "phone" : `u${id}`] ?? null;
    const rep = { id: 7, locale: "de" };
    expect(languageFor(rep, saved({}), ["en-US"])).toBe("de");
    expect(languageFor(rep, saved({ u7: "fr", phone: "en" }), ["en-US"])).toBe("fr");
    expect(languageFor(rep, saved({ phone: "en", u8: "fr" }), ["en-US"])).toBe("de"); // another user's choice
    expect(languageFor({ id: 7, locale: null }, saved({ phone: "fr" }), ["de-DE"])).toBe("fr");
    expect(languageFor({ id: 7, locale: null }, saved({}), ["de-DE"])).toBe("de");
    expect(languageFor(null, saved({ u7: "fr" }), ["de-DE"])).toBe("de");
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

describe("new screens", () => {
  it("say due dates and frequencies in each language", () => {
    expect(makeI18n("en", "en").plural("due.in", 3)).toBe("Due in 3 days");
    expect(makeI18n("en", "en").plural("due.overdue", 1)).toBe("Overdue for 1 day");
    expect(makeI18n("de", "de").plural("due.overdue", 5)).toBe("Seit 5 Tagen überfällig");
    expect(makeI18n("fr", "fr").plural("due.in", 3)).toBe("À visiter dans 3 jours");
    expect(makeI18n("de", "de").plural("account.freq", 1)).toBe("Jede Woche");
    expect(makeI18n("fr", "fr").plural("account.freq", 2)).toBe("Toutes les 2 semaines");
    expect(makeI18n("de", "de").plural("login.tooMany", 15)).toContain("15 Minuten");
  });
});
