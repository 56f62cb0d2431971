"""A field force syncing at once, with faults: proof that nothing is lost or doubled.

Simulates N reps (default 200), each uploading a day of 10 visits (check-in, an
account note, a follow-up task, the quick availability check with a shelf photo,
check-out) through ``POST /api/v1/sync`` in batches of up to 50 changes, the photos
through ``POST /api/v1/photos`` (half of them) or as resumable uploads in three pieces
(``/api/v1/photos/uploads``, the other half), against gunicorn + PostgreSQL (or SQLite).
Faults are injected on purpose:

* a batch is sent twice at random (``--duplicate-rate``);
* a connection is dropped right after the request was sent (``--drop-rate``): the
  client does not know whether it arrived and sends it again (a photo piece: it asks
  the server how much of the photo arrived and goes on from there);
* the whole server (gunicorn master and workers) is killed with SIGKILL once, when
  half of the batches are through, and started again; clients retry with backoff.

Afterwards the database is counted against what the clients sent: every visit,
task, response, photo and change must exist exactly once, and every response's photo
must be linked to a stored photo. Results go to
``benchmarks/results/sync_load-<db>.json`` and a table in BENCHMARKS.md.

    .venv/bin/python benchmarks/sync_load.py [--reps 200] [--db postgresql|sqlite] [--workers 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.config import Settings  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
PG_ADMIN = os.environ.get("RAYON_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BATCH = 50
VISITS_PER_REP = 10
CHANGES_PER_VISIT = 5
PHOTO = b""  # filled in main(): a small real JPEG


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url(kind: str) -> str:
    if kind == "sqlite":
        path = ROOT / "var" / "bench" / "sync-load.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(PG_ADMIN)
    name = f"rayon_sync_load_{os.getpid()}"
    with psycopg.connect(
        host=admin.host, port=admin.port or 5432, user=admin.username, dbname=admin.database, autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    import psycopg
    from sqlalchemy.engine import make_url

    admin, name = make_url(PG_ADMIN), make_url(url).database
    with psycopg.connect(
        host=admin.host, port=admin.port or 5432, user=admin.username, dbname=admin.database, autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare(url: str, reps: int) -> list[dict[str, Any]]:
    """Schema, a few thousand outlets, one organization with ``reps`` reps of 10 accounts each."""
    from sqlalchemy import select

    from server import migrate
    from server.accounts.models import Account
    from server.app import create_app
    from server.auth.models import Organization, User
    from server.auth.service import issue_token
    from server.db import db
    from server.dialects import for_bind
    from server.outlets.models import Outlet
    from server.seeding import seed_outlets

    app = create_app(Settings(database_url=url, secret_key="bench", seed_on_start=False))
    with app.app_context():
        migrate.upgrade(db.engine)
        seed_outlets(count=max(2_000, reps * VISITS_PER_REP + 500))
        org = Organization(name="Load test", slug="load", settings={})
        db.session.add(org)
        db.session.flush()
        from server.catalog.demo import seed_catalog_and_forms
        from server.catalog.models import Product, ProductList, ProductListItem
        from server.surveys.models import Form

        seed_catalog_and_forms(db.session, org.id)
        form = db.session.execute(
            select(Form).where(Form.org_id == org.id, Form.key == "availability_check")
        ).scalar_one()
        core = (
            db.session.execute(
                select(Product.id)
                .join(ProductListItem, ProductListItem.product_id == Product.id)
                .join(ProductList, ProductList.id == ProductListItem.list_id)
                .where(ProductList.org_id == org.id, ProductList.key == "core_range")
                .order_by(ProductListItem.position)
            )
            .scalars()
            .all()
        )
        d = for_bind(db.session)
        outlets = db.session.execute(
            select(Outlet.id, d.lat(Outlet.geom), d.lon(Outlet.geom)).order_by(Outlet.id).limit(reps * VISITS_PER_REP)
        ).all()
        people = []
        for i in range(reps):
            user = User(org_id=org.id, email=f"rep{i}@load.test", name=f"Rep {i}", role="rep", active=True)
            db.session.add(user)
            db.session.flush()
            accounts = []
            for outlet_id, lat, lon in outlets[i * VISITS_PER_REP : (i + 1) * VISITS_PER_REP]:
                account = Account(
                    org_id=org.id,
                    outlet_id=outlet_id,
                    status="customer",
                    assigned_rep_id=user.id,
                    visit_every_weeks=2,
                    custom={},
                    tags=[],
                )
                db.session.add(account)
                db.session.flush()
                accounts.append({"id": account.id, "lat": lat, "lon": lon})
            token = issue_token(db.session, user, kind="bearer", ttl=dt.timedelta(hours=4), user_agent="load").secret
            people.append(
                {
                    "user_id": user.id,
                    "token": token,
                    "accounts": accounts,
                    "form_version_id": form.current_version_id,
                    "products": list(core),
                }
            )
        db.session.commit()
        db.engine.dispose()
    return people


def day_of(person: dict[str, Any], rnd: random.Random) -> list[dict[str, Any]]:
    """The changes one rep makes in a day, in the order the phone made them."""
    changes = []
    start = dt.datetime.now(dt.UTC).replace(hour=7, minute=30, second=0, microsecond=0)

    def add(kind: str, data: dict[str, Any], minutes: float) -> None:
        changes.append(
            {
                "uuid": str(uuid.uuid4()),
                "kind": kind,
                "client_at": (start + dt.timedelta(minutes=minutes)).isoformat(),
                "data": data,
            }
        )

    for n, account in enumerate(person["accounts"]):
        t = n * 45
        visit = str(uuid.uuid4())
        add(
            "visit.check_in",
            {
                "visit_uuid": visit,
                "account_id": account["id"],
                "lat": account["lat"] + 0.0002,
                "lon": account["lon"],
                "accuracy_m": rnd.randint(5, 40),
            },
            t,
        )
        add("account.update", {"account_id": account["id"], "fields": {"notes": f"visit {n}: shelf ok"}}, t + 10)
        add("task.create", {"title": f"Follow up {n}", "account_id": account["id"], "visit_uuid": visit}, t + 15)
        photo = str(uuid.uuid4())
        rows = [
            {"product_id": pid, "available": k > 0, **({} if k > 0 else {"reason": "out_of_stock"})}
            for k, pid in enumerate(person["products"])
        ]
        add(
            "response.submit",
            {
                "uuid": str(uuid.uuid4()),
                "form_version_id": person["form_version_id"],
                "account_id": account["id"],
                "visit_uuid": visit,
                "completed_at": (start + dt.timedelta(minutes=t + 20)).isoformat(),
                "answers": {"availability": rows, "shelf_photo": [photo]},
            },
            t + 20,
        )
        person.setdefault("photos", []).append(photo)
        add("visit.check_out", {"visit_uuid": visit, "outcome": "order_taken"}, t + 25)
    return changes


class Server:
    def __init__(self, url: str, workers: int) -> None:
        self.url, self.workers = url, workers
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "RAYON_DATABASE_URL": self.url,
            "RAYON_SECRET_KEY": "bench",
            "RAYON_SEED_ON_START": "false",
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                str(self.workers),
                "-k",
                "gthread",
                "--threads",
                "4",
                "-b",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "server.wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)  # master and workers, no graceful shutdown
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(20)


class Client:
    """One phone: sends its batches until each got an answer, whatever happens."""

    def __init__(
        self,
        server: Server,
        person: dict[str, Any],
        args: argparse.Namespace,
        stats: dict[str, Any],
        rnd: random.Random,
    ) -> None:
        self.server, self.person, self.args, self.stats, self.rnd = server, person, args, stats, rnd

    def _send(self, body: bytes, drop: bool) -> tuple[int, bytes, float]:
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        started = time.perf_counter()
        try:
            conn.request(
                "POST",
                "/api/v1/sync",
                body=body,
                headers={"Authorization": f"Bearer {self.person['token']}", "Content-Type": "application/json"},
            )
            if drop:
                conn.sock.shutdown(socket.SHUT_RDWR)  # the phone lost signal: no answer read
                raise ConnectionError("dropped by the test")
            response = conn.getresponse()
            return response.status, response.read(), time.perf_counter() - started
        finally:
            conn.close()

    def _upload_photo(self, photo_uuid: str) -> None:
        """A photo taken offline, uploaded when the network is back (retried like batches)."""
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="uuid"\r\n\r\n{photo_uuid}\r\n'.encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="shelf.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n".encode()
            + PHOTO
            + b"\r\n",
            f"--{boundary}--\r\n".encode(),
        ]
        body = b"".join(parts)
        for _ in range(200):
            conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
            try:
                conn.request(
                    "POST",
                    "/api/v1/photos",
                    body=body,
                    headers={
                        "Authorization": f"Bearer {self.person['token']}",
                        "Content-Type": f"multipart/form-data; boundary={boundary}",
                    },
                )
                response = conn.getresponse()
                response.read()
                if response.status in (200, 201):
                    with self.stats["lock"]:
                        self.stats["photos_ok"] += 1
                    return
                if response.status < 500:
                    raise RuntimeError(f"photo refused: {response.status}")
            except (OSError, http.client.HTTPException):
                with self.stats["lock"]:
                    self.stats["retries"] += 1
            finally:
                conn.close()
            time.sleep(0.3 + self.rnd.random())
        raise RuntimeError("a photo never got an answer")

    def _call(self, method: str, path: str, body: bytes | None, headers: dict[str, str], drop: bool = False) -> Any:
        """(status, JSON or None, headers) of one request; raises OSError when the connection is lost."""
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        try:
            conn.request(
                method, path, body=body, headers={"Authorization": f"Bearer {self.person['token']}", **headers}
            )
            if drop:
                conn.sock.shutdown(socket.SHUT_RDWR)  # the signal went while the piece was on its way
                raise ConnectionError("dropped by the test")
            response = conn.getresponse()
            raw = response.read()
            kind = response.getheader("Content-Type", "")
            return response.status, json.loads(raw) if raw and "json" in kind else None, response
        finally:
            conn.close()

    def _upload_photo_in_pieces(self, photo_uuid: str) -> None:
        """A photo sent as a resumable upload in three pieces; connections drop between and during them."""
        size, piece = len(PHOTO), max(256, len(PHOTO) // 3)
        opened = json.dumps({"uuid": photo_uuid, "size": size}).encode()
        offset: int | None = None
        for _ in range(400):
            try:
                if offset is None:  # open (idempotent) or ask where the upload stands
                    status, body, _ = self._call("POST", "/api/v1/photos/uploads", opened,
                                                 {"Content-Type": "application/json"})  # fmt: skip
                    if status >= 500:
                        raise ConnectionError(f"server error {status}")
                    if status not in (200, 201):
                        raise RuntimeError(f"upload refused: {status} {body}")
                    if body["complete"]:
                        break
                    offset = body["offset"]
                    continue
                chunk = PHOTO[offset : offset + piece]
                drop = self.rnd.random() < self.args.drop_rate * 3
                status, body, _ = self._call(
                    "PATCH",
                    f"/api/v1/photos/uploads/{photo_uuid}",
                    chunk,
                    {"Content-Type": "application/offset+octet-stream", "Upload-Offset": str(offset)},
                    drop,
                )
                if status == 409 and body and "offset" in body:
                    offset = body["offset"]  # a piece that had arrived before its answer was lost
                elif status in (200, 201):
                    if body["complete"]:
                        break
                    offset = body["offset"]
                elif status >= 500:
                    raise ConnectionError(f"server error {status}")
                else:
                    raise RuntimeError(f"piece refused: {status} {body}")
            except (OSError, http.client.HTTPException):
                with self.stats["lock"]:
                    self.stats["retries"] += 1
                offset = None  # ask the server how much arrived
                time.sleep(0.2 + self.rnd.random() * 0.5)
        else:
            raise RuntimeError("a photo in pieces never completed")
        with self.stats["lock"]:
            self.stats["photos_ok"] += 1
            self.stats["photos_in_pieces"] += 1

    def _send_photo(self, photo_uuid: str, index: int) -> None:
        if index % 2:
            self._upload_photo_in_pieces(photo_uuid)
        else:
            self._upload_photo(photo_uuid)

    def run(self) -> None:
        changes = day_of(self.person, self.rnd)
        photos = list(self.person.get("photos", []))
        # Half the photos go up before their responses, half after: links form either way.
        for index, photo in enumerate(photos[: len(photos) // 2]):
            self._send_photo(photo, index)
        for i in range(0, len(changes), BATCH):
            body = json.dumps({"changes": changes[i : i + BATCH]}).encode()
            repeats = 2 if self.rnd.random() < self.args.duplicate_rate else 1
            for _ in range(repeats):
                self._until_answered(body, len(changes[i : i + BATCH]))
            with self.stats["lock"]:
                self.stats["batches_done"] += 1
                if self.stats["batches_done"] == self.stats["kill_at"]:
                    self.stats["kill_event"].set()
        for index, photo in enumerate(photos[len(photos) // 2 :]):
            self._send_photo(photo, index + 1)

    def _until_answered(self, body: bytes, size: int) -> None:
        delay = 0.2
        for _ in range(200):
            drop = self.rnd.random() < self.args.drop_rate
            try:
                status, payload, seconds = self._send(body, drop)
            except (OSError, http.client.HTTPException):
                with self.stats["lock"]:
                    self.stats["retries"] += 1
                time.sleep(delay + self.rnd.random() * delay)
                delay = min(delay * 1.5, 3)
                continue
            if status in (502, 503, 504) or status >= 500:
                with self.stats["lock"]:
                    self.stats["server_errors"][status] = self.stats["server_errors"].get(status, 0) + 1
                time.sleep(delay)
                continue
            results = json.loads(payload)["results"]
            with self.stats["lock"]:
                self.stats["latencies"].append((seconds, size))
                for result in results:
                    self.stats["answers"][result["status"]] = self.stats["answers"].get(result["status"], 0) + 1
                    if result["status"] == "rejected":
                        self.stats["rejections"].append(result.get("problem", {}).get("detail"))
            return
        raise RuntimeError("a batch never got an answer")


def _jpeg() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (180, 40, 40)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def count(url: str) -> dict[str, int]:
    from sqlalchemy import func, select

    from server.app import create_app
    from server.db import db
    from server.surveys.models import Photo, PhotoUpload, ResponsePhoto, SurveyResponse
    from server.visits.models import SyncChange, Task, Visit

    app = create_app(Settings(database_url=url, secret_key="bench", seed_on_start=False))
    with app.app_context():
        result = {
            name: db.session.execute(select(func.count()).select_from(model)).scalar_one()
            for name, model in (
                ("visits", Visit),
                ("tasks", Task),
                ("changes", SyncChange),
                ("responses", SurveyResponse),
                ("photos", Photo),
                ("open_photo_uploads", PhotoUpload),
            )
        }
        result["responses_with_linked_photo"] = db.session.execute(
            select(func.count(func.distinct(ResponsePhoto.response_id))).join(
                Photo, (Photo.uuid == ResponsePhoto.photo_uuid) & (Photo.org_id == ResponsePhoto.org_id)
            )
        ).scalar_one()
        result["visits_done"] = db.session.execute(
            select(func.count()).select_from(Visit).where(Visit.status == "done")
        ).scalar_one()
        result["distinct_change_uuids"] = db.session.execute(
            select(func.count(func.distinct(SyncChange.uuid)))
        ).scalar_one()
        db.engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--db", default="postgresql", choices=["postgresql", "sqlite"])
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=40, help="reps syncing at the same moment")
    parser.add_argument("--duplicate-rate", type=float, default=0.2)
    parser.add_argument("--drop-rate", type=float, default=0.05)
    parser.add_argument("--no-kill", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quiet", action="store_true", help="no BENCHMARKS.md update (CI smoke run)")
    args = parser.parse_args()

    url = database_url(args.db)
    people = prepare(url, args.reps)
    server = Server(url, args.workers)
    server.start()
    per_rep = -(-VISITS_PER_REP * CHANGES_PER_VISIT // BATCH)
    global PHOTO
    PHOTO = _jpeg()
    stats: dict[str, Any] = {
        "lock": threading.Lock(),
        "latencies": [],
        "answers": {},
        "retries": 0,
        "photos_ok": 0,
        "photos_in_pieces": 0,
        "server_errors": {},
        "rejections": [],
        "batches_done": 0,
        "kill_at": (args.reps * per_rep) // 2,
        "kill_event": threading.Event(),
    }
    expected_changes = args.reps * VISITS_PER_REP * CHANGES_PER_VISIT

    def killer() -> None:
        stats["kill_event"].wait()
        if args.no_kill:
            return
        server.kill()
        time.sleep(1)
        server.start()
        stats["killed"] = True

    watcher = threading.Thread(target=killer, daemon=True)
    watcher.start()
    started = time.perf_counter()
    rnd = random.Random(args.seed)
    clients = [Client(server, p, args, stats, random.Random(rnd.random())) for p in people]
    try:
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            for future in [pool.submit(c.run) for c in clients]:
                future.result()
        wall = time.perf_counter() - started
    finally:
        stats["kill_event"].set()
        server.stop()
    found = count(url)
    found["photo_uploads_answered"] = stats["photos_ok"]
    found["photos_sent_in_pieces"] = stats["photos_in_pieces"]
    drop_database(url)
    visits_total = args.reps * VISITS_PER_REP
    expected = {
        "visits": visits_total,
        "tasks": visits_total,
        "changes": expected_changes,
        "visits_done": visits_total,
        "responses": visits_total,
        "photos": visits_total,
        "responses_with_linked_photo": visits_total,
        "open_photo_uploads": 0,  # every photo sent in pieces was completed
    }
    lost = sum(max(0, expected[k] - found[k]) for k in expected)
    duplicated = sum(max(0, found[k] - expected[k]) for k in expected) + (
        found["changes"] - found["distinct_change_uuids"]
    )
    full_batches = [s for s, n in stats["latencies"] if n == BATCH] or [s for s, _ in stats["latencies"]]
    report = {
        "date": dt.date.today().isoformat(),
        "db": args.db,
        "reps": args.reps,
        "workers": args.workers,
        "concurrency": args.concurrency,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "changes_sent_unique": expected_changes,
        "wall_seconds": round(wall, 1),
        "changes_per_second": round(expected_changes / wall, 1),
        "batch50_p50_ms": round(statistics.median(full_batches) * 1000, 1),
        "batch50_p95_ms": round(sorted(full_batches)[int(0.95 * (len(full_batches) - 1))] * 1000, 1),
        "answers": stats["answers"],
        "client_retries": stats["retries"],
        "server_errors": stats["server_errors"],
        "server_killed_once": bool(stats.get("killed")),
        "found": found,
        "expected": expected,
        "lost": lost,
        "duplicated": duplicated,
        "rejected_examples": sorted(set(filter(None, stats["rejections"])))[:5],
    }
    print(json.dumps(report, indent=2))
    if not args.quiet:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"sync_load-{args.db}.json").write_text(json.dumps(report, indent=2) + "\n")
        write_markdown(report)
    if lost or duplicated:
        sys.exit(1)


def write_markdown(r: dict[str, Any]) -> None:
    marker = "## Offline sync under load"
    section = "\n".join(
        [
            marker,
            "",
            f"Measured {r['date']} on {r['machine']} by `benchmarks/sync_load.py`: {r['reps']} reps each "
            "uploading a day of 10 visits (check-in, account note, task, availability check with a photo, "
            "check-out: "
            f"{r['changes_sent_unique']:,} changes) in batches of {BATCH} through gunicorn "
            f"({r['workers']} workers × 4 threads) on {r['db']}, {r['concurrency']} reps at once, "
            "with 20 % of batches sent twice, 5 % of connections dropped after sending, and the server killed "
            "(SIGKILL) and restarted once halfway.",
            "",
            f"Photos: {r['found']['photos']:,} stored, {r['found']['photos_sent_in_pieces']:,} of them sent as "
            "resumable uploads in three pieces (connections dropped between and during pieces), the others in one "
            "request; "
            f"{r['found']['responses_with_linked_photo']:,} responses with their photo linked, "
            f"{r['found']['open_photo_uploads']} uploads left open. Server errors (5xx answers): "
            f"{', '.join(f'{k}: {v}' for k, v in sorted(r['server_errors'].items())) or 'none'}.",
            "",
            "| db | changes/s | 50-change batch p50 | p95 | retries | answers | server killed | lost | duplicated |",
            "|---|---|---|---|---|---|---|---|---|",
            f"| {r['db']} | {r['changes_per_second']} | {r['batch50_p50_ms']} ms | {r['batch50_p95_ms']} ms | "
            f"{r['client_retries']} | {', '.join(f'{k}: {v}' for k, v in sorted(r['answers'].items()))} | "
            f"{'yes' if r['server_killed_once'] else 'no'} | {r['lost']} | {r['duplicated']} |",
            "",
        ]
    )
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    key = f"{marker}"
    if key in text:
        start = text.index(key)
        end = text.find("\n## ", start + len(key))
        text = text[:start] + section + (text[end + 1 :] if end != -1 else "")
    else:
        text = text.rstrip() + "\n\n" + section
    path.write_text(text)


if __name__ == "__main__":
    main()
