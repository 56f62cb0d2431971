// The rep's day on the phone: the local store (db.ts), the sync engine (engine.ts) and what the
// screens read (fieldStore: the pulled data with the outbox laid over it) and do (check in,
// check out, add a visit or a task, save a draft, submit a response, take a photo). Every
// action is a change in the outbox, saved before the screen moves on, so it survives the app
// being closed; the engine sends it when there is a connection.
import { apiGet, apiSend, apiSendBytes, apiUpload } from "../api/client";
import type { DayPlan, FormSummary, ListProduct, Outcome, SyncAccount, SyncAnswer, SyncPull } from "../api/types";
import { distanceMetres } from "../geo";
import { createStore } from "../store";
import { deleteFieldDbs, openFieldDb, photoUuids, type FieldDb } from "./db";
import { SyncEngine, type SyncStatus, type Transport, type UploadState } from "./engine";
import { localDay, overlayTasks, overlayVisits, visitDay, type TaskView, type VisitView } from "./overlay";
import type {
  ChangeKind, ChangeRef, DraftRecord, OutboxEntry, PhotoEntry, ProblemEntry, ResponseRecord,
} from "./types";

/** A check-in further than this from the outlet gets a warning (the server flags past its geofence). */
export const GEOFENCE_WARN_M = 200;

export interface SavedPlan extends DayPlan {
  made_at: string;
}

export interface FieldView {
  /** The store has been read (false: still opening, or no user). */
  ready: boolean;
  accounts: ReadonlyMap<number, SyncAccount>;
  visits: VisitView[];
  tasks: TaskView[];
  forms: FormSummary[];
  lists: Readonly<Record<string, ListProduct[]>>;
  outbox: OutboxEntry[];
  problems: ProblemEntry[];
  responses: ResponseRecord[];
  /** Photos waiting for upload. */
  photosWaiting: number;
  /** The day each visit made on this phone was created (unplanned visits belong to it). */
  createdDays: ReadonlyMap<string, string>;
  /** Re-planned days (optimize-day), by date. */
  plans: Readonly<Record<string, SavedPlan>>;
  /** Whether a pull has ever completed (before it, an empty list means "not loaded yet"). */
  pulled: boolean;
  /** Keys of the drafts saved (`${visit_uuid}:${form_id}`). */
  drafts: ReadonlySet<string>;
}

const EMPTY: FieldView = {
  ready: false, accounts: new Map(), visits: [], tasks: [], forms: [], lists: {}, outbox: [], problems: [],
  responses: [], photosWaiting: 0, createdDays: new Map(), plans: {}, pulled: false, drafts: new Set(),
};

export const fieldStore = createStore<FieldView>(EMPTY);
export const syncStatusStore = createStore<SyncStatus>({
  running: false, lastSyncAt: null, error: null, errorDetail: null, failures: 0, retryAt: null, photo: null,
});

interface Current {
  userId: number;
  db: FieldDb;
  engine: SyncEngine;
  unsubscribe: () => void;
  listeners: () => void;
}

let current: Current | null = null;
/** The start under way: a stop (or another start) replaces it, and the one opening then gives up. */
let starting: object | null = null;

