// What the service worker keeps, as pure functions (unit-tested in strategy.test.ts).

export const SHELL_CACHE_PREFIX = "rayon-shell-";
/** Saved API answers: deleted on logout and when another user logs in (clearSavedData). */
export const API_CACHE = "rayon-api-v1";
export const MAX_API_ENTRIES = 300;
export const FROM_CACHE_HEADER = "X-Rayon-From-Cache";
export const SAVED_AT_HEADER = "X-Rayon-Saved-At";

/** Paths whose list answers are position-dependent with near=: see lastNearbyKey. */
const NEAR_LISTS = new Set(["/api/v1/outlets", "/api/v1/accounts"]);

/**
 * API answers worth keeping for offline use: outlet lists (Nearby, Search) and outlet pages,
 * account lists and account pages, the reps of the list's filter and the custom-field
 * labels. Never anything under /auth (logins, the current user, sessions, tokens), map
 * queries (bbox, clusters: they change with every pan), exports or histories.
 */
export function isSavedApi(url: URL): boolean {
  const path = url.pathname;
  if (path.startsWith("/api/v1/auth/") || path === "/api/v1/auth") return false;
  if (/^\/api\/v1\/(outlets|accounts)\/\d+$/.test(path)) return true;
  if (path === "/api/v1/outlets") return !url.searchParams.has("bbox");
  return path === "/api/v1/accounts" || path === "/api/v1/users" || path === "/api/v1/custom-fields";
}

/**
 * How the worker answers a request: "api" (network first, a good answer saved, the saved
 * copy when offline) or null (left to the browser). Only GETs are ever handled: a write
 * (POST, PATCH, DELETE: logins, contacts, account changes) and its answer never touch the cache.
 */
export function apiStrategy(method: string, url: URL, origin: string): "api" | null {
  if (method !== "GET" || url.origin !== origin || !url.pathname.startsWith("/api/")) return null;
  return isSavedApi(url) ? "api" : null;
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
 * Where the latest first page of a list sorted from a position (near=..., outlets or
 * accounts) is also kept, whatever the position: offline, a list for a slightly different
 * position falls back to it ("the last results it had"). Null for other requests.
 */
export function lastNearbyKey(url: URL): string | null {
  if (!NEAR_LISTS.has(url.pathname) || !url.searchParams.has("near")) return null;
  if (url.searchParams.has("cursor") || url.searchParams.has("offset")) return null;
  const rest = [...url.searchParams].filter(([key]) => key !== "near").sort(([a], [b]) => a.localeCompare(b));
  const key = new URL(url.pathname, url.origin);
  key.searchParams.set("rayon-last-nearby", "1");
  for (const [name, value] of rest) key.searchParams.append(name, value);
  return key.href;
}

/** The static files to keep, as given by the build. */
export interface PrecacheManifest {
  version: string;
  files: string[];
}
