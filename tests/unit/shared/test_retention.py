"""Retention's purge: what the recording said goes from the webhook events kept for the API
as it goes from the reviews, whether an event was delivered or is still waiting."""

from __future__ import annotations

from pathlib import Path

import redis

from shared.jobstore import JobStore
from shared.models import JobOptions, utcnow
from shared.retention import purge
from shared.reviews import Correction, Review, ReviewStore
from shared.storage import LocalStorage
from shared.webhook_models import WebhookDelivery, delivery_key, new_delivery_id
from shared.webhook_store import WebhookStore
from tests.factories import voicemail_job

HOOK = "https://hooks.example.com/voicepipe"


def _reviewed(client: redis.Redis) -> tuple[JobStore, str, WebhookDelivery]:
    """A job with a callback URL, reviewed: its name, number and transcript corrected."""
    jobs = JobStore(client)
    job = voicemail_job(
        caller_name="Zeb", callback_number="+13125550199", options=JobOptions(callback_url=HOOK)
    )
    jobs.create(job)
    corrections = [
        Correction(field="caller_name", before="Zeb", after="Zebediah Quux"),
        Correction(field="callback_number", before="+13125550199", after="+13125550142"),
        Correction(field="transcript", before="Hi, this is Zeb", after="Hi, this is Zebediah"),
        Correction(field="intent", before="general", after="repair"),
    ]
    review = Review(
        job_id=job.id, tenant="acme", reviewer="Ana", at=utcnow(), corrections=corrections,
        done=True,
    )  # fmt: skip
    event = WebhookDelivery(
        id=new_delivery_id(),
        tenant="acme",
        url=HOOK,
        type="job.reviewed",
        data={"job_id": job.id, "corrections": [c.model_dump() for c in corrections]},
    )
    assert ReviewStore(client).add(review, [], event) == "added"
    return jobs, job.id, event


def _kept(client: redis.Redis, job_id: str) -> str:
    return " ".join(d.model_dump_json() for d in WebhookStore(client).deliveries_of_job(job_id))


def test_a_delivered_reviewed_event_keeps_no_name_number_or_transcript_after_retention(
    client: redis.Redis, tmp_path: Path
) -> None:
    jobs, job_id, event = _reviewed(client)
    hooks = WebhookStore(client, keep_s=3600)
    event.state = "delivered"
    hooks.finish(event)

    purge(jobs, LocalStorage(tmp_path), job_id)

    [kept] = hooks.deliveries_of_job(job_id)
    assert kept.state == "delivered"
    assert kept.data["corrections"] == [
        {"field": "caller_name", "before": None, "after": None},
        {"field": "callback_number", "before": None, "after": None},
        {"field": "transcript", "before": None, "after": None},
        {"field": "intent", "before": "general", "after": "repair"},
    ]
    # Whole numbers: "0142" alone can turn up by chance in a timestamp's microseconds.
    assert not any(word in _kept(client, job_id) for word in ("Zeb", "5550199", "5550142"))
    assert 0 < client.ttl(delivery_key(event.id)) <= 3600, "the record still expires"


def test_an_attempt_in_flight_at_retention_does_not_write_the_content_back(
    client: redis.Redis, tmp_path: Path
) -> None:
    jobs, job_id, _ = _reviewed(client)
    hooks = WebhookStore(client)
    [in_flight] = hooks.deliveries_of_job(job_id)  # loaded by a worker before the purge

    purge(jobs, LocalStorage(tmp_path), job_id)
    hooks.reschedule(in_flight, 1e10)

    [kept] = hooks.deliveries_of_job(job_id)
    assert kept.next_attempt_at is not None, "the attempt's own outcome is stored"
    assert not any(word in _kept(client, job_id) for word in ("Zeb", "5550199", "5550142"))
    assert not any(
        word in kept.body("http://api").decode() for word in ("Zeb", "5550199", "5550142")
    )
