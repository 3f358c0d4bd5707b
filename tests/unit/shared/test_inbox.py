"""The review inbox's query over the rows the job store writes with every record change:
filters, totals, cursors, tenants, and rows that follow the records (deleted, purged,
updated, made by a batch, or stored before the inbox existed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis

from shared.batch_keys import batch_key
from shared.inbox import BadCursor, InboxFilter, InboxPage, query_inbox
from shared.inbox_rows import machine_keys, overlay_key
from shared.job_transitions import cancel
from shared.jobstore import JobStore
from shared.models import Job, JobStatus
from shared.retention import purge
from shared.reviews import Correction, Review, ReviewStore
from shared.storage import LocalStorage
from tests.factories import voicemail_job

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(client: redis.Redis) -> JobStore:
    return JobStore(client)


def _stored(store: JobStore, minute: int, **fields: Any) -> Job:
    job = voicemail_job(created_at=START + timedelta(minutes=minute), **fields)
    store.create(job)
    return job


def _ids(page: InboxPage) -> list[str]:
    return [row.job_id for row in page.rows]


def test_rows_come_newest_first_with_the_total_of_the_tenants_jobs_only(
    store: JobStore, client: redis.Redis
) -> None:
    jobs = [_stored(store, minute) for minute in range(3)]
    _stored(store, 5, tenant="globex")

    page = query_inbox(client, "acme", InboxFilter())

    assert _ids(page) == [job.id for job in reversed(jobs)]
    assert page.total == 3
    assert page.next_cursor is None
    assert page.prev_cursor is None
    assert query_inbox(client, "nobody", InboxFilter()).total == 0


def test_a_row_shows_the_triage_the_job_recorded(store: JobStore, client: redis.Redis) -> None:
    job = _stored(
        store,
        0,
        caller_name="Dana Whitaker",
        callback_number="+14158672291",
        intent="appointment",
        urgency="high",
        summary="Wants to move Thursday",
        needs_review=True,
    )

    row = query_inbox(client, "acme", InboxFilter()).rows[0]

    assert (row.job_id, row.created_at, row.status) == (job.id, job.created_at, "succeeded")
    assert (row.caller_name, row.callback_number) == ("Dana Whitaker", "+14158672291")
    assert (row.intent, row.urgency, row.summary) == (
        "appointment",
        "high",
        "Wants to move Thursday",
    )
    assert (row.needs_review, row.review_reasons) == (True, ["intent_undecided"])
    assert (row.reviewed, row.input_kind, row.duration_s, row.batch_id) == (
        False,
        "audio",
        1.0,
        None,
    )


def test_each_filter_keeps_only_the_jobs_that_match_it_and_all_of_them_together(
    store: JobStore, client: redis.Redis
) -> None:
    urgent = _stored(store, 0, urgency="high", intent="repair", needs_review=True)
    calm = _stored(store, 1, urgency="low", intent="billing", needs_review=False)
    running = _stored(store, 2, transcript=None, status=JobStatus.TRANSCRIBING, needs_review=None)

    def ids(**flt: Any) -> list[str]:
        return _ids(query_inbox(client, "acme", InboxFilter(**flt)))

    assert ids(urgency="high") == [urgent.id]
    assert ids(intent="billing") == [calm.id]
    assert ids(needs_review=True) == [urgent.id]
    assert ids(needs_review=False) == [calm.id], "not yet judged is neither"
    assert ids(status="transcribing") == [running.id]
    assert ids(reviewed=False) == [running.id, calm.id, urgent.id]
    assert ids(reviewed=True) == []
    assert ids(urgency="high", intent="repair", needs_review=True) == [urgent.id]
    assert ids(urgency="high", intent="billing") == []


def test_text_search_ignores_case_and_looks_in_transcript_caller_number_and_summary(
    store: JobStore, client: redis.Redis
) -> None:
    heater = _stored(store, 0, transcript="The Water Heater is LEAKING", summary="plumbing")
    named = _stored(store, 1, caller_name="Priya Raman", callback_number="+14158672291")
    _stored(store, 2, transcript="Nothing to see")

    def ids(text: str) -> list[str]:
        return _ids(query_inbox(client, "acme", InboxFilter(text=text)))

    assert ids("water heater is leaking") == [heater.id]
    assert ids("PLUMB") == [heater.id]
    assert ids("raman") == [named.id]
    assert ids("415 867-2291") == [named.id], "a number typed as people type it"
    assert ids("(415) 867") == [named.id]
    assert ids("absent words") == []


def test_cursors_page_forward_and_back_through_a_filtered_inbox(
    store: JobStore, client: redis.Redis
) -> None:
    high = [_stored(store, m, urgency="high").id for m in range(7)]
    for m in range(7, 12):
        _stored(store, m, urgency="low")
    flt = InboxFilter(urgency="high")
    newest_first = list(reversed(high))

    first = query_inbox(client, "acme", flt, limit=3)
    second = query_inbox(client, "acme", flt, limit=3, cursor=first.next_cursor)
    third = query_inbox(client, "acme", flt, limit=3, cursor=second.next_cursor)
    back = query_inbox(client, "acme", flt, limit=3, cursor=third.prev_cursor)

    assert [_ids(p) for p in (first, second, third)] == [
        newest_first[:3],
        newest_first[3:6],
        newest_first[6:],
    ]
    assert {p.total for p in (first, second, third)} == {7}
    assert first.prev_cursor is None
    assert third.next_cursor is None
    assert _ids(back) == _ids(second)
    assert _ids(query_inbox(client, "acme", flt, limit=3, cursor=second.prev_cursor)) == _ids(first)
    # Where each page starts among the matches, as the inbox page shows "4 to 6 of 7".
    assert [p.offset for p in (first, second, third, back)] == [0, 3, 6, 3]


def test_an_unfiltered_page_stays_put_when_new_jobs_arrive_on_top(
    store: JobStore, client: redis.Redis
) -> None:
    older = [_stored(store, m).id for m in range(5)]
    first = query_inbox(client, "acme", InboxFilter(), limit=2)
    _stored(store, 30)
    _stored(store, 31)

    second = query_inbox(client, "acme", InboxFilter(), limit=2, cursor=first.next_cursor)
    back = query_inbox(client, "acme", InboxFilter(), limit=2, cursor=second.prev_cursor)

    assert _ids(second) == [older[2], older[1]]
    assert second.total == 7
    assert _ids(back) == [older[4], older[3]]
    assert back.prev_cursor is not None, "the new jobs are now before it"
    assert (second.offset, back.offset) == (4, 2), "counted from the newest job now"


def test_a_page_past_the_last_job_is_empty_and_leads_back(
    store: JobStore, client: redis.Redis
) -> None:
    only = _stored(store, 0, urgency="high")
    flt = InboxFilter(urgency="high")
    past = query_inbox(
        client, "acme", flt, cursor=f"after:{only.created_at.timestamp()!r}:{only.id}"
    )

    assert past.rows == []
    assert past.total == 1
    assert past.next_cursor is None
    assert _ids(query_inbox(client, "acme", flt, cursor=past.prev_cursor)) == [only.id]


def test_a_cursor_no_page_made_is_refused(client: redis.Redis) -> None:
    with pytest.raises(BadCursor, match="next_cursor"):
        query_inbox(client, "acme", InboxFilter(), cursor="page 2")


def test_a_change_written_by_the_store_shows_in_the_row(
    store: JobStore, client: redis.Redis
) -> None:
    job = _stored(store, 0, transcript=None, status=JobStatus.QUEUED, needs_review=None)

    store.update(job.id, cancel)

    assert query_inbox(client, "acme", InboxFilter(status="canceled")).rows[0].job_id == job.id
    assert query_inbox(client, "acme", InboxFilter(status="queued")).total == 0


def test_a_batch_job_gets_its_row_as_it_is_made(store: JobStore, client: redis.Redis) -> None:
    job = voicemail_job(batch_id="bat_1", batch_index=0, transcript=None, status=JobStatus.QUEUED)

    assert store.create_batch_job(job)

    page = query_inbox(client, "acme", InboxFilter(batch_id="bat_1"))
    assert _ids(page) == [job.id]
    assert page.rows[0].batch_id == "bat_1"
    client.delete(batch_key("bat_1"))


def test_a_deleted_job_leaves_the_inbox_with_its_reviews(
    store: JobStore, client: redis.Redis
) -> None:
    kept = _stored(store, 0)
    gone = _stored(store, 1, transcript="Delete me please")
    reviews = ReviewStore(client)
    fix = Correction(field="caller_name", before=None, after="Ana")
    reviews.add(
        Review(
            job_id=gone.id, tenant="acme", reviewer="Ana", at=START, corrections=[fix], done=True
        ),
        [],
    )

    store.delete(gone)

    assert _ids(query_inbox(client, "acme", InboxFilter())) == [kept.id]
    assert query_inbox(client, "acme", InboxFilter(text="delete me")).total == 0
    assert query_inbox(client, "acme", InboxFilter(reviewed=True)).total == 0
    hashes = [*machine_keys("acme"), overlay_key("acme")]
    assert not any(client.hexists(hash_key, gone.id) for hash_key in hashes)
    assert reviews.for_job("acme", gone.id) == []


def test_a_purged_job_keeps_its_row_but_what_the_recording_said_is_no_longer_searchable(
    store: JobStore, client: redis.Redis, tmp_path: Path
) -> None:
    job = _stored(store, 0, transcript="Call me about the boiler", needs_review=True)

    purge(store, LocalStorage(tmp_path), job.id)

    page = query_inbox(client, "acme", InboxFilter())
    assert _ids(page) == [job.id]
    assert page.rows[0].needs_review is True, "the verdict stays with the record"
    assert page.rows[0].intent is None
    assert query_inbox(client, "acme", InboxFilter(text="boiler")).total == 0


def test_a_job_stored_before_the_inbox_existed_gets_its_row_when_first_listed(
    store: JobStore, client: redis.Redis
) -> None:
    old = _stored(store, 0, urgency="high")
    older = _stored(store, 1, urgency="high")
    for hash_key in machine_keys("acme"):
        client.hdel(hash_key, old.id, older.id)

    assert query_inbox(client, "acme", InboxFilter(urgency="high")).total == 2
    for hash_key in machine_keys("acme"):
        client.hdel(hash_key, old.id)
    assert _ids(query_inbox(client, "acme", InboxFilter())) == [older.id, old.id]
