"""Redaction end to end: a stack that redacts every job, fed voicemails and texts full of
planted personal data, and every byte it wrote (objects, Redis, logs, webhook bodies, API
answers and exports) searched for the planted values."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import redis
from cryptography.fernet import Fernet

from api.cli.stack import Stack
from shared.audio import decode_pcm16k
from tests.integration.conftest import WEBHOOK_SECRET, RunningStack, stack_settings, started
from tests.integration.test_batches import wait_batch
from tests.local_http import LocalServer, WebhookReceiver

pytestmark = pytest.mark.integration

ORIGINAL_KEY = Fernet.generate_key().decode()

TYPED = (
    "Hi, this is Maria Lopez. My date of birth is March 3rd, 1982 and my social security "
    "number is 123-45-6789. Please charge my card 4111 1111 1111 1111 and email me at "
    "maria.lopez@example.com. I live at 42 Elm Street. My account number is 88412907. "
    "Call me back at 415-555-0192."
)
SPOKEN = (
    "hello it's maria lopez again my number is four one five five five five zero one nine "
    "two and my email is maria dot lopez at example dot com"
)
VOICEMAIL = (
    "Hi, this is Maria Lopez. The heating in my flat has stopped working. Please call me "
    "back at four one five, five five five, zero one nine two."
)
# Every form a planted value could take once written down; none may be found anywhere.
PLANTED = [
    "lopez",
    "4155550192",
    "415-555-0192",
    "555-0192",
    "zero one nine two",
    "4111 1111 1111 1111",
    "4111111111111111",
    "maria.lopez@example.com",
    "maria dot lopez",
    "123-45-6789",
    "123456789",
    "elm street",
    "88412907",
]


@pytest.fixture(scope="module")
def redacting_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    settings = stack_settings(
        tmp_path_factory.mktemp("redacting"),
        redaction={
            "entities": "all",
            "style": "hash",
            "hash_key": "test-hash-key",
            "audio": "bleep",
            "keep_original": True,
            "original_key": ORIGINAL_KEY,
        },
        webhooks={"secrets": [f"default:{WEBHOOK_SECRET}"], "schedule_s": [0, 0.5, 1]},
        fetch={"allow_ranges": ["127.0.0.1/32"]},
    )
    with started(Stack(settings, flower=False)) as running:
        yield running


@pytest.fixture(scope="module")
def voicemail_wav() -> bytes:
    from workers.providers.tts.local import PiperTts

    return PiperTts().synthesize(VOICEMAIL, None, "wav").data


def _text_job(stack: RunningStack, text: str, **fields: str) -> str:
    response = stack.http.post("/v1/jobs", files={"_": (None, "")}, data={"text": text, **fields})
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def _everything_in_redis(url: str) -> bytes:
    # Any: redis-py types its replies loosely; every one here is bytes or lists of them.
    client: Any = redis.Redis.from_url(url)
    out = bytearray()
    for key in client.scan_iter(count=1000):
        kind = client.type(key)
        out += key
        if kind == b"string":
            out += client.get(key) or b""
        elif kind == b"hash":
            out += b"".join(k + v for k, v in client.hgetall(key).items())
        elif kind == b"list":
            out += b"".join(client.lrange(key, 0, -1))
        elif kind == b"set":
            out += b"".join(client.smembers(key))
        elif kind == b"zset":
            out += b"".join(client.zrange(key, 0, -1))
        elif kind == b"stream":
            out += repr(client.xrange(key)).encode()
    client.close()
    return bytes(out)


def _leaks(where: str, data: bytes) -> list[str]:
    lowered = data.lower()
    return [f"{value!r} in {where}" for value in PLANTED if value.encode() in lowered]


def test_nothing_the_stack_stores_sends_logs_or_exports_holds_a_planted_value(
    redacting_stack: RunningStack, voicemail_wav: bytes
) -> None:
    stack = redacting_stack
    receiver = WebhookReceiver(WEBHOOK_SECRET)
    with LocalServer() as server:
        server.answer = receiver.answer
        hook = f"{server.url}/hook"
        typed = _text_job(stack, TYPED, callback_url=hook, stage_events="true")
        spoken = _text_job(stack, SPOKEN, callback_url=hook)
        original_read = _text_job(stack, TYPED, redact_send_original="true", stages="stt,llm")
        heard = stack.http.post(
            "/v1/jobs",
            files={"file": ("voicemail.wav", voicemail_wav, "audio/wav")},
            data={"callback_url": hook},
        ).json()["id"]
        batch = stack.http.post(
            "/v1/batches",
            json={"items": [{"text": TYPED}, {"text": SPOKEN}], "stages": "stt,llm"},
        ).json()["id"]
        jobs = {name: stack.wait(job_id) for name, job_id in [
            ("typed", typed), ("spoken", spoken), ("original_read", original_read),
            ("heard", heard),
        ]}  # fmt: skip
        wait_batch(stack, batch)
        # A reviewer who heard the recording types what it said (api/review_redaction.py).
        review = stack.http.post(
            f"/v1/jobs/{heard}/reviews",
            json={
                "corrections": {
                    "caller_name": "Maria Lopez",
                    "callback_number": "415-555-0192",
                    "transcript": "This is Maria Lopez of 12 Elm Street, call 415-555-0192.",
                },
                "note": "she also gave maria.lopez@example.com",
            },
        )
        assert review.status_code == 201, review.text
        deadline = time.monotonic() + 30
        while len(receiver.accepted()) < 7 and time.monotonic() < deadline:
            time.sleep(0.2)

    for name, job in jobs.items():
        assert job["status"] == "succeeded", (name, job.get("error"))
    _assert_redacted_results(jobs)
    answers = bytearray()
    for job in jobs.values():
        answers += stack.http.get(f"/v1/jobs/{job['id']}").content
        for fmt in ("json", "txt", "srt", "vtt"):
            answers += stack.http.get(f"/v1/jobs/{job['id']}/transcript?format={fmt}").content
        answers += stack.http.get(f"/v1/jobs/{job['id']}/reviews").content
    for fmt in ("csv", "jsonl"):
        answers += stack.http.get(f"/v1/batches/{batch}/results?format={fmt}").content
    hooks = b"".join(repr(r.event).encode() for r in receiver.received)
    assert receiver.accepted(), "webhooks were delivered"
    assert b"job.reviewed" in hooks, "the review's event was delivered"

    leaks = _leaks("API answers and exports", bytes(answers))
    leaks += _leaks("webhook bodies", hooks)
    leaks += _leaks("Redis", _everything_in_redis(stack.settings.broker.url))
    for path in sorted(Path(stack.settings.data_dir).rglob("*")):
        if path.is_file():
            leaks += _leaks(str(path.relative_to(stack.settings.data_dir)), path.read_bytes())
    assert not leaks, leaks


def _assert_redacted_results(jobs: dict[str, dict[str, Any]]) -> None:
    typed = jobs["typed"]["results"]
    token = re.compile(r"\[PHONE_NUMBER:[0-9a-f]{8}\]")
    assert set(typed["redactions"]) >= {
        "person_name", "date_of_birth", "us_social_security_number", "credit_card_number",
        "email_address", "street_address", "account_number", "phone_number",
    }  # fmt: skip
    # The number is gone, but the job still knows it was given, by a stable token.
    assert token.fullmatch(typed["triage"]["callback_number"])
    assert typed["triage"]["callback_number"] in typed["transcript"]
    assert "no_callback_number" not in typed["review_reasons"]
    spoken = jobs["spoken"]["results"]
    assert {"phone_number", "email_address"} <= set(spoken["redactions"])
    # The reply model read the original: it found the number itself, stored as the same token.
    read = jobs["original_read"]["results"]
    assert read["triage"]["callback_number"] == typed["triage"]["callback_number"]
    heard = jobs["heard"]
    assert "phone_number" in heard["results"]["redactions"]
    assert heard["links"]["redacted_audio"].endswith("/redacted-audio")


def test_the_redacted_recording_is_bleeped_where_the_number_was_said(
    redacting_stack: RunningStack, voicemail_wav: bytes
) -> None:
    created = redacting_stack.http.post(
        "/v1/jobs",
        files={"file": ("voicemail.wav", voicemail_wav, "audio/wav")},
        data={"stages": "stt"},
    ).json()
    job = redacting_stack.wait(created["id"])
    assert job["status"] == "succeeded", job.get("error")

    copy = redacting_stack.http.get(f"/v1/jobs/{job['id']}/redacted-audio")

    assert copy.status_code == 200
    assert copy.headers["content-type"] == "audio/mpeg"
    original, redacted = decode_pcm16k(voicemail_wav), decode_pcm16k(copy.content)
    assert abs(len(original) - len(redacted)) < 16000 * 0.1
    transcript = redacting_stack.http.get(f"/v1/jobs/{job['id']}/transcript").json()
    token = next(w for w in transcript["words"] if w["word"].startswith("[PHONE_NUMBER"))
    start, end = int(token["start_s"] * 16000), int(token["end_s"] * 16000)
    middle = redacted[start:end].astype(float)
    # A 1 kHz tone where the number was: most of its energy near 1 kHz.
    spectrum = np.abs(np.fft.rfft(middle))
    peak_hz = spectrum.argmax() * 16000 / len(middle)
    assert 950 < peak_hz < 1050
    assert len(redacted) > end


def test_a_kept_original_is_sealed_readable_with_the_key_and_deleted_with_its_job(
    redacting_stack: RunningStack,
) -> None:
    stack = redacting_stack
    job_id = _text_job(stack, TYPED, stages="stt,llm")
    assert stack.wait(job_id)["status"] == "succeeded"
    objects = Path(stack.settings.objects_dir)
    sealed = next(objects.rglob(f"{job_id}/input.original.txt.enc"))

    assert Fernet(ORIGINAL_KEY.encode()).decrypt(sealed.read_bytes()).decode() == TYPED
    assert b"lopez" not in sealed.read_bytes().lower()
    assert stack.http.delete(f"/v1/jobs/{job_id}").status_code == 204
    assert not [path for path in objects.rglob("*") if job_id in str(path) and path.is_file()]
