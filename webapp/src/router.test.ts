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

  it("returns after login only to pages of this app", () => {
    expect(safeNext("/accounts/3")).toBe("/accounts/3");
    expect(safeNext("/search?q=a")).toBe("/search?q=a");
    for (const bad of ["https://evil.example/", "//evil.example", "/\\evil.example", "/login", "/invite/abcdefghijkl", "/nope", "", null]) {
      expect(safeNext(bad)).toBeNull();
    }
  });
});
