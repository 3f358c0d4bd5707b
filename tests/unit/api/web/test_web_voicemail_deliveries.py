"""The voicemail page's webhook deliveries tell why an event stopped, or when it is tried
next, as the API's record does: a developer whose receiver missed it looks here first."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.models import JobOptions
from shared.webhook_models import (
    DeliveryAttempt,
    WebhookDelivery,
    delivery_key,
    job_deliveries_key,
)
from tests.unit.api.web.conftest import Site, voicemail

AT = datetime(2026, 12, 8, 4, 3, 6, tzinfo=UTC)


def _with_deliveries(site: Site, *deliveries: WebhookDelivery) -> str:
    job = voicemail()
    job.options = JobOptions(callback_url="https://hooks.example/vp")
    site.add(job)
    for delivery in deliveries:
        delivery.data = {"job_id": job.id}
        site.jobs.redis.set(delivery_key(delivery.id), delivery.model_dump_json())
        site.jobs.redis.rpush(job_deliveries_key(job.id), delivery.id)
    site.sign_in()
    return site.client.get(f"/inbox/jobs/{job.id}").text


def test_an_event_stopped_by_its_answer_shows_why_beside_the_status(site: Site) -> None:
    # Before, the page showed "302 in 45 ms": the record's reason (redirects are not
    # followed, and where it pointed) was left out whenever there was a status.
    why = "HTTP 302: redirects are not followed, so the event is not sent again"
    stopped = WebhookDelivery(
        id="msg_a",
        tenant="acme",
        url="https://hooks.example/vp",
        type="job.succeeded",
        state="failed",
        attempts=[DeliveryAttempt(at=AT, status_code=302, latency_ms=45.2, error=why)],
    )

    page = _with_deliveries(site, stopped)

    assert why in page
    assert "in 45 ms" in page


def test_an_event_waiting_for_its_retry_shows_when_it_is_tried_next(site: Site) -> None:
    waiting = WebhookDelivery(
        id="msg_b",
        tenant="acme",
        url="https://hooks.example/vp",
        type="job.succeeded",
        state="pending",
        attempts=[DeliveryAttempt(at=AT, status_code=503, latency_ms=12.0, error="HTTP 503")],
        next_attempt_at=datetime(2026, 12, 8, 4, 8, 6, tzinfo=UTC),
    )

    page = _with_deliveries(site, waiting)

    assert "HTTP 503" in page
    assert "next attempt" in page
    assert 'datetime="2026-12-08T04:08:06+00:00"' in page


def test_a_voicemail_with_a_callback_url_and_no_event_yet_says_none_yet(site: Site) -> None:
    # Before, it said "the voicemail has no callback URL", which it has.
    page = _with_deliveries(site)

    assert "No webhook events yet." in page
    assert "no callback URL" not in page


def test_a_voicemail_without_a_callback_url_says_it_has_none(site: Site) -> None:
    site.add(job := voicemail())
    site.sign_in()

    page = site.client.get(f"/inbox/jobs/{job.id}").text

    assert "No webhook events (the voicemail has no callback URL)." in page
