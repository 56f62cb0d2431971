// The accounts, contacts, users and custom-field endpoints of /api/v1 (server/accounts/).
import { apiGet, apiSend, type ApiResponse } from "./client";
import { coord } from "./outlets";
import type {
  Account, AccountClass, AccountDetail, AccountPage, AccountSort, AccountStatus, Contact, CustomField, User,
} from "./types";

export interface AccountQuery {
  /** "me", "none" or a user id; absent: everything the user may see. */
  rep?: string | null;
  classes?: readonly AccountClass[];
  overdue?: boolean;
  q?: string;
  /** Needed for sort=distance (the server then adds distance_m). */
  near?: { lat: number; lon: number } | null;
  sort: AccountSort;
  limit?: number;
  offset?: number;
}

/** The query string, in a fixed order (the same list is the same URL, and the same saved copy). */
export function accountListQuery(query: AccountQuery): Record<string, string | number | boolean | undefined> {
  return {
    rep: query.rep ?? undefined,
    class: query.classes?.length ? [...query.classes].sort().join(",") : undefined,
    overdue: query.overdue ? "true" : undefined,
    q: query.q?.trim() || undefined,
    near: query.near && query.sort === "distance" ? `${coord(query.near.lat)},${coord(query.near.lon)}` : undefined,
    sort: query.sort,
    limit: query.limit,
    offset: query.offset || undefined,
  };
}

export function listAccounts(query: AccountQuery, signal?: AbortSignal): Promise<ApiResponse<AccountPage>> {
  return apiGet<AccountPage>("/accounts", accountListQuery(query), { signal });
}

export function getAccount(id: number, signal?: AbortSignal): Promise<ApiResponse<AccountDetail>> {
  return apiGet<AccountDetail>(`/accounts/${encodeURIComponent(String(id))}`, undefined, { signal });
}

export interface AccountChanges {
  account_class?: AccountClass | null;
  status?: AccountStatus;
  visit_every_weeks?: number | null;
  notes?: string | null;
}

/** Change an account; `version` is the one the user edited (409 when it changed meanwhile). */
export function patchAccount(id: number, version: number, changes: AccountChanges): Promise<AccountDetail> {
  return apiSend<AccountDetail>("PATCH", `/accounts/${id}`, { ...changes, version });
}

export interface ContactInput {
  name: string;
  role: string | null;
  phone: string | null;
  email: string | null;
  preferred_language: string | null;
  consent: boolean;
}

export function createContact(accountId: number, contact: ContactInput): Promise<Contact> {
  return apiSend<Contact>("POST", `/accounts/${accountId}/contacts`, contact);
}

export function updateContact(id: number, contact: ContactInput): Promise<Contact> {
  return apiSend<Contact>("PATCH", `/contacts/${id}`, contact);
}

/** Reps that can be picked in the list's rep filter: a manager's team, or every rep. */
export function listReps(managerId: number | null, signal?: AbortSignal): Promise<ApiResponse<{ items: User[] }>> {
  return apiGet<{ items: User[] }>("/users", { role: "rep", manager_id: managerId ?? undefined, limit: 1000 }, { signal });
}

export function listCustomFields(signal?: AbortSignal): Promise<ApiResponse<{ items: CustomField[] }>> {
  return apiGet<{ items: CustomField[] }>("/custom-fields", undefined, { signal });
}

/** An account as last seen anywhere in the app (after an edit), by id: lists show the newer one. */
export function newer(a: Account, b: Account | undefined): Account {
  return b && b.version >= a.version ? { ...a, ...b, distance_m: a.distance_m } : a;
}
