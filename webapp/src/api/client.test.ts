import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, apiGet, apiSend, buildUrl, configureApi, NetworkError, onApiResponse } from "./client";
import { accountListQuery, newer } from "./accounts";
import type { Account } from "./types";
import { clampBounds, coord, outletListQuery } from "./outlets";

const json = (body: unknown, init: ResponseInit & { headers?: Record<string, string> } = {}) =>
  new Response(JSON.stringify(body), { status: 200, ...init, headers: { "Content-Type": "application/json", ...init.headers } });

afterEach(() =>
  configureApi({ baseUrl: "/api/v1", fetch: undefined, headers: undefined, writeHeaders: undefined, onError: undefined }),
);

describe("buildUrl", () => {
  it("leaves out empty values, joins lists and keeps the given order", () => {
    expect(buildUrl("/api/v1/", "/outlets", { near: "1,2", q: "", format: ["a", "b"], x: null, limit: 30 }))
      .toBe("/api/v1/outlets?near=1%2C2&format=a%2Cb&limit=30");
    expect(buildUrl("/api/v1", "/outlets/7")).toBe("/api/v1/outlets/7");
  });
});

describe("outlet queries", () => {
  it("rounds coordinates to 5 decimals and keeps the box inside the world", () => {
    expect(coord(49.611612345)).toBe("49.61161");
    expect(coord(6.1)).toBe("6.1");
    expect(coord(120)).toBe("120");
    expect(clampBounds([-200, -95, 200, 95])).toEqual([-180, -90, 180, 90]);
    expect(outletListQuery({ near: { lat: 49.6116, lon: 6.1319 }, radius: 5000, q: "  ", format: null }))
      .toMatchObject({ near: "49.6116,6.1319", radius: 5000, q: undefined, format: undefined });
  });
});

describe("apiGet", () => {
  it("returns the data and whether it came from the offline copy", async () => {
    const fetch = vi.fn(async () => json({ items: [] }, { headers: { "X-Rayon-From-Cache": "1", "X-Rayon-Saved-At": "2026-01-15T10:00:00Z" } }));
    configureApi({ fetch, headers: () => ({ Authorization: "Bearer t" }) });
    const seen: boolean[] = [];
    const stop = onApiResponse((r) => seen.push(r.fromCache));
    const result = await apiGet<{ items: unknown[] }>("/outlets", { q: "rewe" });
    stop();
    expect(result.data).toEqual({ items: [] });
    expect(result.fromCache).toBe(true);
    expect(result.savedAt?.toISOString()).toBe("2026-01-15T10:00:00.000Z");
    expect(seen).toEqual([true]);
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/v1/outlets?q=rewe");
    expect(init.headers).toMatchObject({ Accept: "application/json", Authorization: "Bearer t" });
  });

  it("turns a problem+json answer into an ApiError with its detail", async () => {
    const problem = { title: "Invalid request", status: 422, detail: "near: latitude 91 is out of range",
      errors: [{ field: "near", in: "query", message: "latitude 91 is out of range" }] };
    const onError = vi.fn();
    configureApi({ fetch: async () => json(problem, { status: 422, headers: { "Content-Type": "application/problem+json" } }), onError });
    const error = await apiGet("/outlets", { near: "91,0" }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(422);
    expect(error.detail).toBe("near: latitude 91 is out of range");
    expect(error.problem.errors[0].field).toBe("near");
    expect(onError).toHaveBeenCalledWith(error, { method: "GET", path: "/outlets" });
  });

  it("falls back to the status text when the error is not JSON", async () => {
    configureApi({ fetch: async () => new Response("<h1>Bad gateway</h1>", { status: 502, statusText: "Bad Gateway", headers: { "Content-Type": "text/html" } }) });
    const error = await apiGet("/outlets").catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.detail).toBe("Bad Gateway");
  });

  it("reports a failed connection as NetworkError, and lets aborts through", async () => {
    configureApi({ fetch: async () => { throw new TypeError("Failed to fetch"); } });
    await expect(apiGet("/outlets")).rejects.toBeInstanceOf(NetworkError);
    configureApi({ fetch: async () => { throw new DOMException("aborted", "AbortError"); } });
    await expect(apiGet("/outlets")).rejects.toMatchObject({ name: "AbortError" });
  });
});

