"""Plain-text logs: invisible format characters a request carries (a file name's right-to-left
override, a tenant's isolates) are written escaped, as control characters are, so they cannot
reorder a line as it is read; and uvicorn's own error lines are written by our formatter."""

from __future__ import annotations

import logging
import logging.config
import sys
import unicodedata
from collections.abc import Iterator

import pytest
import uvicorn.config

from shared.logging import configure_logging, log_context

UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


@pytest.fixture(autouse=True)
def _fresh_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = {
        name: (list(lg.handlers), lg.propagate, lg.level, lg.disabled)
        for name in UVICORN_LOGGERS
        for lg in [logging.getLogger(name)]
    }
    root_saved = (list(root.handlers), root.level)
    root.handlers = [h for h in root.handlers if not getattr(h, "_voicepipe", False)]
    yield
    root.handlers, root.level = root_saved
    for name, (handlers, propagate, level, disabled) in saved.items():
        lg = logging.getLogger(name)
        lg.handlers, lg.propagate, lg.level, lg.disabled = handlers, propagate, level, disabled


@pytest.mark.parametrize(
    "char", ["\u202e", "\u202a", "\u202d", "\u2066", "\u2067", "\u2069", "\u200e", "\u200f",
             "\u200b", "\u2060", "\ufeff", "\u00ad", "\U000e0041"],
)  # fmt: skip
def test_a_bidi_or_format_character_in_a_logged_name_is_written_escaped(
    char: str, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO", "text")

    with log_context(tenant=f"acme{char}evil"):
        logging.getLogger("voicepipe.api").info("stored %s", f"voicemail{char}3pm.mp3")

    err = capsys.readouterr().err
    assert char not in err
    escaped = char.encode("unicode_escape").decode("ascii")
    assert f"voicemail{escaped}3pm.mp3" in err
    assert f"tenant=acme{escaped}evil" in err


def test_every_format_character_unicode_knows_is_escaped(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("INFO", "text")
    every = "".join(
        chr(code) for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) == "Cf"
    )

    logging.getLogger("voicepipe.api").info("name %s", every)

    err = capsys.readouterr().err
    assert not [f"U+{ord(c):04X}" for c in err if unicodedata.category(c) == "Cf"]


def test_uvicorns_error_lines_are_written_by_our_text_formatter(
    capsys: pytest.CaptureFixture[str],
) -> None:
    logging.config.dictConfig(uvicorn.config.LOGGING_CONFIG)  # as uvicorn sets itself up
    configure_logging("INFO", "text")

    logging.getLogger("uvicorn.error").error("Invalid HTTP request: %s", "/x\u202e\nforged")

    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert " ERROR uvicorn.error: Invalid HTTP request: /x\\u202e\\nforged" in err
