// Small pieces of account UI shared by the list and the account page: class, status and
// due-date badges, and where the latest version of an edited account is kept.
import type { Account, AccountStatus } from "../api/types";
import { visitDue, type DueState } from "../format";
import { useI18n, type I18n, type MessageKey } from "../i18n";
import { createStore } from "../store";

/** Accounts changed on this phone (by id): lists show these rather than what they fetched earlier. */
export const accountUpdatesStore = createStore<ReadonlyMap<number, Account>>(new Map());

export function rememberAccount(account: Account): void {
  accountUpdatesStore.set((map) => new Map(map).set(account.id, account));
}

export function ClassBadge({ value, large = false }: { value: Account["account_class"]; large?: boolean }) {
  const { t } = useI18n();
  const label = value ? t("accounts.classLabel", { class: value }) : t("account.noClass");
  return (
    <span class={`class-badge class-${value ?? "none"}${large ? " class-badge-large" : ""}`} title={label}>
      <span aria-hidden="true">{value ?? "–"}</span>
      <span class="visually-hidden">{label}</span>
    </span>
  );
}

export function AccountStatusBadge({ status }: { status: AccountStatus }) {
  const { t } = useI18n();
  return <span class={`badge status-${status}`}>{t(`accountStatus.${status}` as MessageKey)}</span>;
}

export function dueText(state: DueState, i18n: I18n): string {
  switch (state.kind) {
    case "none":
      return i18n.t("due.none");
    case "never":
      return i18n.t("due.never");
    case "today":
      return i18n.t("due.today");
    case "overdue":
      return i18n.plural("due.overdue", state.days);
    case "in":
      return i18n.plural("due.in", state.days);
  }
}

/** "Due in 3 days" / "Overdue for 5 days", coloured by urgency. */
export function DueBadge({ account }: { account: Pick<Account, "visit_every_weeks" | "visit_due_at" | "overdue"> }) {
  const i18n = useI18n();
  const state = visitDue(account);
  const tone =
    account.overdue || state.kind === "overdue" || state.kind === "never" ? "due-overdue"
    : state.kind === "today" || (state.kind === "in" && state.days <= 3) ? "due-soon"
    : state.kind === "none" ? "due-none"
    : "due-later";
  return <span class={`badge due ${tone}`}>{dueText(state, i18n)}</span>;
}
