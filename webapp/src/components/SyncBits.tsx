// Sync status for the headers (a chip that opens the sync screen) and the words for changes.
import { connectivityStore } from "../connectivity";
import { fieldStore, syncStatusStore, type FieldView } from "../field";
import type { ChangeRef, OutboxEntry, ProblemEntry } from "../field/types";
import { formatDay, formatTime } from "../format";
import { useI18n, type I18n, type MessageKey } from "../i18n";
import { paths } from "../router";
import { createStore, useStore } from "../store";
import { Icon } from "./Icon";

/** A message for the next screen (e.g. "Form saved" on the visit after sending a form). */
export const flashStore = createStore<string | null>(null);

/** "14:32" today, else "25 Nov 2026 14:32". */
export function momentText(iso: string, i18n: I18n): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const time = formatTime(date, i18n.locale);
  return new Date().toDateString() === date.toDateString() ? time : `${formatDay(iso, i18n.locale)} ${time}`;
}

export function pendingCount(view: FieldView): number {
  return view.outbox.length + view.photosWaiting;
}

/** The sync state in a few words, and its tone. */
export function syncSummary(i18n: I18n, view: FieldView, online: boolean, running: boolean, lastSyncAt: string | null) {
  const pending = pendingCount(view);
  if (view.problems.length) return { text: i18n.t("sync.chip.attention"), tone: "attention" as const };
  if (!online) {
    // The offline icon says "offline"; the words say what waits.
    const text = pending ? i18n.plural("sync.chip.pending", pending) : i18n.t("sync.chip.offline");
    const label = pending ? `${i18n.t("sync.chip.offline")} · ${text}` : text;
    return { text, label, tone: "offline" as const };
  }
  if (running) return { text: i18n.t("sync.chip.syncing"), tone: "busy" as const };
  if (pending) return { text: i18n.plural("sync.chip.pending", pending), tone: "pending" as const };
  if (lastSyncAt) return { text: i18n.t("sync.chip.synced", { time: momentText(lastSyncAt, i18n) }), tone: "ok" as const };
  return { text: i18n.t("sync.chip.never"), tone: "pending" as const };
}

/** The chip in the header: pending count, last sync, offline; opens the sync screen. */
export function SyncChip() {
  const i18n = useI18n();
  const view = useStore(fieldStore);
  const { online } = useStore(connectivityStore);
  const status = useStore(syncStatusStore);
  const summary = syncSummary(i18n, view, online, status.running, status.lastSyncAt);
  const { text, tone } = summary;
  const label = ("label" in summary && summary.label) || text;
  return (
    <a href={paths.sync} class={`sync-chip sync-${tone}`} aria-label={i18n.t("sync.chip.label", { status: label })}>
      <Icon name={tone === "attention" ? "warning" : tone === "offline" ? "offline" : tone === "ok" ? "check" : "sync"} size={18} />
      <span class="sync-chip-text">{text}</span>
    </a>
  );
}

/** What a change is about: "Check-in · REWE Quokka-Markt". */
export function changeTitle(change: Pick<OutboxEntry | ProblemEntry, "kind" | "ref">, view: FieldView, i18n: I18n): string {
  const what = i18n.t(`kind.${change.kind}` as MessageKey);
  const where = placeOf(change.ref, view);
  return where ? `${what} · ${where}` : what;
}

function placeOf(ref: ChangeRef, view: FieldView): string | null {
  if (ref.outlet_name) return ref.outlet_name;
  if (ref.visit) {
    const visit = view.visits.find((v) => v.uuid === ref.visit);
    if (visit) return visit.outlet.name;
  }
  if (ref.account !== undefined) return view.accounts.get(ref.account)?.outlet.name ?? null;
  if (ref.response) {
    const response = view.responses.find((r) => r.uuid === ref.response);
    if (response) return view.accounts.get(response.account_id)?.outlet.name ?? null;
  }
  return null;
}
