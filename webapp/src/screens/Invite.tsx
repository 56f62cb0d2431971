// /invite/<token>: the link an admin sends (invitation or password reset). The person
// chooses a password (twice), the server accepts it, and the app logs them in with it.
import { useEffect, useRef, useState } from "preact/hooks";
import { acceptLink } from "../api/auth";
import { ApiError, NetworkError } from "../api/client";
import { Field, focusFirstError, PasswordInput } from "../components/Form";
import { errorText } from "../hooks";
import { useI18n } from "../i18n";
import { navigate, paths } from "../router";
import { logIn, logOut, passwordSet, sessionStore } from "../session";
import { Brand, LanguagePicker } from "./Login";

/** The server's minimum (server/auth/service.py MIN_PASSWORD_LENGTH). */
export const MIN_PASSWORD_LENGTH = 10;

export function Invite({ token }: { token: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [shown, setShown] = useState(false);
  const [errors, setErrors] = useState<{ password?: string; repeat?: string }>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    document.title = `${t("invite.title")} · Rayon`;
    form.current?.querySelector<HTMLInputElement>("#invite-password")?.focus();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const found: typeof errors = {};
    if (password.length < MIN_PASSWORD_LENGTH) found.password = t("invite.tooShort", { min: MIN_PASSWORD_LENGTH });
    else if (repeat !== password) found.repeat = t("invite.mismatch");
    setErrors(found);
    setFailure(null);
    if (found.password || found.repeat) {
      focusFirstError(form.current);
      return;
    }
    setBusy(true);
    let email: string;
    try {
      email = (await acceptLink(token, password)).email;
    } catch (error) {
      setBusy(false);
      if (error instanceof ApiError && error.status === 404) setFailure(t("invite.invalidLink"));
      else if (error instanceof ApiError && error.status === 422 && error.fieldErrors.password) {
        setErrors({ password: error.fieldErrors.password });
        focusFirstError(form.current);
      } else if (error instanceof NetworkError) setFailure(t("login.offline"));
      else setFailure(errorText(error, i18n));
      return;
    }
    // Whoever was logged in on this phone before leaves first (and their saved data with them).
    if (sessionStore.get().status === "signedIn") await logOut();
    try {
      await logIn(email, password);
      navigate("/", { replace: true });
    } catch {
      // The password is set; logging in with it failed (no connection, too many attempts):
      // the login screen says so and has the email filled in.
      passwordSet(email);
      navigate(paths.login(), { replace: true });
    }
  };

  const hint = errors.password ? null : t("invite.tooShort", { min: MIN_PASSWORD_LENGTH });

  return (
    <main id="main" class="auth-screen" tabIndex={-1}>
      <div class="auth-card">
        <Brand />
        <h1 class="auth-title">{t("invite.title")}</h1>
        <p class="auth-intro">{t("invite.intro", { min: MIN_PASSWORD_LENGTH })}</p>
        <form ref={form} class="form" noValidate onSubmit={(e) => void submit(e)}>
          <div class="form-alert" role="alert">
            {failure && <p class="message message-error invite-error">{failure}</p>}
          </div>
          <Field id="invite-password" label={t("invite.password")} error={errors.password} hint={hint}>
            <PasswordInput
              id="invite-password" value={password} shown={shown} onToggle={() => setShown(!shown)}
              autoComplete="new-password" error={errors.password} hint={hint}
              onInput={(value) => {
                setPassword(value);
                setErrors({});
                setFailure(null);
              }}
            />
          </Field>
          <Field id="invite-repeat" label={t("invite.repeat")} error={errors.repeat}>
            <PasswordInput
              id="invite-repeat" value={repeat} shown={shown} onToggle={() => setShown(!shown)} toggle={false}
              autoComplete="new-password" error={errors.repeat}
              onInput={(value) => {
                setRepeat(value);
                setErrors((x) => ({ ...x, repeat: undefined }));
                setFailure(null);
              }}
            />
          </Field>
          <button type="submit" class="button button-primary full-width" disabled={busy} aria-busy={busy}>
            {busy && <span class="spinner spinner-light" aria-hidden="true" />}
            {busy ? t("invite.submitting") : t("invite.submit")}
          </button>
        </form>
      </div>
      <LanguagePicker />
    </main>
  );
}
