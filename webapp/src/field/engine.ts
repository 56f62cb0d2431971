// The sync engine: sends the outbox to POST /sync in batches of at most 50 (in the order the
// changes were made), uploads the photos, then pulls what changed (GET /sync?since=, page by
// page, tombstones applied). One run at a time; a failed run is tried again with exponential
// backoff (or after Retry-After), and whenever the connection comes back.
//
// Exactly once: every change carries its UUID; the server answers a change it has seen with
// "duplicate" and its stored result. A batch whose answer was lost (connection dropped after
// sending) stays in the outbox and is simply sent again. Each answer settles its change in one
// IndexedDB transaction: applied/duplicate -> the server's result is stored, the change leaves
// the outbox; rejected -> it moves to the problems ("needs attention") with the server's problem.
//
// Photos: a small one goes in one request (POST /photos); one larger than PIECE_BYTES goes in
// pieces of PIECE_BYTES through the server's resumable uploads, so a connection lost in the
// middle costs one piece, not the photo. The server keeps what arrived: after a dropped piece the
// engine asks it (GET) how much it has and goes on from there, and after an app restart opening
// the upload again (POST, idempotent) answers the same. Nothing about it is kept on the phone.
import { ApiError, NetworkError } from "../api/client";
import type { Problem, SyncAnswer, SyncChangeBody, SyncPull, Task, Visit } from "../api/types";
import { createStore, type Store } from "../store";
import type { FieldDb } from "./db";
import type { OutboxEntry, PhotoEntry, ProblemEntry } from "./types";

export const BATCH_SIZE = 50;
export const RETRY_BASE_MS = 2_000;
export const RETRY_MAX_MS = 5 * 60_000;
/** A pull now and then while the app is open, for visits planned meanwhile. */
export const PERIODIC_MS = 5 * 60_000;

/** Photos larger than this go in pieces of this size (resumable upload); smaller ones in one request. */
export const PIECE_BYTES = 256 * 1024;
/** Dropped pieces of one photo resumed at once within a run; past that the run backs off. */
export const MAX_DROPS_PER_RUN = 3;

/** Where a resumable upload stands on the server. */
export interface UploadState {
  offset: number;
  complete: boolean;
}

export interface Transport {
  pull(since: string | null): Promise<SyncPull>;
  push(changes: SyncChangeBody[]): Promise<SyncAnswer[]>;
  /** The one-piece upload (POST /photos). */
  upload(photo: PhotoEntry): Promise<void>;
  /** Open (or find again: idempotent by UUID) a resumable upload: POST /photos/uploads. */
  openUpload(photo: PhotoEntry, size: number, sha256: string | null): Promise<UploadState>;
  /** How much of an upload arrived: GET /photos/uploads/{uuid} (404 when it is gone). */
  uploadState(uuid: string): Promise<UploadState>;
  /** The next piece at `offset`: PATCH /photos/uploads/{uuid} (409 with `offset` when it is not the server's). */
  sendPiece(uuid: string, offset: number, piece: Blob): Promise<UploadState>;
  /** Discard an unfinished upload: DELETE /photos/uploads/{uuid}. */
  discardUpload(uuid: string): Promise<void>;
}

