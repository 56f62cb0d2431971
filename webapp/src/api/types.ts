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

// --- login, users, accounts (server/auth/api.py, server/accounts/) ---

export type Role = "rep" | "manager" | "hq" | "admin";
export const ROLES: readonly Role[] = ["rep", "manager", "hq", "admin"];

export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
  manager_id: number | null;
  home: { lat: number; lon: number; address: string | null } | null;
  locale: string | null;
  active?: boolean;
}

export interface Organization {
  id: number;
  name: string;
  slug: string;
}

/** GET /auth/me */
export interface Me {
  user: User;
  organization: Organization;
  permissions: string[];
}

/** POST /auth/login with cookie: true */
export interface LoginResponse {
  user: User;
  csrf_token?: string;
  expires_at: string;
}

export const ACCOUNT_CLASSES = ["A", "B", "C"] as const;
export type AccountClass = (typeof ACCOUNT_CLASSES)[number];
export const ACCOUNT_STATUSES = ["customer", "prospect", "lost"] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];
export type AccountSort = "distance" | "due" | "name" | "class";

export interface AccountOutlet {
  id: number;
  name: string;
  banner: string | null;
  format: OutletFormat;
  street: string | null;
  house_number: string | null;
  postcode: string | null;
  city: string | null;
  country: string;
  lat: number | null;
  lon: number | null;
  private: boolean;
}

export interface Account {
  id: number;
  outlet: AccountOutlet;
  status: AccountStatus;
  account_class: AccountClass | null;
  visit_every_weeks: number | null;
  assigned_rep_id: number | null;
  assigned_rep_name: string | null;
  distributor: string | null;
  custom: Record<string, unknown>;
  tags: string[];
  notes: string | null;
  last_visit_at: string | null;
  visit_due_at: string | null;
  overdue: boolean;
  version: number;
  distance_m?: number;
}

export interface Contact {
  id: number;
  account_id?: number;
  name: string | null;
  role: string | null;
  phone: string | null;
  email: string | null;
  preferred_language: string | null;
  consent: boolean;
  erased: boolean;
}

export interface AccountDetail extends Account {
  contacts: Contact[];
}

export interface AccountPage {
  items: Account[];
  total: number;
  limit: number;
  offset: number;
}

export interface CustomField {
  id: number;
  key: string;
  label: string;
  type: "text" | "number" | "choice" | "date";
  choices: string[] | null;
  required: boolean;
}
