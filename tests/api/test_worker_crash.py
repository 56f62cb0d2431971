"""A job whose worker is killed (SIGKILL, worker and work horse) is run again by another worker,
or failed with the reason after the last attempt: never lost, never left "running".

Real parts only: `rayon worker`'s code path (server.jobs.run_worker) in subprocesses, Redis at
RAYON_TEST_REDIS_URL, the PostgreSQL test database (production runs workers on PostgreSQL).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from server import jobs
from server.db import db
from server.jobs import Job, JobContext
from tests.conftest import require
from tests.tenants import make_tenant

REPO = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("RAYON_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
STALE_SECONDS = 3


def _slow(context: JobContext) -> dict[str, Any]:
    """Sleeps ``seconds`` in small steps (the heartbeat thread keeps it alive meanwhile)."""
    context.progress(10, "started")
    deadline = time.monotonic() + float(context.params["seconds"])
    while time.monotonic() < deadline:
        time.sleep(0.1)
    return {"slept": context.params["seconds"], "pid": os.getpid()}


jobs.register("test.slow", _slow)


def worker_main() -> None:
    """Entry point of the worker subprocess: the app from the environment, then `rayon worker`."""
    from server.app import create_app

    jobs.run_worker(create_app())


@pytest.fixture
def pg_app(apps: dict[str, Flask]) -> Iterator[Flask]:
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    try:
        Redis.from_url(REDIS_URL).ping()
        reachable = True
    except RedisDown:
        reachable = False
    require(reachable, f"Redis is not reachable at {REDIS_URL}")
    app = apps["postgresql"]
    with app.app_context():
        yield app


class Workers:
    """Worker subprocesses on one queue, each in its own process group (killable whole)."""

    def __init__(self, app: Flask, queue: str) -> None:
        self.queue = queue
        self.env = {
            **os.environ,
            "RAYON_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "RAYON_REDIS_URL": REDIS_URL,
            "RAYON_JOB_QUEUE": queue,
            "RAYON_JOB_STALE_SECONDS": str(STALE_SECONDS),
            "RAYON_SECRET_KEY": "test",
            "PYTHONPATH": str(REPO),
        }
        self.processes: list[subprocess.Popen[bytes]] = []
        self.log = tempfile.TemporaryFile()  # the workers' output, shown when a test fails

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def start(self) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [sys.executable, "-c", "from tests.api.test_worker_crash import worker_main; worker_main()"],
            cwd=REPO,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        self._wait_registered(process)
        return process

    def _wait_registered(self, process: subprocess.Popen[bytes], timeout: float = 180) -> None:
        """Until the new worker listens on the queue (importing the app takes a while on a busy machine)."""
        from redis import Redis
        from rq import Queue, Worker

        queue = Queue(self.queue, connection=Redis.from_url(REDIS_URL))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(w.pid == process.pid for w in Worker.all(queue=queue)):
                return
            assert process.poll() is None, self.output()
            time.sleep(0.2)
        raise AssertionError("the worker did not start:\n" + self.output())

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker and its work horse (which RQ puts in a session of its own)."""
        for pid in [*_children(process.pid), process.pid]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.wait(10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                self.kill(process)
        self.log.close()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _job(app: Flask, job_id: int) -> Job:
    with app.app_context():
        job = db.session.get(Job, job_id)
        db.session.expunge(job)
        return job


def _wait(app: Flask, job_id: int, ok: Any, timeout: float, what: str, log: Any = None) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = _job(app, job_id)
        if ok(job):
            return job
        time.sleep(0.1)
    state = f"{job.status}, attempts {job.attempts}, {job.error}"
    raise AssertionError(f"job {job_id} never {what}: {state}\n{log() if log else ''}")


@pytest.fixture
def queue(pg_app: Flask) -> Iterator[tuple[Flask, Workers]]:
    """The app submitting to a private RQ queue, and worker subprocesses on it."""
    name = f"rayon-crash-{uuid.uuid4().hex[:8]}"
    backend = jobs.RQBackend(REDIS_URL, queue=name)
    previous = pg_app.extensions["rayon.jobs"]
    pg_app.extensions["rayon.jobs"] = backend
    workers = Workers(pg_app, name)
    try:
        yield pg_app, workers
    finally:
        workers.stop_all()
        pg_app.extensions["rayon.jobs"] = previous
        backend.queue.delete(delete_jobs=True)


def _submit(app: Flask, seconds: float) -> int:
    tenant = make_tenant(app, roles={"manager": "manager"}, name="Crash")
    with app.app_context():
        params = {"seconds": seconds}
        job = jobs.submit(
            db.session, org_id=tenant.org_id, user_id=tenant.users["manager"], kind="test.slow", params=params
        )
        db.session.commit()
        return job.id


def test_a_job_whose_worker_is_killed_runs_again_on_another_worker(queue: tuple[Flask, Workers]) -> None:
    """kill -9 mid-job: the job stays 'running' only until its heartbeat is stale, then the
    surviving worker queues it again and runs it to the end (attempt 2)."""
    app, workers = queue
    first = workers.start()
    job_id = _submit(app, seconds=8)
    running = _wait(app, job_id, lambda j: j.status == "running", 60, "started", workers.output)
    assert running.attempts == 1
    time.sleep(1.5)  # well inside the job
    workers.kill(first)
    assert _job(app, job_id).status == "running"  # nobody told the database
    workers.start()
    done = _wait(app, job_id, lambda j: j.status in ("done", "failed"), 90, "finished", workers.output)
    assert done.status == "done", done.error
    assert done.attempts == 2 and done.result["slept"] == 8


def test_a_job_that_kills_every_worker_is_failed_with_the_reason(queue: tuple[Flask, Workers]) -> None:
    """Three workers die under the same job: it is failed, saying so, instead of looping forever."""
    app, workers = queue
    job_id = _submit(app, seconds=120)
    process = workers.start()
    for attempt in range(1, jobs.MAX_ATTEMPTS + 1):
        running = lambda j, n=attempt: j.status == "running" and j.attempts == n  # noqa: E731
        _wait(app, job_id, running, 90, f"ran attempt {attempt}", workers.output)
        workers.kill(process)
        process = workers.start()
    failed = _wait(app, job_id, lambda j: j.status == "failed", 60, "failed", workers.output)
    assert f"stopped {jobs.MAX_ATTEMPTS} times" in failed.error
    assert failed.finished_at is not None
