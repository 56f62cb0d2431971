// Page side of the service worker: registration, and saving the answers fetched before the
// worker took control (on the very first visit), so that they are there offline.
import { onApiResponse } from "./api/client";
import { createStore } from "./store";

/** A new version of the app has taken over: the page should be reloaded to use it. */
export const updateReadyStore = createStore(false);

const API_CACHE_PREFIX = "rayon-api";
const pending: string[] = [];

export function startServiceWorker(): void {
  if (!import.meta.env.PROD || !("serviceWorker" in navigator)) return;
  const container = navigator.serviceWorker;
  onApiResponse(({ url, fromCache }) => {
    if (container.controller || fromCache) return;
    const href = new URL(url, location.href).href;
    if (!pending.includes(href)) pending.push(href);
    if (pending.length > 20) pending.shift();
  });
  let hadController = !!container.controller;
  container.addEventListener("controllerchange", () => {
    if (pending.length) container.controller?.postMessage({ type: "save", urls: pending.splice(0) });
    // The first worker taking control is not an update; a later one is a new build, whose
    // files replace this page's (a screen not opened yet could fail to load): offer a reload.
    if (hadController) updateReadyStore.set(true);
    hadController = true;
  });
  container.register("/sw.js", { scope: "/" }).catch(() => {
    /* no service worker (private mode, old browser): the app still works online */
  });
}

/** Delete the saved API answers (a sign-out must call this too once there is a login). */
export async function clearSavedData(): Promise<void> {
  if (typeof caches === "undefined") return;
  for (const name of await caches.keys()) {
    if (name.startsWith(API_CACHE_PREFIX)) await caches.delete(name);
  }
}
