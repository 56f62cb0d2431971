// Today: the rep's home. The day's visits in order with their planned times and status, what
// is still to send, "Re-plan the rest of my day" (online only), and "Add a visit" at one of
// the rep's accounts. Everything comes from the phone's store, so it works offline.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { apiSend } from "../api/client";
import type { DayPlan, SyncAccount } from "../api/types";
import { DueBadge } from "../components/AccountBits";
import { SettingsButton } from "../components/Chrome";
import { Icon } from "../components/Icon";
import { SyncChip } from "../components/SyncBits";
import { connectivityStore } from "../connectivity";
import { directionsHref } from "../directions";
import { addVisit, clearPlan, fieldStore, localDay, savePlan, setTaskStatus, type SavedPlan, type VisitView } from "../field";
import { visitsOfDay } from "../field/overlay";
import { currentFix, PositionError } from "../field/position";
import { formatAddress, formatClock, formatDate, formatDistance, formatNumber, formatTime } from "../format";
import { distanceMetres, geoStore } from "../geo";
import { errorText } from "../hooks";
import { useI18n, type I18n, type MessageKey } from "../i18n";
import { navigate, paths } from "../router";
import { useStore } from "../store";
import { TodayMap, type RouteStop } from "./TodayMap";
import { OutletChanges } from "../quality/OutletChanges";

export function clockOfMinutes(minutes: number, locale: string): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return formatClock(`${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`, locale);
}

export function VisitStatusChip({ visit }: { visit: VisitView }) {
  const { t } = useI18n();
  return <span class={`badge visit-status visit-${visit.status}`}>{t(`visitStatus.${visit.status}` as MessageKey)}</span>;
}

