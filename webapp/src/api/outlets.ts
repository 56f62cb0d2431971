// The outlet endpoints of /api/v1.
import { apiGet, type ApiResponse } from "./client";
import type { ClusterPage, OutletDetail, OutletFormat, OutletPage } from "./types";

export interface OutletQuery {
  near?: { lat: number; lon: number };
  radius?: number;
  bbox?: Bounds;
  q?: string;
  format?: OutletFormat | null;
  sort?: "distance" | "id" | "name";
  limit?: number;
  cursor?: string | null;
}

/** minLon, minLat, maxLon, maxLat. */
export type Bounds = [number, number, number, number];

/** Coordinates to 5 decimals (about 1 m): shorter, stable URLs for the same place. */
export function coord(value: number): string {
  return value.toFixed(5).replace(/\.?0+$/, "");
}

/** A box valid for the API: inside -180..180 / -90..90, corners to 5 decimals. */
export function clampBounds([minLon, minLat, maxLon, maxLat]: Bounds): Bounds {
  const lon = (v: number) => Math.min(180, Math.max(-180, v));
  const lat = (v: number) => Math.min(90, Math.max(-90, v));
  return [lon(minLon), lat(minLat), lon(maxLon), lat(maxLat)];
}

export function outletListQuery(query: OutletQuery): Record<string, string | number | undefined> {
  return {
    near: query.near ? `${coord(query.near.lat)},${coord(query.near.lon)}` : undefined,
    radius: query.near ? query.radius : undefined,
    bbox: query.bbox ? clampBounds(query.bbox).map(coord).join(",") : undefined,
    q: query.q?.trim() || undefined,
    format: query.format ?? undefined,
    sort: query.sort,
    limit: query.limit,
    cursor: query.cursor ?? undefined,
  };
}

export function searchOutlets(query: OutletQuery, signal?: AbortSignal): Promise<ApiResponse<OutletPage>> {
  return apiGet<OutletPage>("/outlets", outletListQuery(query), { signal });
}

export function getOutlet(id: number, signal?: AbortSignal): Promise<ApiResponse<OutletDetail>> {
  return apiGet<OutletDetail>(`/outlets/${encodeURIComponent(String(id))}`, undefined, { signal });
}

export function getClusters(bbox: Bounds, zoom: number, signal?: AbortSignal): Promise<ApiResponse<ClusterPage>> {
  return apiGet<ClusterPage>(
    "/outlets/clusters",
    { bbox: clampBounds(bbox).map(coord).join(","), zoom: Math.max(0, Math.min(22, Math.round(zoom))) },
    { signal },
  );
}
