// Sync: the connection, the last sync, what waits to be sent, and what the server refused
// ("needs attention": send again, correct the form, or discard; nothing is dropped silently).
import { useState } from "preact/hooks";
import { Icon } from "../components/Icon";
import { changeTitle, momentText, pendingCount } from "../components/SyncBits";
import { connectivityStore } from "../connectivity";
import { discardProblem, fieldStore, reopenResponse, retryProblem, syncNow, syncStatusStore } from "../field";
import type { ProblemEntry } from "../field/types";
import { formatNumber, formatTime } from "../format";
import { useI18n } from "../i18n";
import { back, navigate, paths } from "../router";
import { useStore } from "../store";

function ProblemItem({ problem }: { problem: ProblemEntry }) {
  const i18n = useI18n();
  const { t } = i18n;
  const view = useStore(fieldStore);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const response = problem.kind === "response.submit" ? view.responses.find((r) => r.uuid === problem.ref.response) : undefined;
  const errors = (problem.problem.errors ?? []).slice(0, 5);
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    try {
      await action();
    } finally {
      setBusy(false);
    }
  };
  return (
    <li class="problem" data-change-uuid={problem.uuid}>
      <p class="problem-title">{changeTitle(problem, view, i18n)}</p>
      <p class="small muted">{t("sync.madeAt", { time: momentText(problem.client_at, i18n) })}</p>
      <p class="problem-detail">{problem.problem.detail || problem.problem.title}</p>
      {errors.length > 0 && (
        <ul class="problem-errors small">
          {errors.map((e, i) => <li key={i}>{e.field ? `${e.field}: ` : ""}{e.message}</li>)}
        </ul>
      )}
      <div class="problem-actions">
        {response && response.visit_uuid && (
          <button
            type="button" class="button button-primary" disabled={busy}
            onClick={() => void run(async () => {
              await reopenResponse(response);
              navigate(paths.visitForm(response.visit_uuid!, response.form_id));
            })}
          >
            {t("sync.openForm")}
          </button>
        )}
        <button type="button" class="button button-secondary" disabled={busy} onClick={() => void run(() => retryProblem(problem.uuid))}>
          <Icon name="sync" size={20} /> {t("sync.retry")}
        </button>
        <button
          type="button" class={confirming ? "button button-danger" : "button button-secondary"} disabled={busy}
          onClick={() => (confirming ? void run(() => discardProblem(problem.uuid)) : setConfirming(true))}
          onBlur={() => setConfirming(false)}
        >
          <Icon name="trash" size={20} /> {confirming ? t("sync.discardConfirm") : t("sync.discard")}
        </button>
      </div>
    </li>
  );
}

export function SyncScreen() {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const view = useStore(fieldStore);
  const status = useStore(syncStatusStore);
  const { online } = useStore(connectivityStore);
  const retryAt = status.retryAt ? formatTime(new Date(status.retryAt), locale) : "—";
  let error: string | null = null;
  if (online && status.error === "network") error = t("sync.error.network", { time: retryAt });
  else if (online && status.error === "server") error = t("sync.error.server", { detail: status.errorDetail ?? "", time: retryAt });
  else if (status.error === "auth") error = t("sync.error.auth");

  return (
    <>
      <header class="screen-header">
        <button type="button" class="icon-button back-button" onClick={() => back(paths.today)} aria-label={t("detail.back")}>
          <Icon name="back" />
        </button>
        <h1 class="screen-title" tabIndex={-1}>{t("sync.title")}</h1>
      </header>
      <div class="screen-body sync-screen">
        <dl class="facts">
          <div class="fact-wide">
            <dt>{t("sync.connection")}</dt>
            <dd class={online ? "conn-online" : "conn-offline"}>{online ? t("sync.online") : t("sync.offline")}</dd>
          </div>
          <div>
            <dt>{t("sync.lastSync")}</dt>
            <dd class="sync-last">{status.lastSyncAt ? momentText(status.lastSyncAt, i18n) : t("sync.never")}</dd>
          </div>
          <div>
            <dt>{t("sync.waiting")}</dt>
            <dd class="sync-waiting">{formatNumber(view.outbox.length, locale)}</dd>
          </div>
          <div>
            <dt>{t("sync.photosWaiting")}</dt>
            <dd class="sync-photos">{formatNumber(view.photosWaiting, locale)}</dd>
            {status.photo && (
              <dd class="small sync-photo-progress">
                {t("sync.photoProgress", {
                  percent: new Intl.NumberFormat(locale, { style: "percent" }).format(status.photo.sent / status.photo.size),
                })}
              </dd>
            )}
          </div>
        </dl>
        <div class="form-alert" role="status">
          {error && <p class="message message-warning">{error}</p>}
        </div>
        <button
          type="button" class="button button-primary full-width" disabled={!online || status.running}
          onClick={() => void syncNow()}
        >
          <Icon name="sync" size={20} /> {status.running ? t("sync.running") : t("sync.now")}
        </button>

        <section class="section" aria-labelledby="attention-title" id="attention">
          <h2 id="attention-title" class="section-title">
            {t("sync.attention")} <span class="count">({view.problems.length})</span>
          </h2>
          {view.problems.length ? (
            <>
              <p class="small muted">{t("sync.attentionHint")}</p>
              <ul class="problems">
                {view.problems.map((p) => <ProblemItem key={p.uuid} problem={p} />)}
              </ul>
            </>
          ) : (
            <p class="message">{t("sync.noAttention")}</p>
          )}
        </section>

        <section class="section" aria-labelledby="pending-title">
          <h2 id="pending-title" class="section-title">
            {t("sync.pendingTitle")} <span class="count">({pendingCount(view)})</span>
          </h2>
          {view.outbox.length ? (
            <ul class="pending-list">
              {view.outbox.map((entry) => (
                <li key={entry.uuid} class="pending-item" data-change-uuid={entry.uuid}>
                  <span class="pending-title">{changeTitle(entry, view, i18n)}</span>
                  <span class="small muted">
                    {t("sync.madeAt", { time: momentText(entry.client_at, i18n) })}
                    {entry.attempts > 0 && ` · ${i18n.plural("sync.tries", entry.attempts)}`}
                  </span>
                </li>
              ))}
            </ul>
          ) : (
            !view.photosWaiting && <p class="message">{t("sync.allSent")}</p>
          )}
        </section>
      </div>
    </>
  );
}
