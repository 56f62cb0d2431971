// The API client: builds URLs, turns problem+json answers into ApiError (whose `detail`
// is shown to the user), and tells whether an answer came from the service worker's saved
// copy. Authentication will plug in through configureApi({ headers, onError }).
import type { Problem } from "./types";

export type QueryValue = string | number | boolean | null | undefined | readonly (string | number)[];
export type Query = Record<string, QueryValue>;

/** Headers the service worker sets on an answer it served from its cache. */
export const FROM_CACHE_HEADER = "X-Rayon-From-Cache";
export const SAVED_AT_HEADER = "X-Rayon-Saved-At";

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  constructor(status: number, problem: Problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
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
  /** Extra request headers, e.g. Authorization once there is a login. */
  headers?: () => Record<string, string> | Promise<Record<string, string>>;
  /** Called with every ApiError before it is thrown (a login layer would catch 401 here). */
  onError?: (error: ApiError) => void;
  fetch?: typeof fetch;
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

export async function apiGet<T>(path: string, query?: Query, init?: { signal?: AbortSignal }): Promise<ApiResponse<T>> {
  const url = buildUrl(options.baseUrl, path, query);
  const doFetch = options.fetch ?? fetch;
  const headers = { Accept: "application/json", ...(await options.headers?.()) };
  let response: Response;
  try {
    response = await doFetch(url, { headers, signal: init?.signal, credentials: "same-origin" });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new NetworkError(error);
  }
  if (!response.ok) {
    const error = new ApiError(response.status, await problemOf(response));
    options.onError?.(error);
    throw error;
  }
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
