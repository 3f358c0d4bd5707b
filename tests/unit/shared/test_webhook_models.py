"""An event's body writes its times as the API writes a job's: RFC 3339 in UTC ending in
"Z", one form on the wire for a receiver that reads both."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from shared.models import utcnow
from shared.webhook_models import WebhookDelivery, wire_time
from tests.factories import voicemail_job


def test_an_events_timestamp_is_written_as_the_api_writes_the_jobs_created_at() -> None:
    job = voicemail_job()
    event = WebhookDelivery(
        id="msg_1", tenant="acme", url="https://hooks.example/vp", type="job.succeeded",
        created_at=job.created_at, data={"job_id": job.id},
    )  # fmt: skip

    timestamp = json.loads(event.body("http://api"))["timestamp"]

    api = json.loads(job.model_dump_json())["created_at"]
    assert timestamp.endswith("Z")
    assert api.endswith("Z")
    assert datetime.fromisoformat(timestamp) == datetime.fromisoformat(api)


def test_a_time_in_another_zone_is_written_in_utc() -> None:
    at = datetime(2026, 12, 1, 12, 0, 0, 250000, tzinfo=timezone(timedelta(hours=2)))

    assert wire_time(at) == "2026-12-01T10:00:00.250000Z"
    assert wire_time(at.astimezone(UTC)) == wire_time(at)
    assert wire_time(utcnow()).endswith("Z")


def test_a_time_on_the_second_keeps_its_fraction_so_timestamps_sort_as_text() -> None:
    on_the_second = datetime(2026, 12, 1, 10, 0, 0, tzinfo=UTC)
    after = on_the_second + timedelta(microseconds=1)

    assert wire_time(on_the_second) == "2026-12-01T10:00:00.000000Z"
    assert wire_time(on_the_second) < wire_time(after)
