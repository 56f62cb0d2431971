import { describe, expect, it } from "vitest";
import { isOpenAt, localTime, openNow, parseWeek } from "./hours";

const H = (h: number, m = 0) => h * 60 + m;

describe("parseWeek", () => {
  it("reads day ranges, day lists and 'off'", () => {
    const week = parseWeek("Mo-Sa 08:00-20:00; Su,PH off")!;
    expect(week[0]).toEqual([[H(8), H(20)]]);
    expect(week[5]).toEqual([[H(8), H(20)]]);
    expect(week[6]).toEqual([]);
  });
  it("reads split hours, '24/7' and later rules replacing earlier ones", () => {
    expect(parseWeek("Mo-Fr 09:00-12:30,14:00-19:00")![2]).toEqual([[H(9), H(12, 30)], [H(14), H(19)]]);
    expect(parseWeek("24/7")![6]).toEqual([[0, H(24)]]);
    const week = parseWeek("Mo-Sa 08:00-20:00; Sa 08:00-14:00")!;
    expect(week[5]).toEqual([[H(8), H(14)]]);
    expect(week[1]).toEqual([[H(8), H(20)]]);
  });
  it("accepts 'Su, PH off' with a space and skips rules for holidays alone", () => {
    expect(parseWeek("Mo-Sa 07:00-21:00; Su, PH off")![6]).toEqual([]);
    expect(parseWeek("Mo-Su 08:00-20:00; PH off")![6]).toEqual([[H(8), H(20)]]);
  });
  it("gives null for what it cannot read fully", () => {
    for (const value of [null, "", "sunrise-sunset", 'Mo-Fr 08:00-18:00 "by appointment"', "Jan-Mar Mo 10:00-12:00",
      "Mo[1] 10:00-12:00", "Mo-Fr 08:00-18:00 || closed", "Mo-Fr 8h-18h"]) {
      expect([value, parseWeek(value)]).toEqual([value, null]);
    }
  });
});

describe("isOpenAt", () => {
  const week = parseWeek("Mo-Fr 08:00-20:00; Fr 18:00-02:00; Sa,Su off")!;
  it("is open inside a window and closed at its end", () => {
    expect(isOpenAt(week, 0, H(8))).toBe(true);
    expect(isOpenAt(week, 0, H(19, 59))).toBe(true);
    expect(isOpenAt(week, 0, H(20))).toBe(false);
    expect(isOpenAt(week, 0, H(7, 59))).toBe(false);
  });
  it("counts hours running past midnight into the next day", () => {
    expect(isOpenAt(week, 5, H(1))).toBe(true); // Saturday 01:00, from Friday night
    expect(isOpenAt(week, 5, H(2))).toBe(false);
  });
});

describe("openNow", () => {
  // Wednesday 15 January 2025, 10:00 UTC = 11:00 in Berlin/Luxembourg.
  const wednesday = new Date(Date.UTC(2025, 0, 15, 10, 0));
  it("uses the outlet's local time", () => {
    expect(localTime(wednesday, "Europe/Berlin")).toEqual({ weekday: 2, minutes: H(11) });
    expect(openNow({ opening_hours: "Mo-Sa 08:00-20:00", country: "DE", status: "open" }, wednesday)).toBe(true);
    expect(openNow({ opening_hours: "Mo-Sa 11:30-20:00", country: "DE", status: "open" }, wednesday)).toBe(false);
  });
  it("is unknown without readable hours and closed for closed outlets", () => {
    expect(openNow({ opening_hours: null, country: "FR", status: "open" }, wednesday)).toBe(null);
    expect(openNow({ opening_hours: "Mo-Sa 08:00-20:00", country: "FR", status: "closed" }, wednesday)).toBe(false);
  });
});
