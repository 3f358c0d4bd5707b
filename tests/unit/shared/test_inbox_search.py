"""The inbox's text search as a person types it: Unicode written either way, accents and
quotes, on rows the job store and the review store write."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis

from shared.inbox import InboxFilter, query_inbox
from shared.inbox_rows import text_key
from shared.jobstore import JobStore
from shared.models import Job
from shared.reviews import Correction, Review, ReviewStore
from tests.factories import voicemail_job

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(client: redis.Redis) -> JobStore:
    return JobStore(client)


def _stored(store: JobStore, minute: int, **fields: Any) -> Job:
    job = voicemail_job(created_at=START + timedelta(minutes=minute), **fields)
    store.create(job)
    return job


def _found(client: redis.Redis, text: str) -> list[str]:
    return [row.job_id for row in query_inbox(client, "acme", InboxFilter(text=text)).rows]


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def test_a_transcript_written_decomposed_is_found_by_a_query_typed_composed(
    store: JobStore, client: redis.Redis
) -> None:
    job = _stored(store, 0, transcript=_nfd("Hola, soy José, llámame mañana"))

    assert _found(client, _nfc("José")) == [job.id]
    assert _found(client, _nfc("llámame mañana")) == [job.id]


def test_a_transcript_written_composed_is_found_by_a_query_typed_decomposed(
    store: JobStore, client: redis.Redis
) -> None:
    job = _stored(store, 0, transcript=_nfc("Hier ist Müller aus Zürich"))

    assert _found(client, _nfd("Müller")) == [job.id]
    assert _found(client, _nfd("ZÜRICH")) == [job.id]


def test_a_query_without_its_accents_finds_the_accented_words_and_the_other_way_round(
    store: JobStore, client: redis.Redis
) -> None:
    jose = _stored(store, 0, caller_name="José Álvarez", transcript="soy José")
    cafe = _stored(store, 1, transcript="the cafe on Main Street")

    assert _found(client, "jose alvarez") == [jose.id]
    assert _found(client, "café") == [cafe.id]
    assert _found(client, "Ｊｏｓé") == [jose.id], "full-width letters, as some keyboards type"


def test_a_corrected_caller_is_found_without_its_accents(
    store: JobStore, client: redis.Redis
) -> None:
    job = _stored(store, 0, caller_name="Jose")
    fix = Correction(field="caller_name", before="Jose", after=_nfd("Renée Ångström"))
    review = Review(
        job_id=job.id, tenant="acme", reviewer="Dana", at=START, corrections=[fix], done=True
    )
    ReviewStore(client).add(review, [])

    assert _found(client, "renee angstrom") == [job.id]
    assert _found(client, _nfc("Ångström")) == [job.id]


def test_rows_written_before_search_folded_accents_are_still_found_as_they_were(
    store: JobStore, client: redis.Redis
) -> None:
    job = _stored(store, 0, transcript="soy José")
    # A row as the store wrote it before: case-folded only, accents kept.
    client.hset(text_key("acme"), job.id, _nfc("soy josé"))

    assert _found(client, _nfc("José")) == [job.id]


def test_a_query_in_quotes_is_searched_for_as_the_phrase_inside_them(
    store: JobStore, client: redis.Redis
) -> None:
    sam = _stored(store, 0, transcript="Hi, this is Sam, please call me back")
    _stored(store, 1, transcript="call me later, back in town tomorrow")
    named = _stored(store, 2, caller_name="Priya Raman", callback_number="+14158672291")

    assert _found(client, '"sam"') == [sam.id]
    assert _found(client, '"call me back"') == [sam.id]
    assert _found(client, "“call me back”") == [sam.id], "the quotes phones and Macs type"
    assert _found(client, "  'Sam'  ") == [sam.id]
    assert _found(client, '"415 867-2291"') == [named.id]


def test_quotes_inside_a_query_or_in_the_text_are_searched_as_written(
    store: JobStore, client: redis.Redis
) -> None:
    quoted = _stored(store, 0, transcript='The sign said "closed" all day')
    _stored(store, 1, transcript="it is closed today")

    assert _found(client, 'said "closed"') == [quoted.id]
    assert _found(client, '"closed" all day') == [quoted.id]
    assert _found(client, '"') == [quoted.id]


def test_words_apart_by_more_than_one_space_are_found_by_a_query_that_spaces_them_once(
    store: JobStore, client: redis.Redis
) -> None:
    # Typed with two spaces after a full stop, or a line break and an indent: the page
    # shows (and copies) one space, the phrase a person searches for.
    typed = _stored(store, 0, transcript="Hello.  This is Tom,\n  billed twice\u00a0for March.")
    corrected = _stored(store, 1, transcript="Hi")
    fix = Correction(field="transcript", before="Hi", after="Call me\t back  tomorrow")
    review = Review(
        job_id=corrected.id, tenant="acme", reviewer="Dana", at=START, corrections=[fix], done=True
    )
    ReviewStore(client).add(review, [])

    assert _found(client, "hello. this is tom, billed twice for march") == [typed.id]
    assert _found(client, "call me back tomorrow") == [corrected.id]
    assert _found(client, "billed   twice") == [typed.id], "spaces typed twice in the query"


def test_a_number_typed_as_its_country_writes_it_at_home_finds_its_voicemail(
    store: JobStore, client: redis.Redis
) -> None:
    # The rows hold E.164, +442079460958: a person in London types the trunk 0 first.
    london = _stored(store, 0, callback_number="+442079460958")
    paris = _stored(store, 1, callback_number="+33612345678")
    fixed = _stored(store, 2, callback_number=None)
    fix = Correction(field="callback_number", before=None, after="+61291234567")
    review = Review(
        job_id=fixed.id, tenant="acme", reviewer="Dana", at=START, corrections=[fix], done=True
    )
    ReviewStore(client).add(review, [])

    assert _found(client, "020 7946 0958") == [london.id]
    assert _found(client, "06 12 34 56 78") == [paris.id]
    assert _found(client, "(02) 9123 4567") == [fixed.id]
    assert _found(client, "+44 20 7946 0958") == [london.id], "as it was found before"
