// Opening hours in lists: a small reader for the common OpenStreetMap forms
// ("Mo-Sa 08:00-20:00; Su,PH off", "24/7"), to say "open now" / "closed now" without
// asking the server for every outlet. Anything it does not fully understand gives null
// (unknown), never a guess. Public holidays are not known here: rules for PH alone are
// skipped; the outlet page shows the server's answer, which knows them.

export const DAY_CODES = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"] as const;
/** Open windows per weekday (0 = Monday) in minutes after midnight; an end past 1440 runs into the next day. */
export type Week = [number, number][][];

const TIMEZONES: Record<string, string> = {
  DE: "Europe/Berlin", FR: "Europe/Paris", AT: "Europe/Vienna", CH: "Europe/Zurich",
  BE: "Europe/Brussels", NL: "Europe/Amsterdam", LU: "Europe/Luxembourg", MC: "Europe/Monaco",
};

/** The outlet's time zone (opening hours are local wall-clock time). */
export function timeZoneOf(country: string): string {
  return TIMEZONES[country?.toUpperCase()] ?? "Europe/Berlin";
}

/** Weekday (0 = Monday) and minutes after midnight of `at` in `timeZone`. */
export function localTime(at: Date, timeZone: string): { weekday: number; minutes: number } {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(get("weekday"));
  return { weekday, minutes: Number(get("hour")) * 60 + Number(get("minute")) };
}

const DAY = /^(Mo|Tu|We|Th|Fr|Sa|Su)(?:-(Mo|Tu|We|Th|Fr|Sa|Su))?$/;
const SPAN = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/;

function days(selector: string): number[] | null {
  const result: number[] = [];
  for (const token of selector.split(",").map((s) => s.trim()).filter(Boolean)) {
    if (token === "PH" || token === "SH") continue;
    const match = DAY.exec(token);
    if (!match) return null;
    const from = DAY_CODES.indexOf(match[1] as (typeof DAY_CODES)[number]);
    const to = match[2] ? DAY_CODES.indexOf(match[2] as (typeof DAY_CODES)[number]) : from;
    for (let d = from; ; d = (d + 1) % 7) {
      result.push(d);
      if (d === to) break;
    }
  }
  return result;
}

function spans(text: string): [number, number][] | null {
  const out: [number, number][] = [];
  for (const token of text.split(",").map((s) => s.trim())) {
    const match = SPAN.exec(token);
    if (!match) return null;
    const start = +match[1] * 60 + +match[2];
    let end = +match[3] * 60 + +match[4];
    if (start > 24 * 60 || end > 48 * 60 || +match[2] > 59 || +match[4] > 59) return null;
    if (end <= start) end += 24 * 60; // "22:00-02:00" runs past midnight
    out.push([start, end]);
  }
  return out;
}

/** The week of a simple opening_hours value, or null when it is not one we can read. */
export function parseWeek(value: string | null | undefined): Week | null {
  const text = value?.trim();
  if (!text) return null;
  if (text === "24/7") return DAY_CODES.map(() => [[0, 24 * 60]]);
  if (/["|[\]]|\|\|/.test(text)) return null; // comments, fallback rules, nth weekdays
  const week: Week = DAY_CODES.map(() => []);
  let seen = false;
  for (const rule of text.split(";").map((r) => r.trim()).filter(Boolean)) {
    // "<days> <times>" or "<times>" (every day); days may be written "Su, PH".
    const match = /^((?:(?:Mo|Tu|We|Th|Fr|Sa|Su|PH|SH)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?\s*,\s*)*(?:Mo|Tu|We|Th|Fr|Sa|Su|PH|SH)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?)?\s*(.*)$/.exec(rule);
    if (!match) return null;
    const selected = match[1] ? days(match[1].replace(/\s+/g, "")) : [0, 1, 2, 3, 4, 5, 6];
    if (selected === null) return null;
    const body = match[2].trim();
    let windows: [number, number][] | null;
    if (body === "off" || body === "closed") windows = [];
    else if (body === "24/7" || body === "00:00-24:00") windows = [[0, 24 * 60]];
    else windows = spans(body.replace(/\s+open$/, ""));
    if (windows === null) return null;
    if (match[1] && selected.length === 0) continue; // a rule for holidays only
    for (const d of selected) week[d] = windows; // a later rule replaces the day
    seen = true;
  }
  return seen ? week : null;
}

/** Whether `week` is open at `weekday`/`minutes`, counting hours that run on from the day before. */
export function isOpenAt(week: Week, weekday: number, minutes: number): boolean {
  if (week[weekday].some(([from, to]) => from <= minutes && minutes < to)) return true;
  const yesterday = week[(weekday + 6) % 7];
  return yesterday.some(([, to]) => to > 24 * 60 && minutes + 24 * 60 < to);
}

/** Open (true), closed (false) or unknown (null) now, for a list entry. */
export function openNow(
  outlet: { opening_hours: string | null; country: string; status: string },
  at: Date = new Date(),
): boolean | null {
  if (outlet.status === "closed") return false;
  const week = parseWeek(outlet.opening_hours);
  if (!week) return null;
  const { weekday, minutes } = localTime(at, timeZoneOf(outlet.country));
  return weekday < 0 ? null : isOpenAt(week, weekday, minutes);
}