/** A v4 UUID (crypto.randomUUID where the browser has it). */
export function newUuid(): string {
  const c = globalThis.crypto;
  if (c?.randomUUID) return c.randomUUID();
  const bytes = new Uint8Array(16);
  c.getRandomValues(bytes);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A moment as ISO 8601 in UTC ("2026-11-25T09:02:03.120Z"), as every time is sent to the server:
 * a database without time zones (SQLite) then still compares the phone's times correctly.
 */
export function isoTime(date: Date = new Date()): string {
  return date.toISOString();
}

export const apiTransport: Transport = {
  async pull(since) {
    const { data } = await apiGet<SyncPull>("/sync", { since: since ?? undefined, limit: 500 }, { signal: timeout(60_000) });
    return data;
  },
  async push(changes) {
    const body = await apiSend<{ results: SyncAnswer[] }>("POST", "/sync", { changes }, { signal: timeout(60_000) });
    return body.results;
  },
  async upload(photo) {
    const form = new FormData();
    form.append("file", photo.blob, `${photo.uuid}.${photo.type.includes("png") ? "png" : photo.type.includes("webp") ? "webp" : "jpg"}`);
    form.append("uuid", photo.uuid);
    form.append("taken_at", photo.taken_at);
    if (typeof photo.lat === "number" && typeof photo.lon === "number") {
      form.append("lat", String(photo.lat));
      form.append("lon", String(photo.lon));
    }
    if (photo.response_uuid) form.append("response_uuid", photo.response_uuid);
    await apiUpload("/photos", form, { signal: timeout(180_000) });
  },
  async openUpload(photo, size, sha256) {
    const body: Record<string, unknown> = { uuid: photo.uuid, size, taken_at: photo.taken_at };
    if (sha256) body.sha256 = sha256;
    if (typeof photo.lat === "number" && typeof photo.lon === "number") {
      body.lat = photo.lat;
      body.lon = photo.lon;
    }
    if (photo.response_uuid) body.response_uuid = photo.response_uuid;
    return uploadState(await apiSend<UploadAnswer>("POST", "/photos/uploads", body, { signal: timeout(60_000) }));
  },
  async uploadState(uuid) {
    // Never from the service worker's cache (the server says no-store; only GETs of lists and pages are kept anyway).
    const { data } = await apiGet<UploadAnswer>(`/photos/uploads/${uuid}`, undefined, { signal: timeout(30_000) });
    return uploadState(data);
  },
  async sendPiece(uuid, offset, piece) {
    // 60 s for 256 KB: about 35 kbit/s, the worst of shop-floor 2G/3G that still gets anywhere.
    const answer = await apiSendBytes<UploadAnswer>(
      "PATCH", `/photos/uploads/${uuid}`, piece, "application/offset+octet-stream",
      { "Upload-Offset": String(offset) }, { signal: timeout(60_000) },
    );
    return uploadState(answer);
  },
  async discardUpload(uuid) {
    await apiSend("DELETE", `/photos/uploads/${uuid}`, undefined, { signal: timeout(30_000) });
  },
};

/** The server's answer about a resumable upload: its offset, or the photo once complete. */
interface UploadAnswer {
  offset?: number;
  complete?: boolean;
}

function uploadState(answer: UploadAnswer | null): UploadState {
  return { offset: typeof answer?.offset === "number" ? answer.offset : 0, complete: answer?.complete === true };
}

function timeout(ms: number): AbortSignal | undefined {
  return typeof AbortSignal !== "undefined" && "timeout" in AbortSignal ? AbortSignal.timeout(ms) : undefined;
}

function withLock(userId: number) {
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
    return locks ? (locks.request(`rayon-sync-u${userId}`, fn) as Promise<T>) : fn();
  };
}

function yesterday(): string {
  const d = new Date();
  d.setDate(d.getDate() - 1);
  return localDay(d);
}

// --- reading the store into fieldStore ---

let reloadTimer: ReturnType<typeof setTimeout> | null = null;
let reloading: Promise<void> | null = null;

async function reload(): Promise<void> {
  const c = current;
  if (!c) return;
  const { db } = c;
  const [accounts, visits, tasks, forms, lists, outbox, problems, responses, photosWaiting, createdDays, plans, cursor, drafts] =
    await Promise.all([
      db.all("accounts"), db.all("visits"), db.all("tasks"), db.all("forms"), db.all("lists"), db.outbox(),
      db.all("problems"), db.all("responses"), db.db.countFromIndex("photos", "state", "queued"),
      db.meta<Record<string, string>>("createdDays"), db.meta<Record<string, SavedPlan>>("plans"), db.meta<string>("cursor"),
      db.db.getAllKeys("drafts"),
    ]);
  if (current !== c) return;
  const byId = new Map(accounts.map((a) => [a.id, a]));
  fieldStore.set({
    ready: true,
    accounts: byId,
    visits: overlayVisits(visits, outbox, byId),
    tasks: overlayTasks(tasks, outbox),
    forms: forms.sort((a, b) => a.key.localeCompare(b.key)),
    lists: Object.fromEntries(lists.map((l) => [l.key, l.products])),
    outbox,
    problems: problems.sort((a, b) => a.rejected_at.localeCompare(b.rejected_at)),
    responses,
    photosWaiting,
    createdDays: new Map(Object.entries(createdDays ?? {})),
    plans: plans ?? {},
    pulled: cursor !== null,
    drafts: new Set(drafts),
  });
}

