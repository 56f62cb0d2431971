// Data quality for managers (/review): corrections of shared store data waiting for a decision
// (confirm or reject another brand's; withdraw the company's own), and likely duplicates (merge
// into the entry to keep, or "not a duplicate").
import { useEffect, useState } from "preact/hooks";
import { ApiError, isAbort } from "../api/client";
import { getOutlet } from "../api/outlets";
import { SettingsButton } from "../components/Chrome";
import { ErrorMessage } from "../components/OutletList";
import { formatDistance } from "../format";
import { paths } from "../router";
import {
  dismissPair, mergePair, openPairs, pendingCorrections, scanPairs, voteOn, withdraw,
  type Correction, type DuplicatePair, type PairOutlet,
} from "./api";
import { proposalSummary } from "./CorrectionPanel";
import { useQualityText, type QualityText } from "./messages";

const OUTLET_STATUSES = ["open", "closed", "unverified"];

function currentSummary(correction: Correction, q: QualityText): string {
  const current = correction.current ?? {};
  if (typeof current.status === "string" && Object.keys(current).length === 1) {
    // closed, open again: the store's status now
    return OUTLET_STATUSES.includes(current.status) ? q.t(`outlet.${current.status}` as never) : current.status;
  }
  if (correction.kind === "moved" && typeof current.lat === "number" && typeof current.lon === "number") {
    return q.t("corrections.position", { lat: current.lat.toFixed(5), lon: current.lon.toFixed(5) });
  }
  const values = Object.values(current).map((v) => (v === null || v === undefined || v === "" ? "—" : String(v)));
  return values.join(" · ") || "—";
}

function CorrectionCard({ correction, name, onChanged }: { correction: Correction; name: string; onChanged: (c: Correction) => void }) {
  const q = useQualityText();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const act = async (action: () => Promise<Correction>) => {
    setBusy(true);
    setError(null);
    try {
      onChanged(await action());
    } catch (e) {
      setError(e instanceof ApiError ? e.detail : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <li class="panel review-item" data-correction-id={correction.id}>
      <h3 class="panel-title">
        {correction.outlet_id ? <a href={paths.outlet(correction.outlet_id)}>{name}</a> : name}
      </h3>
      <p class="small muted">{correction.yours ? q.t("corrections.yours") : q.t("corrections.other")}</p>
      <dl class="review-compare">
        <div><dt>{q.t("corrections.now")}</dt><dd>{currentSummary(correction, q)}</dd></div>
        <div><dt>{q.t("corrections.proposed")}</dt><dd>{proposalSummary(correction.kind, correction.values, q)}</dd></div>
      </dl>
      {(correction.conflicting ?? []).map((other) => (
        <p key={other.id} class="small message message-warning">
          {q.t("corrections.conflicting", { value: proposalSummary(other.kind, other.values, q) })}
        </p>
      ))}
      <p class="small">
        {q.t("corrections.votes", { confirm: correction.confirmed_by_organizations, reject: correction.rejected_by_organizations })}
        {correction.your_vote && <> · <strong>{q.t(`corrections.voted.${correction.your_vote}`)}</strong></>}
      </p>
      <div role="alert">{error && <p class="message message-error">{error}</p>}</div>
      <div class="panel-actions">
        {correction.status === "pending" && !correction.yours && (
          <>
            <button type="button" class="button button-primary" disabled={busy} onClick={() => void act(() => voteOn(correction.id, "confirm"))}>
              {q.t("corrections.confirm")}
            </button>
            <button type="button" class="button button-secondary" disabled={busy} onClick={() => void act(() => voteOn(correction.id, "reject"))}>
              {q.t("corrections.reject")}
            </button>
          </>
        )}
        {correction.status === "pending" && correction.yours && (
          <button type="button" class="button button-secondary" disabled={busy} onClick={() => void act(() => withdraw(correction.id))}>
            {q.t("corrections.withdraw")}
          </button>
        )}
        {correction.status !== "pending" && <span class="badge badge-muted">{q.t(`status.${correction.status}`)}</span>}
      </div>
    </li>
  );
}

function side(outlet: PairOutlet, q: QualityText, plural: QualityText["plural"]) {
  const address = [outlet.street && `${outlet.street} ${outlet.house_number ?? ""}`.trim(), [outlet.postcode, outlet.city].filter(Boolean).join(" ")]
    .filter(Boolean).join(", ");
  return (
    <>
      <a class="review-outlet-name" href={paths.outlet(outlet.id)}>{outlet.name}</a>
      {outlet.banner && <span class="small"> · {outlet.banner}</span>}
      <span class="small review-outlet-line">{address || "—"}</span>
      <span class="small muted review-outlet-line">
        {outlet.private ? q.t("duplicates.private") : q.t("duplicates.public")}
        {outlet.your_accounts > 0 && <> · {plural("duplicates.accounts", outlet.your_accounts)}</>}
      </span>
    </>
  );
}

function PairCard({ pair, onDone }: { pair: DuplicatePair; onDone: (message: string) => void }) {
  const q = useQualityText();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const act = async (action: () => Promise<unknown>, message: string) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      onDone(message);
    } catch (e) {
      setError(e instanceof ApiError ? e.detail : String(e));
      setBusy(false);
    }
  };
  const percent = new Intl.NumberFormat(q.locale, { style: "percent" }).format(pair.score);
  return (
    <li class="panel review-item" data-pair-id={pair.id}>
      <p class="small">
        {q.t("duplicates.alike", { percent, distance: formatDistance(pair.distance_m ?? 0, q.locale) })}
      </p>
      {pair.scope === "public" && <p class="small muted">{q.t("duplicates.moderator")}</p>}
      <ul class="review-pair">
        {pair.outlets.map((outlet, i) => (
          <li key={outlet?.id ?? i} class="review-side">
            {outlet ? side(outlet, q, q.plural) : <span class="muted">{q.t("duplicates.hidden")}</span>}
            {outlet && (
              <button
                type="button" class="button button-secondary" disabled={busy}
                aria-label={q.t("duplicates.keepLabel", { name: outlet.name })}
                onClick={() => void act(() => mergePair(pair.id, outlet.id), q.t("duplicates.merged", { name: outlet.name }))}
              >
                {q.t("duplicates.keep")}
              </button>
            )}
          </li>
        ))}
      </ul>
      <div role="alert">{error && <p class="message message-error">{error}</p>}</div>
      <div class="panel-actions">
        <button type="button" class="button button-secondary" disabled={busy} onClick={() => void act(() => dismissPair(pair.id), q.t("duplicates.dismissed"))}>
          {q.t("duplicates.dismiss")}
        </button>
      </div>
    </li>
  );
}

