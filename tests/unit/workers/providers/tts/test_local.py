from __future__ import annotations

import pytest

from shared.audio import MEDIA_TYPES, decode_pcm16k
from shared.errors import StageFailed
from shared.settings import LocalEngineSettings, OutputFormat
from workers.providers.tts.local import PiperTts

SENTENCE = "Thank you for calling. We will send the package on Monday."


@pytest.fixture(scope="module")
def tts() -> PiperTts:
    provider = PiperTts()
    provider.load()
    return provider


def test_the_only_voice_is_joe(tts: PiperTts) -> None:
    assert tts.voices() == ["joe"]


@pytest.mark.parametrize("output_format", ["mp3", "ogg", "wav"])
def test_each_output_format_decodes_to_the_spoken_sentence_length(
    tts: PiperTts, output_format: OutputFormat
) -> None:
    audio = tts.synthesize(SENTENCE, None, output_format)

    assert audio.media_type == MEDIA_TYPES[output_format]
    assert audio.extension == output_format
    assert audio.provider == "local"
    assert audio.voice == "joe"
    decoded_s = len(decode_pcm16k(audio.data)) / 16_000
    assert decoded_s >= 1.0
    # Encoder priming and padding add a little; the reported length is the voice's own.
    assert audio.duration_s == pytest.approx(decoded_s, abs=0.15)


def test_same_text_twice_gives_identical_wav_bytes(tts: PiperTts) -> None:
    first = tts.synthesize(SENTENCE, "joe", "wav")
    second = tts.synthesize(SENTENCE, "joe", "wav")
    assert first.data == second.data


def test_unknown_voice_fails_with_unknown_voice_naming_the_available_one(tts: PiperTts) -> None:
    with pytest.raises(StageFailed) as failure:
        tts.synthesize(SENTENCE, "amy", "wav")
    assert failure.value.code == "unknown_voice"
    assert "joe" in failure.value.message
    assert failure.value.retryable is False


@pytest.mark.parametrize("text", ["", "   \n\t", "...", "?!"])
def test_text_with_nothing_to_speak_fails_with_empty_text(tts: PiperTts, text: str) -> None:
    with pytest.raises(StageFailed) as failure:
        tts.synthesize(text, None, "wav")
    assert failure.value.code == "empty_text"


def test_length_scale_setting_slows_the_voice() -> None:
    slow = PiperTts(LocalEngineSettings(piper_length_scale=1.5))
    normal = PiperTts()
    assert (
        slow.synthesize(SENTENCE, None, "wav").duration_s
        > normal.synthesize(SENTENCE, None, "wav").duration_s * 1.3
    )


def test_the_voice_runs_on_one_thread_that_does_not_spin(tts: PiperTts) -> None:
    # The pool runs one process per core; a session with a thread per core would contend.
    from shared.audio.offline_voice import load_voice

    options = load_voice().session.get_session_options()
    assert options.intra_op_num_threads == 1
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"


def test_a_run_on_text_reaches_the_voice_in_pieces_of_bounded_length(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The voice holds a whole sentence's tensors at once: a 2,000-character sentence without
    # a full stop peaked at 2.3 GB, so 20,000 characters of it would take the worker down.
    import numpy as np

    import workers.providers.tts.local as local

    heard: list[str] = []

    def speak(text: str, **_: float) -> tuple[np.ndarray, int]:
        heard.append(text)
        return np.ones(10, dtype=np.int16), 22_050

    monkeypatch.setattr(local, "speak", speak)
    text = "please call me back about the invoice tomorrow morning " * 40

    audio = PiperTts().synthesize(text, None, "wav")

    assert max(len(piece) for piece in heard) <= local.PIECE_CHARS
    assert " ".join(heard).split() == text.split()
    assert audio.duration_s == pytest.approx(10 * len(heard) / 22_050)


def test_a_piece_with_nothing_to_speak_is_passed_over_among_others(tts: PiperTts) -> None:
    text = "Thank you for calling. " + "-" * 300 + ". We will call you back on Monday."
    audio = tts.synthesize(text, None, "wav")
    assert audio.duration_s > 2.0


def _decoded_peak(data: bytes) -> float:
    """The largest sample's magnitude as the decoder makes it, where 1.0 is full scale."""
    import io

    import av
    import numpy as np

    with av.open(io.BytesIO(data)) as media:
        stream = media.streams.audio[0]
        peak = 0.0
        for frame in media.decode(stream):
            samples = frame.to_ndarray().astype(np.float64)
            if frame.format.name.startswith("s16"):
                samples /= 32768
            peak = max(peak, float(np.abs(samples).max()))
    return peak


@pytest.mark.parametrize("output_format", ["mp3", "ogg", "wav"])
def test_the_reply_leaves_headroom_so_no_format_decodes_past_full_scale(
    tts: PiperTts, output_format: OutputFormat
) -> None:
    # The voice scales every sentence to full scale; a lossy codec's ripple then went past
    # it (ogg decoded to 1.01 on this text), which a player clips.
    audio = tts.synthesize("It costs $19.99, €5, £3 or ¥100.", None, output_format)
    assert 0.5 < _decoded_peak(audio.data) < 0.95


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("你好\uff0c请给我回电话。", "CJK"),
        ("مرحبا كيف حالك", "Arabic"),
        ("שלום, תתקשר אליי", "Hebrew"),
        ("こんにちは", "Hiragana"),
        ("Привет, перезвоните мне.", "Cyrillic"),
    ],
)
def test_text_mostly_in_another_script_fails_unsupported_language(
    tts: PiperTts, text: str, script: str
) -> None:
    # The English voice names such letters one by one: "Chinese letter, Chinese letter, ...".
    with pytest.raises(StageFailed) as failure:
        tts.synthesize(text, None, "mp3")
    assert failure.value.code == "unsupported_language"
    assert script in failure.value.message
    assert failure.value.retryable is False


