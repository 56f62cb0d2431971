// The phone's store for the rep's day: IndexedDB through `idb` (a thin promise wrapper). One
// database per user ("rayon-field-u<id>"), so nothing of one user is ever read for another.
//
// Pulled data (the server's, as last seen): accounts with their outlet, visits, tasks, forms,
// product lists. The phone's own work: the outbox (changes not yet answered, in order), the
// problems (changes the server refused), photos (blobs until uploaded), drafts of forms being
// filled in, the responses submitted, and a few settings (the pull cursor, the last sync...).
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from "idb";
import type {
  DraftRecord, FormSummary, MetaRecord, OutboxEntry, PhotoEntry, ProblemEntry, ProductListRecord, ResponseRecord,
  SyncAccount, Task, Visit,
} from "./types";

export const DB_PREFIX = "rayon-field-u";
const VERSION = 1;

interface FieldSchema extends DBSchema {
  accounts: { key: number; value: SyncAccount };
  visits: { key: string; value: Visit };
  tasks: { key: string; value: Task };
  forms: { key: number; value: FormSummary };
  lists: { key: string; value: ProductListRecord };
  outbox: { key: number; value: OutboxEntry; indexes: { uuid: string } };
  problems: { key: string; value: ProblemEntry };
  photos: { key: string; value: PhotoEntry; indexes: { state: string } };
  drafts: { key: string; value: DraftRecord };
  responses: { key: string; value: ResponseRecord };
  meta: { key: string; value: MetaRecord };
}

export type StoreName = "accounts" | "visits" | "tasks" | "forms" | "lists" | "outbox" | "problems" | "photos"
  | "drafts" | "responses" | "meta";

export type FieldDbHandle = IDBPDatabase<FieldSchema>;

export function dbName(userId: number): string {
  return `${DB_PREFIX}${userId}`;
}

export async function openFieldDb(userId: number): Promise<FieldDb> {
  const db = await openDB<FieldSchema>(dbName(userId), VERSION, {
    upgrade(database) {
      database.createObjectStore("accounts", { keyPath: "id" });
      database.createObjectStore("visits", { keyPath: "uuid" });
      database.createObjectStore("tasks", { keyPath: "uuid" });
      database.createObjectStore("forms", { keyPath: "id" });
      database.createObjectStore("lists", { keyPath: "key" });
      const outbox = database.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
      outbox.createIndex("uuid", "uuid", { unique: true });
      database.createObjectStore("problems", { keyPath: "uuid" });
      const photos = database.createObjectStore("photos", { keyPath: "uuid" });
      photos.createIndex("state", "state");
      database.createObjectStore("drafts", { keyPath: "key" });
      database.createObjectStore("responses", { keyPath: "uuid" });
      database.createObjectStore("meta", { keyPath: "key" });
    },
    blocking() {
      // Another tab opens a newer version (an app update): let it.
      db.close();
    },
  });
  return new FieldDb(db);
}

/** Delete the databases of every user but `keep` (null: all), e.g. on logout or another user's login. */
export async function deleteFieldDbs(keep: number | null = null): Promise<void> {
  if (typeof indexedDB === "undefined") return;
  let names: string[] = [];
  try {
    names = (await indexedDB.databases()).map((d) => d.name ?? "").filter((n) => n.startsWith(DB_PREFIX));
  } catch {
    /* databases() is missing in old browsers: nothing known to delete */
  }
  for (const name of names) {
    if (keep !== null && name === dbName(keep)) continue;
    await deleteDB(name).catch(() => undefined);
  }
}

/** The operations the app and the sync engine need, each in one transaction. */
export class FieldDb {
  constructor(readonly db: FieldDbHandle) {}

  close(): void {
    this.db.close();
  }

  // --- reading ---

  all<N extends StoreName>(store: N): Promise<FieldSchema[N]["value"][]> {
    return this.db.getAll(store) as Promise<FieldSchema[N]["value"][]>;
  }

  count(store: StoreName): Promise<number> {
    return this.db.count(store);
  }

  async meta<T>(key: string): Promise<T | null> {
    const record = await this.db.get("meta", key);
    return record ? (record.value as T) : null;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    if (value === null || value === undefined) await this.db.delete("meta", key);
    else await this.db.put("meta", { key, value });
  }

  getDraft(key: string): Promise<DraftRecord | undefined> {
    return this.db.get("drafts", key);
  }

  getPhoto(uuid: string): Promise<PhotoEntry | undefined> {
    return this.db.get("photos", uuid);
  }

  getResponse(uuid: string): Promise<ResponseRecord | undefined> {
    return this.db.get("responses", uuid);
  }

  /** The outbox in the order the changes were made. */
  outbox(limit?: number): Promise<OutboxEntry[]> {
    return this.db.getAll("outbox", undefined, limit);
  }

  queuedPhotos(): Promise<PhotoEntry[]> {
    return this.db.getAllFromIndex("photos", "state", "queued");
  }

  // --- the phone's own work ---

