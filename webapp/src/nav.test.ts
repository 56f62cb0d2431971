import { describe, expect, it } from "vitest";
import { homeTab, splitTabs, tabOrder } from "./nav";

const rep = { day: true, planner: false, insights: false };
const manager = { day: true, planner: true, insights: true, review: true };
const hq = { day: false, planner: false, insights: true };

describe("bottom navigation", () => {
  it("gives each role its most used tabs first and at most five entries", () => {
    expect(splitTabs(tabOrder(rep))).toEqual({ bar: ["today", "nearby", "map", "accounts"], more: ["search"] });
    expect(splitTabs(tabOrder(manager))).toEqual({
      bar: ["plan", "accounts", "insights", "map"],
      more: ["today", "nearby", "review", "search"],
    });
    expect(splitTabs(tabOrder(hq))).toEqual({ bar: ["insights", "accounts", "map", "nearby"], more: ["search"] });
    for (const who of [rep, manager, hq]) {
      const { bar, more } = splitTabs(tabOrder(who));
      expect(bar.length + (more.length ? 1 : 0)).toBeLessThanOrEqual(5);
      expect(new Set([...bar, ...more])).toEqual(new Set(tabOrder(who))); // nothing lost
    }
  });

  it("leaves out what a user may not use, and needs no More when four tabs fit", () => {
    const viewer = { day: false, planner: false, insights: false };
    expect(tabOrder(viewer)).toEqual(["nearby", "map", "accounts", "search"]);
    expect(splitTabs(tabOrder(viewer))).toEqual({ bar: ["nearby", "map", "accounts", "search"], more: [] });
    expect(tabOrder(hq)).not.toContain("today");
    expect(tabOrder(rep)).not.toContain("plan");
  });

  it("opens on the first tab of the bar", () => {
    expect(homeTab(rep)).toBe("today");
    expect(homeTab(manager)).toBe("plan");
    expect(homeTab(hq)).toBe("insights");
    expect(homeTab({ day: false, planner: false, insights: false })).toBe("nearby");
  });
});