@pytest.mark.parametrize(
    "text",
    [
        "Please call Wei Zhang (张伟) back about the invoice.",
        # Scripts the voice reads out as sounds, not letter names.
        "नमस्ते, कृपया मुझे वापस कॉल करें।",
        "안녕하세요",
    ],
)
def test_scripts_the_voice_sounds_out_are_still_spoken(tts: PiperTts, text: str) -> None:
    assert tts.synthesize(text, None, "wav").duration_s > 0.5


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("It is $45.50 today.", "It is 45 dollars and 50 cents today."),
        ("Pay $1 or $1,200.", "Pay 1 dollar or 1,200 dollars."),
        ("That is £3.05, €1.00 and $0.99.", "That is 3 pounds and 5 pence, 1 euro and 99 cents."),
    ],
)
def test_an_amount_of_money_reaches_the_voice_in_the_order_it_is_said(
    monkeypatch: pytest.MonkeyPatch, written: str, said: str
) -> None:
    # The voice read "$45.50" as "dollar forty five point five zero".
    import numpy as np

    import workers.providers.tts.local as local

    heard: list[str] = []

    def speak(text: str, **_: float) -> tuple[np.ndarray, int]:
        heard.append(text)
        return np.ones(10, dtype=np.int16), 22_050

    monkeypatch.setattr(local, "speak", speak)
    PiperTts().synthesize(written, None, "wav")
    assert heard == [said]


def _handed(monkeypatch: pytest.MonkeyPatch, written: str) -> list[str]:
    """What the voice is handed for ``written``."""
    import numpy as np

    import workers.providers.tts.local as local

    heard: list[str] = []

    def speak(text: str, **_: float) -> tuple[np.ndarray, int]:
        heard.append(text)
        return np.ones(10, dtype=np.int16), 22_050

    monkeypatch.setattr(local, "speak", speak)
    PiperTts().synthesize(written, None, "wav")
    return heard


@pytest.mark.parametrize(
    ("written", "said"),
    [
        # The voice said "three zero zero PM", "nine zero five AM", "fourteen zero zero".
        ("Come at 3:00 PM.", "Come at 3 PM."),
        ("Come at 9:05 am.", "Come at 9 oh 5 am."),
        ("Come at 10:30.", "Come at 10 30."),
        ("Come at 3:00.", "Come at 3 o'clock."),
        ("Come at 14:00.", "Come at 14 hundred."),
        ("The score was 3:1 after 1:30:00.", "The score was 3:1 after 1:30:00."),
    ],
)
def test_a_clock_time_reaches_the_voice_as_it_is_said(
    monkeypatch: pytest.MonkeyPatch, written: str, said: str
) -> None:
    assert _handed(monkeypatch, written) == [said]


@pytest.mark.parametrize(
    ("written", "said"),
    [
        # The voice took the title's full stop for a sentence's end: "Doctor. Smith will call."
        ("Dr. Smith and Mrs. Jones will call.", "Dr Smith and Mrs Jones will call."),
        ("Ask Prof. Lee or Mr. Ng.", "Ask Professor Lee or Mr Ng."),
    ],
)
def test_a_title_before_a_name_does_not_end_the_sentence(
    monkeypatch: pytest.MonkeyPatch, written: str, said: str
) -> None:
    assert _handed(monkeypatch, written) == [said]


def test_emoji_are_not_read_out_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    # The voice said "Thanks 😀👍" as "thanks grinning face thumbs up".
    assert _handed(monkeypatch, "Thanks 😀👍🏽! See you ❤️ soon.") == ["Thanks ! See you soon."]


def test_a_text_of_emoji_alone_has_nothing_to_speak(tts: PiperTts) -> None:
    with pytest.raises(StageFailed) as failure:
        tts.synthesize("😀👍🎉", None, "mp3")
    assert failure.value.code == "empty_text"