  /** Add changes to the outbox (and whatever goes with them) in one transaction: all or nothing. */
  async addChanges(
    entries: OutboxEntry[],
    extra: { responses?: ResponseRecord[]; photos?: PhotoEntry[]; deleteDrafts?: string[] } = {},
  ): Promise<void> {
    const tx = this.db.transaction(["outbox", "responses", "photos", "drafts"], "readwrite");
    for (const { seq: _seq, ...entry } of entries) await tx.objectStore("outbox").add(entry); // a new key each
    for (const response of extra.responses ?? []) await tx.objectStore("responses").put(response);
    for (const photo of extra.photos ?? []) await tx.objectStore("photos").put(photo);
    for (const key of extra.deleteDrafts ?? []) await tx.objectStore("drafts").delete(key);
    await tx.done;
  }

  async bumpAttempts(uuids: string[], error: string): Promise<void> {
    const tx = this.db.transaction("outbox", "readwrite");
    const index = tx.store.index("uuid");
    for (const uuid of uuids) {
      const entry = await index.get(uuid);
      if (entry) await tx.store.put({ ...entry, attempts: entry.attempts + 1, last_error: error });
    }
    await tx.done;
  }

  /**
   * The server's answers to a batch, in one transaction: answered changes leave the outbox;
   * results are stored as the server's data; refused changes become problems.
   */
  async settle(settled: {
    done: string[];
    visits: Visit[];
    tasks: Task[];
    accounts: Partial<SyncAccount>[];
    responses: { uuid: string; server_id: number | null }[];
    problems: ProblemEntry[];
  }): Promise<void> {
    const tx = this.db.transaction(["outbox", "visits", "tasks", "accounts", "responses", "problems"], "readwrite");
    const outbox = tx.objectStore("outbox");
    for (const uuid of [...settled.done, ...settled.problems.map((p) => p.uuid)]) {
      const key = await outbox.index("uuid").getKey(uuid);
      if (key !== undefined) await outbox.delete(key);
    }
    for (const visit of settled.visits) await tx.objectStore("visits").put(visit);
    for (const task of settled.tasks) await tx.objectStore("tasks").put(task);
    for (const changes of settled.accounts) {
      if (typeof changes.id !== "number") continue;
      const account = await tx.objectStore("accounts").get(changes.id);
      if (account) await tx.objectStore("accounts").put({ ...account, ...changes } as SyncAccount);
    }
    for (const { uuid, server_id } of settled.responses) {
      const record = await tx.objectStore("responses").get(uuid);
      if (record) await tx.objectStore("responses").put({ ...record, status: "sent", server_id, problem: null });
    }
    for (const problem of settled.problems) {
      await tx.objectStore("problems").put(problem);
      if (problem.kind === "response.submit" && problem.ref.response) {
        const record = await tx.objectStore("responses").get(problem.ref.response);
        if (record) await tx.objectStore("responses").put({ ...record, status: "rejected", problem: problem.problem });
      }
    }
    await tx.done;
  }

  /** A refused change goes back to the outbox (to the end: it is sent again as it was). */
  async retryProblem(uuid: string): Promise<void> {
    const tx = this.db.transaction(["problems", "outbox", "photos", "responses"], "readwrite");
    const problem = await tx.objectStore("problems").get(uuid);
    if (problem) {
      await tx.objectStore("problems").delete(uuid);
      if (problem.kind === "photo.upload") {
        const photo = problem.ref.photo ? await tx.objectStore("photos").get(problem.ref.photo) : undefined;
        if (photo) await tx.objectStore("photos").put({ ...photo, state: "queued", last_error: null });
      } else {
        const { problem: _p, rejected_at: _r, ...change } = problem;
        await tx.objectStore("outbox").add({ ...change, kind: problem.kind, attempts: 0, last_error: null });
        if (problem.kind === "response.submit" && problem.ref.response) {
          const record = await tx.objectStore("responses").get(problem.ref.response);
          if (record) await tx.objectStore("responses").put({ ...record, status: "pending", problem: null });
        }
      }
    }
    await tx.done;
  }

  /** The rep gives up a refused change (after confirming): its photo blobs go too. */
  async discardProblem(uuid: string): Promise<void> {
    const tx = this.db.transaction(["problems", "photos", "responses"], "readwrite");
    const problem = await tx.objectStore("problems").get(uuid);
    if (problem) {
      await tx.objectStore("problems").delete(uuid);
      if (problem.ref.photo) await tx.objectStore("photos").delete(problem.ref.photo);
      if (problem.kind === "response.submit" && problem.ref.response) {
        const record = await tx.objectStore("responses").get(problem.ref.response);
        if (record) {
          for (const photo of photoUuids(record.draft)) await tx.objectStore("photos").delete(photo);
          await tx.objectStore("responses").delete(record.uuid);
        }
      }
    }
    await tx.done;
  }

  putPhoto(photo: PhotoEntry): Promise<string> {
    return this.db.put("photos", photo);
  }

  deletePhoto(uuid: string): Promise<void> {
    return this.db.delete("photos", uuid);
  }