/** The SHA-256 of a file as hex (the server checks the whole photo against it); null without Web Crypto. */
export async function sha256Hex(blob: Blob): Promise<string | null> {
  const subtle = typeof crypto !== "undefined" ? crypto.subtle : undefined;
  if (!subtle) return null; // an insecure context: the server then checks only that it is an image
  const digest = new Uint8Array(await subtle.digest("SHA-256", await blob.arrayBuffer()));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The server's offset in a 409 answer to a piece sent at another offset. */
function conflictOffset(error: unknown): number | null {
  if (!(error instanceof ApiError) || error.status !== 409) return null;
  const offset = (error.problem as { offset?: unknown }).offset;
  return typeof offset === "number" && Number.isInteger(offset) && offset >= 0 ? offset : null;
}

export type SyncErrorKind = "offline" | "network" | "server" | "auth";

export interface SyncStatus {
  running: boolean;
  /** When the last run finished without error (ISO). */
  lastSyncAt: string | null;
  /** Why the last run stopped, if it did. */
  error: SyncErrorKind | null;
  /** The server's words for the last error, when it gave some. */
  errorDetail: string | null;
  /** Runs failed in a row (for the backoff). */
  failures: number;
  /** When the next try is due (ms since 1970), after a failure. */
  retryAt: number | null;
  /** The photo being sent in pieces: how many of its bytes the server has. */
  photo: { uuid: string; sent: number; size: number } | null;
}

export interface EngineOptions {
  online?: () => boolean;
  now?: () => Date;
  random?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  /** Run `fn` holding a lock shared by the app's tabs (Web Locks), so two tabs never push at once. */
  withLock?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Called after anything the screens show has changed in the store. */
  onChange?: () => void;
  /** Days of visits to keep (before: pruned). */
  keepFrom?: () => string;
  /** Visits to keep on a full pull although the server no longer sends them (today's unplanned ones). */
  keepVisits?: () => Promise<Set<string>>;
}

/** Delay before the next try after `failures` failed runs: 2 s, 4 s, 8 s… up to 5 min, ±25 %. */
export function backoffMs(failures: number, random: () => number = Math.random, retryAfterS: number | null = null): number {
  if (retryAfterS !== null && retryAfterS >= 0) return Math.min(retryAfterS * 1000, RETRY_MAX_MS);
  const base = Math.min(RETRY_BASE_MS * 2 ** Math.max(0, failures - 1), RETRY_MAX_MS);
  return Math.round(base * (0.75 + random() * 0.5));
}

/** Whether a failed request is worth trying again later (connection, server trouble, rate limit). */
export function retryable(error: unknown): boolean {
  if (error instanceof NetworkError) return true;
  if (error instanceof ApiError) return error.status === 408 || error.status === 425 || error.status === 429 || error.status >= 500;
  return false;
}

function isAuth(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 401 || error.status === 403);
}

function problemFrom(error: unknown): Problem {
  if (error instanceof ApiError) return error.problem;
  return { title: String((error as Error)?.message ?? error) };
}

function describe(error: unknown): string {
  if (error instanceof ApiError) return `${error.status} ${error.detail}`.trim();
  if (error instanceof NetworkError) return "network";
  return String((error as Error)?.message ?? error);
}

export function changeBody(entry: OutboxEntry): SyncChangeBody {
  return { uuid: entry.uuid, kind: entry.kind, client_at: entry.client_at, data: entry.data };
}

/** Whether `incoming` is at least as new as `stored` (by updated_at; unknown counts as newer). */
function newer(incoming: { updated_at?: string | null }, stored: { updated_at?: string | null } | undefined): boolean {
  if (!stored?.updated_at || !incoming.updated_at) return true;
  return Date.parse(incoming.updated_at) >= Date.parse(stored.updated_at);
}

export class SyncEngine {
  readonly status: Store<SyncStatus>;
  private running: Promise<void> | null = null;
  private again = false;
  private timer: unknown = null;
  private stopped = false;
  private readonly opts: Required<Omit<EngineOptions, "withLock" | "onChange" | "keepFrom" | "keepVisits">> & EngineOptions;

  constructor(
    private readonly db: FieldDb,
    private readonly transport: Transport,
    options: EngineOptions = {},
    lastSyncAt: string | null = null,
  ) {
    this.opts = {
      online: () => (typeof navigator === "undefined" ? true : navigator.onLine),
      now: () => new Date(),
      random: Math.random,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      ...options,
    };
    this.status = createStore<SyncStatus>({
      running: false, lastSyncAt, error: null, errorDetail: null, failures: 0, retryAt: null, photo: null,
    });
  }

  /** No more runs or retries (logout, another user). A run under way finishes its request. */
  stop(): void {
    this.stopped = true;
    this.clearRetry();
  }

