"""200 voicemails through the CLI as one batch, every stage on instant vendor fakes.

The cloud fakes of the chaos suite answer at once and know each job by its audio: the
transcription "hears" a voicemail whose callback number carries the job's number, and that
number travels through the reply. So each exported row can be checked against the very
voicemail it came from, not only against its job record.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from tests.chaos.fakes import ChaosFakes
from tests.chaos.harness import ChaosStack

pytestmark = pytest.mark.integration

VOICEMAILS = 200


@pytest.fixture(scope="module")
def stack() -> Iterator[ChaosStack]:
    # Several pools of the fakes' stack are threads: fast enough for 200 jobs in well
    # under a minute on two cores.
    with ChaosStack("batch200", ChaosFakes()) as running:
        yield running


def test_a_batch_of_200_voicemails_submitted_by_the_cli_exports_a_complete_row_for_each(
    stack: ChaosStack, tmp_path: Path
) -> None:
    folder = tmp_path / "mailbox"
    folder.mkdir()
    for n in range(VOICEMAILS):
        (folder / f"vm-{n:03d}.wav").write_bytes(stack.fakes.openai.register(n))
    url = stack.settings.api.base_url
    runner = CliRunner()

    submitted = runner.invoke(main, ["submit", str(folder), "--url", url])

    assert submitted.exit_code == 0, submitted.output
    assert f"{VOICEMAILS}/{VOICEMAILS} items" in submitted.output
    assert f"{VOICEMAILS} items: {VOICEMAILS} succeeded, 0 failed, 0 rejected" in submitted.output
    listed = stack.http.get("/v1/batches").json()["batches"]
    batch_id = listed[0]["id"]
    assert listed[0]["items"] == VOICEMAILS

    as_csv, as_jsonl = tmp_path / "results.csv", tmp_path / "results.jsonl"
    for target in (as_csv, as_jsonl):
        exported = runner.invoke(
            main, ["batch", "export", batch_id, "-o", str(target), "--url", url]
        )
        assert exported.exit_code == 0, exported.output
    with as_csv.open(encoding="utf-8-sig", newline="") as handle:
        csv_rows = list(csv.DictReader(handle))
    json_rows = [json.loads(line) for line in as_jsonl.read_text().splitlines()]

    assert len(csv_rows) == len(json_rows) == VOICEMAILS
    jobs = {job.id: job for job in stack.jobs.get_many([r["job_id"] for r in json_rows]) if job}
    for index, (row, flat) in enumerate(zip(json_rows, csv_rows, strict=True)):
        job = jobs[row["job_id"]]
        n = int(re.search(r"vm-(\d+)", row["source"]).group(1))  # type: ignore[union-attr]
        assert row["item_index"] == index == job.batch_index
        assert (row["status"], job.status.value) == ("succeeded", "succeeded")
        assert row["source"] == job.source == f"vm-{n:03d}.wav"
        assert row["transcript"] == job.results.transcript
        assert f"415 555 {n:04d}" in row["transcript"], "the row belongs to its voicemail"
        assert job.results.triage is not None
        assert row["callback_number"] == job.results.triage.callback_number
        assert row["callback_number"] == f"+1415555{n:04d}"
        assert row["intent"] == job.results.triage.intent
        assert row["urgency"] == job.results.triage.urgency
        assert row["summary"] == job.results.triage.summary
        assert row["reply_text"] == job.results.reply
        assert row["reply_text"]
        assert row["duration_s"] == job.input.duration_s
        assert row["reply_audio_url"].endswith(f"/v1/jobs/{job.id}/reply")
        assert row["transcript_url"].endswith(f"/v1/jobs/{job.id}/transcript")
        # The CSV carries the same row, as text (a leading "+" neutralised for spreadsheets).
        assert flat["job_id"] == job.id
        assert flat["callback_number"] == "'" + row["callback_number"]
        assert flat["transcript"] == row["transcript"]
        assert flat["reply_text"] == row["reply_text"]
    assert len(jobs) == VOICEMAILS
