// Locale-aware formatting with Intl: distances, areas, dates, times, addresses.
import type { Outlet } from "./api/types";

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `n|${locale}|${JSON.stringify(options)}`;
  let format = cache.get(key) as Intl.NumberFormat | undefined;
  if (!format) cache.set(key, (format = new Intl.NumberFormat(locale, options)));
  return format;
}
function dateFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `d|${locale}|${JSON.stringify(options)}`;
  let format = cache.get(key) as Intl.DateTimeFormat | undefined;
  if (!format) cache.set(key, (format = new Intl.DateTimeFormat(locale, options)));
  return format;
}

/**
 * A walking/driving distance as people say it: "45 m", "350 m", "1.2 km", "12 km"
 * ("1,2 km" in German and French). Metres are rounded to 5 below 100 m and to 10 below
 * 1 km; kilometres keep one decimal below 10 km.
 */
export function formatDistance(metres: number, locale: string): string {
  if (!Number.isFinite(metres) || metres < 0) return "";
  const rounded = metres < 100 ? Math.round(metres / 5) * 5 : Math.round(metres / 10) * 10;
  let text: string;
  if (rounded < 1000) {
    text = numberFormat(locale, { style: "unit", unit: "meter", unitDisplay: "short" }).format(rounded);
  } else {
    const km = metres / 1000;
    text = numberFormat(locale, {
      style: "unit", unit: "kilometer", unitDisplay: "short", maximumFractionDigits: km < 9.95 ? 1 : 0,
    }).format(km);
  }
  return text.replace(/ /g, "\u00a0"); // never "100" at the end of a line and "m" on the next
}

export function formatNumber(value: number, locale: string): string {
  return numberFormat(locale, {}).format(value);
}

/** "1,500 m²" / "1.500 m²" / "1 500 m²". */
export function formatArea(squareMetres: number, locale: string): string {
  return `${formatNumber(squareMetres, locale)}\u00a0m²`;
}

/** A calendar date such as "15 Jan 2026" from "2026-01-15" (no time zone shift). */
export function formatDate(isoDate: string, locale: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(isoDate);
  if (!match) return isoDate;
  const date = new Date(Date.UTC(+match[1], +match[2] - 1, +match[3]));
  return dateFormat(locale, { dateStyle: "medium", timeZone: "UTC" }).format(date);
}

/** A clock time in the user's locale, e.g. "14:32" or "2:32 PM". */
export function formatTime(date: Date, locale: string): string {
  return dateFormat(locale, { hour: "numeric", minute: "2-digit" }).format(date);
}

/** Whether the locale writes times on a 12-hour clock ("8:00 PM"). */
function twelveHour(locale: string): boolean {
  const cycle = dateFormat(locale, { hour: "numeric", timeZone: "UTC" }).resolvedOptions().hourCycle;
  return cycle === "h12" || cycle === "h11";
}

/** "08:00" from the API in the locale's way: "08:00" (de, fr, en-GB) or "8:00 AM" (en-US). */
export function formatClock(hhmm: string, locale: string): string {
  const match = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (!match) return hhmm;
  const hours = +match[1];
  const h12 = twelveHour(locale);
  const format = dateFormat(locale, { hour: h12 ? "numeric" : "2-digit", minute: "2-digit", timeZone: "UTC" });
  const text = format.format(new Date(Date.UTC(2024, 0, 1, hours % 24, +match[2])));
  // "24:00" (the end of the day) stays "24:00" on a 24-hour clock rather than "00:00".
  return hours === 24 && !h12 ? text.replace(/^00/, "24") : text;
}

/** A time range with the locale's range dash: "08:00–20:00". */
export function formatHoursRange(from: string, to: string, locale: string): string {
  return `${formatClock(from, locale)}\u2013${formatClock(to, locale)}`;
}

/** Weekday names Monday..Sunday in the locale ("Monday", "Montag", "lundi"). */
export function weekdayNames(locale: string, width: "long" | "short" = "long"): string[] {
  const format = dateFormat(locale, { weekday: width, timeZone: "UTC" });
  // 1 January 2024 was a Monday.
  return Array.from({ length: 7 }, (_, i) => format.format(new Date(Date.UTC(2024, 0, 1 + i))));
}

// Streets named the French way (Belgium, Luxembourg, Switzerland...) put the number first.
const FRENCH_STREET = /^(rue|avenue|boulevard|bd|place|chemin|route|allée|impasse|quai|cours)\b/i;

type AddressParts = Pick<Outlet, "street" | "house_number" | "postcode" | "city" | "country">;

/** Street line as written in the outlet's country: "Hauptstraße 5" (DE) or "5 Rue de la Gare" (FR). */
export function streetLine(outlet: AddressParts): string {
  const street = outlet.street?.trim() ?? "";
  const number = outlet.house_number?.trim() ?? "";
  if (!street) return number;
  if (!number) return street;
  const numberFirst =
    outlet.country === "FR" || (outlet.country !== "DE" && FRENCH_STREET.test(street));
  return numberFirst ? `${number} ${street}` : `${street} ${number}`;
}

/** "Hauptstraße 5, 80331 München". */
export function formatAddress(outlet: AddressParts): string {
  const place = [outlet.postcode, outlet.city].filter(Boolean).join(" ");
  return [streetLine(outlet), place].filter(Boolean).join(", ");
}

/** The local calendar day of a timestamp ("2026-01-15T23:30:00Z" in Berlin: 16 Jan 2026). */
export function formatDay(isoDateTime: string, locale: string): string {
  const date = new Date(isoDateTime);
  if (Number.isNaN(date.getTime())) return isoDateTime;
  return dateFormat(locale, { dateStyle: "medium" }).format(date);
}

/** Whole calendar days from `from` to `to` in the phone's time zone (negative: `to` is earlier). */
export function calendarDays(from: Date, to: Date): number {
  const day = (d: Date) => Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) / 86_400_000;
  return Math.round(day(to) - day(from));
}

/** When the next visit of an account is due, in calendar days from now. */
export type DueState =
  | { kind: "none" } // no visit frequency: no plan
  | { kind: "never" } // a frequency but never visited: due now
  | { kind: "overdue"; days: number } // days >= 1
  | { kind: "today" }
  | { kind: "in"; days: number }; // days >= 1

export function visitDue(
  account: { visit_every_weeks: number | null; visit_due_at: string | null },
  now: Date = new Date(),
): DueState {
  if (!account.visit_every_weeks) return { kind: "none" };
  if (!account.visit_due_at) return { kind: "never" };
  const due = new Date(account.visit_due_at);
  if (Number.isNaN(due.getTime())) return { kind: "none" };
  const days = calendarDays(now, due);
  if (days < 0) return { kind: "overdue", days: -days };
  return days === 0 ? { kind: "today" } : { kind: "in", days };
}