export function Review({ active }: { active: boolean }) {
  const q = useQualityText();
  const [corrections, setCorrections] = useState<Correction[] | null>(null);
  const [names, setNames] = useState<Record<number, string>>({});
  const [pairs, setPairs] = useState<DuplicatePair[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const [message, setMessage] = useState<string | null>(null);
  const [scanning, setScanning] = useState(false);

  useEffect(() => {
    if (!active) return;
    const controller = new AbortController();
    setError(null);
    Promise.all([pendingCorrections(controller.signal), openPairs(controller.signal)]).then(
      ([page, found]) => {
        setCorrections(page.items);
        setPairs(found.items);
        const ids = [...new Set(page.items.map((c) => c.outlet_id).filter((id): id is number => id !== null))];
        void Promise.all(ids.map((id) => getOutlet(id, controller.signal).then(({ data }) => [id, data.name] as const, () => null))).then(
          (rows) => setNames(Object.fromEntries(rows.filter((r): r is readonly [number, string] => r !== null))),
        );
      },
      (e) => {
        if (!isAbort(e)) setError(e);
      },
    );
    return () => controller.abort();
  }, [active, attempt]);

  const scan = async () => {
    setScanning(true);
    setMessage(null);
    try {
      const result = await scanPairs();
      setMessage(q.plural("duplicates.scanned", result.new_pairs ?? 0));
      setAttempt((n) => n + 1);
    } catch (e) {
      setMessage(e instanceof ApiError ? e.detail : String(e));
    } finally {
      setScanning(false);
    }
  };

  return (
    <>
      <header class="screen-header">
        <h1 class="screen-title" tabIndex={-1}>{q.t("review.title")}</h1>
        <SettingsButton />
      </header>
      <div class="screen-body review">
        <p class="small muted">{q.t("review.intro")}</p>
        {error != null && <ErrorMessage error={error} onRetry={() => setAttempt((n) => n + 1)} />}
        <div role="status">{message && <p class="message message-success">{message}</p>}</div>
        <section class="section" aria-labelledby="review-corrections-title">
          <h2 id="review-corrections-title" class="section-title">
            {q.t("corrections.title")} {corrections && <span class="count">({corrections.length})</span>}
          </h2>
          {corrections === null && error == null && <p class="loading" role="status"><span class="spinner" aria-hidden="true" /></p>}
          {corrections?.length === 0 && <p class="message">{q.t("corrections.none")}</p>}
          <ul class="review-list">
            {corrections?.map((c) => (
              <CorrectionCard
                key={c.id} correction={c}
                name={(c.outlet_id !== null && names[c.outlet_id]) || q.t("corrections.store", { id: c.outlet_id ?? "—" })}
                onChanged={(next) => setCorrections((all) => all?.map((x) => (x.id === next.id ? { ...x, ...next } : x)) ?? null)}
              />
            ))}
          </ul>
        </section>
        <section class="section" aria-labelledby="review-duplicates-title">
          <h2 id="review-duplicates-title" class="section-title">
            {q.t("duplicates.title")} {pairs && <span class="count">({pairs.length})</span>}
          </h2>
          {pairs?.length === 0 && <p class="message">{q.t("duplicates.none")}</p>}
          <ul class="review-list">
            {pairs?.map((p) => (
              <PairCard
                key={p.id} pair={p}
                onDone={(text) => {
                  setMessage(text);
                  setPairs((all) => all?.filter((x) => x.id !== p.id) ?? null);
                }}
              />
            ))}
          </ul>
          <button type="button" class="button button-secondary" disabled={scanning} aria-busy={scanning} onClick={() => void scan()}>
            {q.t("duplicates.scan")}
          </button>
        </section>
      </div>
    </>
  );
}
