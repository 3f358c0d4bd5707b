"""Schemathesis against the running API's own OpenAPI document.

Every operation the API declares is called with data generated from its schema, valid and
invalid, and every answer must be a declared status with a body matching the declared model
(our ``ErrorBody`` for 4xx/5xx), never a server error. Generation is derandomized, so a
failure reproduces run after run.
"""

from __future__ import annotations

import os

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis.checks import CheckFunction
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.integration.conftest import RunningStack

pytestmark = pytest.mark.integration

# Headers that carry credentials, copied from the stack's own client when it sends any, so this
# test keeps working once /v1 needs an API key.
_AUTH_HEADERS = ("authorization", "x-api-key")


def _not_a_server_error() -> CheckFunction:
    check: CheckFunction = schemathesis.checks.not_a_server_error
    return check


CHECKS: list[CheckFunction] = [
    _not_a_server_error(),
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def auth_headers(stack: RunningStack) -> dict[str, str]:
    """Credentials the stack's client sends, plus VOICEPIPE_TEST_API_KEY as a bearer token."""
    headers = {
        name: value for name, value in stack.http.headers.items() if name.lower() in _AUTH_HEADERS
    }
    key = os.environ.get("VOICEPIPE_TEST_API_KEY")
    if key and "authorization" not in {name.lower() for name in headers}:
        headers["Authorization"] = f"Bearer {key}"
    return headers


@pytest.fixture(scope="module")
def api_schema(running_stack: RunningStack) -> schemathesis.BaseSchema:
    base_url = running_stack.settings.api.base_url
    schema = schemathesis.openapi.from_url(
        f"{base_url}/openapi.json", headers=auth_headers(running_stack), timeout=30
    )
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@hypothesis.settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_answers_as_its_schema_says(
    case: schemathesis.Case, running_stack: RunningStack
) -> None:
    case.call_and_validate(
        base_url=running_stack.settings.api.base_url,
        headers=auth_headers(running_stack),
        checks=CHECKS,
        timeout=30,
    )