describe("apiSend", () => {
  it("sends JSON with the CSRF header and returns the answer", async () => {
    const fetch = vi.fn(async () => json({ id: 9, phone: "+49891234567" }, { status: 201 }));
    configureApi({ fetch, writeHeaders: () => ({ "X-CSRF-Token": "c5rf" }) });
    const saved = await apiSend<{ id: number }>("POST", "/accounts/3/contacts", { name: "Eva", phone: "089 1234567" });
    expect(saved).toEqual({ id: 9, phone: "+49891234567" });
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/v1/accounts/3/contacts");
    expect(init.method).toBe("POST");
    expect(init.credentials).toBe("same-origin");
    expect(init.headers).toMatchObject({ "Content-Type": "application/json", "X-CSRF-Token": "c5rf" });
    expect(JSON.parse(init.body as string)).toEqual({ name: "Eva", phone: "089 1234567" });
  });

  it("gives 204 as null and field errors by field", async () => {
    configureApi({ fetch: async () => new Response(null, { status: 204 }) });
    expect(await apiSend("POST", "/auth/logout")).toBeNull();
    const problem = { status: 422, detail: "phone: '12' is not a valid phone number",
      errors: [{ field: "phone", in: "body", message: "'12' is not a valid phone number" }] };
    configureApi({ fetch: async () => json(problem, { status: 422, headers: { "Content-Type": "application/problem+json" } }) });
    const error = (await apiSend("PATCH", "/contacts/1", { phone: "12" }).catch((e: unknown) => e)) as ApiError;
    expect(error.fieldErrors).toEqual({ phone: "'12' is not a valid phone number" });
  });

  it("reads Retry-After and keeps 401 from onError when asked", async () => {
    const onError = vi.fn();
    configureApi({
      onError,
      fetch: async () => json({ status: 429, detail: "wait" }, { status: 429, headers: { "Retry-After": "900" } }),
    });
    const limited = (await apiSend("POST", "/auth/login", {}).catch((e: unknown) => e)) as ApiError;
    expect(limited.retryAfter).toBe(900);
    configureApi({ fetch: async () => json({ status: 401, detail: "Wrong email or password." }, { status: 401 }) });
    await apiSend("POST", "/auth/login", {}, { quiet401: true }).catch(() => null);
    expect(onError).toHaveBeenCalledTimes(1); // the 429, not the quiet 401
  });
});

describe("account queries", () => {
  it("puts the filters in a fixed order and sends near only to sort by distance", () => {
    expect(accountListQuery({ rep: "me", classes: ["B", "A"], overdue: true, q: " rewe ", sort: "due", limit: 30 }))
      .toEqual({ rep: "me", class: "A,B", overdue: "true", q: "rewe", near: undefined, sort: "due", limit: 30, offset: undefined });
    expect(accountListQuery({ near: { lat: 48.137412345, lon: 11.5755 }, sort: "distance", offset: 30 }))
      .toMatchObject({ near: "48.13741,11.5755", sort: "distance", offset: 30, rep: undefined, overdue: undefined });
    expect(accountListQuery({ near: { lat: 48.1, lon: 11.5 }, sort: "name" }).near).toBeUndefined();
  });

  it("shows the newer version of an account edited elsewhere in the app", () => {
    const listed = { id: 1, version: 3, account_class: "C", distance_m: 120 } as unknown as Account;
    const edited = { id: 1, version: 4, account_class: "B" } as unknown as Account;
    expect(newer(listed, edited)).toMatchObject({ account_class: "B", version: 4, distance_m: 120 });
    expect(newer(listed, { ...edited, version: 2 })).toBe(listed);
    expect(newer(listed, undefined)).toBe(listed);
  });
});
