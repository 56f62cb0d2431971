// Shapes of the Rayon API (server/outlets/schemas.py).

export const FORMATS = [
  "supermarket", "hypermarket", "discount", "convenience", "drugstore", "cash_and_carry", "specialist",
] as const;
export type OutletFormat = (typeof FORMATS)[number];
export type OutletStatus = "open" | "closed" | "unverified";

export interface Outlet {
  id: number;
  name: string;
  banner: string | null;
  group: string | null;
  format: OutletFormat;
  sales_area_m2: number | null;
  street: string | null;
  house_number: string | null;
  postcode: string | null;
  city: string | null;
  region: string | null;
  country: string;
  lat: number;
  lon: number;
  opening_hours: string | null;
  phone: string | null;
  website: string | null;
  status: OutletStatus;
  source?: string;
  last_verified_at?: string | null;
  /** Only with near=: metres from that point. */
  distance_m?: number;
}

/** Open intervals per weekday, e.g. {"Mo": [["08:00", "20:00"]], ..., "Su": []}. */
export type WeeklyHours = Record<"Mo" | "Tu" | "We" | "Th" | "Fr" | "Sa" | "Su", [string, string][]>;

export interface OutletDetail extends Outlet {
  opening_hours_weekly: WeeklyHours | null;
  open_now: boolean | null;
}

export interface OutletPage {
  items: Outlet[];
  total: number;
  total_relation: "eq" | "gte";
  next_cursor: string | null;
}

export interface Cluster {
  lat: number;
  lon: number;
  count: number;
  outlet_id: number | null;
  /** minLon, minLat, maxLon, maxLat of the outlets in the cell. */
  bbox: [number, number, number, number];
}

export interface ClusterPage {
  clusters: Cluster[];
  total: number;
}

/** An RFC 9457 problem document. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { field?: string; in?: string; message: string }[];
}
