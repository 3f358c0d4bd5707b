"""The voicemail page dates the days a caller mentioned from the day it was received where the
business is (web.time_zone), and marks a transcript in another language with its ``lang``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from shared.retention import purge
from shared.settings import Settings
from tests.conftest import ValkeyProcess
from tests.unit.api.web.conftest import Site, keyed_settings, site_for, voicemail

# Thursday 10 December 2026, 22:30 in New York: already Friday in UTC.
THURSDAY_EVENING_NY = datetime(2026, 12, 11, 3, 30, tzinfo=UTC)


@pytest.fixture
def new_york(tmp_path: Path, valkey: ValkeyProcess) -> Iterator[Site]:
    found = site_for(
        keyed_settings(
            tmp_path, valkey, web={"session_secret": "s" * 40, "time_zone": "America/New_York"}
        )
    )
    with found.client:
        yield found


def _dates(page: str) -> str:
    found = re.search(r'<dd id="triage-dates">(.*?)</dd>', page, re.S)
    assert found, "no dates on the page"
    return unescape(found.group(1)).strip()


def test_the_dates_mentioned_show_the_day_they_name_in_the_businesss_time_zone(
    new_york: Site,
) -> None:
    job = voicemail(dates=["tomorrow 10:00", "monday", "next week", "thursday"])
    job.created_at = THURSDAY_EVENING_NY
    new_york.add(job)
    new_york.sign_in()

    page = new_york.client.get(f"/inbox/jobs/{job.id}").text

    # Before: "tomorrow at 10:00, Monday, next week, Thursday", as said, with no date.
    assert _dates(page) == (
        "tomorrow at 10:00 (Fri 11 Dec), Monday (Mon 14 Dec), next week, Thursday (?)"
    )


def test_the_time_zone_is_utc_unless_set_and_an_unknown_one_stops_start_up() -> None:
    assert Settings().web.time_zone == "UTC"
    with pytest.raises(ValueError, match="no IANA time zone"):
        Settings(web={"time_zone": "Europe/Lodnon"})


def test_a_transcript_and_reply_in_another_language_carry_their_lang(site: Site) -> None:
    job = voicemail()
    job.options.language = "fr"
    job.results.transcript = "Bonjour, c'est Marie, rappelez-moi s'il vous plaît."
    job.results.reply = "Merci, nous vous rappellerons."
    job.results.reply_language = "fr"
    site.add(job)
    english = site.add(voicemail())
    site.sign_in()

    page = site.client.get(f"/inbox/jobs/{job.id}").text
    plain = site.client.get(f"/inbox/jobs/{english.id}").text

    assert re.search(r'<p class="transcript[^>]*id="transcript"[^>]*lang="fr"', page)
    assert re.search(r'<blockquote class="reply"[^>]*lang="fr"', page)
    assert re.search(r'<textarea id="r-transcript"[^>]*lang="fr"', page)
    # Not known: no lang at all, rather than a guess.
    assert not re.search(r'id="transcript"[^>]*lang=', plain)


def test_the_received_time_is_shown_in_the_businesss_time_zone_with_its_abbreviation(
    new_york: Site,
) -> None:
    job = voicemail(dates=["tomorrow 10:00"])
    job.created_at = THURSDAY_EVENING_NY
    new_york.add(job)
    new_york.sign_in()

    listed = unescape(new_york.client.get("/inbox").text)
    page = unescape(new_york.client.get(f"/inbox/jobs/{job.id}").text)

    # Before: "2026-12-11 03:30 UTC", a day after the one the dates are counted from.
    for shown in (listed, page):
        assert "2026-12-10 22:30 EST" in shown
        assert "03:30 UTC" not in shown


def test_the_date_retention_deleted_a_voicemails_objects_is_in_the_businesss_time_zone(
    new_york: Site,
) -> None:
    job = new_york.add(voicemail())
    purged = purge(new_york.jobs, new_york.storage, job.id)
    assert purged.objects_deleted_at is not None
    new_york.sign_in()

    page = new_york.client.get(f"/inbox/jobs/{job.id}").text

    there = purged.objects_deleted_at.astimezone(ZoneInfo("America/New_York"))
    text = " ".join(re.sub(r"<[^>]+>", "", page).split())
    # Before: the macro that writes it is imported without the page's context, so it had no
    # zone and said UTC beside a received time in EST.
    assert f"deleted by retention on {there:%Y-%m-%d %H:%M %Z}" in text
    assert " UTC" not in text
