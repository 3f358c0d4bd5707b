"""The options a job or a batch is submitted with, checked once for both.

Form fields of ``POST /v1/jobs`` and of a multipart batch, and the JSON of a manifest
batch, all become ``OptionFields`` and then the job options every item gets.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.deps import Services
from api.errors import ApiError
from api.reply_voice import speakable_reply
from api.voice_choice import known_voices, refuse_unknown
from shared.fetch_address_policy import AddressPolicy, FetchRefused
from shared.models import STAGE_ORDER, THREAD_PATTERN, JobOptions, Stage
from shared.provider_catalog import provider_names
from shared.redaction_policy import (
    ENTITY_LIST_PATTERN,
    AudioRedaction,
    Entity,
    JobRedaction,
    Substitution,
    parse_entities,
)
from shared.settings import OutputFormat, Settings
from shared.stt_languages import (
    ENGLISH_ONLY_ENGINES,
    WHISPER_ENGINES,
    is_english,
    whisper_hears,
)


class OptionFields(BaseModel):
    """Processing options, as sent: each applies to the job, or to every item of a batch."""

    model_config = ConfigDict(extra="forbid")

    stages: str | None = Field(
        default=None, max_length=32, description="stt, stt,llm or stt,llm,tts (the default)"
    )
    stt_provider: str | None = Field(default=None, max_length=64)
    llm_provider: str | None = Field(default=None, max_length=64)
    tts_provider: str | None = Field(default=None, max_length=64)
    voice: str | None = Field(default=None, max_length=128)
    output_format: OutputFormat | None = None
    system_prompt: str | None = Field(default=None, max_length=4000)
    language: str | None = Field(default=None, max_length=16)
    thread_id: str | None = Field(default=None, max_length=128, pattern=THREAD_PATTERN)
    callback_url: str | None = Field(
        default=None, max_length=2048, description="Signed webhook events are POSTed here."
    )
    stage_events: bool = Field(default=False, description="Also send per-stage events.")
    delete_after_seconds: int | None = Field(
        default=None, ge=1, le=10 * 365 * 86400, description="Delete inputs and outputs then."
    )
    redact: str | None = Field(
        default=None,
        max_length=256,
        pattern=ENTITY_LIST_PATTERN,
        description="Personal data to remove from everything stored and sent: 'all', 'none' "
        "or a comma list of " + ", ".join(Entity) + " (default: the deployment's).",
    )
    redact_style: Substitution | None = Field(
        default=None, description="label ([PHONE_NUMBER]) or hash (a keyed, stable token)."
    )
    redact_audio: AudioRedaction | None = Field(
        default=None, description="Also store a copy of the recording with the spans removed."
    )
    redact_send_original: bool = Field(
        default=False,
        description="Send the reply model the original transcript (needs kept originals).",
    )

    @field_validator("stage_events", "redact_send_original", mode="before")
    @classmethod
    def _stage_events(cls, value: object) -> object:
        # A form's text is read as the schema's boolean is written: true or false, nothing
        # else that a generated client could not know (no 1, yes or on).
        if isinstance(value, str):
            if value.lower() not in {"true", "false"}:
                raise ValueError("must be true or false")
            return value.lower() == "true"
        return value


def _stages(raw: str | None) -> list[Stage]:
    if not raw:
        return list(STAGE_ORDER)
    names = [part.strip().lower() for part in raw.split(",") if part.strip()]
    prefixes = [",".join(s.value for s in STAGE_ORDER[:n]) for n in range(1, 4)]
    if ",".join(names) not in prefixes:
        allowed = f"{', '.join(prefixes[:-1])} or {prefixes[-1]}"
        raise ApiError(
            400,
            "invalid_stages",
            f'stages must be {allowed} (each stage needs the one before it); got "{raw}".',
        )
    return [Stage(name) for name in names]


def _provider(services: Services, stage: Stage, name: str | None) -> str | None:
    if name is None or name == "":
        return None
    missing = services.settings.missing_configuration(stage.value, name)
    if missing:
        raise ApiError(
            400,
            "provider_not_configured",
            f"This deployment cannot use {name!r}: {missing}. Choose another provider.",
        )
    known = provider_names(stage)
    if name not in known:
        settings = services.settings
        ready = [n for n in known if settings.missing_configuration(stage.value, n) is None]
        message = f"There is no {stage.value} provider {name!r}. Choose one of: {', '.join(ready)}"
        # Those this deployment lacks a key for would only be refused next: named apart.
        unready = [n for n in known if n not in ready]
        if unready:
            message += f" (not configured here: {', '.join(unready)})"
        raise ApiError(400, "unknown_provider", message + ".")
    return name


def _voice(
    services: Services, stages: list[Stage], provider: str | None, voice: str | None
) -> str | None:
    """The voice asked for, refused here when its provider lacks it (api.voice_choice)."""
    if not voice or Stage.TTS not in stages:
        return voice or None
    name = provider or services.settings.providers.tts
    listed = known_voices(services, name)
    refuse_unknown(services, name, voice, listed, "or leave 'voice' out for its default.")
    return voice


def _callback(services: Services, tenant: str, url: str | None) -> str | None:
    if not url:
        return None
    try:
        # Syntax and literal addresses now; the name is resolved and checked again at every
        # delivery, when it is connected to (a name may point elsewhere by then).
        AddressPolicy.from_settings(services.settings.fetch).check_url(url)
    except FetchRefused as exc:
        raise ApiError(400, "invalid_callback_url", f"callback_url: {exc.message}") from None
    if not services.settings.webhooks.tenant_secrets(tenant):
        raise ApiError(
            400,
            "webhook_secret_missing",
            f"Webhooks are signed, and tenant {tenant!r} has no signing secret: an operator "
            "adds one to VOICEPIPE_WEBHOOKS__SECRETS (`voicepipe webhooks secret`).",
        )
    if services.deliveries.is_disabled(tenant, url):
        # Accepted, the job's events would be dropped unsent without a word.
        raise ApiError(
            400,
            "callback_url_disabled",
            "callback_url answered an earlier event 410 Gone, so no events are sent to it. "
            "Give another URL, or turn it back on with DELETE /v1/webhooks/disabled?url=….",
        )
    return url


def _redaction(services: Services, fields: OptionFields) -> JobRedaction | None:
    """The job's redaction: its own fields over the deployment's defaults."""
    config = services.settings.redaction
    if fields.redact is None or not fields.redact.strip():  # empty: the default, as elsewhere
        entities = list(config.entities)
    elif fields.redact.strip().lower() == "none":
        entities = []
    else:
        try:
            entities = parse_entities(fields.redact)
        except ValueError as exc:
            raise ApiError(400, "invalid_redact", f"redact: {exc}.") from None
    if not entities:
        # The style, audio and original options act on what is redacted: here, nothing.
        return None
    style = fields.redact_style or config.style
    if style == Substitution.HASH and config.hash_key is None:
        raise ApiError(
            400,
            "redaction_key_missing",
            "The hash style needs a key this deployment has not set "
            "(VOICEPIPE_REDACTION__HASH_KEY); use redact_style=label.",
        )
    if fields.redact_send_original and not config.keep_original:
        raise ApiError(
            400,
            "originals_not_kept",
            "redact_send_original needs the deployment to keep encrypted originals "
            "(VOICEPIPE_REDACTION__KEEP_ORIGINAL); without them the reply stage has only "
            "the redacted transcript.",
        )
    return JobRedaction(
        entities=entities,
        style=style,
        region=services.settings.local.default_region,
        audio=fields.redact_audio or config.audio,
        send_original_to_llm=fields.redact_send_original,
    )


def _refusal(engine: str, language: str) -> str | None:
    """Why ``engine`` cannot hear ``language``; None where it can or decides for itself."""
    if engine in WHISPER_ENGINES and not whisper_hears(language):
        return (
            f"OpenAI's Whisper ({engine!r} speech engine) knows no language {language!r}; give "
            "an ISO-639-1 code it knows (such as 'en', 'fr', 'de', 'es', 'zh'), or leave "
            "language out for Whisper to detect it."
        )
    if engine in ENGLISH_ONLY_ENGINES and not is_english(language):
        return (
            f"the {engine!r} speech engine hears English only, not {language!r}; give 'en' "
            "(or 'en-GB', 'eng', 'english'), leave language out, or choose an stt provider "
            "that hears it."
        )
    return None


def unheard_language(
    services: Services, stages: list[Stage], stt_provider: str | None, language: str | None
) -> None:
    """Refuse a recording's ``language`` its stt engine cannot hear, before it is stored:
    the job would be queued only to fail as unsupported_language (or, for OpenAI's Whisper,
    as OpenAI's 400). The English-only offline engines and Whisper, whose list is published,
    are judged, and ``hybrid`` where neither of its engines would hear it (it fails only
    when both do; an engine this deployment has no key for is skipped by the worker, so it
    hears nothing); another cloud engine or a plugin decides for itself."""
    if language is None or Stage.STT not in stages:
        return
    settings = services.settings
    engine = stt_provider or settings.providers.stt
    if engine == "hybrid":
        refusals = _hybrid_refusals(settings, language)
        if any(r is None for r in refusals):
            return
        message = f"neither engine of 'hybrid' hears it: {'; '.join(r or '' for r in refusals)}"
    else:
        refused = _refusal(engine, language)
        if refused is None:
            return
        message = refused
    raise ApiError(400, "unsupported_language", f"language: {message}", param="language")


def _hybrid_refusals(settings: Settings, language: str) -> list[str | None]:
    """Why each engine the hybrid would run here cannot hear ``language`` (None where it
    can). As HybridStt runs them: an engine without its key is skipped, so it hears nothing,
    and where neither has one the offline engine runs alone."""
    engines = settings.hybrid.engines
    configured = [e for e in engines if settings.missing_configuration(Stage.STT.value, e) is None]
    if not configured:
        return [_refusal("local", language)]
    return [
        _refusal(e, language) if e in configured else f"{e!r} is not configured here"
        for e in engines
    ]


# Options only one stage acts on. Given for a job without that stage they were kept and never
# used, and the client, told nothing, believed them applied: refused, each by its name.
_STAGE_OPTIONS = {
    "llm_provider": Stage.LLM,
    "system_prompt": Stage.LLM,
    "tts_provider": Stage.TTS,
    "voice": Stage.TTS,
    "output_format": Stage.TTS,
}


def _not_applicable(name: str, why: str) -> ApiError:
    return ApiError(
        400,
        "option_not_applicable",
        f"{name}: {why}; leave {name} out, or change what makes it inapplicable.",
        param=name,
    )


def _applicable(fields: OptionFields, stages: list[Stage]) -> None:
    ran = ",".join(s.value for s in stages)
    for name, stage in _STAGE_OPTIONS.items():
        if getattr(fields, name) not in (None, "") and stage not in stages:
            raise _not_applicable(name, f"the job has no {stage.value} stage (stages={ran})")


def _trimmed(name: str, value: str | None) -> str | None:
    """A language or voice without the spaces around it: " en " was stored so (and heard as
    no English), " joe " was refused as no voice. Empty is "not given", as for every option;
    spaces alone are no language or voice (a recording's engine was told to hear " ")."""
    if not value:
        return None
    if not value.strip():
        raise ApiError(
            400,
            "invalid_value",
            f"{name}: only spaces; give a {name} or leave {name} out for the default.",
            param=name,
        )
    return value.strip()


# BCP 47's shape (a primary subtag of letters, then subtags of letters and digits), with "_"
# as POSIX locales write it and language names ("english") as the engines read them. ASCII
# only: the value reaches the reply model's prompt and the engines as it is, and a control
# or zero-width character there is no language.
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*")


def _language(value: str | None) -> str | None:
    language = _trimmed("language", value)
    if language is not None and not _LANGUAGE_TAG.fullmatch(language):
        raise ApiError(
            400,
            "invalid_value",
            f"language: {language!r} is no language tag; give one such as 'en', 'fr' or "
            "'pt-BR' (letters, subtags joined by '-'), or leave language out.",
            param="language",
        )
    return language


def text_options(fields: OptionFields) -> None:
    """Refuse what cannot apply to typed text: it is not transcribed, so no stt engine."""
    if fields.stt_provider:
        raise _not_applicable(
            "stt_provider", "the job is made from typed text, which is not transcribed"
        )


def job_options(
    services: Services, tenant: str, fields: OptionFields, *, recording: bool = False
) -> JobOptions:
    """The job options these fields ask for, or a 400 that says what to change. For a
    ``recording``, a language its stt engine cannot hear is refused before the reply voice
    is judged: that refusal's advice (llm_provider local, stages=stt,llm) would only have
    met this one."""
    retention = fields.delete_after_seconds
    if retention is None:
        retention = services.settings.retention.default_delete_after_s
    stages = _stages(fields.stages)
    _applicable(fields, stages)
    language = _language(fields.language)
    voice = _trimmed("voice", fields.voice)
    llm_provider = _provider(services, Stage.LLM, fields.llm_provider)
    tts_provider = _provider(services, Stage.TTS, fields.tts_provider)
    stt_provider = _provider(services, Stage.STT, fields.stt_provider)
    if recording:
        unheard_language(services, stages, stt_provider, language)
    speakable_reply(services, stages, language, llm_provider, tts_provider)
    return JobOptions(
        stages=stages,
        stt_provider=stt_provider,
        llm_provider=llm_provider,
        tts_provider=tts_provider,
        voice=_voice(services, stages, tts_provider, voice),
        output_format=fields.output_format,
        system_prompt=fields.system_prompt or None,
        language=language,
        thread_id=fields.thread_id or None,
        callback_url=_callback(services, tenant, fields.callback_url),
        stage_events=fields.stage_events,
        delete_after_seconds=retention,
        redact=_redaction(services, fields),
    )
