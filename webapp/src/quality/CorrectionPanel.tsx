// "Something wrong here?" on the outlet page: a rep proposes a correction of the store's public
// facts (closed, open again, moved, new name or banner, opening hours, phone or website) and sees
// what became of their company's proposals. A user with a day on the phone proposes through the
// outbox (sync kind correction.propose), so it works offline and is never lost.
import { useEffect, useState } from "preact/hooks";
import { ApiError, isAbort } from "../api/client";
import type { OutletDetail } from "../api/types";
import { described, Field } from "../components/Form";
import { connectivityStore } from "../connectivity";
import { fieldOpen, fieldStore, proposeCorrectionLater } from "../field";
import { currentFix, PositionError } from "../field/position";
import { formatDistance } from "../format";
import { distanceMetres } from "../geo";
import { useStore } from "../store";
import {
  ORGANIZATIONS_TO_ACCEPT, OUTLET_KINDS, outletCorrections, proposalValues, proposeCorrection,
  type Correction, type OutletKind,
} from "./api";
import { useQualityText, type QualityText } from "./messages";

const FIELDS: Record<OutletKind, readonly ("name" | "banner" | "opening_hours" | "phone" | "website")[]> = {
  closed: [], reopened: [], moved: [], renamed: ["name", "banner"], opening_hours: ["opening_hours"], contact: ["phone", "website"],
};

/** What a proposal says, in a line: "Opening hours: Mo-Sa 08:00-20:00". */
export function proposalSummary(kind: string, values: Record<string, unknown>, q: QualityText): string {
  const label = q.t(`kind.${kind}` as never);
  const parts = Object.entries(values)
    .filter(([key]) => key !== "lat" && key !== "lon")
    .map(([, value]) => (value === null ? q.t("corrections.removed") : String(value)));
  if (kind === "moved" && typeof values.lat === "number" && typeof values.lon === "number") {
    parts.push(q.t("corrections.position", { lat: values.lat.toFixed(5), lon: values.lon.toFixed(5) }));
  }
  return parts.length ? `${label}: ${parts.join(" · ")}` : label;
}

export function statusText(correction: Pick<Correction, "status" | "confirmed_by_organizations">, q: QualityText): string {
  if (correction.status === "pending") {
    return q.t("status.pending", { count: correction.confirmed_by_organizations, needed: ORGANIZATIONS_TO_ACCEPT });
  }
  return q.t(`status.${correction.status}` as never);
}

