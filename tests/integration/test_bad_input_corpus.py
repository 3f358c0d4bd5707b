"""A corpus of malformed uploads, built here, sent to the real API over HTTP.

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
from typing import Any

import httpx
import pytest

from tests import audio_factory as af
from tests.integration.conftest import RunningStack

pytestmark = pytest.mark.integration

# The stack runs with the documented defaults.
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
MAX_DURATION_S = 600.0
# Every answer, including to a decompression bomb or a 25 MB body, comes within this.
QUICK_S = 5.0
# How much a decode-heavy rejection may raise the API process's peak memory.
HEAVY_PEAK_MB = 64

Request = dict[str, Any]  # keyword arguments for httpx.Client.post


@dataclass(frozen=True)
class Bad:
    id: str
    status: int
    code: str
    request: Callable[[], Request]
    # A phrase the message must contain, when the code alone does not say enough.
    says: str = ""
    # Decodes a lot before it is refused: the API's peak memory is watched too.
    heavy: bool = False


def upload(
    build: Callable[[], bytes],
    name: str = "voicemail.mp3",
    content_type: str = "audio/mpeg",
    **fields: str,
) -> Callable[[], Request]:
    """A normal upload of ``build()`` as the field ``file``, plus text ``fields``."""
    return lambda: {"files": {"file": (name, build(), content_type)}, "data": fields}


BOUNDARY = "vp-corpus-boundary"


def multipart(*parts: tuple[bytes, bytes], close: bool = True) -> Request:
    """A multipart body written byte for byte: each part is (disposition params, body).

    httpx encodes file names as UTF-8 and always frames parts correctly; these cases need raw
    bytes in the name, or framing that is wrong.
    """
    body = b""
    for params, data in parts:
        body += (
            f"--{BOUNDARY}\r\n".encode()
            + b"Content-Disposition: form-data; "
            + params
            + b"\r\nContent-Type: application/octet-stream\r\n\r\n"
            + data
            + b"\r\n"
        )
    if close:
        body += f"--{BOUNDARY}--\r\n".encode()
    return {
        "content": body,
        "headers": {"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
    }


def wav() -> bytes:
    return af.encode("wav", 1.0)


# Cut 4 s files: (format, bytes kept, code). A cut Ogg or raw AAC keeps no declared length,
# so half of one is a shorter, valid recording and is not in this list.
TRUNCATED: list[tuple[af.AudioFormat, int | float, str]] = [
    *[(fmt, 64, "undecodable") for fmt in ("wav", "mp3", "ogg", "webm", "flac", "m4a")],
    ("aac", 64, "too_short"),
    *[(fmt, 1000, "too_short") for fmt in ("wav", "mp3", "webm", "aac")],
    *[(fmt, 1000, "undecodable") for fmt in ("ogg", "flac", "m4a")],
    *[(fmt, 0.5, "truncated") for fmt in ("wav", "mp3", "webm", "flac")],
    # The MP4 index (moov) is written after the samples, so half a file has none.
    ("m4a", 0.5, "undecodable"),
]


def _truncated(fmt: af.AudioFormat, keep: int | float, code: str) -> Bad:
    size = f"{keep:.0%}" if isinstance(keep, float) else f"{keep}B"
    return Bad(
        f"truncated-{fmt}-{size}",
        415 if code.startswith("unsupported") else 422,
        code,
        upload(lambda: af.truncated(fmt, keep), f"voicemail.{fmt}"),
    )


CASES: list[Bad] = [
    *[_truncated(*case) for case in TRUNCATED],
    # Wrong magic: other kinds of files named like audio.
    *[
        Bad(
            f"{kind}-named-mp3",
            415,
            "unsupported_format",
            upload(lambda data=data: data),
            says=looks_like,
        )
        for kind, data, looks_like in [
            ("png", af.NON_AUDIO["png"], "a PNG image"),
            ("pdf", af.NON_AUDIO["pdf"], "a PDF document"),
            ("html", af.NON_AUDIO["html"], "an HTML page"),
            ("json", af.NON_AUDIO["json"], "text"),
            ("gzip", af.NON_AUDIO["gzip"], "a gzip archive"),
        ]
    ],
    Bad(
        "zip-holding-a-wav-named-mp3",
        415,
        "unsupported_format",
        upload(af.zip_archive),
        says="a ZIP archive",
    ),
    Bad(
        "text-sent-as-audio-wav",
        415,
        "unsupported_format",
        upload(af.text_as_wav, "voicemail.wav", "audio/wav"),
        says="text",
    ),
    Bad("zero-length", 400, "empty_file", upload(lambda: b"")),
    # Headers with nothing behind them.
    Bad("riff-wave-12-bytes", 422, "undecodable", upload(lambda: af.first_box("wav", 12))),
    Bad("wav-header-no-samples", 422, "too_short", upload(lambda: af.wav_header_only(1.0))),
    Bad("id3-tag-alone", 422, "undecodable", upload(af.id3_tag_only)),
    Bad("oggs-page-header-alone", 422, "undecodable", upload(lambda: af.first_box("ogg"))),
    Bad("flac-marker-alone", 422, "undecodable", upload(lambda: b"fLaC")),
    Bad("flac-streaminfo-alone", 422, "undecodable", upload(lambda: af.first_box("flac"))),
    Bad("ebml-header-alone", 422, "undecodable", upload(lambda: af.first_box("webm"))),
    Bad("ftyp-box-alone", 422, "undecodable", upload(lambda: af.first_box("m4a"))),
    # Random bytes; 16 of them happen to start like an MPEG frame whose successor lies beyond
    # the end, so they are refused by the decoder instead of the sniffer.
    Bad("random-7B", 415, "unsupported_format", upload(lambda: af.random_bytes(7, seed=5))),
    Bad("random-16B-mpeg-like", 422, "undecodable", upload(lambda: af.random_bytes(16, seed=1))),
    Bad("random-1kB", 415, "unsupported_format", upload(lambda: af.random_bytes(1000, seed=2))),
    Bad("random-64kB", 415, "unsupported_format", upload(lambda: af.random_bytes(65536, seed=3))),
    Bad(
        "random-1MB", 415, "unsupported_format", upload(lambda: af.random_bytes(1_000_000, seed=4))
    ),
    Bad("oggs-then-random", 422, "undecodable", upload(lambda: af.with_magic(b"OggS", seed=6))),
    Bad("flac-then-random", 422, "undecodable", upload(lambda: af.with_magic(b"fLaC", seed=7))),
    # Too big: just over the file limit (read, then refused) and far over (refused by its
    # Content-Length before the body is read).
    Bad(
        "oversize-25MiB-plus-1",
        413,
        "too_large",
        upload(lambda: bytes(MAX_UPLOAD_BYTES + 1)),
    ),
    Bad("oversize-26MiB", 413, "too_large", upload(lambda: bytes(26 * 1024 * 1024))),
    # Too long: 11 minutes, small.
    Bad(
        "11min-mp3-8kHz-660kB",
        422,
        "too_long",
        upload(lambda: af.mp3_silence(660)),
        heavy=True,
    ),
    Bad(
        "11min-flac-encoded-silence",
        422,
        "too_long",
        upload(lambda: af.silence_encoded("flac", 660), "voicemail.flac"),
        heavy=True,
    ),
    # Decompression bombs: hours of audio in a few hundred kB, or headers promising hours.
    Bad(
        "bomb-flac-3h-48kHz-117kB",
        422,
        "too_long",
        upload(lambda: af.flac_silence(3 * 3600), "voicemail.flac"),
        heavy=True,
    ),
    Bad(
        "bomb-flac-1h-96kHz-7.1-188kB",
        422,
        "too_long",
        upload(lambda: af.flac_silence(3600, rate=96000, channels=8), "voicemail.flac"),
        heavy=True,
    ),
    Bad(
        "bomb-wav-header-declares-4GB",
        422,
        "truncated",
        upload(lambda: af.wav_declaring(0xFFFFFFF0), "voicemail.wav"),
        heavy=True,
    ),
    Bad(
        "bomb-mp3-xing-declares-10h",
        422,
        "truncated",
        upload(lambda: af.mp3_declaring(10 * 3600 * 16000 // 576)),
        heavy=True,
    ),
    # File names: a 10 000-character name overflows the multipart parser's 4 KB part-header
    # limit; a non-UTF-8 name on bad bytes is refused for the bytes.
    Bad(
        "filename-10000-chars",
        400,
        "invalid_request",
        upload(wav, "v" * 9996 + ".wav", "audio/wav"),
    ),
    Bad(
        "filename-not-utf8-text-body",
        415,
        "unsupported_format",
        lambda: multipart((b'name="file"; filename="\xff\xfe\xc3(.mp3"', af.text_as_wav())),
    ),
    # The form itself.
    Bad("no-file-field", 400, "missing_file", lambda: {"data": {"voice": "joe"}}),
    Bad("json-body", 400, "missing_file", lambda: {"json": {"file": "voicemail.wav"}}),
    Bad(
        "file-sent-as-text-field",
        422,
        "invalid_request",
        lambda: multipart((b'name="file"', wav())),
    ),
    Bad(
        "two-file-fields",
        400,
        "duplicate_field",
        lambda: {
            "files": [
                ("file", ("a.wav", wav(), "audio/wav")),
                ("file", ("b.wav", af.encode("wav", 1.0, seed=1), "audio/wav")),
            ]
        },
        says="'file'",
    ),
    Bad(
        "two-stages-fields",
        400,
        "duplicate_field",
        lambda: {
            "files": {"file": ("a.wav", wav(), "audio/wav")},
            "data": {"stages": ["stt", "stt,llm"]},
        },
        says="'stages'",
    ),
    Bad(
        "system-prompt-1MiB",
        422,
        "invalid_request",
        upload(wav, "a.wav", "audio/wav", system_prompt="x" * 1024 * 1024),
        says="system_prompt",
    ),
    Bad(
        "voice-1MiB-plus-1",
        400,
        "invalid_request",
        upload(wav, "a.wav", "audio/wav", voice="x" * (1024 * 1024 + 1)),
    ),
    Bad(
        "2000-form-fields",
        400,
        "invalid_request",
        lambda: {
            "files": {"file": ("a.wav", wav(), "audio/wav")},
            "data": {f"f{i}": "x" for i in range(2000)},
        },
    ),
    Bad(
        "output-format-flac",
        422,
        "invalid_request",
        upload(wav, "a.wav", "audio/wav", output_format="flac"),
        says="output_format",
    ),
    # A body cut before its closing boundary: the unfinished part is dropped, so no file came.
    Bad(
        "multipart-without-closing-boundary",
        400,
        "missing_file",
        lambda: multipart((b'name="file"; filename="a.wav"', wav()), close=False),
    ),
    Bad(
        "multipart-wrong-boundary",
        400,
        "invalid_request",
        lambda: {
            "content": b"--x\r\nContent-Disposition: form-data; name=file; filename=a.wav\r\n"
            b"\r\nRIFF",
            "headers": {"content-type": "multipart/form-data; boundary=y"},
        },
    ),
]


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
