// The phone's position for a check-in or a re-plan: one fresh fix (Geolocation API), which also
// becomes the app's "here" (geoStore) for the other screens.
import { geoStore } from "../geo";
import type { Fix } from "./index";

export class PositionError extends Error {
  constructor(readonly reason: "denied" | "unavailable") {
    super(reason);
    this.name = "PositionError";
  }
}

/** A position at most `maxAgeMs` old, within `timeoutMs`. Rejects with PositionError. */
export function currentFix(timeoutMs = 20_000, maxAgeMs = 30_000): Promise<Fix> {
  return new Promise((resolve, reject) => {
    if (typeof navigator === "undefined" || !("geolocation" in navigator)) {
      reject(new PositionError("unavailable"));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (position) => {
        const { latitude, longitude, accuracy } = position.coords;
        geoStore.set({
          status: "ok",
          origin: { lat: latitude, lon: longitude, source: "gps", accuracy, at: position.timestamp || Date.now() },
        });
        resolve({ lat: latitude, lon: longitude, accuracy: Number.isFinite(accuracy) ? accuracy : null });
      },
      (error) => reject(new PositionError(error.code === error.PERMISSION_DENIED ? "denied" : "unavailable")),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: maxAgeMs },
    );
  });
}

/** A quick position if there is one (check-out): null rather than waiting long. */
export async function quickFix(): Promise<Fix | null> {
  try {
    return await currentFix(5_000, 120_000);
  } catch {
    return null;
  }
}
