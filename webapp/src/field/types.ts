// What the phone keeps for the rep's day (IndexedDB, see db.ts): the shapes of its records.
import type { FormSummary, ListProduct, Problem, SyncAccount, Task, Visit } from "../api/types";

/** The change kinds of POST /sync (server/visits/sync.py). */
export type ChangeKind =
  | "visit.create"
  | "visit.check_in"
  | "visit.check_out"
  | "visit.cancel"
  | "account.update"
  | "contact.create"
  | "contact.update"
  | "task.create"
  | "task.update"
  | "response.submit"
  | "correction.propose";

/** What a change is about on the phone (to show it in lists, and to lay it over the pulled data). */
export interface ChangeRef {
  visit?: string;
  task?: string;
  response?: string;
  account?: number;
  /** A correction's outlet (which may be no account of the rep's), and its name to show. */
  outlet?: number;
  outlet_name?: string;
}

/** A change made on the phone and not yet answered by the server. */
export interface OutboxEntry {
  /** Order of creation (IndexedDB key): changes are sent in this order. */
  seq?: number;
  /** The change's UUID: sending it again is harmless (the server answers "duplicate"). */
  uuid: string;
  kind: ChangeKind;
  /** The phone's time of the change, ISO 8601 with offset. */
  client_at: string;
  data: Record<string, unknown>;
  ref: ChangeRef;
  /** Facts for the phone only (not sent), e.g. the distance computed here at check-in. */
  local?: Record<string, unknown>;
  /** Times it was sent without an answer for it (connection lost, server down). */
  attempts: number;
  last_error?: string | null;
}

/** A change the server refused: kept for the rep to see ("needs attention"), never dropped silently. */
export interface ProblemEntry {
  uuid: string;
  kind: ChangeKind | "photo.upload";
  client_at: string;
  data: Record<string, unknown>;
  ref: ChangeRef & { photo?: string };
  local?: Record<string, unknown>;
  problem: Problem;
  rejected_at: string;
}

export type PhotoState = "draft" | "queued" | "failed";

/** A photo taken in a form, kept as a blob until the server has it (2xx). */
export interface PhotoEntry {
  uuid: string;
  blob: Blob;
  type: string;
  /** A small JPEG as a data: URL, to show in the form (allowed by a strict img-src 'self' data: policy). */
  thumb: string | null;
  taken_at: string;
  lat?: number | null;
  lon?: number | null;
  /** The response it belongs to, once submitted. */
  response_uuid?: string | null;
  /** draft: only in a form being filled in; queued: to upload; failed: refused by the server. */
  state: PhotoState;
  attempts: number;
  last_error?: string | null;
}

/** A survey response filled in on this phone. */
export interface ResponseRecord {
  uuid: string;
  form_id: number;
  form_key: string;
  form_version_id: number;
  visit_uuid: string | null;
  account_id: number;
  /** pending: in the outbox; sent: the server has it; rejected: refused, see `problem`. */
  status: "pending" | "sent" | "rejected";
  completed_at: string;
  /** The form as filled in (draft values), to open it again after a rejection. */
  draft: Record<string, unknown>;
  computed: Record<string, unknown>;
  server_id?: number | null;
  problem?: Problem | null;
}

/** A form being filled in: saved on every change. */
export interface DraftRecord {
  /** `${visit_uuid}:${form_id}` */
  key: string;
  visit_uuid: string;
  form_id: number;
  form_version_id: number;
  values: Record<string, unknown>;
  started_at: string;
  updated_at: string;
  /** The response this draft corrects (after a rejection): its server errors are shown. */
  corrects?: string | null;
}

export interface MetaRecord {
  key: string;
  value: unknown;
}

export interface ProductListRecord {
  key: string;
  products: ListProduct[];
}

export type { FormSummary, SyncAccount, Task, Visit };