/** Read the store again (soon; calls close together are merged). */
export function refreshField(): Promise<void> {
  if (reloadTimer) clearTimeout(reloadTimer);
  return new Promise((resolve) => {
    reloadTimer = setTimeout(() => {
      reloadTimer = null;
      reloading = (reloading ?? Promise.resolve()).then(reload, reload).catch(() => undefined);
      void reloading.then(resolve);
    }, 30);
  });
}

/** Read the store now (after an action, before the screen moves on). */
async function reloadNow(): Promise<void> {
  reloading = (reloading ?? Promise.resolve()).then(reload, reload).catch(() => undefined);
  await reloading;
}

// --- lifecycle ---

/** Open this user's store and start syncing (from the signed-in app; other users' stores are deleted at login). */
export function startField(userId: number): Promise<void> {
  if (current?.userId === userId) return Promise.resolve();
  stopField();
  const token = {};
  starting = token;
  const started = (async () => {
    const db = await openFieldDb(userId);
    const lastSyncAt = await db.meta<string>("lastSyncAt");
    const engine = new SyncEngine(db, apiTransport, {
      withLock: withLock(userId),
      onChange: () => void refreshField(),
      keepFrom: () => {
        const d = new Date();
        d.setDate(d.getDate() - 7);
        return localDay(d);
      },
      keepVisits: async () => {
        const keep = new Set<string>();
        const days = (await db.meta<Record<string, string>>("createdDays")) ?? {};
        for (const visit of await db.all("visits")) {
          const day = visitDay(visit, days[visit.uuid] ?? null);
          if (!visit.planned_date && day && day >= yesterday()) keep.add(visit.uuid);
        }
        return keep;
      },
    }, lastSyncAt);
    const unsubscribe = engine.status.subscribe((s) => syncStatusStore.set(s));
    syncStatusStore.set(engine.status.get());
    const onOnline = () => void engine.sync();
    const onVisible = () => {
      if (document.visibilityState === "visible") void engine.sync();
    };
    window.addEventListener("online", onOnline);
    document.addEventListener("visibilitychange", onVisible);
    const listeners = () => {
      window.removeEventListener("online", onOnline);
      document.removeEventListener("visibilitychange", onVisible);
    };
    if (starting !== token) {
      // Stopped (logout, another user) while opening.
      engine.stop();
      unsubscribe();
      listeners();
      db.close();
      return;
    }
    current = { userId, db, engine, unsubscribe, listeners };
    await reloadNow();
    void engine.sync();
  })();
  return started.catch(() => {
    /* IndexedDB unavailable (private mode in old browsers): the day's screens say so */
    fieldStore.set({ ...EMPTY, ready: true });
  });
}

/** Stop syncing and close the store (logout, another user). */
export function stopField(): void {
  starting = null;
  const c = current;
  current = null;
  if (c) {
    c.engine.stop();
    c.unsubscribe();
    c.listeners();
    c.db.close();
  }
  fieldStore.set(EMPTY);
}

/** Delete the phone's field data: every user's but `keep` (null: all). */
export async function deleteFieldData(keep: number | null = null): Promise<void> {
  if (keep === null || (current && current.userId !== keep)) stopField();
  await deleteFieldDbs(keep);
}

/** Changes and photos not yet sent (the logout warns about them). */
export function unsentCount(): number {
  const view = fieldStore.get();
  return view.outbox.length + view.photosWaiting;
}

