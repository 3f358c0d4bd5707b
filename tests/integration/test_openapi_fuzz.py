"""Schemathesis against the running API's own OpenAPI document.

Every operation the API declares is called with data generated from its schema, valid and
invalid, and every answer must be a status the operation declares, with a body matching the
declared model (``ErrorBody`` for errors), and never a server error. Generation is
derandomized, so a failure reproduces run after run.

The operations are driven from one test, one pytest subtest each, rather than through
``schemathesis.pytest.from_fixture``: the schema only exists once the session's stack is up,
and that lazy loader does not run under this pytest (it sets ``Node._nodeid``, gone in 9.x).
"""

from __future__ import annotations

import os

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.checks import CheckFunction
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.integration.conftest import RunningStack

pytestmark = pytest.mark.integration

# Examples per operation and generation mode; the whole module stays well under 90 s.
MAX_EXAMPLES = 25

# Headers that carry credentials, copied from the stack's own client when it sends any, so this
# test keeps working once /v1 asks for an API key.
_AUTH_HEADERS = ("authorization", "x-api-key")


def _checks() -> list[CheckFunction]:
    # Built-in checks are registered lazily; the module attribute appears on first access.
    not_a_server_error: CheckFunction = schemathesis.checks.not_a_server_error
    return [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]


def auth_headers(stack: RunningStack) -> dict[str, str]:
    """Credentials the stack's client sends, else VOICEPIPE_TEST_API_KEY as a bearer token."""
    headers = {
        name: value for name, value in stack.http.headers.items() if name.lower() in _AUTH_HEADERS
    }
    key = os.environ.get("VOICEPIPE_TEST_API_KEY")
    if key and not headers:
        headers["Authorization"] = f"Bearer {key}"
    return headers


@pytest.fixture(scope="module")
def api_schema(running_stack: RunningStack) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(
        f"{running_stack.settings.api.base_url}/openapi.json",
        headers=auth_headers(running_stack),
        timeout=30,
    )


def _operations(schema: schemathesis.BaseSchema) -> list[APIOperation]:
    operations = []
    for result in schema.get_all_operations():
        # A definition schemathesis cannot read is itself a finding: ok() raises it.
        operations.append(result.ok())
    return operations


def _fuzz(operation: APIOperation, base_url: str, headers: dict[str, str]) -> None:
    checks = _checks()
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @hypothesis.settings(
        max_examples=2 * MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @hypothesis.given(case=cases)
    def call(case: Case) -> None:
        case.call_and_validate(base_url=base_url, headers=headers, checks=checks, timeout=30)

    call()


def test_every_operation_answers_as_its_schema_says(
    running_stack: RunningStack,
    api_schema: schemathesis.BaseSchema,
    subtests: pytest.Subtests,
) -> None:
    operations = _operations(api_schema)
    labels = {operation.label for operation in operations}
    assert "POST /v1/jobs" in labels, sorted(labels)

    for operation in operations:
        with subtests.test(msg=operation.label):
            _fuzz(operation, running_stack.settings.api.base_url, auth_headers(running_stack))
