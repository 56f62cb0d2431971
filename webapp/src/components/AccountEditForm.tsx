// Managers and admins change an account's class, status, visit frequency and notes. The
// form sends the version it was opened with: when someone else saved meanwhile, the
// server answers 409 and the form says so, with a button to load the latest version.
import { useEffect, useRef, useState } from "preact/hooks";
import { patchAccount, type AccountChanges } from "../api/accounts";
import { ApiError } from "../api/client";
import { ACCOUNT_CLASSES, ACCOUNT_STATUSES, type AccountDetail, type AccountClass, type AccountStatus } from "../api/types";
import { useI18n, type MessageKey } from "../i18n";
import { writeFailure } from "./ContactForm";
import { described, Field, focusFirstError } from "./Form";

const FIELDS = ["account_class", "status", "visit_every_weeks", "notes"] as const;
type FieldName = (typeof FIELDS)[number];

interface Values {
  account_class: string;
  status: AccountStatus;
  visit_every_weeks: string;
  notes: string;
}

const valuesOf = (account: AccountDetail): Values => ({
  account_class: account.account_class ?? "",
  status: account.status,
  visit_every_weeks: account.visit_every_weeks ? String(account.visit_every_weeks) : "",
  notes: account.notes ?? "",
});

export function AccountEditForm(props: {
  account: AccountDetail;
  onSaved(account: AccountDetail): void;
  onCancel(): void;
  /** Load the latest version (after a conflict); resolves with it. */
  onReload(): Promise<AccountDetail | null>;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const [base, setBase] = useState(props.account);
  const [values, setValues] = useState<Values>(() => valuesOf(props.account));
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [conflict, setConflict] = useState(false);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    form.current?.querySelector<HTMLElement>("select")?.focus();
  }, []);

  const set = (field: FieldName) => (e: Event) => {
    const value = (e.currentTarget as HTMLInputElement).value;
    setValues((v) => ({ ...v, [field]: value }));
    setErrors((x) => ({ ...x, [field]: undefined }));
    setGeneral(null);
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy || conflict) return;
    const weeksText = values.visit_every_weeks.trim();
    const weeks = weeksText ? Number(weeksText) : null;
    if (weeks !== null && (!Number.isInteger(weeks) || weeks < 1 || weeks > 52)) {
      setErrors({ visit_every_weeks: t("account.weeksInvalid") });
      focusFirstError(form.current);
      return;
    }
    const changes: AccountChanges = {};
    const klass = (values.account_class || null) as AccountClass | null;
    if (klass !== base.account_class) changes.account_class = klass;
    if (values.status !== base.status) changes.status = values.status;
    if (weeks !== base.visit_every_weeks) changes.visit_every_weeks = weeks;
    const notes = values.notes.trim() ? values.notes : null;
    if (notes !== base.notes) changes.notes = notes;
    if (Object.keys(changes).length === 0) {
      props.onCancel();
      return;
    }
    setBusy(true);
    try {
      props.onSaved(await patchAccount(base.id, base.version, changes));
    } catch (error) {
      setBusy(false);
      if (error instanceof ApiError && error.status === 409) {
        setConflict(true);
        return;
      }
      const failure = writeFailure(error, FIELDS, i18n);
      setErrors(failure.fields);
      setGeneral(failure.general);
      focusFirstError(form.current);
    }
  };

  const reload = async () => {
    setBusy(true);
    const latest = await props.onReload();
    setBusy(false);
    if (!latest) return;
    setBase(latest);
    setValues(valuesOf(latest));
    setConflict(false);
    setErrors({});
    setGeneral(null);
  };

  return (
    <form ref={form} class="panel account-form" noValidate onSubmit={(e) => void submit(e)} aria-labelledby="account-form-title">
      <h2 id="account-form-title" class="panel-title">{t("account.edit")}</h2>
      <div class="form-alert" role="alert">
        {conflict && (
          <div class="message message-warning conflict">
            <p>{t("account.conflict")}</p>
            <button type="button" class="button button-secondary" onClick={() => void reload()} disabled={busy}>
              {t("account.reload")}
            </button>
          </div>
        )}
        {general && <p class="message message-error">{general}</p>}
      </div>
      <div class="form-grid">
        <Field id="account-class" label={t("account.class")} error={errors.account_class}>
          <select
            id="account-class" class="select" value={values.account_class} onChange={set("account_class")}
            {...described("account-class", errors.account_class)}
          >
            <option value="">{t("account.noClass")}</option>
            {ACCOUNT_CLASSES.map((c) => (
              <option key={c} value={c}>{t("accounts.classLabel", { class: c })}</option>
            ))}
          </select>
        </Field>
        <Field id="account-status" label={t("account.status")} error={errors.status}>
          <select
            id="account-status" class="select" value={values.status} onChange={set("status")}
            {...described("account-status", errors.status)}
          >
            {ACCOUNT_STATUSES.map((s) => (
              <option key={s} value={s}>{t(`accountStatus.${s}` as MessageKey)}</option>
            ))}
          </select>
        </Field>
      </div>
      <Field id="account-weeks" label={t("account.weeks")} error={errors.visit_every_weeks} hint={t("account.weeksHint")}>
        <input
          id="account-weeks" class="input input-short" type="text" inputMode="numeric" pattern="[0-9]*"
          value={values.visit_every_weeks} onInput={set("visit_every_weeks")} autoComplete="off"
          {...described("account-weeks", errors.visit_every_weeks, t("account.weeksHint"))}
        />
      </Field>
      <Field id="account-notes" label={t("account.notes")} error={errors.notes}>
        <textarea
          id="account-notes" class="input textarea" rows={4} value={values.notes} onInput={set("notes")}
          maxLength={20000} {...described("account-notes", errors.notes)}
        />
      </Field>
      <div class="form-actions">
        <button type="button" class="button button-secondary" onClick={props.onCancel} disabled={busy}>
          {t("account.cancel")}
        </button>
        <button type="submit" class="button button-primary" disabled={busy || conflict} aria-busy={busy}>
          {busy && !conflict ? t("account.saving") : t("account.save")}
        </button>
      </div>
    </form>
  );
}
