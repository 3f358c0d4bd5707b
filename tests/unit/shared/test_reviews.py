"""The review store: reviews kept per job and tenant, each field's latest correction, a
review refused when another came in since its author read them, and retention's scrub."""

from __future__ import annotations

from datetime import timedelta

import redis

from shared.jobstore import JobStore
from shared.models import utcnow
from shared.redis_keys import connect
from shared.reviews import Correction, Review, ReviewStore, intents, merged, revision
from shared.webhook_models import DUE, WebhookDelivery, job_deliveries_key
from tests.conftest import ValkeyProcess
from tests.factories import voicemail_job
from workers.triage.classify import INTENTS


def _review(
    job_id: str, *corrections: tuple[str, str | None, str | None], **fields: object
) -> Review:
    return Review.model_validate(
        {
            "job_id": job_id,
            "tenant": "acme",
            "reviewer": "Ana",
            "at": utcnow(),
            "corrections": [Correction(field=f, before=b, after=a) for f, b, a in corrections],
            "done": True,
            **fields,
        }
    )


def _stored_job(client: redis.Redis) -> str:
    job = voicemail_job()
    JobStore(client).create(job)
    return job.id


def test_a_person_chooses_from_the_intents_the_triage_chooses_from() -> None:
    assert intents() == list(INTENTS)
    assert "general" in intents()


NOW = {
    "transcript": "Hi, it's Dana",
    "callback_number": "+16172384410",
    "caller_name": "Dana Smith",
    "intent": "repair",
    "urgency": "normal",
}
SEEN = {**NOW, "callback_number": "+16172384411", "caller_name": "Dana"}


def test_fields_sent_as_their_author_saw_them_undo_no_one_elses_corrections() -> None:
    # A stale form sends every field as it was shown; only the urgency was changed in it.
    sent = {**SEEN, "urgency": "high"}

    corrections, conflicts = merged(sent, NOW, SEEN)

    assert [(c.field, c.before, c.after) for c in corrections] == [("urgency", "normal", "high")]
    assert conflicts == {}


def test_a_field_changed_by_its_author_and_by_someone_else_meanwhile_is_a_conflict() -> None:
    corrections, conflicts = merged(
        {"callback_number": "+16172384499", "urgency": "high"}, NOW, SEEN
    )

    assert conflicts == {"callback_number": "+16172384410"}
    assert [c.field for c in corrections] == ["urgency"]


def test_two_people_making_the_same_correction_is_no_conflict_and_no_correction() -> None:
    assert merged({"caller_name": "Dana Smith"}, NOW, SEEN) == ([], {})


def test_a_field_without_an_expected_value_is_compared_with_what_the_job_says_now() -> None:
    corrections, conflicts = merged({"caller_name": "Dan", "urgency": "normal"}, NOW, {})

    assert [(c.field, c.before, c.after) for c in corrections] == [
        ("caller_name", "Dana Smith", "Dan")
    ]
    assert conflicts == {}


def test_line_breaks_and_blanks_a_form_adds_are_no_change_of_an_expected_value() -> None:
    now = {**NOW, "transcript": " Hi,\nit's Dana"}

    corrections, conflicts = merged(
        {"transcript": "Hi, it's Dana Smith"}, now, {"transcript": "Hi,\r\nit's Dana "}
    )

    assert conflicts == {}
    assert [c.after for c in corrections] == ["Hi, it's Dana Smith"]


def test_the_revision_changes_with_each_review_added() -> None:
    first = _review("job_1")
    second = _review("job_1")

    assert revision([]) == '"0-none"'
    assert len({revision([]), revision([first]), revision([first, second])}) == 3


def test_each_fields_latest_correction_is_what_the_job_says_now(valkey: ValkeyProcess) -> None:
    client = connect(valkey.url)
    store = ReviewStore(client)
    job_id = _stored_job(client)
    first = _review(job_id, ("intent", "general", "repair"), ("caller_name", None, "Dana"))
    second = _review(job_id, ("intent", "repair", "billing"), at=utcnow() + timedelta(seconds=1))

    assert store.add(first, []) == "added"
    assert store.add(second, [first]) == "added"

    assert store.corrected("acme", job_id) == {"intent": "billing", "caller_name": "Dana"}
    assert [r.id for r in store.for_job("acme", job_id)] == [first.id, second.id]
    assert store.for_job("globex", job_id) == []
    assert store.for_jobs("acme", [job_id, "job_other"]) == {
        job_id: store.for_job("acme", job_id),
        "job_other": [],
    }
    assert store.done_among("acme", [job_id, "job_other"]) == [job_id]


def test_a_review_written_after_another_its_author_did_not_see_is_sent_back(
    valkey: ValkeyProcess,
) -> None:
    client = connect(valkey.url)
    store = ReviewStore(client)
    job_id = _stored_job(client)
    seen: list[Review] = []
    store.add(_review(job_id, ("urgency", "normal", "high")), seen)

    assert store.add(_review(job_id, ("urgency", "normal", "low")), seen) == "stale"
    assert store.corrected("acme", job_id) == {"urgency": "high"}


def test_a_review_sent_again_after_a_lost_reply_is_kept_and_announced_once(
    valkey: ValkeyProcess,
) -> None:
    # The client's retry sends the same script call again: the review last on the list byte
    # for byte is that call's own, so the retry answers "added" rather than "stale".
    client = connect(valkey.url)
    store = ReviewStore(client)
    job_id = _stored_job(client)
    review = _review(job_id, ("urgency", "normal", "high"))
    event = WebhookDelivery(id="wh_1", tenant="acme", url="https://example.com/hook", type="x")

    assert store.add(review, [], event) == "added"
    assert store.add(review, [], event) == "added"

    assert [r.id for r in store.for_job("acme", job_id)] == [review.id]
    assert client.llen(job_deliveries_key(job_id)) == 1
    assert client.zcard(DUE) == 1
    # Another author who read no reviews is still sent back.
    assert store.add(_review(job_id, ("urgency", "normal", "low")), []) == "stale"


def test_a_review_of_a_job_that_is_gone_is_not_kept(valkey: ValkeyProcess) -> None:
    store = ReviewStore(connect(valkey.url))

    assert store.add(_review("job_gone"), []) == "job_gone"
    assert store.for_job("acme", "job_gone") == []


def test_retention_scrub_drops_what_the_recording_said_and_keeps_the_rest(
    valkey: ValkeyProcess,
) -> None:
    client = connect(valkey.url)
    store = ReviewStore(client)
    job_id = _stored_job(client)
    store.add(
        _review(
            job_id,
            ("transcript", "hi", "Hi, it's Dana"),
            ("urgency", "normal", "high"),
            note="Dana called again, 0161 496 0000",
        ),
        [],
    )

    store.forget_content("acme", job_id)

    [kept] = store.for_job("acme", job_id)
    assert [(c.field, c.before, c.after) for c in kept.corrections] == [
        ("transcript", None, None),
        ("urgency", "normal", "high"),
    ]
    assert kept.reviewer == "Ana"
    assert kept.note is None  # before: the note kept what the caller said past retention


def test_retention_scrub_drops_a_note_on_a_review_that_corrected_nothing_personal(
    valkey: ValkeyProcess,
) -> None:
    client = connect(valkey.url)
    store = ReviewStore(client)
    job_id = _stored_job(client)
    store.add(_review(job_id, ("urgency", "normal", "high"), note="Rupert, flat 4"), [])

    store.forget_content("acme", job_id)

    assert [r.note for r in store.for_job("acme", job_id)] == [None]
