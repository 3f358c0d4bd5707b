"""A corpus of malformed uploads (tests/integration/bad_uploads.py) sent to the real API over HTTP.

Every bad upload must get a 4xx (never a 5xx) with ``{"error": {"code", "message"}}`` and its
own code, fast, and leave no object and no job behind. Odd file names and Content-Types on good
audio are the opposite case: the name is only metadata and the type is sniffed from the bytes,
so those are accepted, stored under a key of our own making, and processed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.integration.bad_uploads import (
    CASES,
    HEAVY_PEAK_MB,
    MAX_DURATION_S,
    MAX_UPLOAD_BYTES,
    QUICK_S,
    Bad,
    Request,
    multipart,
    upload,
    wav,
)
from tests.integration.conftest import RunningStack

pytestmark = pytest.mark.integration


class Snapshot:
    """The objects and jobs that exist at one moment."""

    def __init__(self, stack: RunningStack) -> None:
        self.stack = stack
        self.objects = set(stack.storage.list())
        self.jobs = set(stack.jobs.all_ids())

    def new_objects(self) -> set[str]:
        return set(self.stack.storage.list()) - self.objects

    def new_jobs(self) -> set[str]:
        return set(self.stack.jobs.all_ids()) - self.jobs


@pytest.fixture
def nothing_new(running_stack: RunningStack) -> Iterator[None]:
    before = Snapshot(running_stack)
    yield
    assert before.new_objects() == set(), "a rejected upload left an object behind"
    assert before.new_jobs() == set(), "a rejected upload created a job"


class PeakMemory:
    """The API process's peak RSS since the last reset, where Linux lets us reset it."""

    def __init__(self, stack: RunningStack) -> None:
        process = stack.stack.child("api").process
        self.proc = Path(f"/proc/{process.pid}") if process else None

    def reset(self) -> bool:
        """Start a new peak (``5`` to ``clear_refs``); False where that is not allowed."""
        if self.proc is None:
            return False
        try:
            (self.proc / "clear_refs").write_text("5")
        except OSError:
            return False
        return True

    def peak_mb(self) -> float:
        assert self.proc is not None
        for line in (self.proc / "status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise AssertionError("no VmHWM in /proc status")


def assert_refused(response: httpx.Response, status: int, code: str, says: str = "") -> None:
    assert 400 <= status < 500
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) >= {"code", "message"}, body
    assert body["error"]["code"] == code, body
    message = body["error"]["message"]
    assert isinstance(message, str)
    assert len(message) > 20, "the message must say what to do"
    assert says in message


def test_the_corpus_is_large_and_its_ids_unique() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) >= 30
    assert len(set(ids)) == len(ids)


def test_the_stack_runs_with_the_documented_limits(running_stack: RunningStack) -> None:
    assert running_stack.settings.api.max_upload_bytes == MAX_UPLOAD_BYTES
    assert running_stack.settings.api.max_duration_s == MAX_DURATION_S


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_upload_is_refused_quickly_and_leaves_nothing(
    running_stack: RunningStack, nothing_new: None, case: Bad
) -> None:
    request = case.request()
    memory = PeakMemory(running_stack)
    watching = case.heavy and memory.reset()
    baseline = memory.peak_mb() if watching else 0.0

    started = time.perf_counter()
    response = running_stack.http.post("/v1/jobs", **request)
    elapsed = time.perf_counter() - started

    assert_refused(response, case.status, case.code, case.says)
    assert elapsed < QUICK_S, f"{case.id} took {elapsed:.2f} s"
    if watching:
        grown = memory.peak_mb() - baseline
        assert grown < HEAVY_PEAK_MB, f"{case.id} raised the API's peak memory by {grown:.0f} MB"


@dataclass(frozen=True)
class Odd:
    """Good audio with an odd name or Content-Type, and the name the job should show."""

    id: str
    request: Callable[[], Request]
    shown: Callable[[str | None], bool]


# Pieces of the hostile names that must never reach a storage key.
NAME_FRAGMENTS = ("..", "\\", "passwd", "win.ini", "etc/", "/var/")


def _printable(name: str | None) -> bool:
    return name is not None and name.isprintable() and "/" not in name and "\\" not in name


ACCEPTED: list[Odd] = [
    Odd(
        "traversal-posix",
        upload(wav, "../../etc/passwd.wav", "audio/wav", stages="stt"),
        lambda shown: shown == "passwd.wav",
    ),
    Odd(
        "traversal-windows",
        upload(wav, "..\\..\\win.ini", "audio/wav", stages="stt"),
        lambda shown: shown == "win.ini",
    ),
    Odd(
        "absolute-path",
        upload(wav, "/var/lib/voicepipe/objects/default/x.wav", "audio/wav", stages="stt"),
        lambda shown: shown == "x.wav",
    ),
    Odd(
        "filename-not-utf8",
        lambda: multipart(
            (b'name="file"; filename="voicemail-\xff\xfe\xe9.wav"', wav()),
            (b'name="stages"', b"stt"),
        ),
        lambda shown: _printable(shown) and str(shown).startswith("voicemail-"),
    ),
    Odd(
        "filename-control-chars",
        lambda: multipart(
            (b'name="file"; filename="a\x00b\x1b[31m\x7fc.wav"', wav()),
            (b'name="stages"', b"stt"),
        ),
        _printable,
    ),
    Odd(
        "filename-4000-chars",
        upload(wav, "v" * 3996 + ".wav", "audio/wav", stages="stt"),
        lambda shown: shown is not None and 0 < len(shown) <= 200,
    ),
    Odd(
        "wav-sent-as-image-png",
        upload(wav, "photo.png", "image/png", stages="stt"),
        lambda shown: shown == "photo.png",
    ),
]


@pytest.mark.parametrize("case", ACCEPTED, ids=[case.id for case in ACCEPTED])
def test_good_audio_is_accepted_whatever_its_name_or_type(
    running_stack: RunningStack, case: Odd
) -> None:
    before = Snapshot(running_stack)
    request = case.request()

    response = running_stack.http.post("/v1/jobs", **request)

    assert response.status_code == 202, response.text
    created = response.json()
    job_id, tenant = created["id"], created["tenant"]
    prefix = f"{tenant}/jobs/{job_id}/"
    key = created["input"]["key"]
    # Sniffed from the bytes: a WAV, whatever the name or Content-Type said.
    assert key == f"{prefix}input.wav"
    assert created["input"]["container"] == "wav"
    assert created["input"]["media_type"] == "audio/wav"
    assert case.shown(created["input"]["filename"]), created["input"]["filename"]
    assert before.new_jobs() == {job_id}
    assert all(name.startswith(prefix) for name in before.new_objects())
    assert running_stack.storage.get(key) == wav()

    # Wait for the job, so no worker writes while a later test counts objects.
    job = running_stack.wait(job_id, timeout_s=60)

    assert job["status"] == "succeeded", job.get("error")
    assert before.new_objects() == {key, f"{prefix}transcript.json"}
    for stored in before.new_objects():
        assert [part for part in NAME_FRAGMENTS if part in stored] == [], stored
