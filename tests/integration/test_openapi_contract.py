"""Schemathesis, as its CLI runs it, against a stack with API keys: ``--checks all``, every
phase (coverage, fuzzing and the stateful phase that follows the document's links from a
created job or batch to the operations on it), zero failures.

The document must say exactly what the API accepts: a schema-valid request that is refused,
or a schema-invalid one that is accepted, is a failure, as is a status or body the document
does not declare, a deleted job still answering, or an operation that ignores the key.
Generation is seeded, so a failure reproduces run after run (``st replay`` shows it).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.cli.stack import Stack
from api.security import generate_key, key_entry
from tests.integration.conftest import WEBHOOK_SECRET, RunningStack, stack_settings, started

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
KEY = generate_key()
# Examples per operation and phase; about a minute on this 2-core machine.
MAX_EXAMPLES = 40


@pytest.fixture(scope="module")
def keyed_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    settings = stack_settings(
        tmp_path_factory.mktemp("contract"),
        auth={"keys": [key_entry("acme", KEY)]},
        # Jobs may ask for webhooks, which the API accepts only for a tenant with a secret.
        webhooks={"secrets": [f"acme:{WEBHOOK_SECRET}"]},
        # The fuzzer queues a job for every valid upload, and OpenAI's transcription call
        # waits for its own job behind them. Whisper spends ~0.8 s of CPU on even a 1 s tone
        # (it encodes a 30 s window), which put the wait past the 10 s a call may take; this
        # suite checks the HTTP contract, not the engine, so it runs on the light offline
        # engine (tests/integration/test_openai_compat.py drives Whisper through the SDK).
        providers={"stt": "pocketsphinx"},
    )
    with started(Stack(settings, flower=False)) as running:
        yield running


def _schemathesis(
    stack: RunningStack, tmp_path: Path, *args: str, hooks: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("SCHEMATHESIS_HOOKS", None)
    if hooks:
        env["SCHEMATHESIS_HOOKS"] = "tests.integration.openapi_media"
    st = Path(sys.executable).with_name("st")
    return subprocess.run(
        [
            str(st),
            "--no-color",
            "--config-file",
            str(ROOT / "tests/integration/schemathesis.toml"),
            "run",
            f"{stack.settings.api.base_url}/openapi.json",
            "--header",
            f"Authorization: Bearer {KEY}",
            "--seed",
            "1",
            *args,
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,  # where schemathesis keeps its own files
        timeout=600,
        check=False,
    )


def test_every_check_of_every_phase_passes_against_the_keyed_api(
    keyed_stack: RunningStack, tmp_path: Path
) -> None:
    run = _schemathesis(
        keyed_stack,
        tmp_path,
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        # Every valid case of OpenAI's speech call speaks up to 4,096 characters (minutes of
        # audio) on the tts pool and waits for it: a few hundred cases queue for far longer
        # than the 10 s each may take. tests/integration/test_openai_compat.py drives it with
        # the official SDK instead, in every format, whole and streamed.
        "--exclude-path",
        "/v1/audio/speech",
    )
    report = run.stdout + run.stderr

    assert run.returncode == 0, report[-20000:]
    links = re.search(r"API Links:\s+(\d+) covered", report)
    scenarios = re.search(r"Scenarios:\s+(\d+)", report)
    assert links is not None, report
    assert scenarios is not None, report
    assert int(links.group(1)) > 0, "the stateful phase followed the document's links"
    assert int(scenarios.group(1)) > 0, report


def test_without_real_recordings_the_same_checks_fail(
    keyed_stack: RunningStack, tmp_path: Path
) -> None:
    # Without the hooks, schemathesis sends arbitrary bytes as the recording, which the API
    # refuses although no schema can forbid them: the run must say so, or it proves nothing.
    run = _schemathesis(
        keyed_stack,
        tmp_path,
        "--checks",
        "positive_data_acceptance",
        "--phases",
        "fuzzing",
        "--include-path",
        "/v1/jobs",
        "--include-method",
        "POST",
        "--max-examples",
        "10",
        hooks=False,
    )
    report = run.stdout + run.stderr

    assert run.returncode == 1, report[-5000:]
    assert "Schema-valid request rejected" in report, report[-5000:]
