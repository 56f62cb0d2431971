// One visit in the store: check in (GPS position and accuracy; the distance to the outlet is
// computed here and warned about past 200 m; the server's geofence decision comes with the
// sync), the forms that apply to the outlet (mandatory first), check out with the outcome and
// notes (only after checking in), and follow-up tasks. Works offline: each step is a change in
// the outbox, sent when there is a connection.
import { useEffect, useRef, useState } from "preact/hooks";
import { OUTCOMES, type Outcome, type SyncAccount } from "../api/types";
import { described, Field } from "../components/Form";
import { Icon } from "../components/Icon";
import { formatLabel } from "../components/OutletList";
import { flashStore, SyncChip } from "../components/SyncBits";
import {
  addTask, checkIn, checkOut, distanceToOutlet, draftKey, fieldStore, GEOFENCE_WARN_M, setTaskStatus, type Fix, type VisitView,
} from "../field";
import { currentFix, PositionError, quickFix } from "../field/position";
import type { ApplicableForm } from "../field/targeting";
import { useVisitForms } from "../field/useForms";
import { directionsHref } from "../directions";
import { formatAddress, formatDate, formatDistance, formatTime } from "../format";
import { useI18n, type MessageKey } from "../i18n";
import { localise } from "../survey/labels";
import { back, paths } from "../router";
import { useStore } from "../store";
import { clockOfMinutes, VisitStatusChip } from "./Today";

type CheckInPhase =
  | { kind: "idle" }
  | { kind: "locating" }
  | { kind: "far"; fix: Fix; distance: number }
  | { kind: "failed"; reason: "denied" | "unavailable" };

function CheckInCard({ visit, account }: { visit: VisitView; account: SyncAccount | undefined }) {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const [phase, setPhase] = useState<CheckInPhase>({ kind: "idle" });
  const limit = formatDistance(GEOFENCE_WARN_M, locale);

  const start = async () => {
    setPhase({ kind: "locating" });
    let fix: Fix;
    try {
      fix = await currentFix(20_000, 0); // a fresh fix: the check-in's distance depends on it
    } catch (error) {
      setPhase({ kind: "failed", reason: error instanceof PositionError ? error.reason : "unavailable" });
      return;
    }
    const distance = distanceToOutlet(fix, account);
    if (distance !== null && distance > GEOFENCE_WARN_M) {
      setPhase({ kind: "far", fix, distance });
      return;
    }
    await checkIn(visit, fix, account);
    setPhase({ kind: "idle" });
  };

  if (visit.status === "cancelled") return <p class="message">{t("visit.cancelled")}</p>;
  const checkInfo = visit.check_in;
  if (checkInfo) {
    const distance = checkInfo.distance_m;
    const when = checkInfo.client_at ?? checkInfo.at;
    return (
      <section class="panel checkin-done" aria-labelledby="checkin-title">
        <h2 id="checkin-title" class="panel-title">
          <Icon name="check" size={20} /> {t("visit.checkedIn", { time: when ? formatTime(new Date(when), locale) : "—" })}
        </h2>
        <p class="checkin-distance">
          {distance !== null ? t("visit.distance", { distance: formatDistance(distance, locale) }) : ""}
          {checkInfo.accuracy_m !== null && ` · ${t("visit.accuracy", { accuracy: formatDistance(checkInfo.accuracy_m, locale) })}`}
        </p>
        {distance !== null && distance > GEOFENCE_WARN_M && !visit.flagged && (
          <p class="message message-warning checkin-far"><Icon name="warning" size={18} /> {t("visit.tooFar", { limit })}</p>
        )}
        {visit.pending && !checkInfo.at ? (
          <p class="small muted checkin-server">{t("visit.waitingServer")}</p>
        ) : visit.flagged ? (
          <p class="message message-error checkin-server"><Icon name="flag" size={18} /> {t("visit.serverFlag", { reason: visit.flag_reason ?? "" })}</p>
        ) : (
          <p class="small checkin-server checkin-ok">{t("visit.serverOk")}</p>
        )}
      </section>
    );
  }
  return (
    <section class="panel checkin" aria-labelledby="checkin-title">
      <h2 id="checkin-title" class="visually-hidden">{t("visit.checkIn")}</h2>
      <div role="status" class="form-alert">
        {phase.kind === "locating" && <p class="loading"><span class="spinner" aria-hidden="true" /> {t("visit.locating")}</p>}
        {phase.kind === "failed" && (
          <p class="message message-error">{phase.reason === "denied" ? t("visit.locationDenied") : t("visit.locationFailed")}</p>
        )}
        {phase.kind === "far" && (
          <p class="message message-warning checkin-far">
            <Icon name="warning" size={18} /> {t("visit.far", { distance: formatDistance(phase.distance, locale), limit })}
          </p>
        )}
      </div>
      {phase.kind === "far" ? (
        <div class="form-actions">
          <button type="button" class="button button-secondary" onClick={() => setPhase({ kind: "idle" })}>{t("visit.cancel")}</button>
          <button type="button" class="button button-primary" onClick={() => void checkIn(visit, phase.fix, account).then(() => setPhase({ kind: "idle" }))}>
            {t("visit.checkInAnyway")}
          </button>
        </div>
      ) : (
        <button type="button" class="button button-primary button-big full-width" disabled={phase.kind === "locating"} onClick={() => void start()}>
          <Icon name="nearby" size={22} /> {t("visit.checkIn")}
        </button>
      )}
    </section>
  );
}

