"""The languages the speech engines hear, as the API judges them at intake and the settings
at start-up."""

from __future__ import annotations

import pytest
from faster_whisper.tokenizer import _LANGUAGE_CODES
from pydantic import ValidationError

from shared.settings import Settings
from shared.stt_languages import WHISPER_LANGUAGES, iso_639_1, whisper_hears


def test_whispers_languages_are_exactly_faster_whispers_own_list() -> None:
    # Copied so the API need not import faster_whisper: a new release's list fails here.
    assert tuple(_LANGUAGE_CODES) == WHISPER_LANGUAGES


@pytest.mark.parametrize("language", ["en", "fr", "en-GB", "pt_BR", "ZH", "yo", "jw"])
def test_whisper_hears_every_code_of_its_list_with_or_without_a_region(language: str) -> None:
    assert whisper_hears(language)


@pytest.mark.parametrize("language", [None, "", "eng", "english", "fra"])
def test_whisper_is_left_to_detect_what_the_client_would_not_send_it(
    language: str | None,
) -> None:
    assert iso_639_1(language) is None
    assert whisper_hears(language)


@pytest.mark.parametrize("language", ["xx", "zz-ZZ", "qq_QQ", "ee"])
def test_a_two_letter_code_whisper_does_not_know_is_not_heard(language: str) -> None:
    assert not whisper_hears(language)


def test_a_deployment_language_whisper_does_not_know_is_refused_at_start_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every job without a language of its own is sent it: each would fail at OpenAI.
    monkeypatch.setenv("VOICEPIPE_OPENAI__LANGUAGE", "xx")

    with pytest.raises(ValidationError, match="OpenAI's Whisper knows no language 'xx'"):
        Settings()


@pytest.mark.parametrize("language", ["fr", "en-GB", "english", None])
def test_a_deployment_language_whisper_knows_or_detects_is_taken(language: str | None) -> None:
    assert Settings(openai={"language": language}).openai.language == language
