import { describe, expect, it } from "vitest";
import { parseRoute, paths, safeNext } from "./router";

describe("routes", () => {
  it("knows the account, login and invitation pages", () => {
    expect(parseRoute("/accounts")).toEqual({ name: "accounts" });
    expect(parseRoute(paths.account(12))).toEqual({ name: "account", id: 12 });
    expect(parseRoute("/login", "?next=%2Faccounts%2F12")).toEqual({ name: "login", next: "/accounts/12" });
    expect(parseRoute("/invite/Ab_cd-0123456789xyz")).toEqual({ name: "invite", token: "Ab_cd-0123456789xyz" });
    expect(parseRoute("/invite/short").name).toBe("notFound");
    expect(paths.login("/search?q=rewe")).toBe("/login?next=%2Fsearch%3Fq%3Drewe");
  });

  it("knows the rep's day: home, today, a visit, a form of a visit, sync", () => {
    const uuid = "0b6f1c1e-8d1f-4c4e-9a57-0c6a3b7d2e11";
    expect(parseRoute("/")).toEqual({ name: "home" });
    expect(parseRoute("/today")).toEqual({ name: "today" });
    expect(parseRoute("/sync")).toEqual({ name: "sync" });
    expect(parseRoute(paths.visit(uuid))).toEqual({ name: "visit", uuid });
    expect(parseRoute(paths.visitForm(uuid, 7))).toEqual({ name: "visitForm", uuid, formId: 7 });
    expect(parseRoute("/visits/not-a-uuid").name).toBe("notFound");
    expect(safeNext(paths.visit(uuid))).toBe(paths.visit(uuid));
  });

  it("knows the manager's planner", () => {
    expect(parseRoute(paths.plan)).toEqual({ name: "plan" });
    expect(parseRoute("/plan/")).toEqual({ name: "plan" });
    expect(safeNext("/plan")).toBe("/plan");
  });

  it("returns after login only to pages of this app", () => {
    expect(safeNext("/accounts/3")).toBe("/accounts/3");
    expect(safeNext("/search?q=a")).toBe("/search?q=a");
    for (const bad of ["https://evil.example/", "//evil.example", "/\\evil.example", "/login", "/invite/abcdefghijkl", "/nope", "", null]) {
      expect(safeNext(bad)).toBeNull();
    }
  });
});