  /** Sync now, or right after the run under way. Never rejects. */
  sync(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.clearRetry();
    this.running = (async () => {
      this.status.set((s) => ({ ...s, running: true }));
      try {
        do {
          this.again = false;
          const ok = await (this.opts.withLock ? this.opts.withLock(() => this.once()) : this.once());
          if (!ok) break;
        } while (this.again && !this.stopped);
      } finally {
        this.running = null;
        this.status.set((s) => ({ ...s, running: false }));
      }
    })();
    return this.running;
  }

  private clearRetry(): void {
    if (this.timer !== null) this.opts.clearTimer(this.timer);
    this.timer = null;
  }

  private schedule(ms: number): void {
    this.clearRetry();
    if (this.stopped) return;
    this.timer = this.opts.setTimer(() => {
      this.timer = null;
      void this.sync();
    }, ms);
  }

  /** One run: push, photos, pull. Returns whether it went through. */
  private async once(): Promise<boolean> {
    if (this.stopped) return false;
    if (!this.opts.online()) {
      this.status.set((s) => ({ ...s, error: "offline", errorDetail: null, retryAt: null }));
      return false;
    }
    try {
      await this.pushAll();
      await this.uploadPhotos();
      await this.pull();
      const at = this.opts.now().toISOString();
      await this.db.setMeta("lastSyncAt", at);
      this.status.set((s) => ({ ...s, lastSyncAt: at, error: null, errorDetail: null, failures: 0, retryAt: null }));
      this.schedule(PERIODIC_MS);
      this.changed();
      return true;
    } catch (error) {
      this.changed();
      if (isAuth(error)) {
        // The session ended (the app asks for a login); the outbox waits for the next run.
        this.status.set((s) => ({ ...s, error: "auth", errorDetail: describe(error), retryAt: null }));
        return false;
      }
      const failures = this.status.get().failures + 1;
      const offline = error instanceof NetworkError && !this.opts.online();
      const delay = backoffMs(failures, this.opts.random, error instanceof ApiError ? error.retryAfter : null);
      this.status.set((s) => ({
        ...s,
        failures,
        error: offline ? "offline" : error instanceof NetworkError ? "network" : "server",
        errorDetail: error instanceof ApiError ? error.detail : null,
        retryAt: offline ? null : this.opts.now().getTime() + delay,
      }));
      this.schedule(delay);
      return false;
    }
  }

  private changed(): void {
    this.opts.onChange?.();
  }

  // --- push ---

  private async pushAll(): Promise<void> {
    let size = BATCH_SIZE;
    for (let round = 0; round < 10_000 && !this.stopped; round++) {
      const batch = await this.db.outbox(size);
      if (!batch.length) return;
      let answers: SyncAnswer[];
      try {
        answers = await this.transport.push(batch.map(changeBody));
      } catch (error) {
        if (error instanceof ApiError && !retryable(error) && !isAuth(error)) {
          // The batch as a whole was refused (malformed, too large): find the change at fault by
          // halving; a single change refused that way needs the rep's attention.
          if (batch.length > 1) {
            size = Math.max(1, Math.floor(batch.length / 2));
            continue;
          }
          await this.db.settle({
            done: [], visits: [], tasks: [], accounts: [], responses: [],
            problems: [this.problemEntry(batch[0], error.problem)],
          });
          this.changed();
          size = BATCH_SIZE;
          continue;
        }
        await this.db.bumpAttempts(batch.map((b) => b.uuid), describe(error));
        throw error;
      }
      const progress = await this.settle(batch, answers);
      this.changed();
      if (!progress) throw new ApiError(502, { title: "The server did not answer the changes it was sent." });
      size = BATCH_SIZE;
    }
  }

  private problemEntry(entry: OutboxEntry, problem: Problem): ProblemEntry {
    return {
      uuid: entry.uuid, kind: entry.kind, client_at: entry.client_at, data: entry.data, ref: entry.ref,
      local: entry.local, problem, rejected_at: this.opts.now().toISOString(),
    };
  }

