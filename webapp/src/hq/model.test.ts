import { describe, expect, it } from "vitest";
import { apiQuery, exportUrl } from "./api";
import {
  addFilter, answeredRange, applicableFilters, changeTone, colourDomain, DEFAULT_QUERY, formatChange, formatRange, formatValue,
  niceTicks, OVERVIEW_FILTERS, parseQuery, queryParams, rangeStart, removeFilter, valueColour, yDomain, type HqQuery,
} from "./model";
import { parseState, viewHref } from "./state";

// Wednesday 25 November 2026 (local time).
const TODAY = new Date(2026, 10, 25, 15, 0);

describe("ranges", () => {
  it("counts back whole periods from today: days, weeks from Monday, months from the 1st", () => {
    expect(rangeStart("day", 1, TODAY)).toBe("2026-11-25");
    expect(rangeStart("day", 7, TODAY)).toBe("2026-11-19");
    expect(rangeStart("week", 1, TODAY)).toBe("2026-11-23");
    expect(rangeStart("week", 8, TODAY)).toBe("2026-10-05");
    expect(rangeStart("month", 1, TODAY)).toBe("2026-11-01");
    expect(rangeStart("month", 12, TODAY)).toBe("2025-12-01");
  });

  it("says which range is answered and which one it is compared with, as the server snaps them", () => {
    // The server answered /overview?period=week&from=2026-10-05 with 2026-10-05..2026-11-29 against 2026-08-10..2026-10-04.
    expect(answeredRange({ ...DEFAULT_QUERY }, TODAY)).toEqual({
      from: "2026-10-05", to: "2026-11-29", previous: { from: "2026-08-10", to: "2026-10-04" },
    });
    expect(answeredRange({ ...DEFAULT_QUERY, period: "month", last: 3 }, TODAY)).toEqual({
      from: "2026-09-01", to: "2026-11-30", previous: { from: "2026-06-01", to: "2026-08-31" },
    });
    expect(answeredRange({ ...DEFAULT_QUERY, period: "week", from: "2026-11-04", to: "2026-11-10" }, TODAY)).toEqual({
      from: "2026-11-02", to: "2026-11-15", previous: { from: "2026-10-19", to: "2026-11-01" },
    });
  });

  it("writes a range the locale's way", () => {
    const plain = (text: string) => text.replace(/\s/g, " "); // ICU puts thin and no-break spaces around the dash
    expect(plain(formatRange("2026-11-23", "2026-11-29", "en-US"))).toBe("Nov 23 – 29, 2026");
    expect(plain(formatRange("2026-10-05", "2026-11-29", "de"))).toBe("05.10. – 29.11.2026");
  });
});

describe("the query in the address bar", () => {
  it("round-trips grain, range and filters, leaving defaults out", () => {
    const query: HqQuery = { period: "month", last: 6, from: null, to: null, filters: { region: ["DE-BY", "FR-IDF"], rep: ["4"] } };
    const params = queryParams(query, { kpi: "coverage", by: null });
    expect(params.toString()).toBe("kpi=coverage&period=month&last=6&region=DE-BY%2CFR-IDF&rep=4");
    expect(parseQuery(params.toString())).toEqual(query);
    expect(queryParams(DEFAULT_QUERY).toString()).toBe("");
  });

  it("ignores what it does not understand", () => {
    expect(parseQuery("?period=year&last=-3&from=yesterday&to=2026-01-01&colour=red")).toEqual(DEFAULT_QUERY);
    expect(parseQuery("?from=2026-01-01&to=2026-01-31").from).toBe("2026-01-01");
  });

  it("keeps each view's own choices in its address", () => {
    const state = parseState("?kpi=out_of_stock_rate&by=region&level=outlet&period=day&last=14");
    expect(state).toMatchObject({ kpi: "out_of_stock_rate", by: "region", level: "outlet" });
    expect(viewHref("explore", state)).toBe("/insights/explore?kpi=out_of_stock_rate&by=region&period=day&last=14");
    expect(viewHref("map", state)).toBe("/insights/map?kpi=out_of_stock_rate&level=outlet&period=day&last=14");
    expect(viewHref("overview", state)).toBe("/insights?period=day&last=14");
    const two = parseState("?kpi=numeric_distribution&by=region&by2=format");
    expect(viewHref("explore", two)).toBe("/insights/explore?kpi=numeric_distribution&by=region&by2=format");
    expect(viewHref("explore", { ...two, by: null })).toBe("/insights/explore?kpi=numeric_distribution");
  });
});

