import { describe, expect, it } from "vitest";
import { proposalValues } from "./api";
import { QUALITY_CATALOGUES } from "./messages";

const outlet = { name: "REWE Quokka-Markt", banner: "REWE", opening_hours: "Mo-Sa 07:00-22:00", phone: "+352 123", website: null };

describe("a proposed correction", () => {
  it("holds only what the rep changed, trimmed", () => {
    const form = { name: " REWE Quokka-Markt ", banner: "REWE City", opening_hours: "Mo-Sa 07:00-22:00", phone: "+352 123", website: "" };
    expect(proposalValues("renamed", form, outlet, null)).toEqual({ banner: "REWE City" });
    expect(proposalValues("opening_hours", { ...form, opening_hours: "Mo-Sa 08:00-20:00 " }, outlet, null)).toEqual({
      opening_hours: "Mo-Sa 08:00-20:00",
    });
    expect(proposalValues("contact", { ...form, phone: "", website: "quokka.example" }, outlet, null)).toEqual({
      phone: null, // emptied: the phone is removed
      website: "https://quokka.example",
    });
  });

  it("is nothing when nothing changed, and a move needs the phone's position", () => {
    const form = { name: "REWE Quokka-Markt", banner: "REWE", opening_hours: "Mo-Sa 07:00-22:00", phone: "+352 123", website: "" };
    expect(proposalValues("renamed", form, outlet, null)).toBeNull();
    expect(proposalValues("renamed", { ...form, name: "  " }, outlet, null)).toBeNull(); // a name is never removed
    expect(proposalValues("contact", form, outlet, null)).toBeNull();
    expect(proposalValues("moved", form, outlet, null)).toBeNull();
    expect(proposalValues("moved", form, outlet, { lat: 49.61123456, lon: 6.13198765 })).toEqual({ lat: 49.611235, lon: 6.131988 });
    expect(proposalValues("closed", form, outlet, null)).toEqual({});
  });
});

describe("its words", () => {
  it("exist in every language with the same placeholders", () => {
    const en = QUALITY_CATALOGUES.en as Record<string, string>;
    const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const lang of ["de", "fr"] as const) {
      const other = QUALITY_CATALOGUES[lang] as Record<string, string>;
      expect(Object.keys(other).sort()).toEqual(Object.keys(en).sort());
      for (const key of Object.keys(en)) expect([lang, key, names(other[key])]).toEqual([lang, key, names(en[key])]);
    }
  });
});
