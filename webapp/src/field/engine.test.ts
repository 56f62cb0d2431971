// The outbox and the sync engine on a real IndexedDB implementation (fake-indexeddb) with a
// scripted server: order, batches of 50, exactly once across lost answers, retries with
// backoff, refused changes kept for the rep, pulls with cursors and tombstones, photos.
import "fake-indexeddb/auto";
import { beforeEach, describe, expect, it } from "vitest";
import { ApiError, NetworkError } from "../api/client";
import type { SyncAccount, SyncAnswer, SyncChangeBody, SyncPull, Visit } from "../api/types";
import { openFieldDb, type FieldDb } from "./db";
import { backoffMs, BATCH_SIZE, PIECE_BYTES, sha256Hex, SyncEngine, type Transport, type UploadState } from "./engine";
import { overlayVisits } from "./overlay";
import type { OutboxEntry, PhotoEntry } from "./types";

let userId = 1000;

function visit(uuid: string, extra: Partial<Visit> = {}): Visit {
  return {
    id: 1, uuid, account_id: 7, outlet: { id: 70, name: "REWE Quokka-Markt", city: "Luxembourg", street: null, house_number: null },
    source: "manual", status: "planned", planned_date: "2026-11-25", planned_start_min: 540, planned_duration_min: 30,
    sequence: null, check_in: null, check_out: null, flagged: false, flag_reason: null, outcome: null, notes: null,
    updated_at: "2026-11-25T08:00:00+00:00", ...extra,
  };
}

function account(id: number): SyncAccount {
  return {
    id, outlet: {
      id: id * 10, name: `Outlet ${id}`, banner: "REWE", format: "supermarket", street: null, house_number: null, postcode: null,
      city: "Luxembourg", country: "LU", lat: 49.6, lon: 6.13, private: false,
    },
    status: "customer", account_class: "A", visit_every_weeks: 1, assigned_rep_id: 1, assigned_rep_name: null, distributor: null,
    custom: {}, tags: [], notes: null, last_visit_at: null, visit_due_at: null, overdue: false, version: 1,
  };
}

function change(kind: OutboxEntry["kind"], data: Record<string, unknown>, uuid = crypto.randomUUID()): OutboxEntry {
  return { uuid, kind, client_at: "2026-11-25T10:00:00+01:00", data, ref: {}, attempts: 0 };
}

const emptyPull = (extra: Partial<SyncPull> = {}): SyncPull => ({
  server_time: "2026-11-25T10:00:00+00:00", full: false, accounts: [], visits: [], tasks: [], deleted: [], forms: null,
  next: "cursor-2", has_more: false, ...extra,
});

/** What the connection does to the next piece sent: lost before the server has it, or its answer lost after. */
type Drop = "before" | "after";

/** A server that applies every change once (by UUID) and can be told to fail. */
class FakeServer implements Transport {
  /** Resumable uploads as server/surveys/resumable.py keeps them: the bytes received so far. */
  open = new Map<string, { size: number; sha256: string | null; received: Uint8Array }>();
  /** Photos stored (one-piece or completed uploads): their bytes. */
  photos = new Map<string, Uint8Array>();
  /** Every request about resumable uploads, in order ("POST", "GET", "PATCH@offset+bytes", "DELETE"). */
  calls: string[] = [];
  /** What happens to the next pieces, in order (undefined: delivered). */
  drops: (Drop | undefined)[] = [];
  /** The connection is gone: every upload request fails (as after the phone went into a cellar). */
  down = false;
  /** Flip a byte of the next piece on the way (so the file no longer matches its SHA-256). */
  damageNext = false;
  /** Refuse the finished file as not an image. */
  notAnImage = false;

  async openUpload(photo: PhotoEntry, size: number, sha256: string | null): Promise<UploadState> {
    this.calls.push("POST");
    if (this.down) throw new NetworkError(new Error("offline"));
    if (this.photos.has(photo.uuid)) return { offset: size, complete: true };
    const upload = this.open.get(photo.uuid) ?? { size, sha256, received: new Uint8Array(0) };
    if (upload.size !== size) throw new ApiError(409, { detail: "Another photo or upload uses uuid" });
    this.open.set(photo.uuid, upload);
    return { offset: upload.received.length, complete: false };
  }

