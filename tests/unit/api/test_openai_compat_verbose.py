"""verbose_json as OpenAI writes it: words bare of punctuation, segments led by a space."""

from __future__ import annotations

from api.openai_compat.transcriptions import _verbose
from shared.models import Transcript, Word


def _transcript(*words: str) -> Transcript:
    timed = [Word(word=w, start_s=i * 0.5, end_s=i * 0.5 + 0.4) for i, w in enumerate(words)]
    return Transcript(text=" ".join(words), provider="local", duration_s=5.0, words=timed)


def test_words_are_bare_words_as_openai_lists_them_without_their_punctuation() -> None:
    # OpenAI's text ends "beach volleyball." and its last word is "volleyball".
    heard = _transcript("Hello,", "this", "is", '"Maria"', "Lopez.", "I'm", "—", "4.5", "ok?!")

    body = _verbose(heard, 5.0, ["word"])

    listed = [w["word"] for w in body["words"]]
    assert listed == ["Hello", "this", "is", "Maria", "Lopez", "I'm", "4.5", "ok"]
    assert body["text"] == heard.text
    # A mark that was a word of its own ("—") is no word; the others keep their times.
    assert body["words"][4] == {"word": "Lopez", "start": 2.0, "end": 2.4}


def test_each_segments_text_begins_with_a_space_as_whisper_writes_it() -> None:
    body = _verbose(_transcript("Hello,", "this", "is", "Maria."), 5.0, ["segment"])

    texts = [segment["text"] for segment in body["segments"]]
    assert texts
    assert all(text.startswith(" ") and not text.startswith("  ") for text in texts)
    assert "".join(texts).strip() == "Hello, this is Maria."


def test_a_redacted_words_token_is_kept_whole_as_the_text_shows_it() -> None:
    # A deployment that redacts by default redacts these routes' transcripts too: the
    # token marks what was taken out, and bare of its brackets it read as a word said.
    heard = _transcript("This", "is", "[PERSON_NAME],", "call", "[PHONE_NUMBER:1a2b3c4d].")

    body = _verbose(heard, 5.0, ["word"])

    listed = [w["word"] for w in body["words"]]
    assert listed == ["This", "is", "[PERSON_NAME]", "call", "[PHONE_NUMBER:1a2b3c4d]"]