  /** Store the answers to a batch; returns whether any change was settled. */
  private async settle(batch: OutboxEntry[], answers: SyncAnswer[]): Promise<boolean> {
    const byUuid = new Map<string, SyncAnswer>();
    for (const answer of answers) if (answer.uuid) byUuid.set(answer.uuid.toLowerCase(), answer);
    const stored = {
      visits: new Map((await this.db.all("visits")).map((v) => [v.uuid, v])),
      tasks: new Map((await this.db.all("tasks")).map((t) => [t.uuid, t])),
    };
    const settled = {
      done: [] as string[],
      visits: [] as Visit[],
      tasks: [] as Task[],
      accounts: [] as Record<string, unknown>[],
      responses: [] as { uuid: string; server_id: number | null }[],
      problems: [] as ProblemEntry[],
    };
    batch.forEach((entry, index) => {
      const answer = byUuid.get(entry.uuid.toLowerCase()) ?? (answers[index]?.index === index && !answers[index].uuid ? answers[index] : undefined);
      if (!answer) return;
      if (answer.status === "rejected") {
        settled.problems.push(this.problemEntry(entry, answer.problem ?? { title: "rejected" }));
        return;
      }
      settled.done.push(entry.uuid);
      const result = (answer.result ?? {}) as Record<string, unknown>;
      if (entry.kind.startsWith("visit.") && typeof result.uuid === "string") {
        const visit = result as unknown as Visit;
        const before = settled.visits.find((v) => v.uuid === visit.uuid) ?? stored.visits.get(visit.uuid);
        if (newer(visit, before)) {
          settled.visits = settled.visits.filter((v) => v.uuid !== visit.uuid);
          settled.visits.push(visit);
        }
      } else if (entry.kind.startsWith("task.") && typeof result.uuid === "string") {
        const task = { ...(result as unknown as Task) };
        const before = stored.tasks.get(task.uuid);
        if (before?.visit_uuid) task.visit_uuid = before.visit_uuid;
        else if (typeof entry.data.visit_uuid === "string") task.visit_uuid = entry.data.visit_uuid;
        if (newer(task, before)) settled.tasks.push(task);
      } else if (entry.kind === "response.submit" && entry.ref.response) {
        settled.responses.push({ uuid: entry.ref.response, server_id: typeof result.id === "number" ? result.id : null });
      } else if (entry.kind === "account.update" && result.account && typeof result.account === "object") {
        settled.accounts.push(result.account as Record<string, unknown>);
      }
    });
    await this.db.settle(settled);
    return settled.done.length + settled.problems.length > 0;
  }

  // --- photos ---

  private async uploadPhotos(): Promise<void> {
    for (const photo of await this.db.queuedPhotos()) {
      if (this.stopped) return;
      const inPieces = photo.blob.size > PIECE_BYTES;
      try {
        if (inPieces) {
          if (!(await this.uploadInPieces(photo))) return; // stopped half-way: the server keeps what it has
        } else {
          await this.transport.upload(photo);
        }
      } catch (error) {
        if (error instanceof ApiError && !retryable(error) && !isAuth(error)) {
          if (inPieces) await this.transport.discardUpload(photo.uuid).catch(() => undefined);
          await this.db.photoFailed(photo, {
            uuid: `photo:${photo.uuid}`, kind: "photo.upload", client_at: photo.taken_at, data: {},
            ref: { photo: photo.uuid, response: photo.response_uuid ?? undefined }, problem: problemFrom(error),
            rejected_at: this.opts.now().toISOString(),
          });
          this.changed();
          continue;
        }
        await this.db.putPhoto({ ...photo, attempts: photo.attempts + 1, last_error: describe(error) });
        throw error;
      }
      await this.db.deletePhoto(photo.uuid); // only after a 2xx
      this.changed();
    }
  }

