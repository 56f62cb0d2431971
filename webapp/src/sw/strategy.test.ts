import { describe, expect, it } from "vitest";
import { isSavedApi, isStorable, lastNearbyKey } from "./strategy";

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
  it("is null for later pages and for other requests", () => {
    expect(lastNearbyKey(url("/api/v1/outlets?near=1,2&cursor=abc"))).toBeNull();
    expect(lastNearbyKey(url("/api/v1/outlets?q=rewe"))).toBeNull();
    expect(lastNearbyKey(url("/api/v1/outlets/4"))).toBeNull();
  });
});