describe("filters", () => {
  it("adds a value once and removes the dimension with its last value", () => {
    let filters = addFilter({}, "region", "DE-BY");
    filters = addFilter(filters, "region", "DE-BY");
    filters = addFilter(filters, "region", "FR-IDF");
    expect(filters).toEqual({ region: ["DE-BY", "FR-IDF"] });
    expect(removeFilter(removeFilter(filters, "region", "DE-BY"), "region", "FR-IDF")).toEqual({});
  });

  it("sends a KPI only the filters it can take, and says which were left out", () => {
    const query: HqQuery = { ...DEFAULT_QUERY, filters: { region: ["DE-BY"], product: ["12"] } };
    expect(applicableFilters(query.filters, OVERVIEW_FILTERS)).toEqual({ used: { region: ["DE-BY"] }, unused: ["product"] });
    expect(apiQuery(query, OVERVIEW_FILTERS, TODAY)).toEqual({ period: "week", from: "2026-10-05", to: null, region: ["DE-BY"] });
  });

  it("builds export links with the filters each file takes", () => {
    const query: HqQuery = { ...DEFAULT_QUERY, filters: { region: ["DE-BY"], product: ["12"] } };
    expect(exportUrl("visits", "xlsx", query, "products", TODAY)).toBe(
      "/api/v1/analytics/exports/visits?period=week&from=2026-10-05&region=DE-BY&output=xlsx",
    );
    expect(exportUrl("responses", "csv", query, "answers", TODAY)).toBe(
      "/api/v1/analytics/exports/responses?period=week&from=2026-10-05&region=DE-BY&product=12&output=csv&layout=answers",
    );
  });
});

describe("values in the user's locale", () => {
  it("writes percentages, prices, minutes and indexes", () => {
    expect(formatValue(69.1, "%", "en-US")).toBe("69.1%");
    expect(formatValue(69.1, "%", "de")).toBe("69,1\u00a0%");
    expect(formatValue(69.1, "%", "fr")).toMatch(/^69,1[\u00a0\u202f]%$/);
    expect(formatValue(1.29, "EUR", "de")).toBe("1,29\u00a0€");
    expect(formatValue(1.29, "EUR", "en-US")).toBe("€1.29");
    expect(formatValue(32.5, "min", "en-US")).toBe("32.5 min");
    expect(formatValue(94.1, "index", "fr")).toBe("94,1");
    expect(formatValue(4.063, "visits", "de")).toBe("4,06");
    expect(formatValue(null, "%", "en")).toBe("–");
  });

  it("writes changes of percentages in points, signed", () => {
    expect(formatChange(7.5, "%", "en-US", "pp")).toBe("+7.5\u00a0pp");
    expect(formatChange(-2, "%", "de", "Pp.")).toBe("-2,0\u00a0Pp.");
    expect(formatChange(0, "%", "en-US", "pp")).toBe("±0");
    expect(formatChange(-0.17, "visits", "en-US", "pp")).toBe("-0.17");
    expect(formatChange(null, "%", "en-US", "pp")).toBe("–");
  });

  it("knows which way is good news", () => {
    expect(changeTone("numeric_distribution", 1.6)).toBe("good");
    expect(changeTone("out_of_stock_rate", 0.7)).toBe("bad");
    expect(changeTone("out_of_stock_rate", -0.7)).toBe("good");
    expect(changeTone("price_index", -0.2)).toBe("neutral");
    expect(changeTone("coverage", 0)).toBe("neutral");
    expect(changeTone("time_in_store", 3, "higher")).toBe("good"); // the API's word wins
  });
});

describe("chart scales and colours", () => {
  it("makes round ticks that span the values", () => {
    expect(niceTicks(0, 100)).toEqual([0, 25, 50, 75, 100]);
    expect(niceTicks(0, 7.9)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(5, 5).length).toBeGreaterThan(1);
  });

  it("starts percentages at zero and keeps an index around 100", () => {
    expect(yDomain([55.9, 70.2, null], "%")).toEqual([0, 80]);
    expect(yDomain([92.2, 94.1], "index")).toEqual([90, 105]);
    expect(yDomain([null], "%")).toEqual([0, 100]);
  });

  it("colours the worst red and the best green, turned round where lower is better", () => {
    expect(valueColour(0, 0, 10, "coverage")).toBe("rgb(178, 34, 34)");
    expect(valueColour(10, 0, 10, "coverage")).toBe("rgb(19, 120, 60)");
    expect(valueColour(10, 0, 10, "out_of_stock_rate")).toBe("rgb(178, 34, 34)");
    expect(valueColour(null, 0, 10, "coverage")).toBe("#8a979f");
  });

  it("does not paint values a hair apart as best and worst", () => {
    const [lo, hi] = colourDomain([6.6, 6.7], "%");
    expect(lo).toBeCloseTo(1.65);
    expect(hi).toBeCloseTo(11.65);
    expect(colourDomain([40, 80, null], "%")).toEqual([40, 80]);
    expect(colourDomain([], "%")).toEqual([0, 0]);
  });
});

describe("routes", () => {
  it("has an address for each Insights view", async () => {
    const { parseRoute } = await import("../router");
    expect(parseRoute("/insights")).toEqual({ name: "insights", view: "overview" });
    expect(parseRoute("/insights/explore", "?kpi=coverage")).toEqual({ name: "insights", view: "explore" });
    expect(parseRoute("/insights/map/")).toEqual({ name: "insights", view: "map" });
    expect(parseRoute("/insights/exports")).toEqual({ name: "insights", view: "exports" });
    expect(parseRoute("/insights/other")).toEqual({ name: "notFound" });
  });
});
