"""A weak cue ("still", "again", a bare "thanks"), which alone is not taken as an emotion,
does not become one by being said several times: a three-minute message that says "still"
three times in passing was "frustrated" (0.52) for it."""

from __future__ import annotations

from workers.triage.tone import tone_of

NARRATIVE = (
    "He was still young when the family moved. The old house still stood by the river, and "
    "his aunt still lived there with her two daughters. Call me back when you can."
)


def test_a_weak_cue_said_several_times_in_passing_is_no_emotion() -> None:
    tone = tone_of(NARRATIVE, None)

    assert tone.emotion == "calm"
    assert tone.sentiment > -0.2  # one weak cue's worth, not three


def test_two_different_weak_cues_with_a_real_one_still_count() -> None:
    assert tone_of("I'm still waiting for the refund, again, and I'm fed up.", None).emotion == (
        "frustrated"
    )
