"""The voicemail page once a person has reviewed it: the machine's output stays (it is the
record) but reads as the machine's, not as what the voicemail says now, and a note in the
corrections reads as a note, not as a value before or after."""

from __future__ import annotations

import re

from tests.unit.api.web.conftest import Site, as_shown, voicemail


def _reviewed(site: Site, **typed: str) -> str:
    job = voicemail(callback_number=None, summary="Wants a call back about March.")
    job.results.needs_review = True
    job.results.review_reasons = ["no_callback_number", "low_confidence"]
    site.add(job)
    site.sign_in()
    page = site.client.get(f"/inbox/jobs/{job.id}").text
    saved = site.client.post(f"/inbox/jobs/{job.id}/review", data=as_shown(page, **typed))
    assert saved.status_code == 200, saved.text  # the page, after the redirect
    return saved.text


def _triage(page: str, term: str) -> str:
    found = re.search(rf"<dt>{term}</dt>\s*<dd[^>]*>(.*?)</dd>", page, re.S)
    assert found, f"the triage has no {term!r}"
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split())


def test_a_review_reason_a_correction_settles_is_shown_as_the_machines_and_settled(
    site: Site,
) -> None:
    page = _reviewed(site, callback_number="+1 415 555 0188")

    reasons = _triage(page, "Review reasons")
    # Before: "no callback number, low confidence", as if both held now.
    assert reasons.startswith("machine flagged:"), reasons
    assert "no callback number (settled: callback number corrected)" in reasons
    assert "low confidence" in reasons
    assert "low confidence (settled" not in reasons
    facts = re.search(r'<p class="facts">(.*?)</p>', page, re.S)
    assert facts
    badge = " ".join(re.sub(r"<[^>]+>", "", facts.group(1)).split())
    assert "needs review low confidence" in badge
    assert "no callback number" not in badge


def test_the_summary_after_a_correction_says_it_is_the_machines(site: Site) -> None:
    page = _reviewed(site, callback_number="+1 415 555 0188")

    assert "Wants a call back about March." in _triage(page, r"Summary \(the machine's\)")


def test_a_note_in_the_corrections_reads_as_a_note_not_a_before_value(site: Site) -> None:
    page = _reviewed(site, done="yes", note="Rang back, left a message.")

    row = re.search(r'<th scope="row">marked done</th>\s*(<td[^>]*>.*?</td>)', page, re.S)
    assert row, "the review's note has no row"
    cell = row.group(1)
    assert 'class="note"' in cell
    assert " ".join(re.sub(r"<[^>]+>", "", cell).split()) == "Note: Rang back, left a message."


def test_a_voicemail_whose_every_reason_a_correction_settled_says_what_is_left_to_do(
    site: Site,
) -> None:
    page = _reviewed(site, callback_number="+1 415 555 0188", transcript="Hi, it's Sam.")

    facts = re.search(r'<p class="facts">(.*?)</p>', page, re.S)
    assert facts
    badge = " ".join(re.sub(r"<[^>]+>", "", facts.group(1)).split())
    assert "needs review every reason corrected: mark it done" in badge
