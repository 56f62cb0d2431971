// The login screen: email and password (with show/hide), clear messages for a wrong
// password, too many attempts (with the wait from Retry-After) and no connection.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, NetworkError } from "../api/client";
import { described, Field, focusFirstError, PasswordInput } from "../components/Form";
import { errorText } from "../hooks";
import { LANGUAGES, setLanguage, useI18n, type I18n } from "../i18n";
import { logIn, type SignedOutReason } from "../session";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** The server blocks an email for 15 minutes after five failures. */
const DEFAULT_WAIT_S = 15 * 60;

/** The sentence for a failed login. */
export function loginFailure(error: unknown, i18n: I18n): string {
  if (error instanceof ApiError && error.status === 401) return i18n.t("login.wrong");
  if (error instanceof ApiError && error.status === 429) {
    return i18n.plural("login.tooMany", Math.max(1, Math.ceil((error.retryAfter ?? DEFAULT_WAIT_S) / 60)));
  }
  if (error instanceof NetworkError) return i18n.t("login.offline");
  return errorText(error, i18n);
}

/** Brand block shared by the login and invitation screens. */
export function Brand() {
  const { t } = useI18n();
  return (
    <div class="brand">
      <img class="brand-logo" src="/icons/icon.svg" alt="" width={48} height={48} />
      <span class="brand-name">{t("app.name")}</span>
    </div>
  );
}

export function LanguagePicker() {
  const { t, lang } = useI18n();
  return (
    <nav class="language-picker" aria-label={t("login.language")}>
      {LANGUAGES.map((language) => (
        <button
          key={language.code} type="button" class="button button-text" lang={language.code}
          aria-pressed={lang === language.code} onClick={() => setLanguage(language.code)}
        >
          {language.name}
        </button>
      ))}
    </nav>
  );
}

export function Login({ reason, email: knownEmail }: { reason: SignedOutReason; email: string | null }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [email, setEmail] = useState(knownEmail ?? "");
  const [password, setPassword] = useState("");
  const [shown, setShown] = useState(false);
  const [errors, setErrors] = useState<{ email?: string; password?: string }>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    document.title = `${t("login.title")} · Rayon`;
    form.current?.querySelector<HTMLInputElement>(knownEmail ? "#login-password" : "#login-email")?.focus();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const found: typeof errors = {};
    if (!email.trim()) found.email = t("login.emailMissing");
    else if (!EMAIL.test(email.trim())) found.email = t("login.emailInvalid");
    if (!password) found.password = t("login.passwordMissing");
    setErrors(found);
    setFailure(null);
    if (found.email || found.password) {
      focusFirstError(form.current);
      return;
    }
    setBusy(true);
    try {
      await logIn(email, password);
      // The app now shows where the user wanted to go.
    } catch (error) {
      setBusy(false);
      if (error instanceof ApiError && error.status === 422 && (error.fieldErrors.email || error.fieldErrors.password)) {
        setErrors({ email: error.fieldErrors.email, password: error.fieldErrors.password });
        focusFirstError(form.current);
        return;
      }
      setFailure(loginFailure(error, i18n));
    }
  };

  const notice =
    reason === "expired" ? t("login.expired")
    : reason === "loggedOut" ? t("login.loggedOut")
    : reason === "passwordSet" ? t("login.passwordSet")
    : null;

  return (
    <main id="main" class="auth-screen" tabIndex={-1}>
      <div class="auth-card">
        <Brand />
        <h1 class="auth-title">{t("login.title")}</h1>
        {notice && <p class={reason === "expired" ? "message message-warning" : "message"} role="status">{notice}</p>}
        <p class="auth-intro">{t("login.intro")}</p>
        <form ref={form} class="form" noValidate onSubmit={(e) => void submit(e)}>
          <div class="form-alert" role="alert">
            {failure && <p class="message message-error login-error">{failure}</p>}
          </div>
          <Field id="login-email" label={t("login.email")} error={errors.email}>
            <input
              id="login-email" class="input" type="email" inputMode="email" autoComplete="username" autoCapitalize="off"
              spellcheck={false} required value={email}
              onInput={(e) => {
                setEmail((e.currentTarget as HTMLInputElement).value);
                setErrors((x) => ({ ...x, email: undefined }));
                setFailure(null);
              }}
              {...described("login-email", errors.email)}
            />
          </Field>
          <Field id="login-password" label={t("login.password")} error={errors.password}>
            <PasswordInput
              id="login-password" value={password} shown={shown} onToggle={() => setShown(!shown)}
              autoComplete="current-password" error={errors.password}
              onInput={(value) => {
                setPassword(value);
                setErrors((x) => ({ ...x, password: undefined }));
                setFailure(null);
              }}
            />
          </Field>
          <button type="submit" class="button button-primary full-width" disabled={busy} aria-busy={busy}>
            {busy && <span class="spinner spinner-light" aria-hidden="true" />}
            {busy ? t("login.submitting") : t("login.submit")}
          </button>
        </form>
        <p class="small muted auth-foot">{t("login.forgot")}</p>
      </div>
      <LanguagePicker />
    </main>
  );
}
