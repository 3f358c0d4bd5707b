"""`voicepipe demo` on the embedded default, as `make demo` runs it."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def test_demo_answers_every_sample_voicemail_correctly(
    tmp_path: Path, cli_env: dict[str, str], voicepipe_bin: str
) -> None:
    out = tmp_path / "demo.json"

    run = subprocess.run(
        [voicepipe_bin, "demo", "--json-out", str(out)],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    results = json.loads(out.read_text())
    assert len(results) >= 4
    for result in results:
        assert result["status"] == "succeeded", result
        assert result["wer"] <= 0.25, (result["sample"], result["transcript"])
        assert result["triage"]["callback_number"] == result["expected_callback"], result
        assert 0 < len(result["reply"].split()) <= 100
        assert result["reply_audio_s"] >= 1.0
        assert Path(result["reply_audio"]).is_file()
    assert "Bottleneck: the" in run.stdout
    for result in results:
        assert result["transcript"] in run.stdout
    table = Path(cli_env["VOICEPIPE_DATA_DIR"]).resolve() / "demo-results.csv"
    assert str(table) in run.stdout
    with table.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["job_id"] for row in rows] == [result["job_id"] for result in results]
    assert all(row["status"] == "succeeded" for row in rows)