type FormState = "new" | "draft" | "pending" | "sent" | "rejected";

function formState(visit: VisitView, form: ApplicableForm): FormState {
  const view = fieldStore.get();
  const mine = view.responses.filter((r) => r.visit_uuid === visit.uuid && r.form_id === form.form.id);
  if (mine.some((r) => r.status === "rejected") && !view.drafts.has(draftKey(visit.uuid, form.form.id))) return "rejected";
  if (view.drafts.has(draftKey(visit.uuid, form.form.id))) return "draft";
  if (mine.some((r) => r.status === "pending")) return "pending";
  if (mine.some((r) => r.status === "sent")) return "sent";
  return "new";
}

function FormsSection({ visit }: { visit: VisitView }) {
  const i18n = useI18n();
  const { t } = i18n;
  useStore(fieldStore); // re-render with the responses and drafts
  const forms = useVisitForms(visit.account_id);
  const open = visit.status === "in_progress";
  return (
    <section class="section" aria-labelledby="forms-title">
      <h2 id="forms-title" class="section-title">{t("visit.forms")}</h2>
      {!open && visit.status !== "done" && forms.items.length > 0 && <p class="small muted">{t("visit.formsNeedCheckIn")}</p>}
      {forms.source === "none" ? (
        forms.loading ? <p class="loading"><span class="spinner" aria-hidden="true" /> {t("app.loading")}</p> : <p class="message">{t("visit.formsNotLoaded")}</p>
      ) : forms.items.length === 0 ? (
        <p class="message">{t("visit.noForms")}</p>
      ) : (
        <ul class="form-list">
          {forms.items.map((form) => {
            const state = formState(visit, form);
            const title = localise(form.form.title, i18n.lang);
            const body = (
              <>
                <span class="form-item-main">
                  <span class="form-item-title">{title}</span>
                  <span class="visit-badges">
                    {form.mandatory && <span class="badge badge-mandatory">{t("visit.mandatory")}</span>}
                    <span class={`badge form-state form-${state}`}>{t(`visit.form.${state}` as MessageKey)}</span>
                  </span>
                </span>
                {(open || state === "rejected") && <Icon name="chevron" />}
              </>
            );
            return (
              <li key={form.form.id} class="form-item" data-form-key={form.form.key}>
                {open || state === "rejected" ? (
                  <a class="form-link" href={paths.visitForm(visit.uuid, form.form.id)}>{body}</a>
                ) : (
                  <div class="form-link is-disabled" aria-disabled="true">{body}</div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function CheckOutCard({ visit }: { visit: VisitView }) {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const forms = useVisitForms(visit.account_id);
  const [outcome, setOutcome] = useState<Outcome | "">("");
  const [notes, setNotes] = useState("");
  const [busy, setBusy] = useState(false);
  if (visit.status === "done") {
    const when = visit.check_out?.client_at ?? visit.check_out?.at;
    return (
      <section class="panel checkout-done" aria-labelledby="checkout-title">
        <h2 id="checkout-title" class="panel-title">
          <Icon name="check" size={20} /> {t("visit.checkedOut", { time: when ? formatTime(new Date(when), locale) : "—" })}
        </h2>
        {visit.outcome && <p>{t("visit.outcomeLine", { outcome: t(`outcome.${visit.outcome}` as MessageKey) })}</p>}
        {visit.notes && <p class="notes">{visit.notes}</p>}
      </section>
    );
  }
  if (visit.status === "cancelled") return null;
  const checkedIn = visit.status === "in_progress";
  const missing = forms.items
    .filter((f) => f.mandatory && !["pending", "sent"].includes(formState(visit, f)))
    .map((f) => localise(f.form.title, i18n.lang));
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!checkedIn || busy) return;
    setBusy(true);
    try {
      await checkOut(visit, outcome || null, notes, await quickFix());
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="panel checkout" aria-labelledby="checkout-title" onSubmit={(e) => void submit(e)} noValidate>
      <h2 id="checkout-title" class="panel-title">{t("visit.checkOut")}</h2>
      <Field id="checkout-outcome" label={t("visit.outcome")}>
        <select
          id="checkout-outcome" class="select" value={outcome} disabled={!checkedIn}
          onChange={(e) => setOutcome((e.currentTarget as HTMLSelectElement).value as Outcome | "")}
        >
          <option value="">{t("visit.outcomeNone")}</option>
          {OUTCOMES.map((o) => <option key={o} value={o}>{t(`outcome.${o}` as MessageKey)}</option>)}
        </select>
      </Field>
      <Field id="checkout-notes" label={t("visit.notes")}>
        <textarea
          id="checkout-notes" class="input textarea" value={notes} maxLength={5000} disabled={!checkedIn}
          onInput={(e) => setNotes((e.currentTarget as HTMLTextAreaElement).value)}
        />
      </Field>
      {checkedIn && missing.length > 0 && (
        <p class="message message-warning">{t("visit.mandatoryMissing", { forms: missing.join(", ") })}</p>
      )}
      <button
        type="submit" class="button button-primary button-big full-width" disabled={!checkedIn || busy}
        aria-describedby={!checkedIn ? "checkout-hint" : undefined}
      >
        {t("visit.checkOut")}
      </button>
      {!checkedIn && <p id="checkout-hint" class="small muted">{t("visit.checkOutHint")}</p>}
    </form>
  );
}

function TasksSection({ visit }: { visit: VisitView }) {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const view = useStore(fieldStore);
  const [title, setTitle] = useState("");
  const [due, setDue] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const tasks = view.tasks.filter(
    (task) => (task.account_id === visit.account_id && task.status === "open") || task.visit_uuid === visit.uuid,
  );
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!title.trim()) {
      setError(t("visit.taskTitleMissing"));
      input.current?.focus();
      return;
    }
    await addTask(title, due || null, visit.account_id, visit.uuid);
    setTitle("");
    setDue("");
    setError(null);
    setNotice(t("visit.taskAdded"));
  };
  return (
    <section class="section" aria-labelledby="tasks-title">
      <h2 id="tasks-title" class="section-title">{t("visit.tasks")}</h2>
      {tasks.length ? (
        <ul class="task-list">
          {tasks.map((task) => (
            <li key={task.uuid} class={`task-item task-${task.status}`}>
              <button
                type="button" class="icon-button task-done" aria-label={t("visit.taskDone", { title: task.title })}
                aria-pressed={task.status === "done"} disabled={task.status !== "open"}
                onClick={() => void setTaskStatus(task.uuid, "done", task.account_id)}
              >
                <span class="task-box" aria-hidden="true">{task.status === "done" && <Icon name="check" size={16} />}</span>
              </button>
              <span class="task-text">
                <span class="task-title">{task.title}</span>
                <span class="small muted">
                  {task.due_date && t("visit.due", { date: formatDate(task.due_date, locale) })}
                  {task.pending && `${task.due_date ? " · " : ""}${t("visit.notSent")}`}
                </span>
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p class="small muted">{t("visit.noTasks")}</p>
      )}
      <p class="notice" role="status">{notice && <span class="message message-success">{notice}</span>}</p>
      <form class="panel task-form" onSubmit={(e) => void submit(e)} noValidate>
        <Field id="task-title" label={t("visit.taskTitle")} error={error}>
          <input
            ref={input} id="task-title" class="input" value={title} maxLength={300} autoComplete="off"
            onInput={(e) => { setTitle((e.currentTarget as HTMLInputElement).value); setError(null); setNotice(null); }}
            {...described("task-title", error)}
          />
        </Field>
        <Field id="task-due" label={t("visit.taskDue")}>
          <input id="task-due" class="input" type="date" value={due} onInput={(e) => setDue((e.currentTarget as HTMLInputElement).value)} />
        </Field>
        <button type="submit" class="button button-secondary full-width"><Icon name="plus" size={20} /> {t("visit.addTask")}</button>
      </form>
    </section>
  );
}

export function VisitScreen({ uuid }: { uuid: string }) {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const view = useStore(fieldStore);
  const visit = view.visits.find((v) => v.uuid === uuid);
  const account = visit ? view.accounts.get(visit.account_id) : undefined;
  const flash = useStore(flashStore);
  useEffect(() => () => flashStore.set(null), []);
  return (
    <>
      <header class="screen-header">
        <button type="button" class="icon-button back-button" onClick={() => back(paths.today)} aria-label={t("detail.back")}>
          <Icon name="back" />
        </button>
        <h1 class="screen-title" tabIndex={-1}>{visit?.outlet.name ?? t("visit.title")}</h1>
        <SyncChip />
      </header>
      <div class="screen-body visit-screen">
        {!view.ready ? (
          <p class="loading" role="status"><span class="spinner" aria-hidden="true" /> {t("app.loading")}</p>
        ) : !visit ? (
          <p class="message">{t("visit.notFound")}</p>
        ) : (
          <>
            <div class="visit-summary">
              <VisitStatusChip visit={visit} />
              {visit.planned_start_min !== null && (
                <span class="visit-planned-time">{t("visit.plannedAt", { time: clockOfMinutes(visit.planned_start_min, locale) })}</span>
              )}
              {visit.pending && <span class="badge badge-pending">{t("visit.notSent")}</span>}
            </div>
            {account && (
              <a class="outlet-block" href={paths.account(account.id)}>
                <span class="outlet-block-text">
                  <span class="outlet-meta">{formatLabel(account.outlet, i18n)}</span>
                  <span class="outlet-address">{formatAddress(account.outlet)}</span>
                  <span class="outlet-block-link">{t("visit.accountPage")}</span>
                </span>
                <Icon name="chevron" />
              </a>
            )}
            {account && account.outlet.lat !== null && account.outlet.lon !== null && visit.status !== "done" && (
              <a
                class="button button-secondary full-width visit-directions" target="_blank" rel="noopener noreferrer"
                href={directionsHref(account.outlet.lat, account.outlet.lon, account.outlet.name)}
              >
                <Icon name="directions" size={20} /> {t("detail.directions")}
              </a>
            )}
            <p class="notice" role="status">{flash && <span class="message message-success">{flash}</span>}</p>
            {visit.status === "missed" && !visit.check_in && <p class="message">{t("visit.missed")}</p>}
            <CheckInCard visit={visit} account={account} />
            {visit.status !== "cancelled" && <FormsSection visit={visit} />}
            <CheckOutCard visit={visit} />
            {visit.status !== "cancelled" && <TasksSection visit={visit} />}
          </>
        )}
      </div>
    </>
  );
}