  /**
   * Send a large photo in pieces, from wherever the server stands. Returns true once the server
   * has the photo, false when the engine was stopped on the way; throws what the run should back
   * off from (a connection that keeps dropping, a server error) or give up on (a refusal).
   */
  private async uploadInPieces(photo: PhotoEntry): Promise<boolean> {
    try {
      return await this.sendPieces(photo);
    } finally {
      this.status.set((s) => ({ ...s, photo: null }));
    }
  }

  private async sendPieces(photo: PhotoEntry): Promise<boolean> {
    const size = photo.blob.size;
    const sha256 = await sha256Hex(photo.blob);
    let state = await this.transport.openUpload(photo, size, sha256); // after a restart: the offset it has
    let drops = 0;
    let restarted = false;
    while (!state.complete) {
      if (this.stopped) return false;
      this.status.set((s) => ({ ...s, photo: { uuid: photo.uuid, sent: state.offset, size } }));
      const offset = state.offset;
      if (!Number.isInteger(offset) || offset < 0 || offset >= size) {
        throw new ApiError(502, { title: `The server reported ${offset} of ${size} bytes of photo ${photo.uuid}.` });
      }
      const piece = photo.blob.slice(offset, Math.min(size, offset + PIECE_BYTES));
      try {
        state = await this.transport.sendPiece(photo.uuid, offset, piece);
        drops = 0;
      } catch (error) {
        const serverOffset = conflictOffset(error);
        if (serverOffset !== null) {
          state = { offset: serverOffset, complete: false }; // it has more (or less) than we thought: go on from its offset
        } else if (error instanceof NetworkError && drops < MAX_DROPS_PER_RUN) {
          drops += 1; // the connection dropped: did the piece arrive? Ask, and go on from there.
          state = await this.resumeState(photo, size, sha256);
        } else if (error instanceof ApiError && error.status === 404 && !restarted) {
          restarted = true; // the upload expired on the server: start it again
          state = await this.transport.openUpload(photo, size, sha256);
        } else if (error instanceof ApiError && error.status === 422 && !restarted && offset + piece.size === size) {
          // The whole file did not match its SHA-256 (a piece damaged on the way): send it all again, once.
          restarted = true;
          await this.transport.discardUpload(photo.uuid).catch(() => undefined);
          state = await this.transport.openUpload(photo, size, sha256);
        } else {
          throw error;
        }
      }
    }
    return true;
  }

  /** Where the server stands with a photo's upload (opened again when it no longer knows it). */
  private async resumeState(photo: PhotoEntry, size: number, sha256: string | null): Promise<UploadState> {
    try {
      return await this.transport.uploadState(photo.uuid);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return this.transport.openUpload(photo, size, sha256);
      throw error;
    }
  }

  // --- pull ---

  private async pull(): Promise<void> {
    let cursor = await this.db.meta<string>("cursor");
    let restarted = false;
    let seen: { accounts: Set<number>; visits: Set<string>; tasks: Set<string> } | null = null;
    for (let page = 0; page < 10_000 && !this.stopped; page++) {
      let body: SyncPull;
      try {
        body = await this.transport.pull(cursor);
      } catch (error) {
        // A cursor the server no longer reads (another deployment, a bad value): start over.
        if (error instanceof ApiError && error.status === 400 && cursor && !restarted) {
          cursor = null;
          restarted = true;
          seen = null;
          continue;
        }
        throw error;
      }
      if (body.full && !seen) seen = { accounts: new Set(), visits: new Set(), tasks: new Set() };
      await this.db.applyPull(body, seen);
      this.changed();
      cursor = body.next;
      if (!body.has_more) break;
    }
    if (this.stopped) return;
    if (seen) await this.db.finishFullPull(seen, (await this.opts.keepVisits?.()) ?? new Set());
    await this.db.setMeta("cursor", cursor);
    if (this.opts.keepFrom) await this.db.pruneVisits(this.opts.keepFrom());
  }
}
