// Settings a deployment can change without rebuilding: window.RAYON_CONFIG, set by
// /config.js (public/config.js, loaded before the app; replace that file on the server).
// Build-time defaults come from VITE_* environment variables (see README.md).
export interface RayonConfig {
  /** Where the API is, e.g. "/api/v1". */
  apiBase: string;
  /** Map tile URL template ({z}/{x}/{y}, optional {s}); "" shows points on a plain background. */
  tileUrl: string;
  /** HTML shown in the map's attribution corner. */
  tileAttribution: string;
  tileMaxZoom: number;
}

declare global {
  interface Window {
    RAYON_CONFIG?: Partial<RayonConfig>;
  }
}

const OSM_ATTRIBUTION =
  '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';

const env = import.meta.env;

export const DEFAULT_CONFIG: RayonConfig = {
  apiBase: env.VITE_API_BASE ?? "/api/v1",
  tileUrl: env.VITE_TILE_URL ?? "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
  tileAttribution: env.VITE_TILE_ATTRIBUTION ?? OSM_ATTRIBUTION,
  tileMaxZoom: Number(env.VITE_TILE_MAX_ZOOM ?? 19),
};

export function readConfig(overrides: Partial<RayonConfig> | undefined = undefined): RayonConfig {
  const fromWindow = overrides ?? (typeof window !== "undefined" ? window.RAYON_CONFIG : undefined) ?? {};
  const merged = { ...DEFAULT_CONFIG };
  for (const key of Object.keys(DEFAULT_CONFIG) as (keyof RayonConfig)[]) {
    const value = fromWindow[key];
    if (value !== undefined && value !== null && typeof value === typeof DEFAULT_CONFIG[key]) {
      (merged as Record<string, unknown>)[key] = value;
    }
  }
  return merged;
}

export const config: RayonConfig = readConfig();
