// Which forms apply to an account's outlet, computed on the phone from the pulled forms'
// targeting, exactly as GET /forms/applicable does on the server (server/surveys/service.py:
// rule_matches, applies): mandatory first, then by key.
import type { FormSummary, SyncAccount, TargetingRule } from "../api/types";
import type { FormDefinition } from "../survey/rules";

export interface ApplicableForm {
  form: FormSummary;
  definition: FormDefinition;
  versionId: number;
  mandatory: boolean;
}

export function ruleMatches(rule: TargetingRule, account: SyncAccount): boolean {
  const outlet = account.outlet;
  if (rule.formats?.length && !rule.formats.includes(outlet.format)) return false;
  if (rule.banners?.length) {
    const banner = (outlet.banner ?? "").toLocaleLowerCase();
    if (!rule.banners.some((b) => b.toLocaleLowerCase() === banner)) return false;
  }
  if (rule.countries?.length && !rule.countries.includes(outlet.country)) return false;
  if (rule.classes?.length && (!account.account_class || !rule.classes.includes(account.account_class))) return false;
  if (rule.statuses?.length && !rule.statuses.includes(account.status)) return false;
  if (rule.tags?.length && !(account.tags ?? []).some((tag) => rule.tags!.includes(tag))) return false;
  return true;
}

/** [applies, mandatory]. No rules: every outlet, optional. */
export function applies(targeting: FormSummary["targeting"], account: SyncAccount): [boolean, boolean] {
  const rules = targeting?.rules ?? [];
  if (!rules.length) return [true, false];
  const matching = rules.filter((rule) => ruleMatches(rule, account));
  return [matching.length > 0, matching.some((rule) => !!rule.mandatory)];
}

export function applicableForms(forms: readonly FormSummary[], account: SyncAccount): ApplicableForm[] {
  const out: ApplicableForm[] = [];
  for (const form of forms) {
    if (!form.active || !form.current_version || !form.definition) continue;
    const [ok, mandatory] = applies(form.targeting, account);
    if (!ok) continue;
    out.push({ form, definition: form.definition as FormDefinition, versionId: form.current_version.id, mandatory });
  }
  return out.sort((a, b) => Number(b.mandatory) - Number(a.mandatory) || (a.form.key < b.form.key ? -1 : a.form.key > b.form.key ? 1 : 0));
}
