import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, apiGet, buildUrl, configureApi, NetworkError, onApiResponse } from "./client";
import { clampBounds, coord, outletListQuery } from "./outlets";

const json = (body: unknown, init: ResponseInit & { headers?: Record<string, string> } = {}) =>
  new Response(JSON.stringify(body), { status: 200, ...init, headers: { "Content-Type": "application/json", ...init.headers } });

afterEach(() => configureApi({ baseUrl: "/api/v1", fetch: undefined, headers: undefined, onError: undefined }));

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
    expect(onError).toHaveBeenCalledWith(error);
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
