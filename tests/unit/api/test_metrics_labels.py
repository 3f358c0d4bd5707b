"""/metrics carries any label value a plugin provider or its error code may have: a name
with the store's own separator, quotes, backslashes or a newline reads back as it was."""

from __future__ import annotations

from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from shared.metrics_store import MetricsStore, StageMetricsBuffer
from shared.redis_keys import key
from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client, services_of

ODD_PROVIDER = 'acme|v2 "beta"'
ODD_CODE = "upstream|503\\x\nnext"


def test_label_values_with_separators_quotes_and_newlines_read_back_as_they_were(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    http = app_client(tmp_path, valkey)
    client = services_of(http).jobs.redis
    figures = MetricsStore(client)
    figures.count("provider_errors", "stt", ODD_PROVIDER, ODD_CODE)
    figures.count("provider_errors", "stt", ODD_PROVIDER, ODD_CODE)
    buffer = StageMetricsBuffer(client, interval_s=3600)
    buffer.observe("stt", ODD_PROVIDER, {"run": 1.5})
    buffer.flush()

    answer = http.get("/metrics")

    assert answer.status_code == 200, answer.text
    families = {f.name: f for f in text_string_to_metric_families(answer.text)}
    (errors,) = families["voicepipe_provider_errors"].samples[:1]
    assert errors.labels == {"stage": "stt", "provider": ODD_PROVIDER, "code": ODD_CODE}
    assert errors.value == 2
    counts = [s for s in families["voicepipe_stage_seconds"].samples if s.name.endswith("_count")]
    assert [(s.labels["provider"], s.value) for s in counts] == [(ODD_PROVIDER, 1)]


def test_figures_written_before_the_encoding_changed_still_read(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    http = app_client(tmp_path, valkey)
    client = services_of(http).jobs.redis
    client.hincrby(key("metrics", "counter", "provider_errors"), "llm|claude|rate_limited", 3)

    assert MetricsStore(client).counter("provider_errors") == {("llm", "claude", "rate_limited"): 3}
