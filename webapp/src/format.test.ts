import { describe, expect, it } from "vitest";
import {
  calendarDays, formatAddress, formatArea, formatClock, formatDate, formatDistance, formatHoursRange, visitDue, weekdayNames,
} from "./format";

// Intl puts no-break spaces in some places (e.g. French thousands): compare with plain spaces.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, " ");

describe("formatDistance", () => {
  it("writes metres rounded to 5 m below 100 m and to 10 m below 1 km", () => {
    expect(plain(formatDistance(0, "en"))).toBe("0 m");
    expect(plain(formatDistance(43, "en"))).toBe("45 m");
    expect(plain(formatDistance(99.99, "en"))).toBe("100 m");
    expect(plain(formatDistance(100, "en"))).toBe("100 m");
    expect(plain(formatDistance(354, "en"))).toBe("350 m");
  });
  it("switches to kilometres with one decimal in the locale's style", () => {
    expect(plain(formatDistance(1200, "en"))).toBe("1.2 km");
    expect(plain(formatDistance(1200, "de"))).toBe("1,2 km");
    expect(plain(formatDistance(1200, "fr"))).toBe("1,2 km");
    expect(plain(formatDistance(998, "en"))).toBe("1 km"); // not "1,000 m"
    expect(plain(formatDistance(2000, "en"))).toBe("2 km");
  });
  it("drops the decimal from 10 km on", () => {
    expect(plain(formatDistance(9960, "en"))).toBe("10 km");
    expect(plain(formatDistance(12345, "de"))).toBe("12 km");
  });
  it("gives nothing for impossible values", () => {
    expect(formatDistance(Number.NaN, "en")).toBe("");
    expect(formatDistance(-1, "en")).toBe("");
  });
});

describe("dates, times and areas", () => {
  it("formats a calendar date without shifting the day", () => {
    expect(formatDate("2026-01-15", "en-GB")).toBe("15 Jan 2026");
    expect(formatDate("2026-01-15", "de")).toBe("15.01.2026");
    expect(formatDate("2026-01-15", "fr")).toBe("15 janv. 2026");
  });
  it("writes opening times on the locale's clock", () => {
    expect(formatClock("08:00", "de")).toBe("08:00");
    expect(formatClock("20:30", "fr")).toBe("20:30");
    expect(formatClock("08:00", "en-US")).toBe("8:00 AM");
    expect(formatClock("24:00", "de")).toBe("24:00");
    expect(formatHoursRange("08:00", "20:00", "de")).toBe("08:00–20:00");
  });
  it("formats sales areas with the locale's grouping", () => {
    expect(plain(formatArea(1500, "en"))).toBe("1,500 m²");
    expect(plain(formatArea(1500, "de"))).toBe("1.500 m²");
    expect(plain(formatArea(1500, "fr"))).toBe("1 500 m²");
  });
  it("names the weekdays Monday first", () => {
    expect(weekdayNames("de")[0]).toBe("Montag");
    expect(weekdayNames("fr")[6]).toBe("dimanche");
    expect(weekdayNames("en")).toHaveLength(7);
  });
});

describe("formatAddress", () => {
  const base = { street: "Hauptstraße", house_number: "5", postcode: "80331", city: "München", country: "DE" };
  it("puts the number after the street in Germany and before it in France", () => {
    expect(formatAddress(base)).toBe("Hauptstraße 5, 80331 München");
    expect(formatAddress({ ...base, street: "Rue de la Gare", postcode: "75001", city: "Paris", country: "FR" }))
      .toBe("5 Rue de la Gare, 75001 Paris");
    expect(formatAddress({ ...base, street: "Rue de la Quokkaerie", country: "LU" })).toMatch(/^5 Rue/);
  });
  it("leaves out missing parts", () => {
    expect(formatAddress({ ...base, street: null, house_number: null })).toBe("80331 München");
    expect(formatAddress({ street: null, house_number: null, postcode: null, city: null, country: "DE" })).toBe("");
  });
});

describe("visitDue", () => {
  // Local times (the phone's time zone), as the app computes calendar days.
  const now = new Date(2026, 10, 25, 9, 30);
  const at = (days: number, hour = 12) => new Date(2026, 10, 25 + days, hour).toISOString();

  it("counts calendar days, not 24-hour periods", () => {
    expect(calendarDays(new Date(2026, 10, 25, 23, 50), new Date(2026, 10, 26, 0, 10))).toBe(1);
    expect(calendarDays(new Date(2026, 10, 25, 0, 10), new Date(2026, 10, 25, 23, 50))).toBe(0);
    expect(calendarDays(new Date(2026, 11, 31, 12), new Date(2027, 0, 2, 12))).toBe(2);
  });

  it("says when the next visit is due", () => {
    expect(visitDue({ visit_every_weeks: 2, visit_due_at: at(3) }, now)).toEqual({ kind: "in", days: 3 });
    expect(visitDue({ visit_every_weeks: 2, visit_due_at: at(0, 8) }, now)).toEqual({ kind: "today" });
    expect(visitDue({ visit_every_weeks: 2, visit_due_at: at(-5) }, now)).toEqual({ kind: "overdue", days: 5 });
    expect(visitDue({ visit_every_weeks: 1, visit_due_at: null }, now)).toEqual({ kind: "never" });
    expect(visitDue({ visit_every_weeks: null, visit_due_at: null }, now)).toEqual({ kind: "none" });
  });
});
