// Texts of a form in the user's language: the definition's own (labels, hints, the form's rule
// messages) and the app's messages for answer problems, also for the server's errors.
import type { Localised } from "../api/types";
import { formatNumber } from "../format";
import type { I18n, MessageKey } from "../i18n";
import type { Issue } from "./rules";

/** One language of a form text: the user's, else English, else the first given (as the server does). */
export function localise(text: Localised | null | undefined, lang: string): string {
  if (text === null || text === undefined) return "";
  if (typeof text === "string") return text;
  const map = text as Record<string, string | undefined>;
  return map[lang] || map.en || map.de || map.fr || Object.values(map).find(Boolean) || "";
}

const num = (value: string | number | undefined, i18n: I18n): string => {
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? formatNumber(n, i18n.locale) : String(value ?? "");
};

/** The sentence for a problem with an answer, in the user's language. */
export function issueText(issue: Issue, i18n: I18n): string {
  const p = issue.params ?? {};
  switch (issue.code) {
    case "constraint":
      return localise(issue.text, i18n.lang) || i18n.t("form.error.constraint");
    case "check":
      return localise(issue.text, i18n.lang) || i18n.t("form.error.check");
    case "server":
      return String(p.message ?? "");
    case "decimals":
      return i18n.plural("form.error.decimals", Number(p.count ?? 0));
    case "min":
      return i18n.t("form.error.min", { min: num(p.min, i18n) });
    case "max":
      return i18n.t("form.error.max", { max: num(p.max, i18n) });
    default:
      return i18n.t(`form.error.${issue.code}` as MessageKey, p);
  }
}

/**
 * A message of the server's `errors[]` (English) as an issue: the usual ones are said in the
 * user's language; the form's own messages (already in the response's locale) and anything else
 * are shown as the server wrote them.
 */
export function serverIssue(message: string): Issue {
  let m: RegExpExecArray | null;
  if (message === "is required") return { code: "required" };
  if ((m = /^must be at least (-?[0-9.]+)$/.exec(message))) return { code: "min", params: { min: m[1] } };
  if ((m = /^must be at most (-?[0-9.]+)$/.exec(message))) return { code: "max", params: { max: m[1] } };
  if (message === "must be a whole number") return { code: "whole" };
  if (message === "must be a number") return { code: "number" };
  if ((m = /^must have at most (\d+) decimals?$/.exec(message))) return { code: "decimals", params: { count: Number(m[1]) } };
  if (/^must be one of/.test(message)) return { code: "choice" };
  if (/only digits are allowed/.test(message)) return { code: "gtinDigits" };
  if ((m = /it has (\d+) digits/.exec(message))) return { code: "gtinLength", params: { count: Number(m[1]) } };
  if ((m = /check digit should be (\d)/.exec(message))) return { code: "gtinCheck", params: { digit: Number(m[1]) } };
  return { code: "server", params: { message } };
}
