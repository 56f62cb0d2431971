// Who is logged in on this phone. The session is the server's HttpOnly cookie; the app
// only learns who it belongs to from GET /auth/me (on start, after logging in, when the
// connection comes back). Writes carry the CSRF token from the readable `rayon_csrf` cookie.
//
// Offline, /auth/me cannot answer: the app then trusts the last answer it had (kept in
// localStorage until logout or a 401), so a rep opens the app in a shop without signal.
//
// Saved API answers (service worker) belong to one user: they are deleted on logout and
// whenever a different user than the last one logs in on this phone.
import { getMe, postLogin, postLogout } from "./api/auth";
import { ApiError, configureApi, NetworkError } from "./api/client";
import type { Me } from "./api/types";
import { applyUserLanguage, forgetUserLanguage } from "./i18n";
import { deleteFieldData } from "./field";
import { clearSavedData } from "./serviceWorker";
import { createStore } from "./store";

export type SignedOutReason = "start" | "expired" | "loggedOut" | "passwordSet";

export type Session =
  | { status: "checking" }
  | { status: "signedOut"; reason: SignedOutReason; email: string | null }
  | { status: "signedIn"; me: Me; offline: boolean };

export const sessionStore = createStore<Session>({ status: "checking" });

const PROFILE_KEY = "rayon.me"; // the /auth/me answer, for offline starts
const LAST_USER_KEY = "rayon.lastUser"; // {id, email} of the last user logged in on this phone
const PENDING_LOGOUT_KEY = "rayon.pendingLogout"; // logout asked for while offline
const CSRF_COOKIE = "rayon_csrf";
const CSRF_HEADER = "X-CSRF-Token";

let csrfFromLogin: string | null = null;
/** Logging out: the 401s of requests still under way are expected, not an ended session. */
let leaving = false;

function storage(): Storage | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null;
  }
}

function readJson<T>(key: string): T | null {
  try {
    return JSON.parse(storage()?.getItem(key) ?? "null") as T | null;
  } catch {
    return null;
  }
}

function write(key: string, value: unknown): void {
  try {
    if (value === null) storage()?.removeItem(key);
    else storage()?.setItem(key, typeof value === "string" ? value : JSON.stringify(value));
  } catch {
    /* private mode: remembered for this visit only */
  }
}

/** The CSRF token of the cookie session: the cookie's (current) value, else the one from the login answer. */
export function csrfToken(): string | null {
  if (typeof document !== "undefined") {
    const match = new RegExp(`(?:^|;\\s*)${CSRF_COOKIE}=([^;]*)`).exec(document.cookie);
    if (match) return decodeURIComponent(match[1]);
  }
  return csrfFromLogin;
}

/** The signed-in user may do `permission` (from /auth/me, e.g. "accounts.write"). */
export function can(me: Me | null | undefined, permission: string): boolean {
  return !!me?.permissions.includes(permission);
}

/** Use `me` as the signed-in user; a different user than the last one first loses the saved answers. */
async function adopt(me: Me, offline = false): Promise<void> {
  const last = readJson<{ id: number; email: string }>(LAST_USER_KEY);
  if (!offline && (!last || last.id !== me.user.id)) {
    await clearSavedData();
    await deleteFieldData(me.user.id).catch(() => undefined); // another user's day never stays on the phone
  }
  if (!offline) {
    write(PROFILE_KEY, me);
    write(LAST_USER_KEY, { id: me.user.id, email: me.user.email });
  }
  applyUserLanguage(me.user);
  sessionStore.set({ status: "signedIn", me, offline });
}

function signedOut(reason: SignedOutReason, email: string | null = null): void {
  forgetUserLanguage();
  sessionStore.set({ status: "signedOut", reason, email });
}

/** The server refused the session (401): forget it and ask for a login; come back after it. */
export function sessionEnded(): void {
  const session = sessionStore.get();
  if (session.status !== "signedIn") return;
  write(PROFILE_KEY, null); // no more offline starts with it; the saved answers stay for the same user
  csrfFromLogin = null;
  signedOut("expired", session.me.user.email);
}