/** Sync now (the "Sync now" button, after an action). */
export function syncNow(): Promise<void> {
  return current ? current.engine.sync() : Promise.resolve();
}

function need(): Current {
  if (!current) throw new Error("The phone's store is not open.");
  return current;
}

async function enqueue(
  kind: ChangeKind, data: Record<string, unknown>, ref: ChangeRef, local?: Record<string, unknown>,
  extra: Parameters<FieldDb["addChanges"]>[1] = {}, at: Date = new Date(),
): Promise<OutboxEntry> {
  const c = need();
  const entry: OutboxEntry = { uuid: newUuid(), kind, client_at: isoTime(at), data, ref, local, attempts: 0 };
  await c.db.addChanges([entry], extra);
  await reloadNow();
  void c.engine.sync();
  return entry;
}

// --- actions ---

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** A visit the rep starts now at one of their accounts (unplanned: no planned date). Returns its UUID. */
export async function addVisit(accountId: number): Promise<string> {
  const c = need();
  const uuid = newUuid();
  const days = (await c.db.meta<Record<string, string>>("createdDays")) ?? {};
  days[uuid] = localDay(new Date());
  await c.db.setMeta("createdDays", days);
  await enqueue("visit.create", { visit_uuid: uuid, account_id: accountId }, { visit: uuid, account: accountId });
  return uuid;
}

export interface Fix {
  lat: number;
  lon: number;
  accuracy: number | null;
}

/** Distance from a position to the account's outlet (null without the outlet's coordinates). */
export function distanceToOutlet(fix: Fix, account: SyncAccount | undefined): number | null {
  if (!account || account.outlet.lat === null || account.outlet.lon === null) return null;
  return distanceMetres(fix, { lat: account.outlet.lat, lon: account.outlet.lon });
}

export async function checkIn(visit: VisitView, fix: Fix, account: SyncAccount | undefined): Promise<void> {
  const distance = distanceToOutlet(fix, account);
  await enqueue(
    "visit.check_in",
    {
      visit_uuid: visit.uuid,
      lat: round(fix.lat, 6),
      lon: round(fix.lon, 6),
      accuracy_m: fix.accuracy === null ? null : round(fix.accuracy, 1),
      ...(visit.id === undefined || visit.source === "unplanned" ? { account_id: visit.account_id } : {}),
    },
    { visit: visit.uuid, account: visit.account_id },
    { distance_m: distance === null ? null : round(distance, 1) },
  );
}

export async function checkOut(visit: VisitView, outcome: Outcome | null, notes: string, fix: Fix | null): Promise<void> {
  await enqueue(
    "visit.check_out",
    {
      visit_uuid: visit.uuid,
      outcome,
      notes: notes.trim() || null,
      ...(fix ? { lat: round(fix.lat, 6), lon: round(fix.lon, 6), accuracy_m: fix.accuracy === null ? null : round(fix.accuracy, 1) } : {}),
    },
    { visit: visit.uuid, account: visit.account_id },
  );
}

export async function addTask(title: string, dueDate: string | null, accountId: number, visitUuid: string | null): Promise<void> {
  const uuid = newUuid();
  await enqueue(
    "task.create",
    { task_uuid: uuid, title: title.trim(), account_id: accountId, visit_uuid: visitUuid, due_date: dueDate },
    { task: uuid, account: accountId, ...(visitUuid ? { visit: visitUuid } : {}) },
  );
}

export async function setTaskStatus(taskUuid: string, status: "open" | "done", accountId: number | null): Promise<void> {
  await enqueue("task.update", { task_uuid: taskUuid, status }, { task: taskUuid, ...(accountId ? { account: accountId } : {}) });
}

export async function savePlan(plan: DayPlan): Promise<void> {
  const c = need();
  const plans = (await c.db.meta<Record<string, SavedPlan>>("plans")) ?? {};
  for (const day of Object.keys(plans)) if (day < yesterday()) delete plans[day];
  plans[plan.date] = { ...plan, made_at: new Date().toISOString() };
  await c.db.setMeta("plans", plans);
  await reloadNow();
}

