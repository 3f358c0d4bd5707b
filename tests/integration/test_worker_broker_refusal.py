"""A Celery worker started on a broker that refuses it exits at once saying what to fix,
where it retried forever (workers.broker_check)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ValkeyProcess

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def test_a_worker_on_a_database_the_broker_lacks_exits_naming_the_setting(
    valkey: ValkeyProcess, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "VOICEPIPE_BROKER__URL": valkey.url.rsplit("/", 1)[0] + "/99",
        "VOICEPIPE_DATA_DIR": str(tmp_path / "data"),
        "PYTHONPATH": str(ROOT),
    }
    worker = [sys.executable, "-m", "celery", "-A", "workers.app", "worker"]
    try:
        done = subprocess.run(
            [*worker, "-Q", "webhooks", "-P", "threads", "-c", "1", "--loglevel", "INFO"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the worker was still running after 60 s on a database the broker lacks")

    assert done.returncode != 0
    assert "VOICEPIPE_BROKER__URL" in done.stderr
    assert "This worker did not start" in done.stderr
