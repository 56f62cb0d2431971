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

// --- visits, tasks, forms and offline sync (server/visits/, server/surveys/, server/plans/) ---

export const VISIT_STATUSES = ["planned", "in_progress", "done", "missed", "cancelled"] as const;
export type VisitStatus = (typeof VISIT_STATUSES)[number];
export const OUTCOMES = ["order_taken", "no_order", "survey_only", "store_closed", "contact_absent", "other"] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface Visit {
  /** The server's id; absent for a visit made on this phone and not sent yet. */
  id?: number;
  uuid: string;
  account_id: number;
  rep_id?: number;
  outlet: { id: number; name: string; city: string | null; street: string | null; house_number: string | null };
  source: "plan" | "manual" | "unplanned";
  status: VisitStatus;
  planned_date: string | null;
  planned_start_min: number | null;
  planned_duration_min: number | null;
  route_plan_id?: number | null;
  sequence: number | null;
  check_in: {
    at: string | null;
    client_at: string | null;
    lat: number;
    lon: number;
    accuracy_m: number | null;
    distance_m: number | null;
  } | null;
  check_out: {
    at: string | null;
    client_at: string | null;
    lat: number | null;
    lon: number | null;
    accuracy_m: number | null;
  } | null;
  flagged: boolean;
  flag_reason: string | null;
  outcome: Outcome | null;
  notes: string | null;
  updated_at?: string | null;
}

export interface Task {
  id?: number;
  uuid: string;
  account_id: number | null;
  visit_id?: number | null;
  /** Only on this phone: the visit it was made during. */
  visit_uuid?: string | null;
  assigned_to_id?: number;
  title: string;
  due_date: string | null;
  status: "open" | "done" | "cancelled";
  done_at?: string | null;
  updated_at?: string | null;
}

/** The outlet facts the sync pull adds to each account. */
export interface OutletExtra {
  opening_hours: string | null;
  phone: string | null;
  website: string | null;
  postcode: string | null;
  region: string | null;
  status: OutletStatus;
  last_verified_at: string | null;
}

export interface SyncAccount extends Account {
  outlet_detail?: OutletExtra;
}

export type Localised = string | Partial<Record<"en" | "de" | "fr", string>>;

export interface TargetingRule {
  formats?: string[];
  banners?: string[];
  countries?: string[];
  classes?: string[];
  statuses?: string[];
  tags?: string[];
  mandatory?: boolean;
}

export interface FormSummary {
  id: number;
  key: string;
  title: Localised;
  active: boolean;
  targeting: { rules?: TargetingRule[] } | null;
  current_version: { id: number; version: number } | null;
  /** The current version's definition (surveys/schema/form.schema.json). */
  definition?: unknown;
}

export interface ListProduct {
  product_id: number;
  gtin: string;
  brand: string;
  name: string;
  category: string | null;
  size: string | null;
  own: boolean;
  reference: boolean;
}

export interface SyncPull {
  server_time: string;
  full: boolean;
  accounts: SyncAccount[];
  visits: Visit[];
  tasks: Task[];
  deleted: { type: string; id: number }[];
  forms?: { items: FormSummary[]; product_lists: Record<string, ListProduct[]> } | null;
  next: string;
  has_more: boolean;
}

export interface SyncChangeBody {
  uuid: string;
  kind: string;
  client_at: string;
  data: Record<string, unknown>;
}

export interface SyncAnswer {
  index: number;
  uuid: string | null;
  status: "applied" | "duplicate" | "rejected";
  result?: Record<string, unknown>;
  problem?: Problem;
}

/** POST /routes/optimize-day */
export interface DayPlan {
  date: string;
  stops: {
    account_id: number;
    arrival: string;
    start: string;
    departure: string;
    wait_min: number;
    travel_min: number;
    travel_km: number;
    done: boolean;
  }[];
  dropped: { account_id: number; reason: string }[];
  travel_km: number;
  travel_min: number;
  depart: string;
  arrive: string;
  warnings: string[];
}
