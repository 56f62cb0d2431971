// Online/offline, and whether what is on screen came from the saved copy (service worker
// cache): both drive the offline banner.
import { onApiResponse } from "./api/client";
import { createStore } from "./store";

export interface Connectivity {
  online: boolean;
  /** The last answer from the API was a saved copy. */
  fromCache: boolean;
  savedAt: Date | null;
}

export const connectivityStore = createStore<Connectivity>({
  online: typeof navigator === "undefined" ? true : navigator.onLine,
  fromCache: false,
  savedAt: null,
});

/** Bumped when what is on screen should be fetched again (back online, new position asked for). */
export const refreshStore = createStore(0);

export function requestRefresh(): void {
  refreshStore.set((n) => n + 1);
}

export function startConnectivity(): void {
  const update = () => {
    connectivityStore.set((s) => ({ ...s, online: navigator.onLine }));
    if (navigator.onLine) requestRefresh();
  };
  window.addEventListener("online", update);
  window.addEventListener("offline", update);
  onApiResponse(({ fromCache, savedAt }) => {
    connectivityStore.set((s) =>
      s.fromCache === fromCache && s.savedAt?.getTime() === savedAt?.getTime() ? s : { ...s, fromCache, savedAt },
    );
  });
}
