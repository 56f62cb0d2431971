"""Long work (route plans, imports, exports) as jobs, on one interface with two backends.

* In-process (the embedded default, no server needed): a small thread pool inside the
  web process runs the job with its own app context.
* Redis + RQ (production, ``RAYON_REDIS_URL``): the job is queued and a separate
  ``rayon worker`` process runs it; RQ retries it after a failure or a worker crash.

Either way the job's state lives in the database (``jobs`` table): queued, running
(with progress and a heartbeat), done (with its result) or failed (with the reason).
A job whose worker died is never left "running": ``reap_stale`` (run at start-up and
before listing jobs) fails it, or queues it again while attempts remain.

A feature registers a handler with :func:`register`; the handler gets a
:class:`JobContext` (parameters, a progress callback, a session) and returns a
JSON-able result.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, event, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Mapped, Session, mapped_column

from server.auth.models import JSONType, utcnow
from server.db import db

log = logging.getLogger(__name__)

STALE_AFTER = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 3
#: Pauses between attempts to claim a queued job when the database is busy (SQLite's one writer
#: held beyond its busy timeout); after the last one the job is left queued for the reaper.
CLAIM_RETRY_SECONDS: tuple[float | None, ...] = (1, 2, 4, 8, None)


class Job(db.Model):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(String(300))
    params: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


@dataclass
class JobContext:
    job_id: int
    org_id: int
    user_id: int | None
    params: dict[str, Any]
    session: Session

    def progress(self, percent: int, message: str | None = None) -> None:
        """Report progress (also a heartbeat). It commits the job's session: a handler
        keeps no half-done state across progress calls."""
        _update(
            self.session, self.job_id, progress=max(0, min(100, int(percent))), message=message, heartbeat_at=utcnow()
        )


Handler = Callable[[JobContext], dict[str, Any]]
_HANDLERS: dict[str, Handler] = {}


def register(kind: str, handler: Handler) -> None:
    _HANDLERS[kind] = handler


def _update(session: Session, job_id: int, **values: Any) -> None:
    """Write job state and commit, so it is visible at once. Through the job's own session
    and connection: a second connection would make SQLite refuse the session's next write
    (its read snapshot would be older than the other connection's commit)."""
    session.execute(Job.__table__.update().where(Job.__table__.c.id == job_id).values(**values))
    session.commit()


def job_json(job: Job) -> dict[str, Any]:
    def iso(value: dt.datetime | None) -> str | None:
        if value is None:
            return None
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()

    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "progress": job.progress,
        "message": job.message,
        "result": job.result if job.status == "done" else None,
        "error": job.error,
        "attempts": job.attempts,
        "created_at": iso(job.created_at),
        "started_at": iso(job.started_at),
        "finished_at": iso(job.finished_at),
        "url": f"/api/v1/jobs/{job.id}",
    }


# --- submitting -----------------------------------------------------------------------


def submit(session: Session, *, org_id: int, user_id: int | None, kind: str, params: dict[str, Any]) -> Job:
    """Record a job; it is handed to the backend once the current transaction commits."""
    if kind not in _HANDLERS:
        raise KeyError(f"no job handler for {kind!r}")
    job = Job(org_id=org_id, user_id=user_id, kind=kind, params=params, status="queued")
    session.add(job)
    session.flush()
    session.info.setdefault("jobs_to_dispatch", []).append(job.id)
    return job


@event.listens_for(Session, "after_commit")
def _dispatch_after_commit(session: Session) -> None:
    pending = session.info.pop("jobs_to_dispatch", [])
    if pending and has_app_context():
        backend = current_app.extensions["rayon.jobs"]
        for job_id in pending:
            backend.enqueue(job_id)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop("jobs_to_dispatch", None)


# --- running --------------------------------------------------------------------------


