// Where "nearby" is: the phone's position (Geolocation API), or a city or map centre the
// user chose when there is no position. A chosen place is kept on the phone so the app
// has somewhere to start the next time the position cannot be found.
import { createStore } from "./store";

export interface Origin {
  lat: number;
  lon: number;
  source: "gps" | "city" | "map";
  /** City name for source "city". */
  label?: string;
  /** Metres, for source "gps". */
  accuracy?: number;
  /** When the position was taken (ms since 1970), for source "gps". */
  at?: number;
}

export type GeoStatus = "idle" | "locating" | "ok" | "denied" | "unavailable" | "unsupported";

export interface GeoState {
  status: GeoStatus;
  origin: Origin | null;
}

const STORAGE_KEY = "rayon.origin";

function savedOrigin(): Origin | null {
  try {
    const value = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null") as Origin | null;
    if (value && Number.isFinite(value.lat) && Number.isFinite(value.lon)) return value;
  } catch {
    /* nothing usable saved */
  }
  return null;
}

export const geoStore = createStore<GeoState>({ status: "idle", origin: null });

/** Use a city or the map centre as "here" (remembered for next time). */
export function chooseOrigin(origin: Origin): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(origin));
  } catch {
    /* private mode */
  }
  geoStore.set((s) => ({ ...s, origin }));
}

/** Ask the phone for its position; on failure fall back to the last place chosen by hand. */
export function locate(): void {
  if (typeof navigator === "undefined" || !("geolocation" in navigator)) {
    geoStore.set((s) => ({ status: "unsupported", origin: s.origin ?? savedOrigin() }));
    return;
  }
  geoStore.set((s) => ({ ...s, status: "locating" }));
  navigator.geolocation.getCurrentPosition(
    (position) => {
      const { latitude, longitude, accuracy } = position.coords;
      geoStore.set({
        status: "ok",
        origin: { lat: latitude, lon: longitude, source: "gps", accuracy, at: position.timestamp || Date.now() },
      });
    },
    (error) => {
      const status: GeoStatus = error.code === error.PERMISSION_DENIED ? "denied" : "unavailable";
      // Keep the place we had (an earlier fix or a chosen city), else the last one chosen.
      geoStore.set((s) => ({ status, origin: s.origin ?? savedOrigin() }));
    },
    { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
  );
}

/** Cities to start from without a position (the outlet database covers Germany and France). */
export const CITIES: ReadonlyArray<{ name: string; lat: number; lon: number }> = [
  { name: "Berlin", lat: 52.5200, lon: 13.4050 },
  { name: "Hamburg", lat: 53.5511, lon: 9.9937 },
  { name: "München", lat: 48.1374, lon: 11.5755 },
  { name: "Köln", lat: 50.9375, lon: 6.9603 },
  { name: "Frankfurt am Main", lat: 50.1109, lon: 8.6821 },
  { name: "Stuttgart", lat: 48.7758, lon: 9.1829 },
  { name: "Düsseldorf", lat: 51.2277, lon: 6.7735 },
  { name: "Leipzig", lat: 51.3397, lon: 12.3731 },
  { name: "Dortmund", lat: 51.5136, lon: 7.4653 },
  { name: "Hannover", lat: 52.3759, lon: 9.7320 },
  { name: "Nürnberg", lat: 49.4521, lon: 11.0767 },
  { name: "Dresden", lat: 51.0504, lon: 13.7373 },
  { name: "Paris", lat: 48.8566, lon: 2.3522 },
  { name: "Marseille", lat: 43.2965, lon: 5.3698 },
  { name: "Lyon", lat: 45.7640, lon: 4.8357 },
  { name: "Toulouse", lat: 43.6047, lon: 1.4442 },
  { name: "Nice", lat: 43.7102, lon: 7.2620 },
  { name: "Nantes", lat: 47.2184, lon: -1.5536 },
  { name: "Strasbourg", lat: 48.5734, lon: 7.7521 },
  { name: "Bordeaux", lat: 44.8378, lon: -0.5792 },
  { name: "Lille", lat: 50.6292, lon: 3.0573 },
  { name: "Luxembourg", lat: 49.6116, lon: 6.1319 },
];

/** Great-circle distance in metres (the API's sphere, radius 6,371,008.8 m). */
export function distanceMetres(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
}