/** Back to the planned order of a day. */
export async function clearPlan(day: string): Promise<void> {
  const c = need();
  const plans = (await c.db.meta<Record<string, SavedPlan>>("plans")) ?? {};
  delete plans[day];
  await c.db.setMeta("plans", plans);
  await reloadNow();
}

// --- data quality ---

/**
 * A correction of an outlet's public facts (closed, moved, renamed...), through the outbox like
 * every change: made offline, it is sent with the next sync (sync kind correction.propose).
 */
export async function proposeCorrectionLater(
  outlet: { id: number; name: string }, kind: string, values: Record<string, unknown>,
): Promise<OutboxEntry> {
  return enqueue("correction.propose", { outlet_id: outlet.id, kind, values }, { outlet: outlet.id, outlet_name: outlet.name });
}

/** Whether the phone's store is open (the user has a day): changes can go through the outbox. */
export function fieldOpen(): boolean {
  return current !== null;
}

/** The last outlet changes (closed, moved... stores of the user's accounts) seen online, for offline. */
export async function savedOutletChanges<T>(): Promise<T | null> {
  return (await current?.db.meta<T>("outletChanges")) ?? null;
}

export async function saveOutletChanges<T>(items: T): Promise<void> {
  await current?.db.setMeta("outletChanges", items);
}

// --- forms ---

export function draftKey(visitUuid: string, formId: number): string {
  return `${visitUuid}:${formId}`;
}

export async function loadDraft(key: string): Promise<DraftRecord | undefined> {
  return current?.db.getDraft(key);
}

export async function saveDraft(draft: DraftRecord): Promise<void> {
  const first = !fieldStore.get().drafts.has(draft.key);
  await need().db.putDraft({ ...draft, updated_at: new Date().toISOString() });
  if (first) await reloadNow();
}

export async function discardDraft(key: string): Promise<void> {
  await need().db.deleteDraft(key);
  await reloadNow();
}

export async function draftKeys(): Promise<string[]> {
  return current ? (await current.db.all("drafts")).map((d) => d.key) : [];
}

/**
 * Submit a filled-in form: a response.submit change with its own UUID; its photos (already in
 * the store) are queued for upload. `corrects`: a refused response this one replaces.
 */
export async function submitResponse(input: {
  draft: DraftRecord;
  formKey: string;
  accountId: number;
  answers: Record<string, unknown>;
  computed: Record<string, unknown>;
  locale: string;
}): Promise<ResponseRecord> {
  const c = need();
  const { draft } = input;
  const now = new Date();
  const responseUuid = newUuid();
  const completed = isoTime(now);
  const started = draft.started_at && Date.parse(draft.started_at) <= now.getTime() ? draft.started_at : completed;
  const record: ResponseRecord = {
    uuid: responseUuid,
    form_id: draft.form_id,
    form_key: input.formKey,
    form_version_id: draft.form_version_id,
    visit_uuid: draft.visit_uuid,
    account_id: input.accountId,
    status: "pending",
    completed_at: completed,
    draft: draft.values,
    computed: input.computed,
  };
  const photos: PhotoEntry[] = [];
  for (const uuid of photoUuids(input.answers)) {
    const photo = await c.db.getPhoto(uuid);
    if (photo && photo.state !== "queued") photos.push({ ...photo, state: "queued", response_uuid: responseUuid });
  }
  if (draft.corrects) await resolveProblemOf(draft.corrects);
  await enqueue(
    "response.submit",
    {
      uuid: responseUuid,
      form_version_id: draft.form_version_id,
      account_id: input.accountId,
      visit_uuid: draft.visit_uuid,
      started_at: started,
      completed_at: completed,
      locale: input.locale,
      answers: input.answers,
    },
    { response: responseUuid, visit: draft.visit_uuid, account: input.accountId },
    undefined,
    { responses: [record], photos, deleteDrafts: [draft.key] },
    now,
  );
  return record;
}

