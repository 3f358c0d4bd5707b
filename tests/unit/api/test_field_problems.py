"""A field refused for its pattern says what a valid value is, never the regex: a thread id,
the list of what to redact, a reviewed transcript of spaces alone; in a form, in a JSON body,
in a batch's options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

import api.main  # noqa: F401  (the routes' modules import one another through the app)
from api.field_problems import problem_text
from api.options import OptionFields
from api.routes.reviews import ReviewChanges
from shared.models import JobOptions
from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client


def _problem(model: type[BaseModel], **fields: Any) -> str:
    with pytest.raises(ValidationError) as info:
        model(**fields)
    (error,) = info.value.errors()
    return problem_text(error)


def _no_regex(text: str) -> None:
    assert "pattern" not in text
    assert "^" not in text
    assert "\\S" not in text


@pytest.mark.parametrize("model", [OptionFields, JobOptions])
def test_a_thread_id_with_a_space_says_which_characters_a_thread_id_takes(
    model: type[BaseModel],
) -> None:
    text = _problem(model, thread_id="call 42/b")

    assert "'call 42/b' is not a thread id" in text
    assert "' ', '/'" in text
    assert "letters, digits" in text
    _no_regex(text)


@pytest.mark.parametrize("model", [OptionFields, JobOptions])
def test_a_thread_id_too_long_says_how_long_it_is_and_what_a_thread_id_is(
    model: type[BaseModel],
) -> None:
    # It was pydantic's "String should have at most 128 characters", not ours.
    text = _problem(model, thread_id="c" * 129)

    assert "129 characters" in text
    assert "up to 128" in text
    assert "letters, digits" in text


def test_a_redaction_list_naming_an_unknown_entity_says_which_and_what_is_known() -> None:
    text = _problem(OptionFields, redact="phone_number, emails")

    assert "'emails'" in text
    assert "'phone_number'" not in text.split(":")[0]
    assert "'all' or 'none'" in text
    assert "email_address" in text
    _no_regex(text)


def test_a_reviewed_transcript_of_spaces_alone_says_to_send_the_words() -> None:
    text = _problem(ReviewChanges, transcript="  \n ")

    assert "only spaces or line breaks" in text
    assert "leave the field out" in text
    _no_regex(text)


def test_post_jobs_refuses_a_bad_thread_id_in_words(tmp_path: Path, valkey: ValkeyProcess) -> None:
    http = app_client(tmp_path, valkey)

    answer = http.post("/v1/jobs", data={"text": "Call me back.", "thread_id": "a b"})

    assert answer.status_code in (400, 422), answer.text
    message = answer.json()["error"]["message"]
    assert "'a b' is not a thread id" in message
    _no_regex(message)


def test_a_batch_whose_options_redact_an_unknown_entity_is_refused_in_words(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    http = app_client(tmp_path, valkey)

    body = {"items": [{"key": "a.wav"}], "redact": "phone"}
    answer = http.post("/v1/batches", json=body)

    assert answer.status_code == 400, answer.text
    message = answer.json()["error"]["message"]
    assert "'phone'" in message
    assert "phone_number" in message
    _no_regex(message)