export function CorrectionPanel({ outlet }: { outlet: OutletDetail }) {
  const q = useQualityText();
  const { online } = useStore(connectivityStore);
  const field = useStore(fieldStore);
  const [open, setOpen] = useState(false);
  const [kind, setKind] = useState<OutletKind | null>(null);
  const [form, setForm] = useState<Record<string, string>>({});
  const [fix, setFix] = useState<{ lat: number; lon: number; accuracy: number | null } | null>(null);
  const [locating, setLocating] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [mine, setMine] = useState<Correction[] | null>(null);
  const [reload, setReload] = useState(0);

  const unsent = field.outbox.filter((c) => c.kind === "correction.propose" && c.data.outlet_id === outlet.id);
  const refused = field.problems.filter((p) => p.kind === "correction.propose" && p.data.outlet_id === outlet.id);

  // The company's proposals for this store, again whenever one of ours has left the outbox.
  useEffect(() => {
    if (!online) return;
    const controller = new AbortController();
    outletCorrections(outlet.id, controller.signal).then(
      (page) => setMine(page.items),
      (e) => {
        if (!isAbort(e)) setMine(null);
      },
    );
    return () => controller.abort();
  }, [outlet.id, online, unsent.length, reload]);

  const kinds = OUTLET_KINDS.filter((k) => (k === "reopened" ? outlet.status === "closed" : k !== "closed" || outlet.status !== "closed"));

  const choose = (next: OutletKind) => {
    setKind(next);
    setError(null);
    setForm({
      name: outlet.name ?? "", banner: outlet.banner ?? "", opening_hours: outlet.opening_hours ?? "",
      phone: outlet.phone ?? "", website: outlet.website ?? "",
    });
  };

  const locate = async () => {
    setLocating(true);
    setError(null);
    try {
      setFix(await currentFix());
    } catch (e) {
      setError(e instanceof PositionError ? q.t("moved.unavailable") : String(e));
    } finally {
      setLocating(false);
    }
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!kind) return;
    const values = proposalValues(kind, form, outlet, fix);
    if (values === null) {
      setError(kind === "moved" ? q.t("moved.unavailable") : q.t("nothing"));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      if (fieldOpen()) {
        await proposeCorrectionLater({ id: outlet.id, name: outlet.name }, kind, values);
        setDone(q.t("saved"));
      } else {
        await proposeCorrection({ outlet_id: outlet.id, kind, values });
        setDone(q.t("sent"));
        setReload((n) => n + 1);
      }
      setOpen(false);
      setKind(null);
      setFix(null);
    } catch (e) {
      setError(e instanceof ApiError ? e.detail : String(e));
    } finally {
      setBusy(false);
    }
  };

  const input = (key: string, label: string, props: Record<string, unknown> = {}, hint?: string) => {
    const id = `correction-${key}`;
    return (
      <Field key={key} id={id} label={label} hint={hint}>
        <input
          id={id} class="input" value={form[key] ?? ""} autoComplete="off" {...props}
          onInput={(e) => setForm({ ...form, [key]: (e.currentTarget as HTMLInputElement).value })}
          {...described(id, null, hint)}
        />
      </Field>
    );
  };

  const known = mine ?? [];
  return (
    <section class="section correction-panel" aria-labelledby="correction-title">
      <h2 id="correction-title" class="section-title">{q.t("panel.title")}</h2>
      <p class="small muted">{q.t("panel.hint")}</p>
      <div role="status">{done && <p class="message message-success">{done}</p>}</div>
      {!open && (
        <button type="button" class="button button-secondary" onClick={() => { setOpen(true); setDone(null); }}>
          {q.t("panel.open")}
        </button>
      )}
      {open && (
        <form class="panel correction-form" noValidate onSubmit={(e) => void submit(e)} aria-labelledby="correction-form-title">
          <fieldset class="choices">
            <legend id="correction-form-title" class="field-label">{q.t("kind.legend")}</legend>
            {kinds.map((k) => (
              <label key={k} class="choice">
                <input type="radio" name="correction-kind" value={k} checked={kind === k} onChange={() => choose(k)} />
                <span>{q.t(`kind.${k}`)}</span>
              </label>
            ))}
          </fieldset>
          {kind === "moved" && (
            <div class="field">
              <p class="small">{q.t("moved.hint")}</p>
              <button type="button" class="button button-secondary" onClick={() => void locate()} disabled={locating}>
                {locating ? q.t("moved.locating") : q.t("moved.locate")}
              </button>
              {fix && (
                <p class="small" role="status">
                  {q.t("moved.here", {
                    distance: formatDistance(distanceMetres(fix, outlet), q.locale),
                    accuracy: formatDistance(fix.accuracy ?? 0, q.locale),
                  })}
                </p>
              )}
            </div>
          )}
          {kind && FIELDS[kind].map((key) =>
            key === "opening_hours" ? input(key, q.t("field.hours"), { maxLength: 255 }, q.t("field.hoursHint"))
            : key === "phone" ? input(key, q.t("field.phone"), { type: "tel", inputMode: "tel", maxLength: 40 })
            : key === "website" ? input(key, q.t("field.website"), { type: "url", inputMode: "url", autoCapitalize: "off", maxLength: 300 })
            : input(key, q.t(`field.${key}`), { maxLength: key === "name" ? 200 : 100 }),
          )}
          <div class="form-alert" role="alert">{error && <p class="message message-error">{error}</p>}</div>
          <div class="form-actions">
            <button type="button" class="button button-secondary" onClick={() => { setOpen(false); setKind(null); setError(null); }} disabled={busy}>
              {q.t("cancel")}
            </button>
            <button type="submit" class="button button-primary" disabled={busy || !kind} aria-busy={busy}>
              {q.t("send")}
            </button>
          </div>
        </form>
      )}
      {(unsent.length > 0 || refused.length > 0 || known.length > 0) && (
        <>
          <h3 class="field-label correction-mine-title">{q.t("mine.title")}</h3>
          <ul class="correction-list">
            {unsent.map((c) => (
              <li key={c.uuid} class="correction-item" data-status="unsent">
                <span class="correction-what">{proposalSummary(String(c.data.kind), (c.data.values ?? {}) as Record<string, unknown>, q)}</span>
                <span class="badge badge-pending">{q.t("status.unsent")}</span>
              </li>
            ))}
            {refused.map((p) => (
              <li key={p.uuid} class="correction-item" data-status="refused">
                <span class="correction-what">{proposalSummary(String(p.data.kind), (p.data.values ?? {}) as Record<string, unknown>, q)}</span>
                <span class="badge badge-closed">{p.problem.detail ?? p.problem.title}</span>
              </li>
            ))}
            {known.map((c) => (
              <li key={c.id} class="correction-item" data-status={c.status}>
                <span class="correction-what">{proposalSummary(c.kind, c.values, q)}</span>
                <span class={`badge ${c.status === "accepted" ? "badge-open" : c.status === "pending" ? "badge-muted" : "badge-closed"}`}>
                  {statusText(c, q)}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
      {!online && mine === null && <p class="small muted">{q.t("mine.offline")}</p>}
    </section>
  );
}
