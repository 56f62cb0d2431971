"""Background jobs: run in-process by default or by an RQ worker, never lost or stuck."""

from __future__ import annotations

import datetime as dt
import os
import time
from typing import Any

from flask import Flask

from server import jobs
from server.db import db
from server.jobs import Job, JobContext, reap_stale
from tests.conftest import require
from tests.tenants import make_tenant


def _echo(context: JobContext) -> dict[str, Any]:
    context.progress(50, "half way")
    if context.params.get("fail"):
        raise ValueError("asked to fail")
    return {"echo": context.params["value"], "org": context.org_id}


jobs.register("test.echo", _echo)


def wait_for(app: Flask, job_id: int, timeout: float = 20) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            job = db.session.get(Job, job_id)
            if job.status in ("done", "failed"):
                db.session.expunge(job)
                return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


def submit(app: Flask, org_id: int, user_id: int, **params: Any) -> int:
    with app.app_context():
        job = jobs.submit(db.session, org_id=org_id, user_id=user_id, kind="test.echo", params=params)
        db.session.commit()
        return job.id


def test_a_job_runs_in_process_and_reports_its_result(app: Flask) -> None:
    """Without Redis the web process runs the job; the API shows status, progress and result."""
    tenant = make_tenant(app, roles={"manager": "manager", "rep1": "rep"}, name="Jobs")
    job_id = submit(app, tenant.org_id, tenant.users["manager"], value=42)
    job = wait_for(app, job_id)
    assert job.status == "done" and job.result == {"echo": 42, "org": tenant.org_id} and job.progress == 100
    body = tenant.client(app.test_client(), "manager").get(f"/api/v1/jobs/{job_id}").get_json()
    assert body["status"] == "done" and body["result"]["echo"] == 42
    assert tenant.client(app.test_client(), "rep1").get(f"/api/v1/jobs/{job_id}").status_code == 404


def test_a_failing_job_is_failed_with_its_reason(app: Flask) -> None:
    """A handler error marks the job failed with the message; the worker goes on."""
    tenant = make_tenant(app, roles={"manager": "manager"}, name="Jobs")
    job = wait_for(app, submit(app, tenant.org_id, tenant.users["manager"], value=1, fail=True))
    assert job.status == "failed" and "asked to fail" in job.error
    assert wait_for(app, submit(app, tenant.org_id, tenant.users["manager"], value=2)).status == "done"


def test_a_job_whose_worker_died_is_queued_again_then_failed(app: Flask) -> None:
    """'running' with an old heartbeat is re-queued while attempts remain, then failed."""
    tenant = make_tenant(app, roles={"manager": "manager"}, name="Jobs")
    with app.app_context():
        old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
        job = Job(
            org_id=tenant.org_id,
            user_id=tenant.users["manager"],
            kind="test.echo",
            params={"value": 7},
            status="running",
            attempts=1,
            started_at=old,
            heartbeat_at=old,
        )
        dead = Job(
            org_id=tenant.org_id,
            user_id=tenant.users["manager"],
            kind="test.echo",
            params={"value": 8},
            status="running",
            attempts=3,
            started_at=old,
            heartbeat_at=old,
        )
        db.session.add_all([job, dead])
        db.session.commit()
        assert reap_stale(db.session) >= 2
        db.session.commit()
        ids = job.id, dead.id
    assert wait_for(app, ids[0]).status == "done"
    failed = wait_for(app, ids[1])
    assert failed.status == "failed" and "stopped 3 times" in failed.error


def test_the_rq_backend_runs_jobs_in_a_worker(app: Flask, db_kind: str) -> None:
    """With Redis, the job is queued and an RQ worker (the `rayon worker` code path) runs it."""
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown
    from rq import SimpleWorker

    url = os.environ.get("RAYON_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        Redis.from_url(url).ping()
        reachable = True
    except RedisDown:
        reachable = False
    require(reachable, f"Redis is not reachable at {url}")
    tenant = make_tenant(app, roles={"manager": "manager"}, name="Jobs")
    backend = jobs.RQBackend(url, queue=f"rayon-test-{db_kind}-{os.getpid()}")
    previous = app.extensions["rayon.jobs"]
    app.extensions["rayon.jobs"] = backend
    jobs._APP = app  # the worker uses this app (the test database) instead of building one
    try:
        job_id = submit(app, tenant.org_id, tenant.users["manager"], value="queued")
        with app.app_context():
            assert db.session.get(Job, job_id).status == "queued"
        SimpleWorker([backend.queue], connection=backend.connection).work(burst=True)
        job = wait_for(app, job_id, timeout=5)
        assert job.status == "done" and job.result["echo"] == "queued"
    finally:
        app.extensions["rayon.jobs"] = previous
        jobs._APP = None
        backend.queue.delete(delete_jobs=True)
