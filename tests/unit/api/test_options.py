"""The options a job may name: an unknown provider is refused with those that would run, and
an option that cannot apply to the job (its stage is not run, typed text is not transcribed,
a value of spaces alone) is refused by its name rather than kept unused."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from api.errors import ApiError
from api.options import OptionFields, job_options
from shared.settings import Settings
from shared.voice_directory import PublishedVoices
from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client


def test_an_unknown_provider_is_refused_with_those_that_run_and_those_needing_keys_apart() -> None:
    services = SimpleNamespace(settings=Settings(elevenlabs={"api_key": "el-key"}))

    with pytest.raises(ApiError) as refused:
        job_options(services, "default", OptionFields(tts_provider="nope"))  # type: ignore[arg-type]

    message = refused.value.message
    offered, _, unready = message.partition("(not configured here:")
    assert refused.value.code == "unknown_provider"
    assert "local" in offered
    assert "elevenlabs" in offered
    assert "openai" not in offered
    assert "google" not in offered
    assert "openai" in unready
    assert "google" in unready


class _Voices:
    def __init__(self, listed: PublishedVoices | None) -> None:
        self.listed = listed

    def read(self, provider: str) -> PublishedVoices | None:
        return self.listed


def _services(listed: PublishedVoices | None, **settings: object) -> SimpleNamespace:
    return SimpleNamespace(settings=Settings(**settings), voices=_Voices(listed))


def test_a_voice_its_provider_does_not_list_is_refused_at_intake() -> None:
    # Before, the job ran stt and llm and failed only at tts (a whole batch's worth so).
    services = _services(PublishedVoices(voices=["joe"], listed_at=0.0))

    with pytest.raises(ApiError) as refused:
        job_options(services, "default", OptionFields(voice="nobody"))  # type: ignore[arg-type]

    assert refused.value.code == "unknown_voice"
    assert "'nobody'" in refused.value.message
    assert "joe" in refused.value.message


_ELEVENLABS = {"elevenlabs": {"api_key": "el-key"}}


@pytest.mark.parametrize(
    ("listed", "fields"),
    [
        (PublishedVoices(voices=["joe"], listed_at=0.0), OptionFields(voice="joe")),
        # ElevenLabs names voices freely: before a tts worker lists them, only it can tell.
        (None, OptionFields(voice="nobody", tts_provider="elevenlabs")),
        (
            PublishedVoices(error="vendor down", listed_at=0.0),
            OptionFields(voice="nobody", tts_provider="elevenlabs"),
        ),
    ],
)
def test_a_voice_is_left_to_the_tts_stage_when_its_list_is_unknown(
    listed: PublishedVoices | None, fields: OptionFields
) -> None:
    options = job_options(_services(listed, **_ELEVENLABS), "default", fields)  # type: ignore[arg-type]

    assert options.voice == fields.voice


@pytest.mark.parametrize(
    ("listed", "fields", "named"),
    [
        # No tts worker has listed its voices yet: the bundled voice is known all the same.
        (None, OptionFields(voice="nova"), "joe"),
        (None, OptionFields(voice="nova", tts_provider="local"), "joe"),
        # A failed listing leaves the voices known without it.
        (PublishedVoices(error="listing failed", listed_at=0.0), OptionFields(voice="nova"), "joe"),
        # tts-1 (the setting below) has no newer voice such as ballad.
        (None, OptionFields(voice="ballad", tts_provider="openai"), "alloy, ash"),
    ],
)
def test_a_voice_known_missing_without_a_published_list_is_refused_at_intake(
    listed: PublishedVoices | None, fields: OptionFields, named: str
) -> None:
    # Before, "nova" on the offline voice was queued and failed only at the tts stage.
    services = _services(listed, openai={"api_key": "sk-x", "tts_model": "tts-1"})

    with pytest.raises(ApiError) as refused:
        job_options(services, "default", fields)  # type: ignore[arg-type]

    assert (refused.value.code, refused.value.param) == ("unknown_voice", "voice")
    assert repr(fields.voice) in refused.value.message
    assert named in refused.value.message


@pytest.mark.parametrize("voice", ["nova", "joe", "en-US"])
def test_a_voice_that_cannot_be_a_google_voice_is_refused_at_intake_by_its_shape(
    voice: str,
) -> None:
    # Before, it was queued, transcribed and answered, and failed only at the tts stage.
    services = _services(None, google={"enabled": True})

    with pytest.raises(ApiError) as refused:
        job_options(services, "default", OptionFields(voice=voice, tts_provider="google"))  # type: ignore[arg-type]

    assert (refused.value.code, refused.value.param) == ("unknown_voice", "voice")
    assert repr(voice) in refused.value.message
    assert "named by their language, such as en-US-Neural2-F" in refused.value.message


@pytest.mark.parametrize("voice", ["en-US-Neural2-F", "cmn-CN-Wavenet-A", "en-GB-Chirp3-HD-Aoede"])
def test_a_voice_shaped_as_googles_is_left_to_the_tts_stage_before_it_is_listed(
    voice: str,
) -> None:
    services = _services(None, google={"enabled": True})

    options = job_options(services, "default", OptionFields(voice=voice, tts_provider="google"))  # type: ignore[arg-type]

    assert options.voice == voice


@pytest.mark.parametrize(
    ("voice", "provider"), [("joe", None), ("nova", "openai"), ("cedar", "openai")]
)
def test_a_voice_known_without_a_published_list_is_accepted(voice: str, provider: str) -> None:
    services = _services(None, openai={"api_key": "sk-x", "tts_model": "gpt-4o-mini-tts"})

    options = job_options(services, "default", OptionFields(voice=voice, tts_provider=provider))  # type: ignore[arg-type]

    assert options.voice == voice


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (OptionFields(voice="joe", stages="stt"), "voice: the job has no tts stage (stages=stt)"),
        (
            OptionFields(tts_provider="local", stages="stt,llm"),
            "tts_provider: the job has no tts stage (stages=stt,llm)",
        ),
        (OptionFields(output_format="wav", stages="stt"), "output_format: the job has no tts"),
        (OptionFields(llm_provider="local", stages="stt"), "llm_provider: the job has no llm"),
        (OptionFields(system_prompt="Be brief.", stages="stt"), "system_prompt: the job has no"),
    ],
)
def test_an_option_of_a_stage_the_job_does_not_run_is_refused_by_its_name(
    fields: OptionFields, message: str
) -> None:
    with pytest.raises(ApiError) as refused:
        job_options(_services(None), "default", fields)  # type: ignore[arg-type]

    assert refused.value.status_code == 400
    assert refused.value.code == "option_not_applicable"
    assert refused.value.message.startswith(message)


@pytest.mark.parametrize("name", ["language", "voice"])
def test_a_language_or_voice_of_spaces_alone_is_refused_by_its_name(name: str) -> None:
    fields = OptionFields.model_validate({name: "   "})

    with pytest.raises(ApiError) as refused:
        job_options(_services(None), "default", fields)  # type: ignore[arg-type]

    assert refused.value.code == "invalid_value"
    assert refused.value.message.startswith(f"{name}: only spaces")


def test_spaces_around_a_language_or_voice_are_trimmed_at_intake() -> None:
    # " en " was stored padded (and given so to the engines); " joe " refused as no voice.
    services = _services(PublishedVoices(voices=["joe"], listed_at=0.0))

    options = job_options(services, "default", OptionFields(language=" en ", voice=" joe "))  # type: ignore[arg-type]

    assert (options.language, options.voice) == ("en", "joe")


def test_an_empty_option_of_a_stage_not_run_is_still_not_given() -> None:
    fields = OptionFields(voice="", tts_provider="", stages="stt")

    options = job_options(_services(None), "default", fields)  # type: ignore[arg-type]

    assert options.voice is None
    assert options.tts_provider is None


def test_a_text_job_naming_an_stt_provider_is_refused_as_it_is_never_transcribed(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    http = app_client(tmp_path, valkey)

    answer = http.post("/v1/jobs", data={"text": "Call me back.", "stt_provider": "local"})
    plain = http.post("/v1/jobs", data={"text": "Call me back.", "stt_provider": ""})

    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "option_not_applicable"
    assert answer.json()["error"]["message"].startswith(
        "stt_provider: the job is made from typed text"
    )
    assert plain.status_code == 202, plain.text


@pytest.mark.parametrize(
    ("form", "param"),
    [
        ({"text": "Call me back.", "stages": "stt,llm", "voice": "joe"}, "voice"),
        ({"text": "Call me back.", "language": "   "}, "language"),
    ],
)
def test_a_refused_option_is_named_in_the_error_bodys_param_on_post_jobs(
    tmp_path: Path, valkey: ValkeyProcess, form: dict[str, str], param: str
) -> None:
    # README: "named first in the message and in `param`"; a client reads the field at
    # fault from the body without parsing the message.
    http = app_client(tmp_path, valkey)

    answer = http.post("/v1/jobs", data=form)

    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["param"] == param


@pytest.mark.parametrize(
    "language", ["\x01", "en\x00", "en\u200b", "e n", "en;fr", "français", "en--GB", "e"]
)
def test_a_language_that_is_no_language_tag_is_refused_naming_it(language: str) -> None:
    # Control and zero-width characters reached the reply model's prompt as they were.
    with pytest.raises(ApiError) as refused:
        job_options(_services(None), "default", OptionFields(language=language))  # type: ignore[arg-type]

    assert (refused.value.status_code, refused.value.code) == (400, "invalid_value")
    assert refused.value.param == "language"
    assert refused.value.message.startswith(f"language: {language!r} is no language tag")


@pytest.mark.parametrize("language", ["en", "EN_us", "pt-BR", "zh-Hant-TW", "es-419", "english"])
def test_a_language_tag_or_name_is_kept_as_given(language: str) -> None:
    options = job_options(_services(None), "default", OptionFields(language=language))  # type: ignore[arg-type]

    assert options.language == language