function weekdayDate(day: string, locale: string): string {
  const [y, m, d] = day.split("-").map(Number);
  return new Intl.DateTimeFormat(locale, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" })
    .format(new Date(Date.UTC(y, m - 1, d)));
}

/** The day's visits, in the re-planned order when the rep re-planned (done ones first). */
function ordered(visits: VisitView[], plan: SavedPlan | undefined): VisitView[] {
  if (!plan) return visits;
  const rank = new Map(plan.stops.map((s, i) => [s.account_id, i]));
  const finished = (v: VisitView) => v.status === "done" || v.status === "cancelled" || v.status === "missed";
  const score = (v: VisitView, i: number) =>
    finished(v) ? -1000 + i : v.status === "in_progress" ? -500 : (rank.get(v.account_id) ?? 1000 + i);
  return visits.map((v, i) => [v, score(v, i)] as const).sort((a, b) => a[1] - b[1]).map(([v]) => v);
}

function VisitItem({ visit, arrival, fromPrevious }: { visit: VisitView; arrival: string | null; fromPrevious: number | null }) {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const account = useStore(fieldStore).accounts.get(visit.account_id);
  const time = visit.planned_start_min !== null ? clockOfMinutes(visit.planned_start_min, locale) : "—";
  const address = account ? formatAddress(account.outlet) : [visit.outlet.street, visit.outlet.house_number, visit.outlet.city].filter(Boolean).join(" ");
  return (
    <li class="visit-item">
      <a href={paths.visit(visit.uuid)} class="visit-link" data-visit-uuid={visit.uuid}>
        <span class="visit-time" aria-label={visit.planned_start_min !== null ? t("visit.plannedAt", { time }) : undefined}>{time}</span>
        <span class="visit-main">
          <span class="visit-name">{visit.outlet.name}</span>
          {address && <span class="visit-address">{address}</span>}
          <span class="visit-badges">
            <VisitStatusChip visit={visit} />
            {visit.source === "unplanned" && <span class="badge badge-muted">{t("visit.unplanned")}</span>}
            {visit.pending && <span class="badge badge-pending">{t("visit.notSent")}</span>}
            {visit.flagged && <span class="badge badge-closed"><Icon name="flag" size={12} /> {t("visit.flagged")}</span>}
            {arrival && visit.status === "planned" && <span class="badge badge-arrive">{t("today.arrive", { time: formatClock(arrival, locale) })}</span>}
          </span>
          {fromPrevious !== null && (
            <span class="visit-leg small muted">{t("today.fromPrevious", { distance: formatDistance(fromPrevious, locale) })}</span>
          )}
        </span>
        <Icon name="chevron" />
      </a>
    </li>
  );
}

function AccountPicker({ onCancel }: { onCancel(): void }) {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const view = useStore(fieldStore);
  const origin = useStore(geoStore).origin;
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const panel = useRef<HTMLElement>(null);
  useEffect(() => {
    panel.current?.scrollIntoView({ block: "start" });
    panel.current?.querySelector<HTMLInputElement>("input")?.focus({ preventScroll: true });
  }, []);
  const items = useMemo(() => {
    const q = text.trim().toLocaleLowerCase();
    const all = [...view.accounts.values()].filter(
      (a) => !q || `${a.outlet.name} ${a.outlet.city ?? ""} ${a.outlet.street ?? ""}`.toLocaleLowerCase().includes(q),
    );
    const distance = (a: SyncAccount) =>
      origin && a.outlet.lat !== null && a.outlet.lon !== null ? distanceMetres(origin, { lat: a.outlet.lat, lon: a.outlet.lon }) : null;
    const withDistance = all.map((a) => ({ account: a, distance: distance(a) }));
    withDistance.sort((a, b) =>
      a.distance !== null && b.distance !== null ? a.distance - b.distance : a.account.outlet.name.localeCompare(b.account.outlet.name));
    return withDistance.slice(0, 30);
  }, [view.accounts, text, origin]);

  const start = async (account: SyncAccount) => {
    if (busy) return;
    setBusy(true);
    const uuid = await addVisit(account.id);
    navigate(paths.visit(uuid));
  };

  return (
    <section ref={panel} class="panel picker" aria-labelledby="picker-title">
      <div class="panel-head">
        <h2 id="picker-title" class="panel-title">{t("pick.title")}</h2>
        <button type="button" class="button button-text" onClick={onCancel}>{t("nearby.cancel")}</button>
      </div>
      <label class="field-label" for="picker-q">{t("pick.search")}</label>
      <input
        id="picker-q" class="input" type="search" value={text} autoComplete="off" enterKeyHint="search"
        onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)}
      />
      {origin && <p class="small muted picker-hint">{t("pick.nearest")}</p>}
      {view.accounts.size === 0 ? (
        <p class="message">{t("pick.noAccounts")}</p>
      ) : items.length === 0 ? (
        <p class="message">{t("pick.none")}</p>
      ) : (
        <ul class="picker-list">
          {items.map(({ account, distance }) => (
            <li key={account.id}>
              <button
                type="button" class="picker-item" disabled={busy} data-account-id={account.id}
                aria-label={t("pick.start", { name: account.outlet.name })} onClick={() => void start(account)}
              >
                <span class="picker-name">{account.outlet.name}</span>
                {distance !== null && <span class="picker-distance">{formatDistance(distance, locale)}</span>}
                <span class="picker-address">{formatAddress(account.outlet)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function planSummary(plan: SavedPlan, names: (id: number) => string, i18n: I18n): { text: string; dropped: string | null } {
  const km = new Intl.NumberFormat(i18n.locale, { style: "unit", unit: "kilometer", maximumFractionDigits: 1 }).format(plan.travel_km);
  const text = i18n.t("today.replanned", {
    time: formatTime(new Date(plan.made_at), i18n.locale), km, minutes: formatNumber(plan.travel_min, i18n.locale),
  });
  const dropped = plan.dropped.length ? i18n.t("today.replanDropped", { names: plan.dropped.map((d) => names(d.account_id)).join(", ") }) : null;
  return { text, dropped };
}

export function Today() {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const view = useStore(fieldStore);
  const { online } = useStore(connectivityStore);
  const origin = useStore(geoStore).origin;
  const [picking, setPicking] = useState(false);
  const [showMap, setShowMap] = useState(false);
  const [replanning, setReplanning] = useState(false);
  const [replanError, setReplanError] = useState<string | null>(null);
  const today = localDay(new Date());
  const plan = view.plans[today];
  const visits = ordered(visitsOfDay(view.visits, today, view.createdDays), plan);
  const done = visits.filter((v) => v.status === "done").length;
  const arrivals = new Map(plan?.stops.map((s) => [s.account_id, s.arrival]) ?? []);
  const openTasks = view.tasks
    .filter((task) => task.status === "open")
    .sort((a, b) => (a.due_date ?? "9999").localeCompare(b.due_date ?? "9999"));

  const replan = async () => {
    setReplanning(true);
    setReplanError(null);
    try {
      const fix = await currentFix();
      const now = new Date();
      const hhmm = `${String(now.getHours()).padStart(2, "0")}:${String(now.getMinutes()).padStart(2, "0")}`;
      const result = await apiSend<DayPlan>("POST", "/routes/optimize-day", {
        date: today, position: { lat: fix.lat, lon: fix.lon }, now: hhmm, time_limit_s: 2,
      });
      await savePlan(result);
    } catch (error) {
      setReplanError(error instanceof PositionError ? t("today.replanNoPosition") : errorText(error, i18n));
    } finally {
      setReplanning(false);
    }
  };
  const names = (id: number) => view.accounts.get(id)?.outlet.name ?? `#${id}`;
  const where = (v: VisitView) => {
    const outlet = view.accounts.get(v.account_id)?.outlet;
    return outlet && outlet.lat !== null && outlet.lon !== null ? { lat: outlet.lat, lon: outlet.lon } : null;
  };
  const next = visits.find((v) => v.status === "in_progress") ?? visits.find((v) => v.status === "planned") ?? null;
  const nextAt = next ? where(next) : null;
  const legs = visits.map((v, i) => {
    const here = where(v);
    const before = i > 0 ? where(visits[i - 1]) : null;
    return here && before ? distanceMetres(before, here) : null;
  });
  const stops: RouteStop[] = visits.flatMap((v) => {
    const at = where(v);
    return at ? [{ ...at, label: v.outlet.name, done: v.status !== "planned" && v.status !== "in_progress", next: v === next }] : [];
  });
  const todayIds = new Set(visits.map((v) => v.account_id));
  const overdue = [...view.accounts.values()]
    .filter((a) => a.overdue && a.status !== "lost" && !todayIds.has(a.id))
    .sort((a, b) => (a.visit_due_at ?? "").localeCompare(b.visit_due_at ?? "") || a.outlet.name.localeCompare(b.outlet.name));
  const summary = plan && plan.stops.length ? planSummary(plan, names, i18n) : null;

  return (
    <>
      <header class="screen-header">
        <div class="screen-heading">
          <h1 class="screen-title" tabIndex={-1}>{t("today.title")}</h1>
          <p class="screen-subtitle">{weekdayDate(today, locale)}</p>
        </div>
        <SyncChip />
        <SettingsButton />
      </header>
      <div class="screen-body today">
        {view.problems.length > 0 && (
          <a class="message message-error attention-link" href={`${paths.sync}#attention`}>
            <Icon name="warning" size={20} />
            <span>{i18n.plural("today.attention", view.problems.length)}</span>
          </a>
        )}
        {visits.length > 0 && (
          <p class="result-count today-progress">{t("today.progress", { done: formatNumber(done, locale), total: formatNumber(visits.length, locale) })}</p>
        )}
        {!view.ready || (!view.pulled && visits.length === 0) ? (
          online || !view.ready ? (
            <p class="loading" role="status"><span class="spinner" aria-hidden="true" /> {t("today.loading")}</p>
          ) : (
            <p class="message">{t("today.notLoaded")}</p>
          )
        ) : visits.length === 0 ? (
          <p class="message today-empty">{t("today.empty")}</p>
        ) : (
          <>
            {next && (
              <section class="panel next-stop" aria-labelledby="next-stop-title">
                <h2 id="next-stop-title" class="panel-title">
                  {t("today.next")}: {next.outlet.name}
                </h2>
                <p class="small muted">
                  {[
                    next.planned_start_min !== null ? t("visit.plannedAt", { time: clockOfMinutes(next.planned_start_min, locale) }) : null,
                    origin && nextAt ? t("today.away", { distance: formatDistance(distanceMetres(origin, nextAt), locale) }) : null,
                  ].filter(Boolean).join(" · ")}
                </p>
                <div class="form-actions">
                  {nextAt && (
                    <a class="button button-secondary" href={directionsHref(nextAt.lat, nextAt.lon, next.outlet.name)} target="_blank" rel="noopener noreferrer">
                      <Icon name="directions" size={20} /> {t("detail.directions")}
                    </a>
                  )}
                  <a class="button button-primary" href={paths.visit(next.uuid)}>{t("today.openVisit")}</a>
                </div>
              </section>
            )}
            {stops.length > 0 && (
              <button
                type="button" class="button button-secondary full-width today-map-toggle" aria-expanded={showMap}
                onClick={() => setShowMap(!showMap)}
              >
                <Icon name="map" size={20} /> {showMap ? t("today.hideMap") : t("today.showMap")}
              </button>
            )}
            {/* Loaded on demand: the map's code stays off the first paint of a slow phone. */}
            {showMap && <TodayMap stops={stops} origin={origin} />}
            <ol class="visit-list">
              {visits.map((v, i) => <VisitItem key={v.uuid} visit={v} arrival={arrivals.get(v.account_id) ?? null} fromPrevious={legs[i]} />)}
            </ol>
          </>
        )}
        {summary && (
          <div class="message replan-summary" role="status">
            <p>{summary.text}</p>
            {summary.dropped && <p>{summary.dropped}</p>}
            <button type="button" class="button button-text" onClick={() => void clearPlan(today)}>{t("today.replanReset")}</button>
          </div>
        )}
        <div class="form-alert" role="alert">{replanError && <p class="message message-error">{replanError}</p>}</div>
        <div class="today-actions">
          <button
            type="button" class="button button-secondary" disabled={!online || replanning || visits.length === 0}
            aria-describedby={!online ? "replan-offline" : undefined} onClick={() => void replan()}
          >
            <Icon name="route" size={20} /> {replanning ? t("today.replanning") : t("today.replan")}
          </button>
          {!online && <p id="replan-offline" class="small muted">{t("today.replanOffline")}</p>}
          {!picking && (
            <button type="button" class="button button-primary" onClick={() => setPicking(true)}>
              <Icon name="plus" size={20} /> {t("today.addVisit")}
            </button>
          )}
        </div>
        {picking && <AccountPicker onCancel={() => setPicking(false)} />}
        <OutletChanges />
        {overdue.length > 0 && (
          <section class="section" aria-labelledby="overdue-title">
            <h2 id="overdue-title" class="section-title">{t("today.overdue")} <span class="count">({overdue.length})</span></h2>
            <ul class="overdue-list">
              {overdue.slice(0, 20).map((a) => (
                <li key={a.id}>
                  <a class="overdue-link" href={paths.account(a.id)} data-account-id={a.id}>
                    <span class="overdue-text">
                      <span class="overdue-name">{a.outlet.name}</span>
                      <span class="small muted">{formatAddress(a.outlet)}</span>
                    </span>
                    <DueBadge account={a} />
                  </a>
                </li>
              ))}
            </ul>
          </section>
        )}
        {openTasks.length > 0 && (
          <section class="section" aria-labelledby="tasks-title">
            <h2 id="tasks-title" class="section-title">{t("today.tasks")} <span class="count">({openTasks.length})</span></h2>
            <ul class="task-list">
              {openTasks.map((task) => (
                <li key={task.uuid} class="task-item">
                  <button
                    type="button" class="icon-button task-done" aria-label={t("visit.taskDone", { title: task.title })}
                    onClick={() => void setTaskStatus(task.uuid, "done", task.account_id)}
                  >
                    <span class="task-box" aria-hidden="true" />
                  </button>
                  <span class="task-text">
                    <span class="task-title">{task.title}</span>
                    <span class="small muted">
                      {[task.account_id ? names(task.account_id) : null, task.due_date ? t("visit.due", { date: formatDate(task.due_date, locale) }) : null]
                        .filter(Boolean).join(" · ")}
                      {task.pending && ` · ${t("visit.notSent")}`}
                    </span>
                  </span>
                </li>
              ))}
            </ul>
          </section>
        )}
      </div>
    </>
  );
}
