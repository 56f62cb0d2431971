// A form of a visit: filled in on the phone (saved as a draft on every change), checked live
// with the form's rules, and sent as a response.submit change with its own UUID (the photos
// go separately). When the server refuses it, its errors show at the answers they are about.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { Icon } from "../components/Icon";
import { flashStore } from "../components/SyncBits";
import { discardDraft, draftKey, fieldStore, isoTime, loadDraft, saveDraft, submitResponse } from "../field";
import type { DraftRecord } from "../field/types";
import { useVisitForms } from "../field/useForms";
import { useI18n } from "../i18n";
import { issueText, localise, serverIssue } from "../survey/labels";
import { cellKey, evaluateForm, serverErrorKey, type DraftValues, type GridValues, type Issue } from "../survey/rules";
import { computedText, SurveyForm, type FormUi } from "../survey/SurveyForm";
import { back, paths } from "../router";
import { useStore } from "../store";

export function FormScreen({ uuid, formId }: { uuid: string; formId: number }) {
  const i18n = useI18n();
  const { t } = i18n;
  const view = useStore(fieldStore);
  const visit = view.visits.find((v) => v.uuid === uuid);
  const forms = useVisitForms(visit?.account_id ?? null);
  const form = forms.items.find((f) => f.form.id === formId);
  const key = draftKey(uuid, formId);
  const [draft, setDraft] = useState<DraftRecord | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const [confirmDiscard, setConfirmDiscard] = useState(false);
  /** The server's errors of the response this draft corrects, by key, until the answer changes. */
  const [serverErrors, setServerErrors] = useState<Record<string, Issue>>({});
  const [serverGeneral, setServerGeneral] = useState<string[]>([]);
  const body = useRef<HTMLDivElement>(null);
  const saveTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    let live = true;
    void loadDraft(key).then((found) => {
      if (!live) return;
      setDraft(found ?? null);
      setLoaded(true);
    });
    return () => {
      live = false;
    };
  }, [key, view.ready]);

  const values: DraftValues = draft?.values ?? {};
  const evaluation = useMemo(
    () => (form ? evaluateForm(form.definition, values, forms.lists) : null),
    [form, values, forms.lists],
  );

  // A draft correcting a refused response: place the server's errors once.
  const corrects = draft?.corrects ?? null;
  useEffect(() => {
    if (!corrects || !evaluation) return;
    const record = view.responses.find((r) => r.uuid === corrects);
    const errors: Record<string, Issue> = {};
    const general: string[] = [];
    for (const e of record?.problem?.errors ?? []) {
      const at = e.field ? serverErrorKey(e.field, evaluation.rowOrder) : null;
      if (at) errors[at] = serverIssue(e.message);
      else general.push(e.field ? `${e.field}: ${e.message}` : e.message);
    }
    if (!record?.problem?.errors?.length && record?.problem?.detail) general.push(record.problem.detail);
    setServerErrors(errors);
    setServerGeneral(general);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [corrects, !!evaluation]);

  // Save the draft a moment after each change (and when leaving).
  const persist = (next: DraftRecord) => {
    if (saveTimer.current) clearTimeout(saveTimer.current);
    saveTimer.current = setTimeout(() => {
      saveTimer.current = null;
      void saveDraft(next).then(() => setSaved(true));
    }, 300);
  };
  const draftRef = useRef<DraftRecord | null>(null);
  draftRef.current = draft;
  useEffect(() => () => {
    if (saveTimer.current) {
      clearTimeout(saveTimer.current);
      if (draftRef.current) void saveDraft(draftRef.current);
    }
  }, []);

  const change = (mutate: (values: DraftValues) => DraftValues, touchedKey: string) => {
    if (!form || !visit) return;
    const base: DraftRecord = draft ?? {
      key, visit_uuid: uuid, form_id: formId, form_version_id: form.versionId, values: {},
      started_at: isoTime(new Date()), updated_at: new Date().toISOString(),
    };
    const next = { ...base, form_version_id: form.versionId, values: mutate(base.values) };
    setDraft(next);
    setTouched((s) => new Set(s).add(touchedKey));
    setSaved(false);
    setConfirmDiscard(false);
    if (serverErrors[touchedKey]) {
      const { [touchedKey]: _gone, ...rest } = serverErrors;
      setServerErrors(rest);
    }
    persist(next);
  };

  const ui: FormUi | null = evaluation && form ? {
    values,
    evaluation,
    lists: forms.lists,
    issue: (at) => {
      if (serverErrors[at]) return serverErrors[at];
      const local = evaluation.errors[at];
      if (!local) return null;
      if (submitted) return local;
      return touched.has(at) && local.code !== "required" ? local : null;
    },
    set: (k, v) => change((vals) => ({ ...vals, [k]: v }), k),
    setCell: (grid, productId, column, v) =>
      change((vals) => {
        const rows = { ...((vals[grid] as GridValues | undefined) ?? {}) };
        rows[String(productId)] = { ...(rows[String(productId)] ?? {}), [column]: v };
        return { ...vals, [grid]: rows };
      }, cellKey(grid, productId, column)),
  } : null;

  const issueCount = evaluation ? Object.keys({ ...evaluation.errors, ...serverErrors }).length : 0;

  const send = async () => {
    if (!form || !visit || !evaluation || busy) return;
    setSubmitted(true);
    if (Object.keys(evaluation.errors).length || Object.keys(serverErrors).length) {
      requestAnimationFrame(() => {
        const first = body.current?.querySelector<HTMLElement>('[aria-invalid="true"], .has-error');
        first?.scrollIntoView({ block: "center" });
        (first?.matches("input, select, textarea, [role=group], [role=radiogroup]") ? first : first?.querySelector<HTMLElement>("input, select, textarea, button"))?.focus({ preventScroll: true });
      });
      return;
    }
    setBusy(true);
    if (saveTimer.current) clearTimeout(saveTimer.current);
    saveTimer.current = null;
    const record: DraftRecord = draft ?? {
      key, visit_uuid: uuid, form_id: formId, form_version_id: form.versionId, values: {},
      started_at: isoTime(new Date()), updated_at: new Date().toISOString(),
    };
    try {
      await submitResponse({
        draft: { ...record, form_version_id: form.versionId },
        formKey: form.form.key,
        accountId: visit.account_id,
        answers: evaluation.answers,
        computed: evaluation.computed,
        locale: i18n.lang,
      });
      draftRef.current = null;
      flashStore.set(t("form.queued"));
      back(paths.visit(uuid));
    } finally {
      setBusy(false);
    }
  };

  const discard = async () => {
    if (!confirmDiscard) {
      setConfirmDiscard(true);
      return;
    }
    if (saveTimer.current) clearTimeout(saveTimer.current);
    saveTimer.current = null;
    draftRef.current = null;
    await discardDraft(key);
    back(paths.visit(uuid));
  };

  const title = form ? localise(form.form.title, i18n.lang) : t("visit.forms");
  const canFill = visit?.status === "in_progress" || !!corrects;

  return (
    <>
      <header class="screen-header">
        <button type="button" class="icon-button back-button" onClick={() => back(paths.visit(uuid))} aria-label={t("form.back")}>
          <Icon name="back" />
        </button>
        <h1 class="screen-title" tabIndex={-1}>{title}</h1>
      </header>
      <div class="screen-body form-screen" ref={body}>
        {!view.ready || !loaded || forms.loading ? (
          <p class="loading" role="status"><span class="spinner" aria-hidden="true" /> {t("app.loading")}</p>
        ) : !visit || !form || !ui ? (
          <p class="message">{t("form.notFound")}</p>
        ) : !canFill ? (
          <p class="message">{t("form.needsCheckIn")}</p>
        ) : (
          <form class="survey" noValidate onSubmit={(e) => { e.preventDefault(); void send(); }}>
            {corrects && (
              <div class="message message-error form-rejected" role="alert">
                <p>{t("form.rejected")}</p>
                {serverGeneral.map((line, i) => <p key={i} class="small">{line}</p>)}
              </div>
            )}
            {form.definition.description && <p class="muted form-description">{localise(form.definition.description, i18n.lang)}</p>}
            <SurveyForm definition={form.definition} ui={ui} />
            {(form.definition.computed ?? []).length > 0 && (
              <section class="section" aria-labelledby="results-title">
                <h2 id="results-title" class="section-title">{t("form.results")}</h2>
                <dl class="facts results">
                  {(form.definition.computed ?? []).map((c) => (
                    <div key={c.key} data-computed={c.key}>
                      <dt>{localise(c.label, i18n.lang) || c.key}</dt>
                      <dd>{computedText(evaluation!.computed[c.key], c.unit, i18n)}</dd>
                    </div>
                  ))}
                </dl>
              </section>
            )}
            <button type="button" class={confirmDiscard ? "button button-danger full-width" : "button button-text full-width"} onClick={() => void discard()}>
              <Icon name="trash" size={20} /> {confirmDiscard ? t("form.discardConfirm") : t("form.discard")}
            </button>
            <div class="form-bar">
              <p class="form-bar-status small" role="status">
                {submitted && issueCount > 0 ? (
                  <span class="form-bar-issues"><Icon name="warning" size={16} /> {i18n.plural("form.issues", issueCount)}</span>
                ) : saved ? t("form.draftSaved") : ""}
              </p>
              <button type="submit" class="button button-primary form-send" disabled={busy}>
                {busy ? t("form.saving") : t("form.send")}
              </button>
            </div>
            {submitted && issueCount > 0 && (
              <ul class="visually-hidden">
                {Object.entries(evaluation!.errors).map(([at, issue]) => <li key={at}>{issueText(issue, i18n)}</li>)}
              </ul>
            )}
          </form>
        )}
      </div>
    </>
  );
}
