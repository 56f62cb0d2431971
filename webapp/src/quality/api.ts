// The data-quality endpoints the app uses (server/quality/api.py): shared corrections of public
// outlet facts, likely duplicates, and the notices of changed outlets for the to-do list.
import { apiGet, apiSend } from "../api/client";

export type CorrectionKind =
  | "closed" | "reopened" | "moved" | "renamed" | "opening_hours" | "contact" | "format" | "new_outlet" | "verified";
export type CorrectionStatus = "pending" | "accepted" | "rejected" | "superseded" | "withdrawn";

/** The kinds a rep proposes from an outlet page, in the order of the form. */
export const OUTLET_KINDS = ["closed", "reopened", "moved", "renamed", "opening_hours", "contact"] as const;
export type OutletKind = (typeof OUTLET_KINDS)[number];

export interface Correction {
  id: number;
  outlet_id: number | null;
  kind: CorrectionKind;
  values: Record<string, unknown>;
  current: Record<string, unknown> | null;
  status: CorrectionStatus;
  confirmed_by_organizations: number;
  rejected_by_organizations: number;
  /** Proposed by the user's own organization. */
  yours: boolean;
  your_vote: "confirm" | "reject" | null;
  decided_by: string | null;
  created_at: string | null;
  decided_at: string | null;
  conflicting?: Correction[];
}

export interface CorrectionPage {
  items: Correction[];
  total: number;
}

/** One side of a duplicate pair. */
export interface PairOutlet {
  id: number;
  name: string;
  banner: string | null;
  street: string | null;
  house_number: string | null;
  postcode: string | null;
  city: string | null;
  status: string;
  source: string;
  private: boolean;
  lat: number;
  lon: number;
  your_accounts: number;
}

export interface DuplicatePair {
  id: number;
  status: "open" | "merged" | "dismissed";
  score: number;
  distance_m: number | null;
  reasons: string[] | Record<string, unknown> | null;
  scope: "public" | "yours";
  outlets: (PairOutlet | null)[];
}

export interface OutletChange {
  notice_id: number;
  change: string;
  account_id: number;
  outlet_id: number;
  outlet_name: string;
  city: string | null;
  detail: Record<string, unknown> | null;
  source: string | null;
  at: string | null;
}

/** A correction's status on the server: pending needs this many organizations to confirm. */
export const ORGANIZATIONS_TO_ACCEPT = 2;

export async function outletCorrections(outletId: number, signal?: AbortSignal): Promise<CorrectionPage> {
  return (await apiGet<CorrectionPage>("/corrections", { outlet_id: outletId, mine: true, limit: 20 }, { signal })).data;
}

export async function pendingCorrections(signal?: AbortSignal): Promise<CorrectionPage> {
  return (await apiGet<CorrectionPage>("/corrections", { status: "pending", limit: 50 }, { signal })).data;
}

export function proposeCorrection(body: { outlet_id: number; kind: OutletKind; values: Record<string, unknown> }): Promise<Correction> {
  return apiSend<Correction>("POST", "/corrections", body);
}

export function voteOn(id: number, vote: "confirm" | "reject"): Promise<Correction> {
  return apiSend<Correction>("POST", `/corrections/${id}/votes`, { vote });
}

export function withdraw(id: number): Promise<Correction> {
  return apiSend<Correction>("POST", `/corrections/${id}/withdraw`);
}

export async function openPairs(signal?: AbortSignal): Promise<{ items: DuplicatePair[]; total: number }> {
  return (await apiGet<{ items: DuplicatePair[]; total: number }>("/duplicates", { status: "open", limit: 50 }, { signal })).data;
}

export function scanPairs(): Promise<{ new_pairs?: number }> {
  return apiSend<{ new_pairs?: number }>("POST", "/duplicates/scan");
}

export function mergePair(id: number, keepOutletId: number): Promise<unknown> {
  return apiSend("POST", `/duplicates/${id}/merge`, { keep_outlet_id: keepOutletId });
}

export function dismissPair(id: number): Promise<DuplicatePair> {
  return apiSend<DuplicatePair>("POST", `/duplicates/${id}/dismiss`);
}

export async function outletChanges(signal?: AbortSignal): Promise<OutletChange[]> {
  return (await apiGet<{ items: OutletChange[] }>("/quality/notices", undefined, { signal })).data.items;
}

export function dismissNotice(id: number): Promise<null> {
  return apiSend<null>("POST", `/quality/notices/${id}/dismiss`);
}

/**
 * The values of a proposal from the form: only what the rep changed, trimmed; null when there is
 * nothing to propose. `current`: the outlet's facts as shown.
 */
export function proposalValues(
  kind: OutletKind,
  form: Record<string, string>,
  current: { name?: string | null; banner?: string | null; opening_hours?: string | null; phone?: string | null; website?: string | null },
  position: { lat: number; lon: number } | null,
): Record<string, unknown> | null {
  const value = (key: string) => (form[key] ?? "").trim();
  const changed = (key: keyof typeof current) => value(key) !== (current[key] ?? "").trim();
  if (kind === "closed" || kind === "reopened") return {};
  if (kind === "moved") return position ? { lat: Math.round(position.lat * 1e6) / 1e6, lon: Math.round(position.lon * 1e6) / 1e6 } : null;
  const values: Record<string, unknown> = {};
  if (kind === "renamed") {
    if (changed("name") && value("name")) values.name = value("name");
    if (changed("banner")) values.banner = value("banner") || null;
  } else if (kind === "opening_hours") {
    if (changed("opening_hours") && value("opening_hours")) values.opening_hours = value("opening_hours");
  } else if (kind === "contact") {
    if (changed("phone")) values.phone = value("phone") || null;
    if (changed("website")) {
      const site = value("website");
      values.website = site ? (/^https?:\/\//i.test(site) ? site : `https://${site}`) : null;
    }
  }
  return Object.keys(values).length ? values : null;
}
