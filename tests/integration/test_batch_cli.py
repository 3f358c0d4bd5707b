"""`voicepipe submit` of a folder runs one batch; `batch export` and `fetch` read it back."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
import srt
import webvtt
from click.testing import CliRunner, Result

from api.cli import main
from tests.audio_factory import encode, text_as_wav
from tests.integration.conftest import RunningStack

pytestmark = pytest.mark.integration

SCRIPT = "Hi, this is Tom Baker. Please call me back at seven one three, five five five, four four."


def _run(stack: RunningStack, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--url", stack.settings.api.base_url])


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five short recordings and a text file named like one (sorted first: item 0)."""
    path = tmp_path_factory.mktemp("voicemails")
    (path / "a-notes.wav").write_bytes(text_as_wav())
    for n in range(5):
        (path / f"voicemail-{n}.wav").write_bytes(encode("wav", 1.0 + 0.25 * n, seed=n))
    return path


def test_a_folder_is_one_batch_with_progress_a_summary_and_a_row_per_item(
    light_stack: RunningStack, folder: Path, tmp_path: Path
) -> None:
    result = _run(light_stack, "submit", str(folder), "--stages", "stt")

    assert result.exit_code == 1, result.output  # the text file was rejected
    assert "6/6 items" in result.output
    assert "6 items: 5 succeeded, 0 failed, 1 rejected" in result.output
    assert "rejected by code: unsupported_format 1" in result.output
    # Named, with why, from the server's own JSONL export.
    assert "  a-notes.wav: rejected, unsupported_format: " in result.stdout
    found = re.search(r"voicepipe batch export (bat_\w+)", result.output)
    assert found, result.output
    batch_id = found.group(1)

    as_csv, as_jsonl = tmp_path / "x.csv", tmp_path / "x.jsonl"
    for target in (as_csv, as_jsonl):
        exported = _run(light_stack, "batch", "export", batch_id, "-o", str(target))
        assert exported.exit_code == 0, exported.output
    with as_csv.open(encoding="utf-8-sig", newline="") as handle:
        csv_rows = list(csv.DictReader(handle))
    json_rows = [json.loads(line) for line in as_jsonl.read_text().splitlines()]

    assert [int(row["item_index"]) for row in csv_rows] == list(range(6))
    assert [row["item_index"] for row in json_rows] == list(range(6))
    assert [row["job_id"] or None for row in csv_rows] == [row["job_id"] for row in json_rows]
    rejected, *jobs = json_rows
    assert (rejected["status"], rejected["failure_code"]) == ("rejected", "unsupported_format")
    assert rejected["job_id"] is None
    assert csv_rows[0]["failure_code"] == "unsupported_format"
    for row in jobs:
        job = light_stack.http.get(f"/v1/jobs/{row['job_id']}").json()
        assert (row["job_id"], row["status"]) == (job["id"], job["status"])
        assert row["status"] == "succeeded", row
        assert job["batch_id"] == batch_id

    status = _run(light_stack, "batch", "status", batch_id)
    assert status.exit_code == 0, status.output
    assert json.loads(status.stdout)["status"] == "completed"


def test_fetch_writes_transcripts_reply_text_and_reply_audio(
    light_stack: RunningStack, tmp_path: Path
) -> None:
    from workers.providers.tts.local import PiperTts

    voicemail = tmp_path / "voicemail.wav"
    voicemail.write_bytes(PiperTts().synthesize(SCRIPT, None, "wav").data)
    submitted = _run(light_stack, "submit", str(voicemail))
    assert submitted.exit_code == 0, submitted.output
    found = re.search(r"(job_\w+) succeeded", submitted.output)
    assert found, submitted.output
    job_id = found.group(1)

    fetched = _run(light_stack, "fetch", job_id, "-o", str(tmp_path / "out"))

    assert fetched.exit_code == 0, fetched.output
    out = tmp_path / "out"
    names = sorted(p.name for p in out.iterdir())
    transcripts = [f"transcript.{ext}" for ext in ("txt", "json", "srt", "vtt")]
    assert names == sorted([*transcripts, "reply.txt", "reply.mp3"])
    for name in names:
        assert str(out / name) in fetched.output
    job = light_stack.http.get(f"/v1/jobs/{job_id}").json()
    text = (out / "transcript.txt").read_text().strip()
    assert text == job["results"]["transcript"]
    stored = json.loads((out / "transcript.json").read_text())
    assert stored["text"] == text
    cues = list(srt.parse((out / "transcript.srt").read_text()))
    assert " ".join(c.content for c in cues).split() == [w["word"] for w in stored["words"]]
    captions = webvtt.from_string((out / "transcript.vtt").read_text()).captions
    assert [c.text for c in captions] == [c.content for c in cues]
    assert (out / "reply.txt").read_text().strip() == job["results"]["reply"]
    assert (out / "reply.mp3").read_bytes() == light_stack.http.get(
        f"/v1/jobs/{job_id}/reply"
    ).content

    missing = _run(light_stack, "fetch", "job_doesnotexist", "-o", str(tmp_path / "none"))
    assert missing.exit_code == 1
    assert "job_not_found" in missing.output
