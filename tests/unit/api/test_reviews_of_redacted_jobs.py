"""/v1/jobs/{id}/reviews of a job whose policy redacts numbers and names: what the reviewer types
is redacted as the stages would (hash or label tokens), and a job without a policy keeps it as
typed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.security import key_entry
from shared.models import Job, JobOptions
from shared.redaction.apply import redact_mapping
from shared.redaction_policy import Entity, JobRedaction, Substitution
from shared.settings import Settings
from shared.webhook_store import WebhookStore
from tests.conftest import ValkeyProcess
from tests.unit.api.review_routes_helpers import (
    ACME,
    ACME_KEY,
    HOOK,
    _job,
    _review,
    _services,
    review_client,
)


@pytest.fixture
def http(tmp_path: Path, valkey: ValkeyProcess) -> TestClient:
    return review_client(tmp_path, valkey)


HASH_KEY = "review-test-key"
# The machine's number and the reviewer's, digit by digit (any spacing or punctuation).
NUMBERS = ("4158672291", "6172384410")


@pytest.fixture
def keyed_http(tmp_path: Path, valkey: ValkeyProcess) -> TestClient:
    settings = Settings(
        data_dir=tmp_path,
        broker={"url": valkey.url},
        auth={"keys": [key_entry("acme", ACME_KEY)]},
        redaction={"hash_key": HASH_KEY},
    )
    return TestClient(create_app(settings))


def _redacted_job(http: TestClient, style: Substitution, **fields: Any) -> Job:
    """A job as the stages leave one whose policy removes numbers and names: its number and
    caller are tokens (made by the stages' own redaction), its transcript too."""
    policy = JobRedaction(style=style)
    machine = redact_mapping(
        {"callback_number": "+14158672291", "caller_name": "Dana Whitaker"},
        policy,
        HASH_KEY,
        whole={"callback_number": Entity.PHONE_NUMBER, "caller_name": Entity.PERSON_NAME},
    )
    options = JobOptions(redact=policy, callback_url=HOOK)
    return _job(
        http,
        options=options,
        transcript=f"This is {machine['caller_name']}, call me at {machine['callback_number']}.",
        **machine,
        **fields,
    )


def _everything_stored(http: TestClient) -> str:
    """Every value in the store (records, reviews, inbox rows and search text, webhook
    bodies), as one text to search."""
    redis = _services(http).jobs.redis
    parts: list[bytes] = []
    for key in redis.scan_iter():
        kind = redis.type(key)
        if kind == b"string":
            parts.append(redis.get(key) or b"")
        elif kind == b"list":
            parts += redis.lrange(key, 0, -1)
        elif kind == b"hash":
            parts += [b"%s=%s" % pair for pair in redis.hgetall(key).items()]
        elif kind == b"zset":
            parts += redis.zrange(key, 0, -1)
        elif kind == b"set":
            parts += list(redis.smembers(key))
    return b"\n".join(parts).decode("utf-8", "replace")


def test_a_review_of_a_redacted_job_keeps_no_number_or_name_the_reviewer_typed(
    keyed_http: TestClient,
) -> None:
    job = _redacted_job(keyed_http, Substitution.HASH)

    answer = _review(
        keyed_http,
        job,
        corrections={
            "transcript": "This is Maria Lopez, call me at 617 238 4410.",
            "caller_name": "Maria Lopez",
            "callback_number": "617-238-4410",
        },
        note="She spelled it: Maria Lopez, 617 238 4410.",
    )

    assert answer.status_code == 201, answer.text
    review = answer.json()
    after = {c["field"]: c["after"] for c in review["corrections"]}
    assert set(after) == {"transcript", "caller_name", "callback_number"}
    assert re.fullmatch(r"\[PHONE_NUMBER:[0-9a-f]{8}\]", after["callback_number"])
    assert re.fullmatch(r"\[PERSON_NAME:[0-9a-f]{8}\]", after["caller_name"])
    # A different number and name than the machine heard: different tokens.
    assert after["callback_number"] != job.results.triage.callback_number  # type: ignore[union-attr]
    assert after["transcript"] == (
        f"This is {after['caller_name']}, call me at {after['callback_number']}."
    )
    assert "617" not in review["note"]
    assert "Lopez" not in review["note"]
    stored = _everything_stored(keyed_http)
    assert "Maria" not in stored
    assert "Lopez" not in stored
    assert not [n for n in NUMBERS if re.search(r"[\s().-]{0,2}".join(n), stored)]
    [event] = WebhookStore(_services(keyed_http).jobs.redis).deliveries_of_job(job.id)
    assert event.data["corrections"] == review["corrections"]
    search = keyed_http.get("/v1/inbox", params={"text": "lopez"}, headers=ACME).json()
    assert search["total"] == 0


def test_retyping_the_number_the_machine_heard_is_no_correction_of_a_redacted_job(
    keyed_http: TestClient,
) -> None:
    job = _redacted_job(keyed_http, Substitution.HASH)

    review = _review(
        keyed_http, job, corrections={"callback_number": "(415) 867-2291", "urgency": "high"}
    ).json()

    assert [c["field"] for c in review["corrections"]] == ["urgency"]


def test_with_label_tokens_a_typed_number_or_name_becomes_the_label(http: TestClient) -> None:
    job = _redacted_job(http, Substitution.LABEL)

    review = _review(
        http,
        job,
        corrections={"caller_name": "Maria Lopez", "intent": "repair"},
        note="call her on 617 238 4410",
    ).json()

    # "[PERSON_NAME]" is what the job says already: only the intent changed.
    assert [c["field"] for c in review["corrections"]] == ["intent"]
    assert review["note"] == "call her on [PHONE_NUMBER]"
    assert "Lopez" not in _everything_stored(http)


def test_a_job_without_a_policy_keeps_the_values_as_typed(http: TestClient) -> None:
    job = _job(http)

    review = _review(http, job, corrections={"caller_name": "Maria Lopez"}, note="617 238 4410")

    assert review.json()["corrections"][0]["after"] == "Maria Lopez"
    assert review.json()["note"] == "617 238 4410"
