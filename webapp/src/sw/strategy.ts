// What the service worker keeps, as pure functions (unit-tested in strategy.test.ts).

export const SHELL_CACHE_PREFIX = "rayon-shell-";
/** Saved API answers. A login layer must delete it on sign-out (the app's clearSavedData does). */
export const API_CACHE = "rayon-api-v1";
export const MAX_API_ENTRIES = 200;
export const FROM_CACHE_HEADER = "X-Rayon-From-Cache";
export const SAVED_AT_HEADER = "X-Rayon-Saved-At";

/**
 * API answers worth keeping for offline use: outlet lists (Nearby, Search) and outlet pages.
 * Map queries (bbox, clusters) change with every pan and are not kept.
 */
export function isSavedApi(url: URL): boolean {
  if (/^\/api\/v1\/outlets\/\d+$/.test(url.pathname)) return true;
  return url.pathname === "/api/v1/outlets" && !url.searchParams.has("bbox");
}

/** Only complete, successful JSON answers are kept: never errors, redirects or no-store answers. */
export function isStorable(response: Pick<Response, "status" | "type" | "headers">): boolean {
  if (response.status !== 200) return false;
  if (response.type !== "basic" && response.type !== "default") return false;
  const cacheControl = response.headers.get("Cache-Control") ?? "";
  if (/\bno-store\b/i.test(cacheControl)) return false;
  return /\bjson\b/i.test(response.headers.get("Content-Type") ?? "");
}

/**
 * Where the latest first page of a nearby list (near=...) is also kept, whatever the
 * position: offline, a list for a slightly different position falls back to it ("the
 * last results it had"). Null for other requests.
 */
export function lastNearbyKey(url: URL): string | null {
  if (url.pathname !== "/api/v1/outlets" || !url.searchParams.has("near") || url.searchParams.has("cursor")) {
    return null;
  }
  const rest = [...url.searchParams].filter(([key]) => key !== "near").sort(([a], [b]) => a.localeCompare(b));
  const key = new URL("/api/v1/outlets", url.origin);
  key.searchParams.set("rayon-last-nearby", "1");
  for (const [name, value] of rest) key.searchParams.append(name, value);
  return key.href;
}

/** The static files to keep, as given by the build. */
export interface PrecacheManifest {
  version: string;
  files: string[];
}