  async photoFailed(photo: PhotoEntry, problem: ProblemEntry): Promise<void> {
    const tx = this.db.transaction(["photos", "problems"], "readwrite");
    await tx.objectStore("photos").put({ ...photo, state: "failed", last_error: problem.problem.detail ?? null });
    await tx.objectStore("problems").put(problem);
    await tx.done;
  }

  putDraft(draft: DraftRecord): Promise<string> {
    return this.db.put("drafts", draft);
  }

  /** A draft given up: its photos (never sent) go too. */
  async deleteDraft(key: string): Promise<void> {
    const tx = this.db.transaction(["drafts", "photos"], "readwrite");
    const draft = await tx.objectStore("drafts").get(key);
    if (draft) {
      for (const uuid of photoUuids(draft.values)) {
        const photo = await tx.objectStore("photos").get(uuid);
        if (photo?.state === "draft") await tx.objectStore("photos").delete(uuid);
      }
      await tx.objectStore("drafts").delete(key);
    }
    await tx.done;
  }

  // --- the server's data (pull) ---

  /**
   * One page of a pull. A full pull (`seen` given) also collects the ids it saw, so that what
   * the server no longer sends can be removed at the end (finishFullPull).
   */
  async applyPull(
    page: {
      accounts: SyncAccount[];
      visits: Visit[];
      tasks: Task[];
      deleted: { type: string; id: number }[];
      forms?: { items: FormSummary[]; product_lists: Record<string, ProductListRecord["products"]> } | null;
    },
    seen: { accounts: Set<number>; visits: Set<string>; tasks: Set<string> } | null,
  ): Promise<void> {
    const tx = this.db.transaction(["accounts", "visits", "tasks", "forms", "lists"], "readwrite");
    for (const account of page.accounts) {
      await tx.objectStore("accounts").put(account);
      seen?.accounts.add(account.id);
    }
    for (const visit of page.visits) {
      await tx.objectStore("visits").put(visit);
      seen?.visits.add(visit.uuid);
    }
    for (const task of page.tasks) {
      await tx.objectStore("tasks").put(task);
      seen?.tasks.add(task.uuid);
    }
    if (page.deleted.length) {
      const visits = await tx.objectStore("visits").getAll();
      const tasks = await tx.objectStore("tasks").getAll();
      for (const gone of page.deleted) {
        if (gone.type === "account") {
          await tx.objectStore("accounts").delete(gone.id);
          for (const v of visits) if (v.account_id === gone.id && v.status !== "in_progress") await tx.objectStore("visits").delete(v.uuid);
        } else if (gone.type === "visit") {
          for (const v of visits) if (v.id === gone.id) await tx.objectStore("visits").delete(v.uuid);
        } else if (gone.type === "task") {
          for (const task of tasks) if (task.id === gone.id) await tx.objectStore("tasks").delete(task.uuid);
        }
      }
    }
    if (page.forms) {
      await tx.objectStore("forms").clear();
      for (const form of page.forms.items) await tx.objectStore("forms").put(form);
      await tx.objectStore("lists").clear();
      for (const [key, products] of Object.entries(page.forms.product_lists)) {
        await tx.objectStore("lists").put({ key, products });
      }
    }
    await tx.done;
  }

  /** After a full pull: what the server did not send is no longer the rep's (visits made here stay until sent). */
  async finishFullPull(
    seen: { accounts: Set<number>; visits: Set<string>; tasks: Set<string> },
    keepVisits: Set<string>,
  ): Promise<void> {
    const tx = this.db.transaction(["accounts", "visits", "tasks"], "readwrite");
    for (const key of await tx.objectStore("accounts").getAllKeys()) {
      if (!seen.accounts.has(key)) await tx.objectStore("accounts").delete(key);
    }
    for (const visit of await tx.objectStore("visits").getAll()) {
      // Unplanned visits are not in the pull once they are over: keep today's.
      if (!seen.visits.has(visit.uuid) && !keepVisits.has(visit.uuid)) await tx.objectStore("visits").delete(visit.uuid);
    }
    for (const key of await tx.objectStore("tasks").getAllKeys()) {
      if (!seen.tasks.has(key)) await tx.objectStore("tasks").delete(key);
    }
    await tx.done;
  }

  /** Visits of days long gone (the pull reaches one day back): dropped to keep the store small. */
  async pruneVisits(before: string): Promise<void> {
    const tx = this.db.transaction("visits", "readwrite");
    for (const visit of await tx.store.getAll()) {
      const day = visit.planned_date ?? visit.check_in?.client_at?.slice(0, 10) ?? null;
      if (day && day < before && visit.status !== "in_progress") await tx.store.delete(visit.uuid);
    }
    await tx.done;
  }
}

/** Photo UUIDs in a draft's values (photo answers and nothing else are lists of UUID strings). */
export function photoUuids(values: Record<string, unknown>): string[] {
  const out: string[] = [];
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  for (const value of Object.values(values)) {
    if (Array.isArray(value)) for (const item of value) if (typeof item === "string" && uuid.test(item)) out.push(item);
  }
  return out;
}
