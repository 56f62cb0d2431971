// The API client: builds URLs, turns problem+json answers into ApiError (whose `detail`
// is shown to the user), and tells whether an answer came from the service worker's saved
// copy. The login (auth.ts) plugs in through configureApi: `writeHeaders` adds the CSRF
// token to writes, `onError` sends a 401 to the login screen. The session itself is an
// HttpOnly cookie: every request is same-origin with credentials.
import type { Problem } from "./types";

export type QueryValue = string | number | boolean | null | undefined | readonly (string | number)[];
export type Query = Record<string, QueryValue>;

/** Headers the service worker sets on an answer it served from its cache. */
export const FROM_CACHE_HEADER = "X-Rayon-From-Cache";
export const SAVED_AT_HEADER = "X-Rayon-Saved-At";

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  /** Seconds from the Retry-After header (429, 503), when there was one. */
  readonly retryAfter: number | null;
  constructor(status: number, problem: Problem, retryAfter: number | null = null) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
  /** The message for each field the server named (`errors[].field` -> message). */
  get fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.problem.errors ?? []) {
      if (e.field && !(e.field in out)) out[e.field] = e.message;
    }
    return out;
  }
  /** The sentence to show: the problem's detail, else its title. */
  get detail(): string {
    return this.problem.detail || this.problem.title || "";
  }
}

/** No answer at all: offline, DNS, server down (and nothing saved). */
export class NetworkError extends Error {
  constructor(cause?: unknown) {
    super("network error");
    this.name = "NetworkError";
    this.cause = cause;
  }
}

export interface ApiResponse<T> {
  data: T;
  url: string;
  fromCache: boolean;
  savedAt: Date | null;
}

export interface ApiOptions {
  baseUrl: string;
  /** Extra request headers for every request (e.g. Authorization for a token-based client). */
  headers?: () => Record<string, string> | Promise<Record<string, string>>;
  /** Extra headers for writes (POST, PATCH, DELETE): the CSRF token of the cookie session. */
  writeHeaders?: () => Record<string, string>;
  /** Called with every ApiError before it is thrown (auth.ts sends a 401 to the login screen). */
  onError?: (error: ApiError, request: { method: string; path: string }) => void;
  fetch?: typeof fetch;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Do not pass a 401 to `onError` (the login itself, the start-up check). */
  quiet401?: boolean;
}

let options: ApiOptions = { baseUrl: "/api/v1" };
const listeners = new Set<(response: ApiResponse<unknown>) => void>();

export function configureApi(changes: Partial<ApiOptions>): void {
  options = { ...options, ...changes };
}

/** Be told about every successful answer (used for the offline banner). */
export function onApiResponse(listener: (response: ApiResponse<unknown>) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * `base` + `path` + the query, leaving out empty values and joining lists with commas.
 * Parameters keep the order given, so the same search is always the same URL (and the
 * same entry in the offline cache).
 */
export function buildUrl(base: string, path: string, query: Query = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value)) {
      if (value.length) search.set(key, value.join(","));
    } else {
      search.set(key, String(value));
    }
  }
  const qs = search.toString();
  return `${base.replace(/\/$/, "")}${path}${qs ? `?${qs}` : ""}`;
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === "AbortError";
}

async function problemOf(response: Response): Promise<Problem> {
  const type = response.headers.get("Content-Type") ?? "";
  if (type.includes("json")) {
    try {
      const body = (await response.json()) as Problem;
      if (body && typeof body === "object") return { status: response.status, ...body };
    } catch {
      /* not JSON after all */
    }
  }
  return { status: response.status, title: response.statusText || `HTTP ${response.status}` };
}

function retryAfterOf(response: Response): number | null {
  const value = response.headers.get("Retry-After");
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const when = Date.parse(value);
  return Number.isNaN(when) ? null : Math.max(0, Math.round((when - Date.now()) / 1000));
}

async function request(
  method: string, path: string, url: string, init: RequestInit, options_: RequestOptions,
): Promise<Response> {
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, { ...init, method, signal: options_.signal, credentials: "same-origin" });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new NetworkError(error);
  }
  if (!response.ok) {
    const error = new ApiError(response.status, await problemOf(response), retryAfterOf(response));
    if (!(options_.quiet401 && error.status === 401)) options.onError?.(error, { method, path });
    throw error;
  }
  return response;
}

export async function apiGet<T>(path: string, query?: Query, init: RequestOptions = {}): Promise<ApiResponse<T>> {
  const url = buildUrl(options.baseUrl, path, query);
  const headers = { Accept: "application/json", ...(await options.headers?.()) };
  const response = await request("GET", path, url, { headers }, init);
  const data = (await response.json()) as T;
  const savedAt = response.headers.get(SAVED_AT_HEADER);
  const result: ApiResponse<T> = {
    data,
    url,
    fromCache: response.headers.get(FROM_CACHE_HEADER) === "1",
    savedAt: savedAt ? new Date(savedAt) : null,
  };
  for (const listener of [...listeners]) listener(result);
  return result;
}

/**
 * A write: JSON body, the CSRF header, problem+json errors as ApiError. Resolves with the
 * answer's JSON (null for 204). Writes never go through the service worker's cache.
 */
export async function apiSend<T>(
  method: "POST" | "PATCH" | "PUT" | "DELETE", path: string, body?: unknown, init: RequestOptions = {},
): Promise<T> {
  const url = buildUrl(options.baseUrl, path);
  const headers: Record<string, string> = {
    Accept: "application/json",
    ...(await options.headers?.()),
    ...options.writeHeaders?.(),
  };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await request(
    method, path, url, { headers, body: body === undefined ? undefined : JSON.stringify(body) }, init,
  );
  if (response.status === 204) return null as T;
  const type = response.headers.get("Content-Type") ?? "";
  return (type.includes("json") ? await response.json() : null) as T;
}

/**
 * Raw bytes with headers of the caller's (a piece of a resumable photo upload): the CSRF header,
 * problem+json errors as ApiError; resolves with the JSON answer.
 */
export async function apiSendBytes<T>(
  method: "PATCH" | "PUT" | "POST", path: string, body: Blob, contentType: string, extraHeaders: Record<string, string> = {},
  init: RequestOptions = {},
): Promise<T> {
  const url = buildUrl(options.baseUrl, path);
  const headers: Record<string, string> = {
    Accept: "application/json",
    ...(await options.headers?.()),
    ...options.writeHeaders?.(),
    ...extraHeaders,
    "Content-Type": contentType,
  };
  const response = await request(method, path, url, { headers, body }, init);
  const type = response.headers.get("Content-Type") ?? "";
  return (type.includes("json") ? await response.json() : null) as T;
}

/** A multipart upload (photos): the CSRF header, problem+json errors as ApiError; resolves with the JSON answer. */
export async function apiUpload<T>(path: string, form: FormData, init: RequestOptions = {}): Promise<T> {
  const url = buildUrl(options.baseUrl, path);
  const headers: Record<string, string> = {
    Accept: "application/json",
    ...(await options.headers?.()),
    ...options.writeHeaders?.(),
  };
  const response = await request("POST", path, url, { headers, body: form }, init);
  const type = response.headers.get("Content-Type") ?? "";
  return (type.includes("json") ? await response.json() : null) as T;
}
