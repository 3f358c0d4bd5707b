"""A job's redaction options over the deployment's, and the refusals that say what to set."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from api.errors import ApiError
from api.options import OptionFields, job_options
from shared.redaction_policy import Entity, Substitution
from shared.settings import Settings


def _services(**redaction: Any) -> Any:
    return SimpleNamespace(settings=Settings(redaction=redaction))


def _options(services: Any, **fields: Any) -> Any:
    return job_options(services, "default", OptionFields(**fields))


def test_no_redaction_unless_the_job_or_the_deployment_asks() -> None:
    assert _options(_services()).redact is None


def test_a_jobs_list_of_entities_and_style_are_its_redaction() -> None:
    redact = _options(
        _services(hash_key="k"),
        redact="phone_number, email_address",
        redact_style="hash",
        redact_audio="bleep",
    ).redact

    assert redact.entities == [Entity.PHONE_NUMBER, Entity.EMAIL_ADDRESS]
    assert redact.style == Substitution.HASH
    assert redact.audio == "bleep"
    assert redact.region == "US"


def test_the_deployments_default_applies_and_a_job_may_opt_out_with_none() -> None:
    services = _services(entities="all", audio="silence")

    assert _options(services).redact.entities == list(Entity)
    assert _options(services).redact.audio == "silence"
    assert _options(services, redact="none").redact is None


@pytest.mark.parametrize(
    ("fields", "code", "hint"),
    [
        ({"redact": "all", "redact_style": "hash"}, "redaction_key_missing", "HASH_KEY"),
        ({"redact": "all", "redact_send_original": True}, "originals_not_kept", "KEEP_ORIGINAL"),
    ],
    ids=["hash-without-key", "original-not-kept"],
)
def test_options_that_cannot_work_here_are_refused_with_the_setting_to_change(
    fields: dict[str, Any], code: str, hint: str
) -> None:
    with pytest.raises(ApiError) as refused:
        _options(_services(), **fields)

    assert refused.value.status_code == 400
    assert refused.value.code == code
    assert hint in refused.value.message


def test_an_unknown_entity_is_refused_by_the_options_own_pattern() -> None:
    with pytest.raises(ValidationError, match="phone_number"):
        OptionFields(redact="shoe_size")


def test_style_and_audio_without_anything_to_redact_do_nothing() -> None:
    assert _options(_services(), redact_audio="bleep", redact_style="label").redact is None


def test_kept_originals_need_a_valid_fernet_key_at_start_up() -> None:
    with pytest.raises(ValidationError, match="ORIGINAL_KEY"):
        Settings(redaction={"keep_original": True})
    with pytest.raises(ValidationError, match="32 url-safe"):
        Settings(redaction={"keep_original": True, "original_key": "too-short"})
    kept = Settings(redaction={"keep_original": True, "original_key": Fernet.generate_key()})
    assert kept.redaction.keep_original


def test_the_deployments_entities_are_read_from_a_comma_list_in_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VOICEPIPE_REDACTION__ENTITIES", "phone_number,credit_card_number")

    assert Settings().redaction.entities == [Entity.PHONE_NUMBER, Entity.CREDIT_CARD_NUMBER]
