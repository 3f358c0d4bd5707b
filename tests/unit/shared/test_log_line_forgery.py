"""Plain-text logs: a record is one line from its timestamp, whatever a request put in it. A
path's "%0a" is a newline once decoded, and "client hung up ... of /x\\n<timestamp> ERROR ..."
wrote a second record nobody logged."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest

from shared.logging import configure_logging, log_context

FORGED = "2026-12-07 10:00:00,000 ERROR voicepipe.api: forged"
RECORD_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ")


@pytest.fixture(autouse=True)
def _fresh_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    root.handlers = [h for h in root.handlers if not getattr(h, "_voicepipe", False)]
    yield
    root.handlers, root.level = saved


def _records(err: str) -> list[str]:
    return [line for line in err.splitlines() if RECORD_START.match(line)]


@pytest.mark.parametrize(
    "separator", ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x85", "\u2028"]
)
def test_a_line_break_in_a_logged_path_is_escaped_not_a_new_record(
    separator: str, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO", "text")

    logging.getLogger("voicepipe.api").info(
        "client hung up before sending the whole body of %s", f"/v1/jobs{separator}{FORGED}"
    )

    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert repr(separator)[1:-1] in err


def test_terminal_escapes_and_nul_are_written_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "text")

    logging.getLogger("voicepipe.api").warning("path %s", "/a\x1b[2J\x00\x7fé")

    err = capsys.readouterr().err
    assert "/a\\x1b[2J\\x00\\x7fé" in err


def test_a_context_field_cannot_break_the_line(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "text")

    with log_context(tenant=f"acme\n{FORGED}"):
        logging.getLogger("voicepipe.api").info("stored")

    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert "tenant=acme\\n2026-12-07" in err


def test_a_traceback_keeps_its_lines_but_none_can_pass_for_a_record(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("INFO", "text")

    try:
        raise ValueError(f"bad path /x\n{FORGED}")
    except ValueError:
        logging.getLogger("voicepipe.api").exception("unexpected error answering GET /x")

    err = capsys.readouterr().err
    assert len(_records(err)) == 1, err
    assert "Traceback (most recent call last):" in err
    assert len(err.splitlines()) > 3
