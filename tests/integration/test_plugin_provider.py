"""A provider registered from a test module runs in real worker processes.

The plugin (tests/plugins/polite_reply.py) is one module with one registry line. The stack
names it in ``providers.plugins``; its settings section comes from the environment like a
built-in one and reaches every child process (API and workers) with the rest.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from api.cli.stack import Stack
from shared import provider_catalog as catalog
from tests.integration.conftest import RunningStack, stack_settings, started

pytestmark = pytest.mark.integration

PLUGIN = "tests.plugins.polite_reply"
GREETING = "Thanks for calling the plugin desk"
SCRIPT = "Hello, this is Ann. Please call me back about my order."


@pytest.fixture(scope="module")
def plugin_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    saved = {
        k: os.environ.get(k) for k in ("VOICEPIPE_POLITE__API_KEY", "VOICEPIPE_POLITE__GREETING")
    }
    os.environ["VOICEPIPE_POLITE__API_KEY"] = "pk-plugin"
    os.environ["VOICEPIPE_POLITE__GREETING"] = GREETING
    try:
        settings = stack_settings(
            tmp_path_factory.mktemp("plugin"), providers={"plugins": [PLUGIN]}
        )
        with started(Stack(settings, flower=False)) as running:
            yield running
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        catalog.unregister("llm", "polite")


@pytest.fixture(scope="module")
def voicemail_wav() -> bytes:
    from workers.providers.tts.local import PiperTts

    return PiperTts().synthesize(SCRIPT, None, "wav").data


def test_a_job_may_choose_the_plugin_provider_and_gets_its_reply(
    plugin_stack: RunningStack, voicemail_wav: bytes
) -> None:
    response = plugin_stack.http.post(
        "/v1/jobs",
        files={"file": ("vm.wav", voicemail_wav)},
        data={"stages": "stt,llm", "llm_provider": "polite"},
    )
    assert response.status_code == 202, response.text

    job = plugin_stack.wait(response.json()["id"])

    assert job["status"] == "succeeded", job.get("error")
    reply = job["results"]["reply"]  # type: ignore[index]
    # The greeting came from VOICEPIPE_POLITE__GREETING, through the plugin's own section.
    assert reply.startswith(f"{GREETING}. We heard: ")


def test_an_unknown_provider_is_still_refused_with_the_names_including_the_plugin(
    plugin_stack: RunningStack, voicemail_wav: bytes
) -> None:
    response = plugin_stack.http.post(
        "/v1/jobs", files={"file": ("vm.wav", voicemail_wav)}, data={"llm_provider": "rude"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_provider"
    assert "polite" in response.json()["error"]["message"]
