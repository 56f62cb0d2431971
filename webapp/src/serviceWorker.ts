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

/**
 * Delete the saved API answers: on logout, when another user logs in, and from the
 * settings. The service worker is told first, so that an answer it is saving right now
 * (fetched for the previous user) is dropped rather than written after the deletion.
 */
export async function clearSavedData(): Promise<void> {
  pending.length = 0;
  const controller = typeof navigator !== "undefined" ? navigator.serviceWorker?.controller : null;
  if (controller) {
    await new Promise<void>((resolve) => {
      const channel = new MessageChannel();
      const timer = setTimeout(resolve, 2000); // an old worker that does not answer
      channel.port1.onmessage = () => {
        clearTimeout(timer);
        resolve();
      };
      controller.postMessage({ type: "clear" }, [channel.port2]);
    });
  }
  if (typeof caches === "undefined") return;
  for (const name of await caches.keys()) {
    if (name.startsWith(API_CACHE_PREFIX)) await caches.delete(name);
  }
}