  async uploadState(uuid: string): Promise<UploadState> {
    this.calls.push("GET");
    if (this.down) throw new NetworkError(new Error("offline"));
    const photo = this.photos.get(uuid);
    if (photo) return { offset: photo.length, complete: true };
    const upload = this.open.get(uuid);
    if (!upload) throw new ApiError(404, { detail: "No upload of yours is open." });
    return { offset: upload.received.length, complete: false };
  }

  async sendPiece(uuid: string, offset: number, piece: Blob): Promise<UploadState> {
    this.calls.push(`PATCH@${offset}+${piece.size}`);
    if (this.down) throw new NetworkError(new Error("offline"));
    const drop = this.drops.shift();
    if (drop === "before") throw new NetworkError(new Error("connection reset"));
    const upload = this.open.get(uuid);
    if (!upload) throw new ApiError(404, { detail: "No upload of yours is open." });
    if (offset !== upload.received.length) {
      throw new ApiError(409, { detail: "send the piece that starts there", offset: upload.received.length } as never);
    }
    if (piece.size > 4_000_000) throw new ApiError(413, { detail: "A piece has at most 4,000,000 bytes." });
    const bytes = new Uint8Array(await piece.arrayBuffer());
    if (this.damageNext) {
      this.damageNext = false;
      bytes[0] ^= 0xff;
    }
    if (offset + bytes.length > upload.size) throw new ApiError(422, { detail: "the piece goes beyond the announced size" });
    const data = new Uint8Array(offset + bytes.length);
    data.set(upload.received);
    data.set(bytes, offset);
    let answer: UploadState = { offset: data.length, complete: false };
    if (data.length < upload.size) {
      upload.received = data;
    } else {
      if (upload.sha256 && (await sha256Hex(new Blob([data]))) !== upload.sha256) {
        throw new ApiError(422, { detail: "The file received does not match its SHA-256" }); // nothing changed
      }
      if (this.notAnImage) throw new ApiError(422, { detail: "file: not an image" });
      this.open.delete(uuid);
      this.photos.set(uuid, data);
      answer = { offset: data.length, complete: true };
    }
    if (drop === "after") throw new NetworkError(new Error("connection reset")); // it arrived; the answer did not
    return answer;
  }

  async discardUpload(uuid: string): Promise<void> {
    this.calls.push("DELETE");
    if (!this.open.delete(uuid)) throw new ApiError(404, { detail: "No upload of yours is open." });
  }

  ledger = new Map<string, SyncAnswer>();
  batches: SyncChangeBody[][] = [];
  pulls: (string | null)[] = [];
  uploads: string[] = [];
  /** Applied, but the answer is lost on the way back (connection dropped). */
  loseNextAnswer = false;
  failNext: unknown = null;
  reject = new Set<string>();
  pullPages: SyncPull[] = [];
  uploadFails: unknown = null;

  async push(changes: SyncChangeBody[]): Promise<SyncAnswer[]> {
    this.batches.push(changes);
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = null;
      throw error;
    }
    const answers = changes.map((c, index): SyncAnswer => {
      const known = this.ledger.get(c.uuid);
      if (known) return { index, uuid: c.uuid, status: "duplicate", result: known.result };
      if (this.reject.has(c.uuid)) {
        return { index, uuid: c.uuid, status: "rejected", problem: { status: 409, detail: `Visit is cancelled; cannot ${c.kind}.` } };
      }
      const result = c.kind.startsWith("visit.")
        ? visit(String(c.data.visit_uuid), { status: c.kind === "visit.check_in" ? "in_progress" : "done", updated_at: new Date().toISOString() })
        : c.kind === "response.submit" ? { id: 99, uuid: c.data.uuid } : {};
      const answer: SyncAnswer = { index, uuid: c.uuid, status: "applied", result: result as Record<string, unknown> };
      this.ledger.set(c.uuid, answer);
      return answer;
    });
    if (this.loseNextAnswer) {
      this.loseNextAnswer = false;
      throw new NetworkError(new Error("connection reset"));
    }
    return answers;
  }

  async pull(since: string | null): Promise<SyncPull> {
    this.pulls.push(since);
    return this.pullPages.shift() ?? emptyPull();
  }

  async upload(photo: PhotoEntry): Promise<void> {
    if (this.uploadFails) {
      const error = this.uploadFails;
      this.uploadFails = null;
      throw error;
    }
    this.uploads.push(photo.uuid);
    this.photos.set(photo.uuid, new Uint8Array(await photo.blob.arrayBuffer()));
  }
}

