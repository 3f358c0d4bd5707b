"""A corrected caller name, transcript or note holding a control character or an invisible
format character (a right-to-left override that makes "Ann\u202e nosaJ" read "Ann Jason",
a zero-width space) is refused by the JSON API with 400 invalid_correction naming the field
and the character; tabs and line breaks in a transcript or note, and the format characters
written language needs, are kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.security import key_entry
from shared.jobstore import JobStore
from shared.models import Job
from shared.settings import Settings
from tests.conftest import ValkeyProcess
from tests.factories import voicemail_job

KEY = "vp_" + "a" * 43
ACME = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture
def http(tmp_path: Path, valkey: ValkeyProcess) -> TestClient:
    settings = Settings(
        data_dir=tmp_path, broker={"url": valkey.url}, auth={"keys": [key_entry("acme", KEY)]}
    )
    return TestClient(create_app(settings))


@pytest.fixture
def job(http: TestClient) -> Job:
    job = voicemail_job(caller_name="Dana")
    JobStore(http.app.state.services.jobs.redis).create(job)  # type: ignore[attr-defined]
    return job


def _review(http: TestClient, job: Job, **body: Any) -> Any:
    return http.post(f"/v1/jobs/{job.id}/reviews", json={"done": False, **body}, headers=ACME)


@pytest.mark.parametrize(
    ("field", "value", "code_point"),
    [
        ("caller_name", "Ann\u202e nosaJ", "U+202E"),  # right-to-left override
        ("caller_name", "Ann \u2066Jason\u2069", "U+2066"),  # left-to-right isolate
        ("caller_name", "Ann\u202a Jason", "U+202A"),  # left-to-right embedding
        ("caller_name", "Ann\u200bJason", "U+200B"),  # zero-width space
        ("caller_name", "Ann\ufeffJason", "U+FEFF"),  # byte order mark
        ("caller_name", "Ann\x00Jason", "U+0000"),
        ("caller_name", "Ann\nJason", "U+000A"),  # a name is one line
        ("caller_name", "Ann\x1b[31mJason", "U+001B"),  # a terminal's escape
        ("transcript", "Call me back\u202e 0144 on", "U+202E"),
        ("transcript", "Call me\u2069 back", "U+2069"),
        ("transcript", "Call me\x07 back", "U+0007"),
        ("transcript", "Call me\u2028back", "U+2028"),  # line separator: use a newline
        ("transcript", "Call me\x85back", "U+0085"),  # a C1 control
    ],
)
def test_a_correction_with_a_hidden_character_is_refused_naming_field_and_character(
    http: TestClient, job: Job, field: str, value: str, code_point: str
) -> None:
    answer = _review(http, job, corrections={field: value})

    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_correction"
    assert f"'{field}'" in error["message"]
    assert code_point in error["message"]
    assert http.get(f"/v1/jobs/{job.id}/reviews", headers=ACME).json()["reviews"] == []


def test_a_note_with_a_bidi_override_is_refused_and_nothing_is_stored(
    http: TestClient, job: Job
) -> None:
    answer = _review(http, job, corrections={"urgency": "high"}, note="called \u202eback")

    assert answer.status_code == 400, answer.text
    assert "'note'" in answer.json()["error"]["message"]
    assert http.get(f"/v1/jobs/{job.id}/reviews", headers=ACME).json()["reviews"] == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("transcript", "Hi, it's Dana.\nCall me back:\tsix one seven.\r\nThanks"),
        ("caller_name", "Mehr\u200cdad Rahimi"),  # ZWNJ, as Persian writes names
        ("caller_name", "\u05d3\u05e0\u05d4 \u200f(Dana)"),  # a right-to-left mark
        ("caller_name", "Dana \U0001f469\u200d\U0001f4bb"),  # an emoji joined by ZWJ
        ("caller_name", "Zo\u00eb O\u2019Brien"),
    ],
)
def test_line_breaks_in_a_transcript_and_the_marks_writing_needs_are_kept(
    http: TestClient, job: Job, field: str, value: str
) -> None:
    answer = _review(http, job, corrections={field: value}, note="line one\nline two")

    assert answer.status_code == 201, answer.text
    [correction] = answer.json()["corrections"]
    assert correction["after"] == value.strip()
    assert answer.json()["note"] == "line one\nline two"


@pytest.fixture
def job_heard_with_a_hidden_character(http: TestClient) -> Job:
    # An engine's transcript or name may hold one (a cloud model's zero-width space).
    job = voicemail_job(transcript="Call me\u200b back", caller_name="Dana\u200b Lee")
    JobStore(http.app.state.services.jobs.redis).create(job)  # type: ignore[attr-defined]
    return job


def test_fields_sent_back_as_the_machine_wrote_them_are_not_refused_for_its_hidden_characters(
    http: TestClient, job_heard_with_a_hidden_character: Job
) -> None:
    # A client that sends the whole job back with one field changed, as a form does.
    job = job_heard_with_a_hidden_character
    every_field = {"transcript": "Call me\u200b back", "caller_name": "Dana\u200b Lee"}

    answer = _review(http, job, corrections={**every_field, "urgency": "high"})

    assert answer.status_code == 201, answer.text
    assert [c["field"] for c in answer.json()["corrections"]] == ["urgency"]


def test_a_changed_field_keeping_the_machines_hidden_character_is_still_refused(
    http: TestClient, job_heard_with_a_hidden_character: Job
) -> None:
    job = job_heard_with_a_hidden_character

    answer = _review(http, job, corrections={"transcript": "Call me\u200b back today"})

    assert answer.status_code == 400, answer.text
    assert "U+200B" in answer.json()["error"]["message"]
    assert http.get(f"/v1/jobs/{job.id}/reviews", headers=ACME).json()["reviews"] == []
