"""The scoring of `make quality`: what counts as right, as deserving review, as a miss."""

from __future__ import annotations

from typing import Any

from tests.quality.report import ClipOutcome, met, summarize


def _clip(**changes: Any) -> ClipOutcome:
    fields: dict[str, Any] = {
        "id": "vm", "voice": "flite:slt", "delivery": "16k.wav", "duration_s": 10.0,
        "stage_s": 1.0, "words": 20, "errors": 2, "callback": "+14158672291",
        "callback_expected": "+14158672291", "intent": "billing", "intent_expected": "billing",
        "urgency": "normal", "urgency_expected": "normal", "caller": "Dana Whitaker",
        "caller_expected": "dana whitaker", "reasons": [], "hypothesis": "",
    }  # fmt: skip
    return ClipOutcome(**{**fields, **changes})


def test_a_clip_heard_well_with_its_number_does_not_deserve_review() -> None:
    assert not _clip().deserves_review


def test_high_wer_a_wrong_number_or_no_expected_number_deserve_review() -> None:
    assert _clip(errors=7).deserves_review  # WER 0.35
    assert _clip(callback=None).deserves_review
    assert _clip(callback_expected=None, callback=None).deserves_review


def test_caller_names_compare_without_case_and_a_missing_name_matches_none() -> None:
    assert _clip().caller_right
    assert _clip(caller=None, caller_expected=None).caller_right
    assert not _clip(caller="Dana").caller_right


def test_summary_counts_right_answers_and_review_precision_and_recall() -> None:
    clips = [
        _clip(),
        _clip(callback="+16178672291", reasons=[]),  # a wrong number, not flagged
        _clip(errors=10, reasons=["low_confidence"]),  # deserving, flagged
        _clip(reasons=["intent_undecided"]),  # a false flag
    ]
    figures = summarize(clips, shared_wer=0.18)
    assert figures["callback exact"] == 0.75
    assert figures["wrong numbers not flagged"] == 1
    assert figures["review recall"] == 0.5
    assert figures["review false flags"] == 0.5
    assert figures["WER voicemail set"] == (2 + 2 + 10 + 2) / 80
    assert figures["stt stage real-time factor"] == 0.1
    assert figures["WER shared clips"] == 0.18


def test_goals_compare_in_their_own_direction() -> None:
    assert met("callback exact", 0.9)
    assert not met("callback exact", 0.89)
    assert met("WER voicemail set", 0.25)
    assert not met("WER voicemail set", 0.26)
    assert not met("wrong numbers not flagged", 1)
