// The session's rules, against a fake server: whose saved data is deleted when, what a 401
// does, offline starts, logout with the CSRF token.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const cleared = vi.fn(async () => undefined);
vi.mock("./serviceWorker", () => ({ clearSavedData: cleared }));

type Handler = (method: string, path: string, init: RequestInit) => Response | Promise<Response>;

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
const me = (id: number, locale: string | null = null) => ({
  user: { id, email: `u${id}@demo.rayon.test`, name: `User ${id}`, role: "rep", manager_id: null, home: null, locale },
  organization: { id: 1, name: "Brisa Drinks (demo)", slug: "demo" },
  permissions: ["accounts.read", "contacts.write"],
});

function fakeStorage(): Storage {
  const data = new Map<string, string>();
  return {
    get length() {
      return data.size;
    },
    clear: () => data.clear(),
    getItem: (k: string) => data.get(k) ?? null,
    key: (i: number) => [...data.keys()][i] ?? null,
    removeItem: (k: string) => void data.delete(k),
    setItem: (k: string, v: string) => void data.set(k, String(v)),
  };
}

let server: Handler;
const calls: { method: string; path: string; headers: Record<string, string> }[] = [];

async function load() {
  vi.resetModules();
  const client = await import("./api/client");
  client.configureApi({
    baseUrl: "/api/v1",
    fetch: (async (url: string, init: RequestInit) => {
      const path = url.replace("/api/v1", "").split("?")[0];
      calls.push({ method: init.method ?? "GET", path, headers: (init.headers ?? {}) as Record<string, string> });
      return server(init.method ?? "GET", path, init);
    }) as typeof fetch,
  });
  const session = await import("./session");
  const i18n = await import("./i18n");
  return { client, session, i18n };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  cleared.mockClear();
  calls.length = 0;
  vi.stubGlobal("localStorage", fakeStorage());
  vi.stubGlobal("document", { cookie: "rayon_csrf=tok%2Ben" });
  vi.stubGlobal("window", { addEventListener: () => undefined });
});
afterEach(() => vi.unstubAllGlobals());

describe("session", () => {
  it("starts as the user the server names, in the user's language", async () => {
    server = (_m, path) => (path === "/auth/me" ? json(me(1, "fr")) : json({}, 404));
    const { session, i18n } = await load();
    session.startSession();
    await settle();
    const state = session.sessionStore.get();
    expect(state.status).toBe("signedIn");
    expect(state.status === "signedIn" && state.me.user.id).toBe(1);
    expect(i18n.i18nStore.get().lang).toBe("fr");
    expect(cleared).toHaveBeenCalledTimes(1); // nobody known on this phone before: nothing of anyone kept
  });

  it("deletes the saved answers when another user than the last one logs in, not for the same one", async () => {
    localStorage.setItem("rayon.lastUser", JSON.stringify({ id: 2, email: "u2@demo.rayon.test" }));
    let who = 1;
    server = (_m, path) => (path === "/auth/login" ? json({ user: me(who).user, csrf_token: "x" }) : json(me(who)));
    const { session } = await load();
    await session.logIn("u1@demo.rayon.test", "secret-secret");
    expect(cleared).toHaveBeenCalledTimes(1);
    cleared.mockClear();
    await session.logIn("u1@demo.rayon.test", "secret-secret");
    expect(cleared).not.toHaveBeenCalled();
    who = 3;
    await session.logIn("u3@demo.rayon.test", "secret-secret");
    expect(cleared).toHaveBeenCalledTimes(1);
  });

  it("goes to the login when any request answers 401, remembering the email", async () => {
    server = (_m, path) => (path === "/auth/me" ? json(me(1)) : json({ status: 401, detail: "Your session has ended" }, 401));
    const { session, client } = await load();
    session.startSession();
    await settle();
    await client.apiGet("/accounts").catch(() => null);
    expect(session.sessionStore.get()).toEqual({ status: "signedOut", reason: "expired", email: "u1@demo.rayon.test" });
    expect(localStorage.getItem("rayon.me")).toBeNull();
  });

  it("does not treat a wrong password as an ended session", async () => {
    server = (_m, path) => json({ status: 401, detail: path === "/auth/login" ? "Wrong email or password." : "Log in first" }, 401);
    const { session, client } = await load();
    session.startSession();
    await settle();
    expect(session.sessionStore.get()).toEqual({ status: "signedOut", reason: "start", email: null });
    const error = await session.logIn("u1@demo.rayon.test", "nope").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(client.ApiError);
    expect(session.sessionStore.get()).toEqual({ status: "signedOut", reason: "start", email: null });
  });

  it("opens offline as the last user, and on the login screen when there was none", async () => {
    server = () => {
      throw new TypeError("Failed to fetch");
    };
    localStorage.setItem("rayon.me", JSON.stringify(me(5)));
    const first = await load();
    first.session.startSession();
    await settle();
    expect(first.session.sessionStore.get()).toMatchObject({ status: "signedIn", offline: true });
    expect(cleared).not.toHaveBeenCalled();

    localStorage.removeItem("rayon.me");
    const second = await load();
    second.session.startSession();
    await settle();
    expect(second.session.sessionStore.get()).toMatchObject({ status: "signedOut", reason: "start" });
  });

  it("logs out with the CSRF token, deletes the saved data, and retries later when offline", async () => {
    server = (method, path) => (method === "POST" && path === "/auth/logout" ? new Response(null, { status: 204 }) : json(me(1)));
    const { session } = await load();
    session.startSession();
    await settle();
    await session.logOut();
    const logout = calls.find((c) => c.path === "/auth/logout");
    expect(logout?.headers["X-CSRF-Token"]).toBe("tok+en");
    expect(cleared).toHaveBeenCalled();
    expect(localStorage.getItem("rayon.me")).toBeNull();
    expect(localStorage.getItem("rayon.lastUser")).toBeNull();
    expect(session.sessionStore.get()).toMatchObject({ status: "signedOut", reason: "loggedOut" });

    server = (_m, path) => {
      if (path === "/auth/logout") throw new TypeError("Failed to fetch");
      return json(me(1));
    };
    await session.logIn("u1@demo.rayon.test", "secret-secret");
    await session.logOut();
    expect(localStorage.getItem("rayon.pendingLogout")).toBe("1");
  });
});
