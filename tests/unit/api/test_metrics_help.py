"""The help Prometheus shows for the intake refusals names every route counted in them."""

from __future__ import annotations

from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client


def test_the_intake_rejections_help_names_the_openai_calls_it_counts(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    # Their refusals are counted (test_openai_compat_refusals), but the help named only
    # /v1/jobs and /v1/batches: an operator looking for them would think them uncounted.
    answer = app_client(tmp_path, valkey).get("/metrics")

    families = {f.name: f for f in text_string_to_metric_families(answer.text)}
    help_text = families["voicepipe_intake_rejections"].documentation
    for route in ("/v1/jobs", "/v1/batches", "/v1/audio/transcriptions", "/v1/audio/speech"):
        assert route in help_text


def test_the_queue_help_says_a_killed_workers_message_is_counted_until_redelivery(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    # A worker killed mid-job leaves its message unacked for up to the visibility timeout
    # with nothing running: the help called it only "delivered but not yet acknowledged".
    answer = app_client(tmp_path, valkey).get("/metrics")

    families = {f.name: f for f in text_string_to_metric_families(answer.text)}
    help_text = families["voicepipe_queue_messages"].documentation
    assert "killed" in help_text
    assert "VOICEPIPE_BROKER__VISIBILITY_TIMEOUT_S" in help_text