def run_job(job_id: int) -> None:
    """Run one job (in the app context of the caller). Never raises for a handler error."""
    session = db.session
    job = session.get(Job, job_id)
    if job is None or job.status in ("done", "failed"):
        session.rollback()
        return
    kind, org_id, user_id, params, attempts = job.kind, job.org_id, job.user_id, dict(job.params or {}), job.attempts
    now = utcnow()
    # Claim it: only a queued job starts, so a job queued twice (a retry racing a re-queue
    # after a crash) never runs twice at once.
    table = Job.__table__
    claim = (
        table.update()
        .where(table.c.id == job_id, table.c.status == "queued")
        .values(status="running", started_at=now, heartbeat_at=now, attempts=attempts + 1, error=None)
    )
    for wait in CLAIM_RETRY_SECONDS:
        try:
            claimed = session.execute(claim).rowcount
            session.commit()
            break
        except OperationalError as exc:  # SQLite busy beyond its timeout: the job stays queued, try again
            session.rollback()
            if wait is None:
                raise
            log.warning("job %s: not claimed yet (%s); again in %s s", job_id, exc.orig, wait)
            time.sleep(wait)
    if not claimed:
        session.remove()
        return
    handler = _HANDLERS.get(kind)
    beat = _Heartbeat(job_id)
    try:
        if handler is None:
            raise RuntimeError(f"no handler for job kind {kind!r}")
        result = handler(JobContext(job_id, org_id, user_id, params, session))
        session.commit()
        _update(
            session, job_id, status="done", progress=100, result=result, finished_at=utcnow(), heartbeat_at=utcnow()
        )
    except Exception as exc:  # the job fails, the worker lives on
        session.rollback()
        log.warning("job %s (%s) failed: %s", job_id, kind, exc)
        detail = str(exc) if isinstance(exc, ValueError | KeyError | RuntimeError) else type(exc).__name__
        _update(
            session,
            job_id,
            status="failed",
            error=detail[:2000],
            finished_at=utcnow(),
            message="failed: " + detail[:250],
        )
        log.debug("%s", traceback.format_exc())
    finally:
        beat.stop()
        session.remove()


class _Heartbeat:
    """Marks a running job alive every few seconds from a thread, on a connection of its own,
    so a job that is busy for long (an optimiser run) is not taken for dead. Not on SQLite:
    a write from another connection would break the job session's next write (see _update);
    there the job's own progress calls are its heartbeat."""

    def __init__(self, job_id: int) -> None:
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None
        if db.engine.dialect.name == "sqlite":
            return
        self.engine = db.engine
        self.job_id = job_id
        self.interval = max(1.0, stale_after().total_seconds() / 4)
        self.thread = threading.Thread(target=self._run, name=f"rayon-job-{job_id}-heartbeat", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        table = Job.__table__
        while not self.stopped.wait(self.interval):
            try:
                with self.engine.begin() as connection:
                    connection.execute(
                        table.update()
                        .where(table.c.id == self.job_id, table.c.status == "running")
                        .values(heartbeat_at=utcnow())
                    )
            except Exception as exc:  # the database is away: the next beat may get through
                log.warning("job %s: heartbeat not written: %s", self.job_id, exc)

    def stop(self) -> None:
        self.stopped.set()
        if self.thread is not None:
            self.thread.join(timeout=10)


def stale_after() -> dt.timedelta:
    """How long a running job may go without a heartbeat (``RAYON_JOB_STALE_SECONDS``)."""
    if has_app_context():
        return dt.timedelta(seconds=current_app.config["RAYON"].job_stale_seconds)
    return STALE_AFTER


def reap_stale(session: Session, *, now: dt.datetime | None = None) -> int:
    """Jobs 'running' without a heartbeat for STALE_AFTER: queue again or fail them."""
    now = now or utcnow()
    stale = session.execute(select(Job).where(Job.status == "running")).scalars().all()
    count = 0
    for job in stale:
        beat = job.heartbeat_at or job.started_at or job.created_at
        beat = beat if beat.tzinfo else beat.replace(tzinfo=dt.UTC)
        if now - beat < stale_after():
            continue
        count += 1
        if job.attempts < MAX_ATTEMPTS:
            job.status = "queued"
            job.message = "worker stopped; queued again"
            session.info.setdefault("jobs_to_dispatch", []).append(job.id)
        else:
            job.status = "failed"
            job.error = f"the worker stopped {job.attempts} times while running this job"
            job.finished_at = now
    session.flush()
    return count


# --- backends -------------------------------------------------------------------------


class InProcessBackend:
    """Runs jobs on a small thread pool of this process (embedded default)."""

    name = "in-process"

    def __init__(self, app: Flask, threads: int) -> None:
        self.app = app
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="rayon-job")
        self.lock = threading.Lock()

    def enqueue(self, job_id: int) -> None:
        self.pool.submit(self._run, job_id)

    def _run(self, job_id: int) -> None:
        try:
            with self.app.app_context():
                run_job(job_id)
        except Exception:  # a thread pool would swallow it silently
            log.exception("job %s could not be run", job_id)

    def wait(self) -> None:
        """Tests: block until queued jobs have run."""
        self.pool.shutdown(wait=True)
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rayon-job")


