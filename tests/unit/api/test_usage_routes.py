"""/v1/usage and /v1/usage/latency: a tenant's window of job records, summed by day or by
provider, as JSON or CSV, and refused with a message a person can act on when the window
cannot be read."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.security import key_entry
from shared.jobstore import JobStore
from shared.models import Job, Usage
from shared.redis_keys import connect
from shared.settings import Settings
from shared.usage_report import LATENCY_COLUMNS, ROW_COLUMNS
from tests.conftest import ValkeyProcess
from tests.usage_factories import finished_job

ACME = {"Authorization": "Bearer vp_" + "a" * 43}
GLOBEX = {"Authorization": "Bearer vp_" + "b" * 43}
DAY_1 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
DAY_2 = datetime(2026, 11, 3, 18, 0, tzinfo=UTC)
WINDOW = {"from": "2026-11-01T00:00:00Z", "to": "2026-11-05T00:00:00Z"}


def _client(tmp_path: Path, valkey: ValkeyProcess, **overrides: Any) -> TestClient:
    settings = Settings(
        data_dir=tmp_path,
        broker={"url": valkey.url},
        auth={
            "keys": [
                key_entry("acme", ACME["Authorization"][7:]),
                key_entry("globex", GLOBEX["Authorization"][7:]),
            ]
        },
        **overrides,
    )
    return TestClient(create_app(settings))


def _store(valkey: ValkeyProcess, *jobs: Job) -> None:
    store = JobStore(connect(valkey.url))
    for job in jobs:
        store.create(job)


def _acme_jobs() -> list[Job]:
    claude = Usage(input_tokens=1000, output_tokens=200, model="claude-sonnet-4-6")
    return [
        finished_job(tenant="acme", created_at=DAY_1, audio_s=30.0, reply="a" * 100),
        finished_job(
            tenant="acme",
            created_at=DAY_1 + timedelta(hours=2),
            audio_s=90.0,
            providers=("whisper", "claude", "local"),
            transcription={"engine": "whisper", "model": "whisper-1"},
            usage=claude,
            reply="b" * 50,
        ),
        finished_job(tenant="acme", created_at=DAY_2, audio_s=12.5, reply="c" * 10),
    ]


def test_grouped_by_day_each_utc_day_sums_the_jobs_created_on_it(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    _store(valkey, *_acme_jobs())

    body = _client(tmp_path, valkey).get("/v1/usage", params=WINDOW, headers=ACME).json()

    assert [(r["day"], r["jobs"], r["audio_s"]) for r in body["rows"]] == [
        ("2026-11-02", 2, 120.0),
        ("2026-11-03", 1, 12.5),
    ]
    assert body["totals"]["jobs"] == 3
    assert body["totals"]["characters"] == 160
    assert body["totals"]["input_tokens"] == 1000
    assert body["totals"]["cost"] == pytest.approx(1.5 * 0.006 + 1000 / 1e6 * 3 + 200 / 1e6 * 15)
    assert (body["group_by"], body["currency"], body["prices_read_on"]) == (
        "day",
        "USD",
        "2026-12-02",
    )


def test_grouped_by_provider_a_row_per_stage_engine_and_model(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    _store(valkey, *_acme_jobs())

    body = (
        _client(tmp_path, valkey)
        .get("/v1/usage", params={**WINDOW, "group_by": "provider"}, headers=ACME)
        .json()
    )
    rows = {(r["stage"], r["engine"], r["model"]): r for r in body["rows"]}

    assert rows[("stt", "whisper", "whisper-1")]["audio_s"] == 90.0
    assert rows[("stt", "local", None)]["audio_s"] == 42.5
    assert rows[("stt", "local", None)]["jobs"] == 2
    assert rows[("llm", "claude", "claude-sonnet-4-6")]["output_tokens"] == 200
    assert rows[("tts", "local", None)]["characters"] == 160
    assert sum(r["cost"] for r in body["rows"]) == pytest.approx(body["totals"]["cost"])


def test_the_report_is_a_csv_table_when_asked_by_parameter_or_by_accept_header(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    _store(valkey, *_acme_jobs())
    client = _client(tmp_path, valkey)

    by_param = client.get("/v1/usage", params={**WINDOW, "format": "csv"}, headers=ACME)
    by_accept = client.get("/v1/usage", params=WINDOW, headers={**ACME, "Accept": "text/csv"})

    assert by_param.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in by_param.headers["content-disposition"]
    assert by_accept.content == by_param.content
    table = list(csv.DictReader(io.StringIO(by_param.content.decode("utf-8-sig"))))
    assert tuple(table[0]) == ROW_COLUMNS
    assert [(r["day"], r["jobs"], r["audio_s"]) for r in table] == [
        ("2026-11-02", "2", "120.0"),
        ("2026-11-03", "1", "12.5"),
    ]


def test_a_tenant_sees_only_its_own_jobs_usage(tmp_path: Path, valkey: ValkeyProcess) -> None:
    theirs = finished_job(tenant="globex", created_at=DAY_1, audio_s=1000.0)
    _store(valkey, *_acme_jobs(), theirs)
    client = _client(tmp_path, valkey)

    acme = client.get("/v1/usage", params=WINDOW, headers=ACME).json()
    globex = client.get("/v1/usage", params=WINDOW, headers=GLOBEX).json()

    assert (acme["tenant"], acme["totals"]["jobs"], acme["totals"]["audio_s"]) == ("acme", 3, 132.5)
    assert (globex["totals"]["jobs"], globex["totals"]["audio_s"]) == (1, 1000.0)
    assert client.get(f"/v1/jobs/{theirs.id}/usage", headers=ACME).status_code == 404
    assert client.get(f"/v1/jobs/{theirs.id}/usage", headers=GLOBEX).status_code == 200
    assert client.get("/v1/usage", params=WINDOW).status_code == 401


def test_jobs_outside_the_window_are_left_out(tmp_path: Path, valkey: ValkeyProcess) -> None:
    _store(valkey, *_acme_jobs())
    client = _client(tmp_path, valkey)

    body = client.get(
        "/v1/usage", params={"from": "2026-11-03", "to": "2026-11-04"}, headers=ACME
    ).json()

    assert body["totals"]["jobs"] == 1
    assert body["start"] == "2026-11-03T00:00:00Z"


@pytest.mark.parametrize(
    ("params", "code", "says"),
    [
        ({"from": "2026-11-05T00:00:00Z", "to": "2026-11-01T00:00:00Z"}, "invalid_range", "before"),
        ({"from": "2026-11-01T00:00:00Z", "to": "2026-11-01T00:00:00Z"}, "invalid_range", "before"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "window_too_long", "at most"),
        # One second over: it said "covers 366 days; at most 366".
        ({"from": "2025-12-01", "to": "2026-12-02T00:00:01Z"}, "window_too_long",
         "more than 366 days (366 days, 0:00:01)"),
        ({"from": "0001-01-01T00:00:00+23:59"}, "invalid_range", "years"),
        ({"from": "last tuesday"}, "invalid_request", "from"),
        ({"to": "1764633600"}, "invalid_request", "2026-11-01T09:00:00Z"),
        ({"group_by": "week"}, "invalid_request", "group_by"),
        ({"format": "xlsx"}, "invalid_request", "format"),
    ],
)  # fmt: skip
def test_a_window_that_cannot_be_read_is_refused_with_a_reason(
    tmp_path: Path, valkey: ValkeyProcess, params: dict[str, str], code: str, says: str
) -> None:
    response = _client(tmp_path, valkey).get("/v1/usage", params=params, headers=ACME)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == code
    assert says in response.json()["error"]["message"]


def test_a_window_holding_more_jobs_than_one_report_reads_is_refused(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    _store(valkey, *_acme_jobs())
    client = _client(tmp_path, valkey, usage={"max_jobs": 2})

    response = client.get("/v1/usage/latency", params=WINDOW, headers=ACME)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "too_many_jobs"
    assert "shorter window" in response.json()["error"]["message"]


def test_latency_percentiles_per_stage_and_provider_come_from_the_same_records(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    jobs = [
        finished_job(tenant="acme", created_at=DAY_1 + timedelta(minutes=i), run_s=(i, 0.5, 1.0))
        for i in range(1, 5)
    ]
    _store(valkey, *jobs)
    client = _client(tmp_path, valkey)

    body = client.get("/v1/usage/latency", params=WINDOW, headers=ACME).json()
    table = client.get("/v1/usage/latency", params={**WINDOW, "format": "csv"}, headers=ACME)
    stt = next(r for r in body["rows"] if (r["stage"], r["phase"]) == ("stt", "run"))

    assert body["jobs"] == 4
    assert (stt["provider"], stt["count"], stt["p50_s"], stt["max_s"]) == ("local", 4, 2.5, 4.0)
    assert stt["p90_s"] == pytest.approx(3.7)
    header = table.content.decode("utf-8-sig").splitlines()[0]
    assert header == ",".join(f'"{c}"' for c in LATENCY_COLUMNS)


def test_a_jobs_usage_lists_each_line_with_its_price(tmp_path: Path, valkey: ValkeyProcess) -> None:
    job = _acme_jobs()[1]
    _store(valkey, job)

    body = _client(tmp_path, valkey).get(f"/v1/jobs/{job.id}/usage", headers=ACME).json()
    audio = next(line for line in body["lines"] if line["meter"] == "audio_s")

    assert (audio["engine"], audio["unit_price"], audio["price_unit"]) == (
        "whisper",
        0.006,
        "audio minute",
    )
    assert body["totals"]["cost"] == pytest.approx(sum(line["cost"] for line in body["lines"]))


@pytest.mark.parametrize("path", ["/v1/usage", "/v1/usage/latency"])
def test_a_query_parameter_the_report_does_not_take_is_refused_naming_it_and_those_it_takes(
    tmp_path: Path, valkey: ValkeyProcess, path: str
) -> None:
    # start= and end= were ignored: the answer covered the default 30 days, not the window.
    params = {"start": "2026-11-01", "end": "2026-11-02"}
    response = _client(tmp_path, valkey).get(path, params=params, headers=ACME)

    assert response.status_code == 422, response.text
    message = response.json()["error"]["message"]
    assert "no query parameter 'start', 'end'" in message
    assert "from, to" in message
