// The manager's planner (laptop and tablet, usable on a phone): the team's accounts on a map
// and in a list with class, frequency, status and rep filters, assigned and given a frequency
// in bulk; a week planned by the optimizer (a background job with its progress), each rep's
// days as coloured routes and as ordered lists with times, what was left out and why;
// publishing; moving a published visit; the team's coverage. Online only: it plans for others.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { ApiError } from "../api/client";
import type { Account, AccountClass, AccountStatus, User } from "../api/types";
import { SettingsButton } from "../components/Chrome";
import { Icon } from "../components/Icon";
import { formatDate, formatNumber } from "../format";
import { errorText } from "../hooks";
import { useI18n, type MessageKey } from "../i18n";
import {
  allAccounts, bulkUpdate, createPlan, getJob, getPlan, listPlans, moveVisit, publishPlan, teamReps, visitsBetween,
  type Job, type PlannedVisit, type RoutePlan,
} from "./api";
import { usePlannerText, type PlannerText } from "./messages";
import {
  coverage, EMPTY_FILTER, hhmmOf, isoDay, matches, minutesOf, nextMonday, planFilter, repColour, repDays, workingDays,
  type AccountFilter, type DayStop, type RepDay,
} from "./model";
import { PlannerMap, type MapPoint, type MapRoute } from "./PlannerMap";
import "./planner.css";

type View = "accounts" | "week" | "coverage";
const CLASSES: AccountClass[] = ["A", "B", "C"];
const FREQUENCIES = [1, 2, 4, 8, 13];
const STATUSES: AccountStatus[] = ["customer", "prospect", "lost"];
const PAGE = 100;

function clock(minutes: number | null, locale: string): string {
  if (minutes === null) return "—";
  return new Intl.DateTimeFormat(locale, { hour: "numeric", minute: "2-digit", timeZone: "UTC" })
    .format(new Date(Date.UTC(2000, 0, 1, Math.floor(minutes / 60), minutes % 60)));
}

function weekday(day: string, locale: string): string {
  const [y, m, d] = day.split("-").map(Number);
  return new Intl.DateTimeFormat(locale, { weekday: "long", day: "numeric", month: "short", timeZone: "UTC" })
    .format(new Date(Date.UTC(y, m - 1, d)));
}

/** A ref that colours an element through the CSSOM (a strict CSP forbids inline style attributes). */
function paint(colour: string) {
  return (element: HTMLElement | null) => {
    if (element) element.style.background = colour;
  };
}

function newUuid(): string {
  return globalThis.crypto.randomUUID();
}