/** Ask the server who is logged in (on start and when the connection comes back). */
async function check(): Promise<void> {
  try {
    const { data } = await getMe();
    const current = sessionStore.get();
    if (current.status === "signedIn" && current.me.user.id === data.user.id && !current.offline) {
      write(PROFILE_KEY, data);
      sessionStore.set({ status: "signedIn", me: data, offline: false }); // permissions may have changed
      return;
    }
    await adopt(data);
  } catch (error) {
    const current = sessionStore.get();
    if (error instanceof ApiError && error.status === 401) {
      const saved = readJson<Me>(PROFILE_KEY);
      write(PROFILE_KEY, null);
      if (current.status === "signedIn") sessionEnded();
      else signedOut(saved ? "expired" : "start", saved?.user.email ?? null);
      return;
    }
    // Offline, or the server is down: carry on as the user we had.
    if (current.status === "signedIn") return;
    const saved = readJson<Me>(PROFILE_KEY);
    if (saved?.user && Array.isArray(saved.permissions)) await adopt(saved, true);
    else signedOut("start", readJson<{ email: string }>(LAST_USER_KEY)?.email ?? null);
  }
}

/** A logout that could not reach the server: end that session as soon as it can. */
async function finishPendingLogout(): Promise<boolean> {
  if (!storage()?.getItem(PENDING_LOGOUT_KEY)) return true;
  try {
    await postLogout();
  } catch (error) {
    if (error instanceof NetworkError) return false;
  }
  write(PENDING_LOGOUT_KEY, null);
  return true;
}

export function startSession(): void {
  configureApi({
    writeHeaders: (): Record<string, string> => {
      const token = csrfToken();
      return token ? { [CSRF_HEADER]: token } : {};
    },
    onError: (error, request) => {
      if (error.status !== 401 || leaving || request.path === "/auth/login" || request.path === "/auth/accept") return;
      sessionEnded();
    },
  });
  // Another tab of the app logged out or in as someone else: follow it (the cookie is shared).
  window.addEventListener("storage", (event) => {
    if (event.key !== LAST_USER_KEY) return;
    const session = sessionStore.get();
    if (event.newValue === null && session.status === "signedIn") signedOut("loggedOut");
    else if (session.status === "signedIn") void check();
  });
  document.addEventListener?.("visibilitychange", () => {
    if (document.visibilityState === "visible" && sessionStore.get().status === "signedIn") void check();
  });
  window.addEventListener("online", () => {
    void finishPendingLogout().then((done) => {
      const session = sessionStore.get();
      if (done && session.status === "signedIn") void check();
    });
  });
  void (async () => {
    if (!(await finishPendingLogout())) {
      signedOut("loggedOut");
      return;
    }
    await check();
  })();
}

/** Log in with the cookie session; rejects with ApiError (401 wrong password, 429, 422) or NetworkError. */
export async function logIn(email: string, password: string): Promise<void> {
  const answer = await postLogin(email.trim(), password);
  csrfFromLogin = answer.csrf_token ?? null;
  write(PENDING_LOGOUT_KEY, null); // the new session replaced the old cookie
  const { data } = await getMe();
  await adopt(data);
}

/** Log out: end the session on the server (or as soon as there is a connection) and delete this user's saved data. */
export async function logOut(): Promise<void> {
  leaving = true;
  try {
    await postLogout();
  } catch (error) {
    if (error instanceof NetworkError) write(PENDING_LOGOUT_KEY, "1");
    // 401: the session had ended already.
  }
  try {
    csrfFromLogin = null;
    await clearSavedData();
    await deleteFieldData(null).catch(() => undefined);
    write(PROFILE_KEY, null);
    write(LAST_USER_KEY, null);
    signedOut("loggedOut");
  } finally {
    leaving = false;
  }
}

/** After setting a password through a link: nobody is logged in on the app's side. */
export function passwordSet(email: string): void {
  signedOut("passwordSet", email);
}