class RQBackend:
    """Queues jobs in Redis for ``rayon worker`` (RQ); failures are retried."""

    name = "rq"

    def __init__(self, url: str, queue: str = "rayon") -> None:
        from redis import Redis
        from rq import Queue

        self.connection = Redis.from_url(url)
        self.queue = Queue(queue, connection=self.connection)

    def enqueue(self, job_id: int) -> None:
        from rq import Retry

        self.queue.enqueue(
            rq_entry,
            job_id,
            job_id=f"rayon-{job_id}-{utcnow().timestamp():.0f}",
            retry=Retry(max=MAX_ATTEMPTS - 1, interval=[10, 60]),
            job_timeout=3600,
        )


def rq_entry(job_id: int) -> None:
    """What the RQ worker runs: builds the app once per worker process."""
    import os

    global _APP_PID
    app = _worker_app()
    with app.app_context():
        if _APP_PID != os.getpid():  # a forked work horse: never share the parent's connections
            db.engine.dispose(close=False)
            _APP_PID = os.getpid()
        run_job(job_id)


_APP: Flask | None = None
_APP_PID: int | None = None


def run_worker(app: Flask, *, burst: bool = False) -> None:
    """``rayon worker``: run jobs from Redis. Besides RQ's own loop, a thread looks for jobs
    whose worker died (no heartbeat for ``RAYON_JOB_STALE_SECONDS``) and queues them again,
    or fails them with the reason after MAX_ATTEMPTS, so none stays "running"."""
    import os

    from rq import Worker

    global _APP, _APP_PID
    backend = app.extensions["rayon.jobs"]
    if backend.name != "rq":
        raise RuntimeError("set RAYON_REDIS_URL: without Redis, jobs run inside the web process")
    _APP, _APP_PID = app, os.getpid()
    stop = threading.Event()

    def reaper() -> None:
        interval = max(1.0, min(60.0, app.config["RAYON"].job_stale_seconds / 2))
        while True:
            try:
                with app.app_context():
                    if reap_stale(db.session):
                        log.warning("jobs whose worker stopped were queued again or failed")
                    db.session.commit()
            except Exception as exc:  # the database is away: try again next round
                log.warning("looking for stalled jobs failed: %s", exc)
            if stop.wait(interval):
                return

    thread = threading.Thread(target=reaper, name="rayon-job-reaper", daemon=True)
    thread.start()
    try:
        Worker([backend.queue], connection=backend.connection).work(burst=burst)
    finally:
        stop.set()


def _worker_app() -> Flask:
    global _APP
    if _APP is None:
        from server.app import create_app

        _APP = create_app()
    return _APP


def init_app(app: Flask) -> None:
    settings = app.config["RAYON"]
    if settings.redis_url:
        app.extensions["rayon.jobs"] = RQBackend(settings.redis_url, queue=settings.job_queue)
    else:
        app.extensions["rayon.jobs"] = InProcessBackend(app, settings.job_threads)
