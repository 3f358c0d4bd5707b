"""An id the server could never find (empty from an unset shell variable, a path, a batch's
id given to a job command) is bad usage said before any request: it was an HTTP redirect
or "not_found: Not Found", naming nothing the person could fix."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from api.cli import main

JOB_COMMANDS = [["status"], ["fetch"], ["retry"], ["cancel"]]
BATCH_COMMANDS = [["batch", c] for c in ("status", "watch", "export", "cancel", "retry")]


@pytest.mark.parametrize("command", JOB_COMMANDS + BATCH_COMMANDS, ids=" ".join)
@pytest.mark.parametrize("given", ["", " ", "a/b", "../etc", "job_1?x=1"])
def test_an_id_that_is_no_id_is_bad_usage_naming_it(command: list[str], given: str) -> None:
    result = CliRunner().invoke(main, [*command, given, "--url", "http://127.0.0.1:1"])

    assert result.exit_code == 2, result.output
    assert f"{given!r} is not a" in result.output


@pytest.mark.parametrize("command", JOB_COMMANDS, ids=" ".join)
def test_a_batch_id_given_to_a_job_command_points_to_the_batch_command(
    command: list[str],
) -> None:
    result = CliRunner().invoke(main, [*command, "bat_01a2", "--url", "http://127.0.0.1:1"])

    assert result.exit_code == 2, result.output
    assert "voicepipe batch status bat_01a2" in result.output


@pytest.mark.parametrize("command", BATCH_COMMANDS, ids=" ".join)
def test_a_job_id_given_to_a_batch_command_points_to_the_job_command(
    command: list[str],
) -> None:
    result = CliRunner().invoke(main, [*command, "job_01a2", "--url", "http://127.0.0.1:1"])

    assert result.exit_code == 2, result.output
    assert "voicepipe status job_01a2" in result.output


@pytest.mark.parametrize("verb", ["retry", "cancel"])
def test_a_batch_id_given_to_job_retry_or_cancel_names_the_batch_command_that_does_it(
    verb: str,
) -> None:
    # Before: "see it with `voicepipe batch status bat_01a2`", which neither retries nor cancels.
    result = CliRunner().invoke(main, [verb, "bat_01a2", "--url", "http://127.0.0.1:1"])

    assert result.exit_code == 2, result.output
    assert "bat_01a2 is a batch id, not a job id" in result.output
    assert f"`voicepipe batch {verb} bat_01a2`" in result.output


@pytest.mark.parametrize("verb", ["retry", "cancel"])
def test_a_job_id_given_to_batch_retry_or_cancel_names_the_job_command_that_does_it(
    verb: str,
) -> None:
    result = CliRunner().invoke(main, ["batch", verb, "job_01a2", "--url", "http://127.0.0.1:1"])

    assert result.exit_code == 2, result.output
    assert f"`voicepipe {verb} job_01a2`" in result.output
