// "Changes at your outlets" in the to-do list: public stores of the user's accounts that other
// brands' reps (or an import) reported closed, open again, moved, renamed or merged
// (GET /quality/notices, the todo's outlet_changes). Kept on the phone for offline; "Dealt with"
// takes one off the organization's lists (online).
import { useEffect, useState } from "preact/hooks";
import { ApiError } from "../api/client";
import { connectivityStore, refreshStore } from "../connectivity";
import { savedOutletChanges, saveOutletChanges } from "../field";
import { formatDate, formatDistance } from "../format";
import { paths } from "../router";
import { useStore } from "../store";
import { dismissNotice, outletChanges, type OutletChange } from "./api";
import { useQualityText, type QualityText } from "./messages";

function changeText(change: OutletChange, q: QualityText): string {
  const detail = change.detail ?? {};
  if (change.change === "moved" && typeof detail.distance_m === "number") {
    return q.t("changes.movedBy", { distance: formatDistance(detail.distance_m, q.locale) });
  }
  if (change.change === "renamed" && typeof detail.name === "string") return `${q.t("changes.renamed")}: ${detail.name}`;
  const key = `changes.${change.change}`;
  return ["closed", "reopened", "moved", "renamed", "merged"].includes(change.change) ? q.t(key as never) : q.t("changes.other");
}

export function OutletChanges() {
  const q = useQualityText();
  const { online } = useStore(connectivityStore);
  const refreshed = useStore(refreshStore);
  const [items, setItems] = useState<OutletChange[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<number | null>(null);

  useEffect(() => {
    let stale = false;
    void savedOutletChanges<OutletChange[]>().then((saved) => {
      if (!stale && saved) setItems(saved);
    });
    if (!online) return () => { stale = true; };
    const controller = new AbortController();
    outletChanges(controller.signal).then(
      (fresh) => {
        stale = true; // the server's answer wins over the saved copy
        setItems(fresh);
        void saveOutletChanges(fresh);
      },
      () => undefined, // offline or refused: keep what was saved (a reminder, not the work itself)
    );
    return () => {
      stale = true;
      controller.abort();
    };
  }, [online, refreshed]);

  const dealtWith = async (change: OutletChange) => {
    setBusy(change.notice_id);
    setError(null);
    try {
      await dismissNotice(change.notice_id);
      const rest = items.filter((c) => c.notice_id !== change.notice_id);
      setItems(rest);
      void saveOutletChanges(rest);
    } catch (e) {
      setError(e instanceof ApiError ? e.detail : String(e));
    } finally {
      setBusy(null);
    }
  };

  if (!items.length) return null;
  return (
    <section class="section outlet-changes" aria-labelledby="outlet-changes-title">
      <h2 id="outlet-changes-title" class="section-title">
        {q.t("changes.title")} <span class="count">({items.length})</span>
      </h2>
      <div role="alert">{error && <p class="message message-error">{error}</p>}</div>
      <ul class="overdue-list">
        {items.map((change) => (
          <li key={change.notice_id} class="outlet-change" data-notice-id={change.notice_id}>
            <a class="overdue-link" href={paths.account(change.account_id)}>
              <span class="overdue-text">
                <span class="overdue-name">{change.outlet_name}</span>
                <span class="small muted">
                  {[change.city, change.at ? formatDate(change.at.slice(0, 10), q.locale) : null].filter(Boolean).join(" · ")}
                </span>
              </span>
              <span class={`badge ${change.change === "reopened" ? "badge-open" : "badge-closed"}`}>{changeText(change, q)}</span>
            </a>
            <button
              type="button" class="button button-text" disabled={!online || busy === change.notice_id}
              aria-label={q.t("changes.doneLabel", { name: change.outlet_name })} onClick={() => void dealtWith(change)}
            >
              {q.t("changes.done")}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
