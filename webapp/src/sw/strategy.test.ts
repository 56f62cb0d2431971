import { describe, expect, it } from "vitest";
import { apiStrategy, isSavedApi, isStorable, lastNearbyKey } from "./strategy";

const url = (s: string) => new URL(s, "https://rayon.example");
const response = (status: number, headers: Record<string, string>, type: ResponseType = "basic") =>
  ({ status, type, headers: new Headers(headers) });

describe("isSavedApi", () => {
  it("keeps lists and outlet pages, not map queries", () => {
    expect(isSavedApi(url("/api/v1/outlets?near=1,2"))).toBe(true);
    expect(isSavedApi(url("/api/v1/outlets?q=rewe"))).toBe(true);
    expect(isSavedApi(url("/api/v1/outlets/42"))).toBe(true);
    expect(isSavedApi(url("/api/v1/outlets?bbox=1,2,3,4"))).toBe(false);
    expect(isSavedApi(url("/api/v1/outlets/clusters?bbox=1,2,3,4&zoom=5"))).toBe(false);
    expect(isSavedApi(url("/api/v1/health"))).toBe(false);
  });
  it("keeps account lists and pages, the rep list and custom-field labels", () => {
    expect(isSavedApi(url("/api/v1/accounts?rep=me&sort=due&limit=30"))).toBe(true);
    expect(isSavedApi(url("/api/v1/accounts/17"))).toBe(true);
    expect(isSavedApi(url("/api/v1/users?role=rep&limit=1000"))).toBe(true);
    expect(isSavedApi(url("/api/v1/custom-fields"))).toBe(true);
    expect(isSavedApi(url("/api/v1/accounts/export?output=csv"))).toBe(false);
    expect(isSavedApi(url("/api/v1/accounts/17/history"))).toBe(false);
    expect(isSavedApi(url("/api/v1/contacts/4/gdpr-export"))).toBe(false);
  });
  it("never keeps anything under /auth", () => {
    for (const path of ["/api/v1/auth/me", "/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/auth/tokens", "/api/v1/auth/accept"]) {
      expect(isSavedApi(url(path))).toBe(false);
    }
  });
});

describe("apiStrategy", () => {
  const origin = "https://rayon.example";
  it("handles only same-origin GETs of saved API answers", () => {
    expect(apiStrategy("GET", url("/api/v1/accounts?rep=me"), origin)).toBe("api");
    expect(apiStrategy("GET", url("/api/v1/auth/me"), origin)).toBeNull();
    expect(apiStrategy("GET", new URL("https://other.example/api/v1/accounts"), origin)).toBeNull();
    expect(apiStrategy("GET", url("/nearby"), origin)).toBeNull();
  });
  it("leaves every write and its answer alone", () => {
    for (const method of ["POST", "PATCH", "PUT", "DELETE"]) {
      expect(apiStrategy(method, url("/api/v1/accounts/17"), origin)).toBeNull();
      expect(apiStrategy(method, url("/api/v1/accounts/17/contacts"), origin)).toBeNull();
      expect(apiStrategy(method, url("/api/v1/auth/login"), origin)).toBeNull();
    }
  });
});

describe("isStorable", () => {
  it("keeps only successful JSON answers", () => {
    expect(isStorable(response(200, { "Content-Type": "application/json" }))).toBe(true);
    expect(isStorable(response(422, { "Content-Type": "application/problem+json" }))).toBe(false);
    expect(isStorable(response(404, { "Content-Type": "application/problem+json" }))).toBe(false);
    expect(isStorable(response(500, { "Content-Type": "application/json" }))).toBe(false);
    expect(isStorable(response(200, { "Content-Type": "text/html" }))).toBe(false);
    expect(isStorable(response(200, { "Content-Type": "application/json" }, "opaque"))).toBe(false);
    expect(isStorable(response(200, { "Content-Type": "application/json", "Cache-Control": "private, no-store" }))).toBe(false);
  });
});

describe("lastNearbyKey", () => {
  it("is the same for the same filters whatever the position", () => {
    const a = lastNearbyKey(url("/api/v1/outlets?near=49.6,6.1&radius=50000&limit=30"));
    const b = lastNearbyKey(url("/api/v1/outlets?limit=30&near=49.7,6.2&radius=50000"));
    expect(a).not.toBeNull();
    expect(a).toBe(b);
    expect(lastNearbyKey(url("/api/v1/outlets?near=49.7,6.2&radius=50000&limit=30&q=rewe"))).not.toBe(a);
  });
  it("also keeps account lists sorted by distance, not their later pages", () => {
    const a = lastNearbyKey(url("/api/v1/accounts?rep=me&near=48.1,11.5&sort=distance&limit=30"));
    expect(a).not.toBeNull();
    expect(a).toBe(lastNearbyKey(url("/api/v1/accounts?rep=me&near=48.2,11.6&sort=distance&limit=30")));
    expect(a).not.toBe(lastNearbyKey(url("/api/v1/outlets?near=48.2,11.6&sort=distance&limit=30")));
    expect(lastNearbyKey(url("/api/v1/accounts?near=48.2,11.6&sort=distance&limit=30&offset=30"))).toBeNull();
  });
  it("is null for later pages and for other requests", () => {
    expect(lastNearbyKey(url("/api/v1/outlets?near=1,2&cursor=abc"))).toBeNull();
    expect(lastNearbyKey(url("/api/v1/outlets?q=rewe"))).toBeNull();
    expect(lastNearbyKey(url("/api/v1/outlets/4"))).toBeNull();
  });
});