/** A refused response replaced by a corrected one: its problem and record go, its photos stay. */
async function resolveProblemOf(responseUuid: string): Promise<void> {
  const c = need();
  const problem = (await c.db.all("problems")).find((p) => p.kind === "response.submit" && p.ref.response === responseUuid);
  const tx = c.db.db.transaction(["problems", "responses"], "readwrite");
  if (problem) await tx.objectStore("problems").delete(problem.uuid);
  await tx.objectStore("responses").delete(responseUuid);
  await tx.done;
}

/** A photo taken in a form: kept as a blob (and a small thumbnail) until uploaded. */
export async function addPhoto(file: Blob, fix: Fix | null): Promise<PhotoEntry> {
  const c = need();
  const prepared = await preparePhoto(file);
  const photo: PhotoEntry = {
    uuid: newUuid(),
    blob: prepared.blob,
    type: prepared.blob.type || file.type || "image/jpeg",
    thumb: prepared.thumb,
    taken_at: isoTime(new Date()),
    lat: fix ? round(fix.lat, 6) : null,
    lon: fix ? round(fix.lon, 6) : null,
    state: "draft",
    attempts: 0,
  };
  await c.db.putPhoto(photo);
  return photo;
}

export async function removeDraftPhoto(uuid: string): Promise<void> {
  const photo = await current?.db.getPhoto(uuid);
  if (photo?.state === "draft") await need().db.deletePhoto(uuid);
}

export async function photoThumbs(uuids: readonly string[]): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {};
  for (const uuid of uuids) out[uuid] = (await current?.db.getPhoto(uuid))?.thumb ?? null;
  return out;
}

/** The longest side photos are sent with: a phone camera's 12 MP shot becomes ~0.5 MB. */
const PHOTO_MAX_SIDE = 2048;

/**
 * A photo made lighter for 3G (longest side 2048 px, JPEG) when the browser can, and a small
 * thumbnail as a data: URL. Anything that fails keeps the original file (the server reads it).
 */
async function preparePhoto(file: Blob): Promise<{ blob: Blob; thumb: string | null }> {
  if (typeof createImageBitmap === "undefined" || typeof document === "undefined") return { blob: file, thumb: null };
  try {
    const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" } as ImageBitmapOptions);
    const draw = (side: number) => {
      const scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
      const canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext("2d")?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return canvas;
    };
    const thumb = draw(160).toDataURL("image/jpeg", 0.7);
    let blob: Blob = file;
    if (Math.max(bitmap.width, bitmap.height) > PHOTO_MAX_SIDE || file.size > 3_000_000) {
      const smaller = await new Promise<Blob | null>((resolve) => draw(PHOTO_MAX_SIDE).toBlob(resolve, "image/jpeg", 0.85));
      if (smaller && smaller.size < file.size) blob = smaller;
    }
    bitmap.close();
    return { blob, thumb };
  } catch {
    return { blob: file, thumb: null };
  }
}

// --- needs attention ---

export async function retryProblem(uuid: string): Promise<void> {
  const c = need();
  await c.db.retryProblem(uuid);
  await reloadNow();
  void c.engine.sync();
}

export async function discardProblem(uuid: string): Promise<void> {
  await need().db.discardProblem(uuid);
  await reloadNow();
}

/** Open a refused response again: its values become the draft, the server's errors are shown. */
export async function reopenResponse(record: ResponseRecord): Promise<DraftRecord> {
  const c = need();
  const draft: DraftRecord = {
    key: draftKey(record.visit_uuid ?? "none", record.form_id),
    visit_uuid: record.visit_uuid ?? "none",
    form_id: record.form_id,
    form_version_id: record.form_version_id,
    values: record.draft,
    started_at: record.completed_at,
    updated_at: new Date().toISOString(),
    corrects: record.uuid,
  };
  await c.db.putDraft(draft);
  await reloadNow();
  return draft;
}

export { localDay, visitDay } from "./overlay";
export type { SyncStatus } from "./engine";
export type { TaskView, VisitView } from "./overlay";