/** A photo of `size` bytes of made-up content, queued for upload. */
function bigPhoto(size: number): { entry: PhotoEntry; bytes: Uint8Array } {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7919 + (i >> 8)) & 0xff;
  const entry: PhotoEntry = {
    uuid: crypto.randomUUID(), blob: new Blob([bytes], { type: "image/jpeg" }), type: "image/jpeg", thumb: null,
    taken_at: "2026-11-25T10:00:00+01:00", lat: 49.6, lon: 6.13, response_uuid: "r1", state: "queued", attempts: 0,
  };
  return { entry, bytes };
}

describe("sync engine", () => {
  let db: FieldDb;
  let server: FakeServer;
  let timers: { fn: () => void; ms: number }[];
  let online: boolean;

  const engine = (extra = {}) =>
    new SyncEngine(db, server, {
      online: () => online,
      random: () => 0.5,
      setTimer: (fn, ms) => timers.push({ fn, ms }),
      clearTimer: () => undefined,
      ...extra,
    });

  beforeEach(async () => {
    userId += 1;
    db = await openFieldDb(userId);
    server = new FakeServer();
    timers = [];
    online = true;
  });

  it("keeps the outbox when the app is closed and opened again", async () => {
    await db.addChanges([change("visit.check_in", { visit_uuid: "v1", lat: 1, lon: 2 })]);
    db.close();
    const reopened = await openFieldDb(userId);
    expect((await reopened.outbox()).map((c) => c.kind)).toEqual(["visit.check_in"]);
    reopened.close();
  });

  it("sends the outbox in order, in batches of at most 50, and empties it", async () => {
    const changes = Array.from({ length: 120 }, (_, i) => change("task.create", { title: `t${i}` }));
    await db.addChanges(changes);
    await engine().sync();
    expect(server.batches.map((b) => b.length)).toEqual([BATCH_SIZE, BATCH_SIZE, 20]);
    expect(server.batches.flat().map((c) => c.uuid)).toEqual(changes.map((c) => c.uuid));
    expect(await db.count("outbox")).toBe(0);
    expect(server.pulls).toEqual([null]);
    expect(await db.meta("cursor")).toBe("cursor-2");
  });

  it("applies a lost batch once: sent again, it is answered as duplicates", async () => {
    const checkIn = change("visit.check_in", { visit_uuid: "v1", lat: 49.6, lon: 6.13 });
    const checkOut = change("visit.check_out", { visit_uuid: "v1", outcome: "no_order" });
    await db.addChanges([checkIn, checkOut]);
    server.loseNextAnswer = true;
    const sync = engine();
    await sync.sync();
    expect(await db.count("outbox")).toBe(2); // the answer never came: nothing is settled
    expect((await db.outbox()).map((c) => c.attempts)).toEqual([1, 1]);
    expect(sync.status.get().error).toBe("network");
    expect(timers.at(-1)?.ms).toBe(backoffMs(1, () => 0.5));

    timers.at(-1)!.fn(); // the retry
    await sync.sync();
    expect(server.batches).toHaveLength(2);
    expect(server.batches[1].map((c) => c.uuid)).toEqual([checkIn.uuid, checkOut.uuid]);
    expect(server.ledger.size).toBe(2); // applied once
    expect(await db.count("outbox")).toBe(0);
    expect((await db.all("visits")).map((v) => v.status)).toEqual(["done"]);
  });

  it("the same batch sent twice changes nothing the second time", async () => {
    const entry = change("visit.check_in", { visit_uuid: "v2", lat: 1, lon: 2 });
    await db.addChanges([entry]);
    await engine().sync();
    await db.addChanges([{ ...entry, seq: undefined }]); // e.g. two tabs, or a restore
    await engine().sync();
    expect(server.ledger.size).toBe(1);
    expect(await db.count("outbox")).toBe(0);
  });

  it("backs off exponentially while offline or failing, and honours Retry-After", async () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, () => 0.5))).toEqual([2000, 4000, 8000, 16000]);
    expect(backoffMs(20, () => 0.5)).toBe(300_000);
    expect(backoffMs(1, () => 0.5, 30)).toBe(30_000);
    await db.addChanges([change("task.create", { title: "x" })]);
    server.failNext = new ApiError(503, { detail: "maintenance" }, 30);
    const sync = engine();
    await sync.sync();
    expect(sync.status.get()).toMatchObject({ error: "server", failures: 1 });
    expect(timers.at(-1)?.ms).toBe(30_000);
    expect(await db.count("outbox")).toBe(1);

    online = false;
    await sync.sync();
    expect(sync.status.get().error).toBe("offline");
    expect(server.batches).toHaveLength(1); // nothing sent while offline
  });

  it("keeps refused changes for the rep, with the server's problem, and can send them again", async () => {
    const bad = change("visit.check_in", { visit_uuid: "v3", lat: 1, lon: 2 });
    const good = change("task.create", { title: "Bring the contract" });
    await db.addChanges([bad, good]);
    server.reject.add(bad.uuid);
    await engine().sync();
    expect(await db.count("outbox")).toBe(0);
    const problems = await db.all("problems");
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ uuid: bad.uuid, kind: "visit.check_in", problem: { detail: "Visit is cancelled; cannot visit.check_in." } });

    server.reject.clear();
    await db.retryProblem(bad.uuid);
    expect((await db.outbox()).map((c) => c.uuid)).toEqual([bad.uuid]);
    await engine().sync();
    expect(await db.count("problems")).toBe(0);
    expect(server.ledger.has(bad.uuid)).toBe(true);
  });

  it("finds the change at fault when a whole batch is refused", async () => {
    const changes = Array.from({ length: 4 }, (_, i) => change("task.create", { title: `t${i}` }));
    await db.addChanges(changes);
    const original = server.push.bind(server);
    server.push = async (batch) => {
      if (batch.some((c) => c.uuid === changes[2].uuid)) {
        server.batches.push(batch);
        throw new ApiError(422, { detail: "changes[2].data: bad" });
      }
      return original(batch);
    };
    await engine().sync();
    expect((await db.all("problems")).map((p) => p.uuid)).toEqual([changes[2].uuid]);
    expect(await db.count("outbox")).toBe(0);
    expect(server.ledger.size).toBe(3);
  });

  it("marks a refused response and keeps its values", async () => {
    const entry = change("response.submit", { uuid: "r1", answers: { a: 1 } });
    entry.ref = { response: "r1" };
    await db.addChanges([entry], {
      responses: [{
        uuid: "r1", form_id: 1, form_key: "store_check", form_version_id: 3, visit_uuid: "v1", account_id: 7,
        status: "pending", completed_at: entry.client_at, draft: { a: "1" }, computed: {},
      }],
    });
    server.reject.add(entry.uuid);
    await engine().sync();
    expect(await db.getResponse("r1")).toMatchObject({ status: "rejected", draft: { a: "1" } });
  });

  it("uploads queued photos and deletes a blob only after a 2xx", async () => {
    const photo: PhotoEntry = {
      uuid: crypto.randomUUID(), blob: new Blob(["jpeg"], { type: "image/jpeg" }), type: "image/jpeg", thumb: null,
      taken_at: "2026-11-25T10:00:00+01:00", state: "queued", attempts: 0,
    };
    const draft: PhotoEntry = { ...photo, uuid: crypto.randomUUID(), state: "draft" };
    await db.putPhoto(photo);
    await db.putPhoto(draft);
    server.uploadFails = new NetworkError();
    const sync = engine();
    await sync.sync();
    expect(await db.getPhoto(photo.uuid)).toMatchObject({ attempts: 1, state: "queued" });
    await sync.sync();
    expect(server.uploads).toEqual([photo.uuid]); // the draft photo is not sent
    expect(await db.getPhoto(photo.uuid)).toBeUndefined();
    expect(await db.getPhoto(draft.uuid)).toBeDefined();

    const refused: PhotoEntry = { ...photo, uuid: crypto.randomUUID() };
    await db.putPhoto(refused);
    server.uploadFails = new ApiError(422, { detail: "file: not an image" });
    await sync.sync();
    expect(await db.getPhoto(refused.uuid)).toMatchObject({ state: "failed" });
    expect((await db.all("problems")).map((p) => p.kind)).toEqual(["photo.upload"]);
  });

  it("pulls page by page, applies tombstones, and a full pull drops what the server no longer sends", async () => {
    server.pullPages = [
      emptyPull({ full: true, accounts: [account(1), account(2)], visits: [visit("v1")], next: "page-2", has_more: true }),
      emptyPull({ full: true, accounts: [account(3)], next: "cursor-A" }),
    ];
    await db.applyPull({ accounts: [account(9)], visits: [], tasks: [], deleted: [] }, null); // left from before
    const sync = engine();
    await sync.sync();
    expect(server.pulls).toEqual([null, "page-2"]);
    expect((await db.all("accounts")).map((a) => a.id)).toEqual([1, 2, 3]);
    expect(await db.meta("cursor")).toBe("cursor-A");

    server.pullPages = [emptyPull({ deleted: [{ type: "account", id: 2 }], next: "cursor-B" })];
    await sync.sync();
    expect(server.pulls.at(-1)).toBe("cursor-A");
    expect((await db.all("accounts")).map((a) => a.id)).toEqual([1, 3]);
    expect(await db.meta("cursor")).toBe("cursor-B");
  });

  it("starts over without the cursor when the server no longer reads it", async () => {
    await db.setMeta("cursor", "stale");
    let calls = 0;
    server.pull = async (since) => {
      server.pulls.push(since);
      calls += 1;
      if (calls === 1) throw new ApiError(400, { detail: "The sync cursor is not one this API issued" });
      return emptyPull({ full: true, next: "fresh" });
    };
    await engine().sync();
    expect(server.pulls).toEqual(["stale", null]);
    expect(await db.meta("cursor")).toBe("fresh");
  });

  it("stops on 401 without losing anything", async () => {
    await db.addChanges([change("task.create", { title: "x" })]);
    server.failNext = new ApiError(401, { detail: "session ended" });
    const sync = engine();
    await sync.sync();
    expect(sync.status.get().error).toBe("auth");
    expect(await db.count("outbox")).toBe(1);
    expect(timers).toHaveLength(0);
  });

  it("shows pending changes over the pulled data, and the server's state after an answer", async () => {
    await db.applyPull({ accounts: [account(7)], visits: [visit("v1")], tasks: [], deleted: [] }, null);
    const checkIn = change("visit.check_in", { visit_uuid: "v1", lat: 49.6, lon: 6.13, accuracy_m: 12 });
    checkIn.local = { distance_m: 35.5 };
    await db.addChanges([checkIn]);
    const accounts = new Map((await db.all("accounts")).map((a) => [a.id, a]));
    const [before] = overlayVisits(await db.all("visits"), await db.outbox(), accounts);
    expect(before).toMatchObject({ status: "in_progress", pending: true, check_in: { distance_m: 35.5, client_at: checkIn.client_at } });
    await engine().sync();
    const [after] = overlayVisits(await db.all("visits"), await db.outbox(), accounts);
    expect(after).toMatchObject({ status: "in_progress", pending: false });
  });

  describe("photos over a bad connection", () => {
    const size = Math.round(2.6 * PIECE_BYTES); // three pieces, the last a partial one

    it("sends a small photo in one request and a large one in pieces of 256 KB", async () => {
      const small = bigPhoto(PIECE_BYTES - 1);
      const large = bigPhoto(size);
      await db.putPhoto(small.entry);
      await db.putPhoto(large.entry);
      await engine().sync();
      expect(server.uploads).toEqual([small.entry.uuid]);
      expect(server.calls).toEqual(["POST", "PATCH@0+262144", "PATCH@262144+262144", `PATCH@524288+${size - 2 * PIECE_BYTES}`]);
      expect(server.photos.get(large.entry.uuid)).toEqual(large.bytes);
      expect(server.open.size).toBe(0);
      expect(await db.getPhoto(large.entry.uuid)).toBeUndefined();
      expect(await db.getPhoto(small.entry.uuid)).toBeUndefined();
    });

    it("resumes from the server's offset when a piece or its answer is lost, never appending twice", async () => {
      const { entry, bytes } = bigPhoto(size);
      await db.putPhoto(entry);
      server.drops = [undefined, "before", "after"]; // piece 2 lost on the way, then its resend arrives but not the answer
      const sync = engine();
      const progress: number[] = [];
      sync.status.subscribe((s) => {
        if (s.photo && progress.at(-1) !== s.photo.sent) progress.push(s.photo.sent);
      });
      await sync.sync();
      expect(progress).toEqual([0, PIECE_BYTES, 2 * PIECE_BYTES]); // what the server has, before each piece
      expect(sync.status.get().photo).toBeNull();
      expect(server.calls).toEqual([
        "POST", "PATCH@0+262144",
        "PATCH@262144+262144", "GET", // lost: the server still has one piece
        "PATCH@262144+262144", "GET", // arrived, the answer lost: the server has two
        `PATCH@524288+${size - 2 * PIECE_BYTES}`,
      ]);
      expect(server.photos.get(entry.uuid)).toEqual(bytes);
      expect(await db.getPhoto(entry.uuid)).toBeUndefined();
      expect(sync.status.get().error).toBeNull();
    });

    it("keeps the photo when the connection is gone, and after an app restart goes on where the server stopped", async () => {
      const { entry, bytes } = bigPhoto(size);
      await db.putPhoto(entry);
      server.drops = [undefined, "after"]; // piece 2 arrives, then the phone goes into a cellar
      const first = engine();
      const realSend = server.sendPiece.bind(server);
      server.sendPiece = async (...args) => {
        try {
          return await realSend(...args);
        } finally {
          if (server.calls.length >= 3) server.down = true;
        }
      };
      await first.sync();
      expect(first.status.get().error).toBe("network");
      expect(timers.at(-1)?.ms).toBeGreaterThan(0); // backs off
      expect(await db.getPhoto(entry.uuid)).toMatchObject({ state: "queued", attempts: 1 });
      expect(server.open.get(entry.uuid)?.received.length).toBe(2 * PIECE_BYTES);
      first.stop();

      // The app is closed and opened again: a new engine over the same store, nothing remembered but the photo.
      server.down = false;
      server.sendPiece = realSend;
      server.calls = [];
      const second = engine();
      await second.sync();
      expect(server.calls).toEqual(["POST", `PATCH@524288+${size - 2 * PIECE_BYTES}`]);
      expect(server.photos.get(entry.uuid)).toEqual(bytes);
      expect(await db.getPhoto(entry.uuid)).toBeUndefined();
    });

    it("follows the server's offset on a 409, and resends a file damaged on the way once", async () => {
      const { entry, bytes } = bigPhoto(size);
      await db.putPhoto(entry);
      // The server already has the first piece (sent by a run whose answers were all lost), but the phone's open says 0.
      server.open.set(entry.uuid, { size, sha256: await sha256Hex(entry.blob), received: bytes.slice(0, PIECE_BYTES) });
      const realOpen = server.openUpload.bind(server);
      server.openUpload = async (...args) => ({ ...(await realOpen(...args)), offset: 0 });
      server.damageNext = true;
      await engine().sync();
      expect(server.calls.slice(0, 3)).toEqual(["POST", "PATCH@0+262144", "PATCH@262144+262144"]); // 409 -> its offset
      expect(server.calls).toContain("DELETE"); // the damaged file discarded, then sent again from the start
      expect(server.photos.get(entry.uuid)).toEqual(bytes);
      expect(await db.getPhoto(entry.uuid)).toBeUndefined();
    });

    it("keeps a photo the server refuses under needs attention, and discards its upload", async () => {
      const { entry } = bigPhoto(size);
      await db.putPhoto(entry);
      server.notAnImage = true;
      await engine().sync();
      expect(await db.getPhoto(entry.uuid)).toMatchObject({ state: "failed" });
      expect((await db.all("problems")).map((p) => [p.kind, p.problem.detail])).toEqual([["photo.upload", "file: not an image"]]);
      expect(server.calls.at(-1)).toBe("DELETE");
      expect(server.open.size).toBe(0);
      expect(server.photos.size).toBe(0);
    });
  });
});
