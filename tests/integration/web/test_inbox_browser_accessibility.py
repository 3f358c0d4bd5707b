"""What a screen reader and a reviewer who cannot tell colours apart are given, read from
Chromium's own accessibility tree and computed styles (Debian's headless Chromium against a
running stack): distinct names for every landmark, region, figure and chart, the spoken word
marked by more than colour, a transcript's language, and the date beside each day mentioned."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.integration.web.conftest import Seeded, Tab, wait_for_job

pytestmark = pytest.mark.integration

NAMED = {"banner", "main", "navigation", "search", "region", "figure", "image", "form"}


def _named_nodes(page: Any) -> list[tuple[str, str]]:
    """(role, name) of each landmark, region, figure and image Chromium exposes."""
    cdp = page.context.new_cdp_session(page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    found = [
        (n["role"]["value"], n.get("name", {}).get("value", ""))
        for n in nodes
        if not n.get("ignored") and n.get("role", {}).get("value") in NAMED
    ]
    return [(role, name) for role, name in found if role != "form" or name]


@pytest.mark.parametrize("which", ["batch", "voicemail"])
def test_every_region_figure_and_chart_has_a_name_of_its_own(
    acme: Tab, seeded: Seeded, which: str
) -> None:
    page = acme.page
    page.goto(
        f"/inbox/batches/{seeded.batch_id}"
        if which == "batch"
        else f"/inbox/jobs/{seeded.audio_job}"
    )

    nodes = _named_nodes(page)
    names = [name.strip().lower() for role, name in nodes if role not in ("banner", "main")]
    figures = [name for role, name in nodes if role in ("figure", "image")]

    assert figures, nodes
    # Before: each figure had no name, and each chart's read its title twice ("Jobs by
    # status Jobs by status: succeeded 4."); the tables' scroll boxes took their section's
    # heading ("Stages", "Stage latency" twice), and the navigation was "Main" beside main.
    assert all(figures), f"a figure or chart without a name: {nodes}"
    repeated = [name for name, count in Counter(names).items() if count > 1]
    assert not repeated, f"names given twice: {repeated} in {nodes}"
    for name in figures:
        words = name.split(":")[0].split()
        assert name.lower().count(" ".join(words[:3]).lower()) == 1, f"{name!r} repeats itself"
    assert "main" not in names, "a navigation named 'Main' reads as the main landmark's twin"


def test_the_word_being_spoken_is_marked_by_more_than_its_colour(acme: Tab, seeded: Seeded) -> None:
    page = acme.page
    page.goto(f"/inbox/jobs/{seeded.audio_job}")
    page.locator("#transcript .w[data-start]").nth(2).click()
    page.wait_for_selector("#transcript .w.current")
    page.mouse.move(0, 0)  # no word hovered: hover underlines one too
    page.evaluate("document.getElementById('recording').pause()")

    style = "w => getComputedStyle(w).textDecorationLine"
    current = page.locator("#transcript .w.current").evaluate(style)
    others = page.locator("#transcript .w[data-start]:not(.current)").evaluate_all(
        f"ws => ws.map({style})"
    )

    # Before: a yellow background alone, which a reviewer who cannot see it is not told.
    assert current == "underline"
    assert set(others) == {"none"}


def _text_job(seeded: Seeded, text: str, **fields: str) -> dict[str, Any]:
    answer = seeded.acme.post(
        "/v1/jobs", files={"_": (None, "")}, data={"text": text, "stages": "stt,llm", **fields}
    )
    assert answer.status_code == 202, answer.text
    return wait_for_job(seeded.acme, answer.json()["id"])


def test_a_transcript_in_french_is_marked_as_french(acme: Tab, seeded: Seeded) -> None:
    job = _text_job(seeded, "Bonjour, c'est Marie. Rappelez-moi, s'il vous plaît.", language="fr")
    try:
        acme.page.goto(f"/inbox/jobs/{job['id']}")

        # Before: no lang, so a screen reader read the French words with English rules.
        assert acme.page.locator("#transcript").get_attribute("lang") == "fr"
        assert acme.page.evaluate("document.documentElement.lang") == "en"
    finally:
        assert seeded.acme.delete(f"/v1/jobs/{job['id']}").status_code == 204


def test_tomorrow_is_shown_with_the_date_it_names(acme: Tab, seeded: Seeded) -> None:
    job = _text_job(seeded, "Hi, this is Carl. Please call me back tomorrow at 10 am, thanks.")
    try:
        acme.page.goto(f"/inbox/jobs/{job['id']}")
        shown = acme.page.locator("#triage-dates").inner_text()
    finally:
        assert seeded.acme.delete(f"/v1/jobs/{job['id']}").status_code == 204

    received = datetime.fromisoformat(job["created_at"]).astimezone(UTC)  # WEB__TIME_ZONE
    if received.hour < 4:
        assert shown == "tomorrow at 10:00 (?)"  # said in the small hours: either day
    else:
        day = received.date() + timedelta(days=1)
        # Before: "tomorrow at 10:00", with no date to put in a diary.
        assert shown == f"tomorrow at 10:00 ({day:%a} {day.day} {day:%b})"