export function Planner({ me }: { me: User }) {
  const text = usePlannerText();
  const { t } = text;
  const i18n = useI18n();
  const [reps, setReps] = useState<User[] | null>(null);
  const [accounts, setAccounts] = useState<Account[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [view, setView] = useState<View>("accounts");
  const [filter, setFilter] = useState<AccountFilter>(EMPTY_FILTER);
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [plan, setPlan] = useState<RoutePlan | null>(null);
  const [plans, setPlans] = useState<RoutePlan[]>([]);
  const [visits, setVisits] = useState<PlannedVisit[] | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [day, setDay] = useState<string>("");

  const load = async () => {
    setLoadError(null);
    try {
      const [team, book, earlier] = await Promise.all([teamReps(me), allAccounts(), listPlans()]);
      setReps(team);
      setAccounts(book);
      setPlans(earlier);
    } catch (error) {
      setLoadError(errorText(error, i18n));
    }
  };
  useEffect(() => void load(), []);

  const shown = useMemo(() => (accounts ?? []).filter((a) => matches(a, filter)), [accounts, filter]);
  const repIds = useMemo(() => (reps ?? []).map((r) => r.id), [reps]);
  const repName = (id: number | null) => (id === null ? t("filter.unassigned") : reps?.find((r) => r.id === id)?.name ?? `#${id}`);
  const positions = useMemo(
    () => new Map((accounts ?? []).map((a) => [a.id, { lat: a.outlet.lat, lon: a.outlet.lon, name: a.outlet.name }])),
    [accounts],
  );
  const days = useMemo(() => (plan ? repDays(plan, visits, positions) : []), [plan, visits, positions]);

  const openPlan = async (id: number) => {
    const full = await getPlan(id);
    setPlan(full);
    setDay("");
    setVisits(full.status === "published" ? await visitsBetween(full.date_from, full.date_to) : null);
    setView("week");
  };

  // Watch the job until the plan is made (or fails).
  useEffect(() => {
    if (!plan || (plan.status !== "queued" && plan.status !== "running") || !plan.job_id) return;
    let stopped = false;
    const tick = async () => {
      try {
        const current = await getJob(plan.job_id as number);
        if (stopped) return;
        setJob(current);
        if (current.status === "done" || current.status === "failed") {
          const full = await getPlan(plan.id);
          if (!stopped) {
            setPlan(full);
            setPlans(await listPlans());
          }
          return;
        }
      } catch {
        /* a missed poll: the next one tells */
      }
      if (!stopped) timer = setTimeout(() => void tick(), 700);
    };
    let timer = setTimeout(() => void tick(), 300);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [plan?.id, plan?.status]);

  const refreshVisits = async () => {
    if (plan) setVisits(await visitsBetween(plan.date_from, plan.date_to));
  };

  if (loadError) {
    return (
      <>
        <PlannerHeader />
        <div class="screen-body">
          <p class="message message-error" role="alert">{loadError}</p>
          <button type="button" class="button button-secondary" onClick={() => void load()}>{i18n.t("error.retry")}</button>
        </div>
      </>
    );
  }
  if (!reps || !accounts) {
    return (
      <>
        <PlannerHeader />
        <div class="screen-body"><p class="loading" role="status"><span class="spinner" aria-hidden="true" /> {t("loading")}</p></div>
      </>
    );
  }

  const points: MapPoint[] = shown
    .filter((a) => a.outlet.lat !== null && a.outlet.lon !== null)
    .map((a) => ({
      id: a.id, lat: a.outlet.lat as number, lon: a.outlet.lon as number,
      colour: a.assigned_rep_id === null ? "#9ca3af" : repColour(repIds, a.assigned_rep_id),
      selected: selected.has(a.id), label: `${a.outlet.name} · ${repName(a.assigned_rep_id)}`,
    }));
  const routes: MapRoute[] = days
    .filter((d) => !day || d.date === day)
    .map((d) => ({
      key: `${d.rep_id}:${d.date}`,
      colour: repColour(plan?.rep_ids ?? repIds, d.rep_id),
      home: reps.find((r) => r.id === d.rep_id)?.home ?? null,
      stops: d.stops.filter((s) => s.lat !== null && s.lon !== null)
        .map((s, i) => ({ lat: s.lat as number, lon: s.lon as number, order: i + 1, label: s.name })),
    }));
  const toggle = (id: number) =>
    setSelected((previous) => {
      const next = new Set(previous);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <>
      <PlannerHeader />
      <div class="planner">
        <div class="planner-tabs" role="group" aria-label={t("tabs.label")}>
          {(["accounts", "week", "coverage"] as View[]).map((name) => (
            <button key={name} type="button" class="chip planner-tab" aria-pressed={view === name} onClick={() => setView(name)}>
              {t(`tab.${name}`)}
            </button>
          ))}
        </div>
        <div class="planner-grid">
          <div class="planner-map-column">
            {view === "week" && plan?.result
              ? <PlannerMap routes={routes} />
              : <PlannerMap points={points} onToggle={toggle} />}
            <Legend reps={reps} repIds={plan?.rep_ids ?? repIds} text={text} />
          </div>
          <div class="planner-panel">
            {view === "accounts" && (
              <AccountsPanel
                text={text} reps={reps} repIds={repIds} accounts={shown} filter={filter} setFilter={setFilter}
                selected={selected} setSelected={setSelected} toggle={toggle} repName={repName}
                onChanged={(change) => setAccounts((all) => (all ?? []).map(change))}
              />
            )}
            {view === "week" && (
              <WeekPanel
                text={text} me={me} reps={reps} plan={plan} plans={plans} job={job} days={days} shownCount={shown.length}
                filter={filter} day={day} setDay={setDay} repName={repName}
                onStarted={(started) => { setJob(null); setVisits(null); setPlan(started); setDay(""); }}
                onOpen={(id) => void openPlan(id)} onNew={() => { setPlan(null); setJob(null); }}
                onPublished={async (published) => { setPlan(published); setPlans(await listPlans()); await refreshVisits(); }}
                refreshVisits={refreshVisits}
              />
            )}
            {view === "coverage" && <CoveragePanel text={text} plan={plan} days={days} accounts={shown} repIds={plan?.rep_ids ?? repIds} repName={repName} />}
          </div>
        </div>
      </div>
    </>
  );
}

function PlannerHeader() {
  const { t } = usePlannerText();
  return (
    <header class="screen-header">
      <h1 class="screen-title" tabIndex={-1}>{t("title")}</h1>
      <SettingsButton />
    </header>
  );
}

function Legend({ reps, repIds, text }: { reps: User[]; repIds: number[]; text: PlannerText }) {
  const shown = reps.filter((r) => repIds.includes(r.id));
  return (
    <ul class="planner-legend" aria-label={text.t("legend")}>
      {shown.map((r) => (
        <li key={r.id}><span class="rep-dot" ref={paint(repColour(repIds, r.id))} aria-hidden="true" /> {r.name}</li>
      ))}
      <li><span class="rep-dot rep-dot-none" aria-hidden="true" /> {text.t("filter.unassigned")}</li>
    </ul>
  );
}

// --- accounts ---

interface AccountsProps {
  text: PlannerText;
  reps: User[];
  repIds: number[];
  accounts: Account[];
  filter: AccountFilter;
  setFilter: (f: AccountFilter) => void;
  selected: ReadonlySet<number>;
  setSelected: (s: ReadonlySet<number>) => void;
  toggle: (id: number) => void;
  repName: (id: number | null) => string;
  /** Apply a change made on the server to every account loaded (also those the filters hide now). */
  onChanged: (change: (account: Account) => Account) => void;
}

function AccountsPanel(props: AccountsProps) {
  const { text, reps, accounts, filter, setFilter, selected, setSelected } = props;
  const { t, plural, locale } = text;
  const i18n = useI18n();
  const [limit, setLimit] = useState(PAGE);
  const [assignTo, setAssignTo] = useState("");
  const [every, setEvery] = useState("4");
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setLimit(PAGE), [filter]);

  const apply = async (set: { assigned_rep_id?: number | null; visit_every_weeks?: number | null }) => {
    const ids = [...selected];
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const { updated } = await bulkUpdate(ids, set);
      const rep = "assigned_rep_id" in set ? reps.find((r) => r.id === set.assigned_rep_id) ?? null : undefined;
      props.onChanged((a) =>
        selected.has(a.id)
          ? { ...a, ...set, ...(rep !== undefined ? { assigned_rep_name: rep?.name ?? null } : {}), version: a.version + 1 }
          : a);
      setNotice(plural("bulk.done", updated));
    } catch (e) {
      setError(errorText(e, i18n));
    } finally {
      setBusy(false);
    }
  };

  const toggleIn = <T,>(list: T[], value: T) => (list.includes(value) ? list.filter((v) => v !== value) : [...list, value]);

  return (
    <section aria-labelledby="planner-accounts-title">
      <h2 id="planner-accounts-title" class="visually-hidden">{t("tab.accounts")}</h2>
      <div class="planner-filters">
        <fieldset class="planner-fieldset">
          <legend class="field-label">{t("filter.class")}</legend>
          <div class="chips">
            {CLASSES.map((c) => (
              <button key={c} type="button" class="chip" aria-pressed={filter.classes.includes(c)}
                onClick={() => setFilter({ ...filter, classes: toggleIn(filter.classes, c) })}>{c}</button>
            ))}
          </div>
        </fieldset>
        <div class="planner-field">
          <label class="field-label" for="pf-frequency">{t("filter.frequency")}</label>
          <select id="pf-frequency" class="select" value={filter.frequencies.join(",")}
            onChange={(e) => { const v = (e.currentTarget as HTMLSelectElement).value; setFilter({ ...filter, frequencies: v === "" ? [] : [Number(v)] }); }}>
            <option value="">{t("filter.any")}</option>
            {FREQUENCIES.map((f) => <option key={f} value={f}>{plural("weeks", f)}</option>)}
            <option value="0">{t("filter.noFrequency")}</option>
          </select>
        </div>
        <div class="planner-field">
          <label class="field-label" for="pf-rep">{t("filter.rep")}</label>
          <select id="pf-rep" class="select" value={filter.rep} onChange={(e) => setFilter({ ...filter, rep: (e.currentTarget as HTMLSelectElement).value })}>
            <option value="">{t("filter.allReps")}</option>
            {reps.map((r) => <option key={r.id} value={String(r.id)}>{r.name}</option>)}
            <option value="none">{t("filter.unassigned")}</option>
          </select>
        </div>
        <div class="planner-field">
          <label class="field-label" for="pf-status">{t("filter.status")}</label>
          <select id="pf-status" class="select" value={filter.statuses.join(",")}
            onChange={(e) => { const v = (e.currentTarget as HTMLSelectElement).value; setFilter({ ...filter, statuses: v ? [v as AccountStatus] : [] }); }}>
            <option value="">{t("filter.any")}</option>
            {STATUSES.map((s) => <option key={s} value={s}>{i18n.t(`accountStatus.${s}` as MessageKey)}</option>)}
          </select>
        </div>
        <div class="planner-field planner-search">
          <label class="field-label" for="pf-search">{t("filter.search")}</label>
          <input id="pf-search" class="input" type="search" value={filter.q} onInput={(e) => setFilter({ ...filter, q: (e.currentTarget as HTMLInputElement).value })} />
        </div>
      </div>
      <div class="planner-count">
        <p class="result-count" role="status">
          {plural("accounts.count", accounts.length)}{selected.size > 0 && ` · ${t("accounts.selected", { count: formatNumber(selected.size, locale) })}`}
        </p>
        <button type="button" class="button button-text" onClick={() => setSelected(new Set([...selected, ...accounts.map((a) => a.id)]))}>
          {t("accounts.selectShown")}
        </button>
        {selected.size > 0 && <button type="button" class="button button-text" onClick={() => setSelected(new Set())}>{t("accounts.clear")}</button>}
      </div>
      {selected.size > 0 && (
        <div class="panel planner-bulk">
          <div class="planner-bulk-row">
            <div class="planner-field">
              <label class="field-label" for="pb-assign">{t("bulk.assign")}</label>
              <select id="pb-assign" class="select" value={assignTo} onChange={(e) => setAssignTo((e.currentTarget as HTMLSelectElement).value)}>
                <option value="">—</option>
                {reps.map((r) => <option key={r.id} value={String(r.id)}>{r.name}</option>)}
                <option value="none">{t("filter.unassigned")}</option>
              </select>
            </div>
            <button type="button" class="button button-primary" disabled={busy || !assignTo}
              onClick={() => void apply({ assigned_rep_id: assignTo === "none" ? null : Number(assignTo) })}>{t("bulk.assignButton")}</button>
          </div>
          <div class="planner-bulk-row">
            <div class="planner-field">
              <label class="field-label" for="pb-frequency">{t("bulk.frequency")}</label>
              <select id="pb-frequency" class="select" value={every} onChange={(e) => setEvery((e.currentTarget as HTMLSelectElement).value)}>
                {FREQUENCIES.map((f) => <option key={f} value={String(f)}>{plural("weeks", f)}</option>)}
                <option value="0">{t("filter.noFrequency")}</option>
              </select>
            </div>
            <button type="button" class="button button-secondary" disabled={busy}
              onClick={() => void apply({ visit_every_weeks: every === "0" ? null : Number(every) })}>{t("bulk.frequencyButton")}</button>
          </div>
        </div>
      )}
      <div role="status" class="notice">{notice && <p class="message message-success">{notice}</p>}</div>
      <div role="alert" class="form-alert">{error && <p class="message message-error">{error}</p>}</div>
      {accounts.length === 0 ? (
        <p class="message">{t("accounts.none")}</p>
      ) : (
        <ul class="planner-accounts">
          {accounts.slice(0, limit).map((a) => (
            <li key={a.id} class="planner-account" data-account-id={a.id}>
              <label class="planner-account-label">
                <input type="checkbox" checked={selected.has(a.id)} onChange={() => props.toggle(a.id)}
                  aria-label={t("accounts.select", { name: a.outlet.name })} />
                <span class="planner-account-text">
                  <span class="planner-account-name">{a.outlet.name}</span>
                  <span class="small muted">{[a.outlet.city, a.outlet.street].filter(Boolean).join(" · ")}</span>
                </span>
                <span class="planner-account-facts">
                  {a.account_class && <span class={`badge class-badge class-${a.account_class}`}>{a.account_class}</span>}
                  <span class="small planner-frequency">{a.visit_every_weeks ? plural("weeks", a.visit_every_weeks) : t("filter.noFrequency")}</span>
                  <span class="small planner-rep">
                    <span class="rep-dot" aria-hidden="true"
                      ref={paint(a.assigned_rep_id === null ? "" : repColour(props.repIds, a.assigned_rep_id))} />
                    {props.repName(a.assigned_rep_id)}
                  </span>
                </span>
              </label>
            </li>
          ))}
        </ul>
      )}
      {accounts.length > limit && (
        <button type="button" class="button button-secondary full-width" onClick={() => setLimit(limit + PAGE * 3)}>{t("accounts.more")}</button>
      )}
    </section>
  );
}

// --- the week ---

interface WeekProps {
  text: PlannerText;
  me: User;
  reps: User[];
  plan: RoutePlan | null;
  plans: RoutePlan[];
  job: Job | null;
  days: RepDay[];
  shownCount: number;
  filter: AccountFilter;
  day: string;
  setDay: (day: string) => void;
  repName: (id: number | null) => string;
  onStarted: (plan: RoutePlan) => void;
  onOpen: (id: number) => void;
  onNew: () => void;
  onPublished: (plan: RoutePlan) => Promise<void>;
  refreshVisits: () => Promise<void>;
}

function WeekPanel(props: WeekProps) {
  const { plan, text } = props;
  if (!plan) return <PlanForm {...props} />;
  const { t, locale } = text;
  // The plan says "queued" until its job has finished; the job knows when it started.
  const shownStatus = plan.status === "queued" && props.job?.status === "running" ? "running" : plan.status;
  return (
    <section aria-labelledby="planner-week-title">
      <div class="planner-plan-head">
        <h2 id="planner-week-title" class="section-title">{plan.name}</h2>
        <span class={`badge plan-status plan-${shownStatus}`}>{t(`plan.status.${shownStatus}`)}</span>
      </div>
      <p class="small muted">{formatDate(plan.date_from, locale)} – {formatDate(plan.date_to, locale)}</p>
      {(plan.status === "queued" || plan.status === "running") && <JobProgress text={text} job={props.job} />}
      {plan.status === "failed" && <p class="message message-error" role="alert">{t("job.failed", { error: plan.error ?? props.job?.error ?? "" })}</p>}
      {plan.result && <PlanResult {...props} plan={plan} />}
      <button type="button" class="button button-secondary full-width planner-new" onClick={props.onNew}>
        <Icon name="plus" size={20} /> {t("plan.new")}
      </button>
    </section>
  );
}

function JobProgress({ text, job }: { text: PlannerText; job: Job | null }) {
  const { t } = text;
  const progress = job?.progress ?? 0;
  return (
    <div class="panel planner-job" role="status">
      <p class="panel-title">{t("job.title")}</p>
      <progress class="planner-progress" max={100} value={progress} aria-label={t("job.title")} />
      <p class="small">{!job || job.status === "queued" ? t("job.queued") : `${t("job.progress", { progress: Math.round(progress) })}${job.message ? ` · ${job.message}` : ""}`}</p>
    </div>
  );
}

function PlanForm(props: WeekProps) {
  const { text, reps } = props;
  const { t, plural, locale } = text;
  const i18n = useI18n();
  const [monday, setMonday] = useState(() => nextMonday(isoDay(new Date())));
  const [chosen, setChosen] = useState<ReadonlySet<number>>(() => new Set(reps.filter((r) => r.home).map((r) => r.id)));
  const [seconds, setSeconds] = useState("10");
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const week = workingDays(monday);

  const run = async (event: Event) => {
    event.preventDefault();
    if (!chosen.size) {
      setError(t("form.pickRep"));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const started = await createPlan({
        name: name.trim() || `${t("tab.week")} ${formatDate(monday, locale)}`,
        date_from: week[0],
        date_to: week[week.length - 1],
        rep_ids: reps.filter((r) => chosen.has(r.id)).map((r) => r.id),
        accounts: planFilter(props.filter),
        options: { time_limit_s: Math.min(600, Math.max(1, Number(seconds) || 10)) },
      });
      props.onStarted(started);
    } catch (e) {
      setError(e instanceof ApiError && e.problem.errors?.length
        ? e.problem.errors.map((x) => x.message).join(" ") : errorText(e, i18n));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="planner-form-title">
      <form class="panel planner-form" onSubmit={(e) => void run(e)} noValidate>
        <h2 id="planner-form-title" class="panel-title">{t("form.title")}</h2>
        {reps.length === 0 && <p class="message">{t("form.noReps")}</p>}
        <div class="planner-field">
          <label class="field-label" for="pp-week">{t("form.week")}</label>
          <input id="pp-week" class="input" type="date" value={monday} required onInput={(e) => setMonday((e.currentTarget as HTMLInputElement).value || monday)} />
        </div>
        <p class="small muted">{week.map((d) => formatDate(d, locale)).join(" · ")}</p>
        <fieldset class="planner-fieldset">
          <legend class="field-label">{t("form.reps")}</legend>
          {reps.map((r) => (
            <label key={r.id} class="planner-check">
              <input type="checkbox" checked={chosen.has(r.id)} disabled={!r.home}
                onChange={() => setChosen((c) => { const n = new Set(c); if (n.has(r.id)) n.delete(r.id); else n.add(r.id); return n; })} />
              <span>{r.name}{!r.home && <span class="small muted"> · {t("form.noHome", { name: r.name })}</span>}</span>
            </label>
          ))}
        </fieldset>
        <div class="planner-field">
          <label class="field-label" for="pp-name">{t("form.name")}</label>
          <input id="pp-name" class="input" value={name} maxLength={200} placeholder={`${t("tab.week")} ${formatDate(monday, locale)}`}
            onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <div class="planner-field">
          <label class="field-label" for="pp-seconds">{t("form.timeLimit")}</label>
          <input id="pp-seconds" class="input" type="number" min={1} max={600} inputMode="numeric" value={seconds} onInput={(e) => setSeconds((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <p class="small">{t("form.accounts", { count: formatNumber(props.shownCount, locale) })}</p>
        <div role="alert" class="form-alert">{error && <p class="message message-error">{error}</p>}</div>
        <button type="submit" class="button button-primary full-width" disabled={busy || reps.length === 0}>
          <Icon name="route" size={20} /> {t("form.run")}
        </button>
      </form>
      {props.plans.length > 0 && (
        <section class="section" aria-labelledby="planner-earlier-title">
          <h2 id="planner-earlier-title" class="section-title">{t("plan.earlier")}</h2>
          <ul class="planner-plans">
            {props.plans.slice(0, 10).map((p) => (
              <li key={p.id}>
                <button type="button" class="planner-plan-link" aria-label={t("plan.open", { name: p.name })} onClick={() => props.onOpen(p.id)}>
                  <span class="planner-plan-name">{p.name}</span>
                  <span class="small muted">{formatDate(p.date_from, locale)} – {formatDate(p.date_to, locale)}</span>
                  <span class={`badge plan-status plan-${p.status}`}>{t(`plan.status.${p.status}`)}</span>
                  {p.summary && <span class="small">{plural("accounts.count", p.summary.visits)}</span>}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}

function PlanResult(props: WeekProps & { plan: RoutePlan }) {
  const { plan, text, days } = props;
  const { t, locale } = text;
  const i18n = useI18n();
  const [publishing, setPublishing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const summary = plan.summary;
  const dates = [...new Set(days.map((d) => d.date))].sort();
  const unplanned = plan.result?.unplanned ?? [];
  const names = new Map(days.flatMap((d) => d.stops.map((s) => [s.account_id, s.name] as const)));

  const publish = async () => {
    setPublishing(true);
    setError(null);
    try {
      const answer = await publishPlan(plan.id);
      setNotice(t("plan.publishDone", { created: formatNumber(answer.visits_created, locale), replaced: formatNumber(answer.visits_replaced, locale) }));
      await props.onPublished(await getPlan(plan.id));
    } catch (e) {
      setError(errorText(e, i18n));
    } finally {
      setPublishing(false);
    }
  };

  return (
    <>
      {summary && (
        <p class="planner-summary">
          {t("plan.summary", {
            visits: formatNumber(summary.visits, locale), days: formatNumber(summary.rep_days_used, locale),
            km: formatNumber(Math.round(days.reduce((n, d) => n + (d.travel_km ?? 0), 0)), locale),
            unplanned: formatNumber(summary.unplanned, locale),
          })}
        </p>
      )}
      <div role="status" class="notice">{notice && <p class="message message-success">{notice}</p>}</div>
      <div role="alert" class="form-alert">{error && <p class="message message-error">{error}</p>}</div>
      {plan.status === "planned" && (
        <button type="button" class="button button-primary full-width planner-publish" disabled={publishing} onClick={() => void publish()}>
          <Icon name="check" size={20} /> {publishing ? t("plan.publishing") : t("plan.publish")}
        </button>
      )}
      {plan.status === "published" && plan.published_at && (
        <p class="message message-success planner-published">{t("plan.published", { date: formatDate(plan.published_at.slice(0, 10), locale) })}</p>
      )}
      {plan.status === "planned" && <p class="small muted">{t("plan.moveHint")}</p>}
      <div class="planner-field">
        <label class="field-label" for="pp-day">{t("plan.showDay")}</label>
        <select id="pp-day" class="select planner-day-select" value={props.day} onChange={(e) => props.setDay((e.currentTarget as HTMLSelectElement).value)}>
          <option value="">{t("plan.allDays")}</option>
          {dates.map((d) => <option key={d} value={d}>{weekday(d, locale)}</option>)}
        </select>
      </div>
      {dates.filter((d) => !props.day || d === props.day).map((date) => (
        <section key={date} class="planner-day" aria-labelledby={`day-${date}`}>
          <h3 id={`day-${date}`} class="planner-day-title">{weekday(date, locale)}</h3>
          {days.filter((d) => d.date === date).map((d) => (
            <RepDayCard key={`${d.rep_id}:${date}`} {...props} repDay={d} />
          ))}
        </section>
      ))}
      <section class="section planner-unplanned" aria-labelledby="planner-unplanned-title">
        <h3 id="planner-unplanned-title" class="section-title">{t("plan.unplanned")} <span class="count">({unplanned.length})</span></h3>
        {unplanned.length === 0 ? <p class="small muted">{t("plan.unplannedNone")}</p> : (
          <ul class="planner-unplanned-list">
            {unplanned.map((u, i) => (
              <li key={`${u.account_id}:${u.date ?? i}`} data-account-id={u.account_id}>
                <span class="planner-unplanned-name">{names.get(u.account_id) ?? `#${u.account_id}`}</span>
                {u.date && <span class="small muted"> · {formatDate(u.date, locale)}</span>}
                <span class="small planner-reason"> — {u.reason}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

function RepDayCard(props: WeekProps & { plan: RoutePlan; repDay: RepDay }) {
  const { repDay, text, plan } = props;
  const { t, locale } = text;
  const [moving, setMoving] = useState<DayStop | null>(null);
  const colourBar = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (colourBar.current) colourBar.current.style.borderLeftColor = repColour(plan.rep_ids, repDay.rep_id);
  }, [plan.rep_ids, repDay.rep_id]);
  const first = repDay.stops[0]?.start ?? null;
  const last = repDay.stops[repDay.stops.length - 1]?.end ?? null;
  return (
    <div ref={colourBar} class="panel planner-route" data-rep-id={repDay.rep_id} data-date={repDay.date}>
      <p class="planner-route-head">
        <span class="planner-route-rep">{props.repName(repDay.rep_id)}</span>
        <span class="small muted">
          {repDay.travel_km !== null
            ? text.plural("plan.day", repDay.stops.length, {
              km: formatNumber(repDay.travel_km, locale),
              from: repDay.depart ? clock(minutesOf(repDay.depart), locale) : clock(first, locale),
              to: repDay.arrive ? clock(minutesOf(repDay.arrive), locale) : clock(last, locale),
            })
            : text.plural("plan.dayShort", repDay.stops.length)}
        </span>
      </p>
      <ol class="planner-stops">
        {repDay.stops.map((s, i) => (
          <li key={`${s.account_id}:${i}`} class="planner-stop" data-account-id={s.account_id}>
            <span class="planner-stop-order" aria-hidden="true">{i + 1}</span>
            <span class="planner-stop-time">{clock(s.start, locale)}</span>
            <span class="planner-stop-text">
              <span class="planner-stop-name">{s.name}</span>
              <span class="small muted">
                {s.travel_min !== null && t("plan.travel", { minutes: formatNumber(s.travel_min, locale) })}
                {s.manual && (s.travel_min !== null ? " · " : "") + t("plan.byHand")}
              </span>
            </span>
            {s.visit && s.visit.status === "planned" && (
              <button type="button" class="button button-text planner-move" aria-label={t("move.label", { name: s.name })}
                aria-expanded={moving === s} onClick={() => setMoving(moving === s ? null : s)}>
                {t("move.button")}
              </button>
            )}
            {moving === s && s.visit && (
              <MoveForm {...props} stop={s} visit={s.visit} onDone={() => setMoving(null)} />
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}

function MoveForm(props: WeekProps & { plan: RoutePlan; stop: DayStop; visit: PlannedVisit; onDone: () => void }) {
  const { plan, text, stop, visit } = props;
  const { t, locale } = text;
  const i18n = useI18n();
  const uuid = useRef(newUuid());
  const [rep, setRep] = useState(String(visit.rep_id));
  const [date, setDate] = useState(visit.planned_date ?? plan.date_from);
  const [time, setTime] = useState(hhmmOf(visit.planned_start_min ?? 540));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const dates = workingDays(plan.date_from).filter((d) => d <= plan.date_to);
  const id = `move-${visit.id}`;

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await moveVisit({ uuid: uuid.current, visit, rep_id: Number(rep), date, start_min: minutesOf(time) }, t("move.reason"));
      await props.refreshVisits();
      props.onDone();
    } catch (e) {
      setError(errorText(e, i18n));
      setBusy(false);
    }
  };
  return (
    <form class="planner-move-form" onSubmit={(e) => void save(e)} aria-label={t("move.label", { name: stop.name })}>
      <div class="planner-field">
        <label class="field-label" for={`${id}-rep`}>{t("move.rep")}</label>
        <select id={`${id}-rep`} class="select" value={rep} onChange={(e) => setRep((e.currentTarget as HTMLSelectElement).value)}>
          {plan.rep_ids.map((r) => <option key={r} value={String(r)}>{props.repName(r)}</option>)}
        </select>
      </div>
      <div class="planner-field">
        <label class="field-label" for={`${id}-day`}>{t("move.day")}</label>
        <select id={`${id}-day`} class="select" value={date} onChange={(e) => setDate((e.currentTarget as HTMLSelectElement).value)}>
          {dates.map((d) => <option key={d} value={d}>{weekday(d, locale)}</option>)}
        </select>
      </div>
      <div class="planner-field">
        <label class="field-label" for={`${id}-time`}>{t("move.time")}</label>
        <input id={`${id}-time`} class="input" type="time" value={time} required onInput={(e) => setTime((e.currentTarget as HTMLInputElement).value || time)} />
      </div>
      <div role="alert" class="form-alert">{error && <p class="message message-error">{error}</p>}</div>
      <div class="form-actions">
        <button type="button" class="button button-secondary" onClick={props.onDone}>{t("move.cancel")}</button>
        <button type="submit" class="button button-primary" disabled={busy}>{t("move.save")}</button>
      </div>
    </form>
  );
}

// --- coverage ---

function CoveragePanel(props: { text: PlannerText; plan: RoutePlan | null; days: RepDay[]; accounts: Account[]; repIds: number[]; repName: (id: number | null) => string }) {
  const { text, plan, days, accounts, repIds } = props;
  const { t, plural, locale } = text;
  const result = coverage(accounts, repIds, days, plan?.result?.unplanned ?? []);
  const percent = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 0 })
    .format(result.accounts ? result.covered / result.accounts : 0);
  return (
    <section aria-labelledby="planner-coverage-title">
      <h2 id="planner-coverage-title" class="section-title">{t("cov.title")}</h2>
      {plan?.result ? (
        <p class="planner-summary planner-coverage-team">{t("cov.team", { covered: formatNumber(result.covered, locale), accounts: formatNumber(result.accounts, locale), percent })}</p>
      ) : (
        <p class="message">{t("cov.noPlan")}</p>
      )}
      <ul class="small planner-book" aria-label={t("cov.book")}>
        <li>{plural("accounts.count", result.accounts)}</li>
        {result.unassigned > 0 && <li>{plural("cov.unassigned", result.unassigned)}</li>}
        {result.noFrequency > 0 && <li>{plural("cov.noFrequency", result.noFrequency)}</li>}
      </ul>
      <div class="planner-table-wrap" tabIndex={0} role="region" aria-labelledby="planner-coverage-title">
        <table class="planner-table">
          <thead>
            <tr>
              <th scope="col">{t("cov.rep")}</th>
              <th scope="col" class="num">{t("cov.accounts")}</th>
              <th scope="col" class="num">{t("cov.covered")}</th>
              <th scope="col" class="num">{t("cov.visits")}</th>
              <th scope="col" class="num">{t("cov.days")}</th>
              <th scope="col" class="num">{t("cov.km")}</th>
              <th scope="col" class="num">{t("cov.unplanned")}</th>
            </tr>
          </thead>
          <tbody>
            {result.reps.map((r) => (
              <tr key={r.rep_id} data-rep-id={r.rep_id}>
                <th scope="row">{props.repName(r.rep_id)}</th>
                <td class="num">{formatNumber(r.accounts, locale)}</td>
                <td class="num">{formatNumber(r.covered, locale)}</td>
                <td class="num">{formatNumber(r.visits, locale)}</td>
                <td class="num">{formatNumber(r.days, locale)}</td>
                <td class="num">{formatNumber(r.travel_km, locale)}</td>
                <td class="num">{formatNumber(r.unplanned, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
