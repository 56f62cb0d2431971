"""The sync load test at small scale: a killed server, repeats and drops lose and double nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import _postgres_admin_url, require

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_sync_under_faults_loses_and_duplicates_nothing() -> None:
    """benchmarks/sync_load.py with 12 reps on PostgreSQL reports zero lost and zero duplicated."""
    require(_postgres_admin_url() is not None, "PostgreSQL is not reachable")
    run = subprocess.run(
        [
            sys.executable,
            "benchmarks/sync_load.py",
            "--reps",
            "12",
            "--db",
            "postgresql",
            "--workers",
            "2",
            "--concurrency",
            "6",
            "--duplicate-rate",
            "0.3",
            "--drop-rate",
            "0.1",
            "--quiet",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    report = json.loads(run.stdout[run.stdout.index("{") :])
    assert report["lost"] == 0 and report["duplicated"] == 0
    assert report["server_killed_once"] is True
    assert "500" not in report["server_errors"], report["server_errors"]  # a killed server is no 500
    answers = report["answers"]
    assert answers.get("rejected", 0) == 0, report["rejected_examples"]
    # A batch the server committed but whose answer never reached the phone (dropped connection, killed
    # server) is answered "duplicate" when resent: every change is applied exactly once on the server
    # (found == expected above), but the phone may have heard "applied" for fewer of them.
    assert answers["applied"] <= report["changes_sent_unique"] <= answers["applied"] + answers.get("duplicate", 0)
    assert report["found"]["changes"] == report["found"]["distinct_change_uuids"] == report["changes_sent_unique"]
    assert report["answers"].get("duplicate", 0) > 0 and report["client_retries"] > 0
