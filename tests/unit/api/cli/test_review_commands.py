"""`voicepipe reviews redact`: reviews stored in clear before reviews were redacted get their
job's policy, once; other jobs' reviews are left as they are."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from shared.inbox_rows import overlay_key
from shared.jobstore import JobStore
from shared.models import JobOptions, utcnow
from shared.redaction_policy import JobRedaction, Substitution
from shared.reviews import Correction, Review, ReviewStore
from shared.settings import reset_settings_cache
from tests.conftest import ValkeyProcess
from tests.factories import voicemail_job

TOKEN = "[PHONE_NUMBER:0123abcd]"


@pytest.fixture
def jobs(
    tmp_path: Path, valkey: ValkeyProcess, monkeypatch: pytest.MonkeyPatch
) -> Iterator[JobStore]:
    monkeypatch.setenv("VOICEPIPE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("VOICEPIPE_BROKER__URL", valkey.url)
    monkeypatch.setenv("VOICEPIPE_REDACTION__HASH_KEY", "review-test-key")
    reset_settings_cache()
    yield JobStore.from_url(valkey.url)
    reset_settings_cache()


def _clear_review(store: ReviewStore, job_id: str, tenant: str) -> None:
    """A review as one was stored before reviews were redacted: what the reviewer typed."""
    review = Review(
        job_id=job_id,
        tenant=tenant,
        reviewer="Ann",
        at=utcnow(),
        corrections=[
            Correction(field="caller_name", before=None, after="Maria Lopez"),
            Correction(field="callback_number", before=TOKEN, after="+16172384410"),
            Correction(field="urgency", before="normal", after="high"),
        ],
        done=True,
        note="ring 617 238 4410",
    )
    assert store.add(review, []) == "added"


def test_a_redacted_jobs_clear_reviews_get_its_tokens_once_and_other_jobs_keep_theirs(
    jobs: JobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    redacted = voicemail_job(
        options=JobOptions(redact=JobRedaction(style=Substitution.HASH)), callback_number=TOKEN
    )
    plain = voicemail_job()
    store = ReviewStore(jobs.redis)
    for job in (redacted, plain):
        jobs.create(job)
        _clear_review(store, job.id, job.tenant)

    # A job deleted while the command runs (listed, then gone) is passed over.
    real_ids = jobs.all_ids
    monkeypatch.setattr(JobStore, "all_ids", lambda self: [*real_ids(), "job_deleted_meanwhile"])

    first = CliRunner().invoke(main, ["reviews", "redact"])
    second = CliRunner().invoke(main, ["reviews", "redact"])

    assert first.exit_code == 0, first.output
    assert "1 job(s) with a redaction policy; the reviews of 1 rewritten" in first.output
    assert "the reviews of 0 rewritten" in second.output
    [kept] = store.for_job(redacted.tenant, redacted.id)
    sides = [(c.field, c.before, c.after) for c in kept.corrections]
    assert sides[2] == ("urgency", "normal", "high")
    assert sides[1][1] == TOKEN
    assert re.fullmatch(r"\[PERSON_NAME:[0-9a-f]{8}\]", sides[0][2] or "")
    assert re.fullmatch(r"\[PHONE_NUMBER:[0-9a-f]{8}\]", sides[1][2] or "")
    assert kept.note is not None
    assert re.fullmatch(r"ring \[PHONE_NUMBER:[0-9a-f]{8}\]", kept.note)
    overlay = jobs.redis.hget(overlay_key(redacted.tenant), redacted.id) or b""
    assert b"Lopez" not in overlay
    assert b"6172384410" not in overlay
    [untouched] = store.for_job(plain.tenant, plain.id)
    assert untouched.corrections[0].after == "Maria Lopez"
    assert untouched.note == "ring 617 238 4410"


# The production default rides out a restart for ~19 s before the message; with no retries
# the same message comes at once, and the timeout fails a command that ignores the setting.
@pytest.mark.timeout(10)
def test_a_broker_that_does_not_answer_is_a_message_naming_the_setting_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOICEPIPE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("VOICEPIPE_BROKER__URL", "redis://127.0.0.1:1/0")
    monkeypatch.setenv("VOICEPIPE_BROKER__COMMAND_RETRIES", "0")
    reset_settings_cache()
    try:
        result = CliRunner().invoke(main, ["reviews", "redact"])
    finally:
        reset_settings_cache()

    assert result.exit_code == 1, result.output
    assert "cannot use the broker at VOICEPIPE_BROKER__URL" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
