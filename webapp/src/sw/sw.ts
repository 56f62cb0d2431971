// Rayon's service worker (built to /sw.js, hand-written, no library).
//
// - App shell: every file of the build is cached on install (the build writes the list
//   into this file, so each build is a new service worker) and served cache-first; page
//   navigations get index.html, so the app opens offline.
// - API: outlet and account lists and pages are network-first (GETs only); a good answer
//   is saved, and when the network fails (or the server answers 5xx) the saved copy is
//   served with the X-Rayon-From-Cache header, which makes the app show its offline banner.
//   Errors are never saved, nor anything under /api/v1/auth, nor any write or its answer.
//   Everything else (map queries, other hosts such as map tiles) is not touched.
// - The saved answers belong to the user logged in: the page deletes them on logout and
//   when another user logs in, after telling this worker ("clear"), which then drops any
//   answer it was still saving for the previous user.
/// <reference lib="webworker" />
import {
  API_CACHE,
  apiStrategy,
  FROM_CACHE_HEADER,
  MAX_API_ENTRIES,
  SAVED_AT_HEADER,
  SHELL_CACHE_PREFIX,
  isSavedApi,
  isStorable,
  lastNearbyKey,
  type PrecacheManifest,
} from "./strategy";

declare const self: ServiceWorkerGlobalScope;

// Replaced by the build (vite.config.ts) with the JSON of this build's files.
const MANIFEST: PrecacheManifest = JSON.parse("__RAYON_PRECACHE_MANIFEST__");
const SHELL_CACHE = SHELL_CACHE_PREFIX + MANIFEST.version;
const INDEX = "/index.html";
/** Deployment settings: fresh when online, saved copy offline. */
const NETWORK_FIRST_FILES = new Set(["/config.js"]);
const NETWORK_TIMEOUT_MS = 8000;
/** Bumped when the page deletes the saved answers: saves begun before are dropped. */
let generation = 0;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      await cache.addAll([...new Set([INDEX, ...MANIFEST.files])].map((f) => new Request(f, { cache: "reload" })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(SHELL_CACHE_PREFIX) && name !== SHELL_CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return; // writes (and their answers) are never cached
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return; // map tiles and other hosts: the browser's business
  if (url.pathname.startsWith("/api/")) {
    if (apiStrategy(request.method, url, self.location.origin) === "api") event.respondWith(apiNetworkFirst(request, url));
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(appShell(request));
    return;
  }
  if (NETWORK_FIRST_FILES.has(url.pathname)) {
    event.respondWith(staticNetworkFirst(request));
    return;
  }
  if (MANIFEST.files.includes(url.pathname)) event.respondWith(cacheFirst(request));
});

self.addEventListener("message", (event) => {
  const data = event.data as { type?: string; urls?: unknown } | null;
  if (data?.type === "clear") {
    generation += 1;
    event.waitUntil(
      (async () => {
        await caches.delete(API_CACHE);
        event.ports[0]?.postMessage("cleared");
      })(),
    );
    return;
  }
  if (data?.type === "save" && Array.isArray(data.urls)) {
    const started = generation;
    // Answers the page fetched before this worker controlled it: fetch and keep them now.
    event.waitUntil(
      Promise.all(
        data.urls.slice(0, 20).map(async (href) => {
          if (typeof href !== "string") return;
          const url = new URL(href, self.location.origin);
          if (url.origin !== self.location.origin || !isSavedApi(url)) return;
          try {
            await save(url, await fetch(url.href, { headers: { Accept: "application/json" } }), started);
          } catch {
            /* offline again: nothing to keep */
          }
        }),
      ),
    );
  }
});

async function appShell(request: Request): Promise<Response> {
  const url = new URL(request.url);
  // Files of the build (and real server pages) are not the app: only app routes get index.html.
  const cached = MANIFEST.files.includes(url.pathname) ? await caches.match(url.pathname) : await caches.match(INDEX);
  if (cached) return cached;
  return fetch(request);
}

async function cacheFirst(request: Request): Promise<Response> {
  const cached = await caches.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(SHELL_CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

function withTimeout(request: Request): Promise<Response> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), NETWORK_TIMEOUT_MS);
    fetch(request).then(
      (response) => {
        clearTimeout(timer);
        resolve(response);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

async function staticNetworkFirst(request: Request): Promise<Response> {
  try {
    const response = await withTimeout(request);
    if (response.ok) await (await caches.open(SHELL_CACHE)).put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await caches.match(request, { ignoreSearch: true });
    if (cached) return cached;
    throw error;
  }
}

async function apiNetworkFirst(request: Request, url: URL): Promise<Response> {
  const started = generation;
  let response: Response;
  try {
    response = await fetch(request);
  } catch {
    return (await savedAnswer(url)) ?? Response.error();
  }
  if (response.status >= 500) {
    return (await savedAnswer(url)) ?? response;
  }
  await save(url, response.clone(), started);
  return response;
}

/** Keep a good answer (stamped with the time it was saved); trims the oldest entries. */
async function save(url: URL, response: Response, started: number): Promise<void> {
  if (!isStorable(response)) return;
  const headers = new Headers(response.headers);
  headers.set(SAVED_AT_HEADER, new Date().toISOString());
  const body = await response.arrayBuffer();
  if (started !== generation) return; // the saved data was deleted meanwhile (logout, another user)
  const stamped = () => new Response(body, { status: 200, statusText: response.statusText, headers });
  const cache = await caches.open(API_CACHE);
  if (started !== generation) return;
  await cache.put(url.href, stamped());
  const nearbyKey = lastNearbyKey(url);
  if (nearbyKey) await cache.put(nearbyKey, stamped());
  const keys = await cache.keys();
  for (const old of keys.slice(0, Math.max(0, keys.length - MAX_API_ENTRIES))) await cache.delete(old);
}

async function savedAnswer(url: URL): Promise<Response | undefined> {
  const cache = await caches.open(API_CACHE);
  let cached = await cache.match(url.href);
  const nearbyKey = lastNearbyKey(url);
  if (!cached && nearbyKey) cached = await cache.match(nearbyKey);
  if (!cached) return undefined;
  const headers = new Headers(cached.headers);
  headers.set(FROM_CACHE_HEADER, "1");
  return new Response(cached.body, { status: cached.status, statusText: cached.statusText, headers });
}
