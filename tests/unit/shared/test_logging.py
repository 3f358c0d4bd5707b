"""configure_logging: what reaches the log, at DEBUG and in JSON, is never a transcript,
a reply or a URL's query string."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import redis
from pydantic import TypeAdapter, ValidationError

from shared.logging import THIRD_PARTY_LOGGERS, configure_logging

REPLY = "Hello Priscilla, I will call you back at four one five"


@pytest.fixture(autouse=True)
def _fresh_logging() -> Iterator[None]:
    """configure_logging installs its handler once per process: each test starts without it
    and leaves the loggers it touches as they were."""
    root = logging.getLogger()
    names = ("uvicorn", "uvicorn.error", "uvicorn.access", *THIRD_PARTY_LOGGERS, "piper.voice")
    saved = {
        name: (list(lg.handlers), lg.propagate, lg.level)
        for name in names
        for lg in [logging.getLogger(name)]
    }
    root_saved = (list(root.handlers), root.level)
    root.handlers = [h for h in root.handlers if not getattr(h, "_voicepipe", False)]
    yield
    root.handlers, root.level = root_saved[0], root_saved[1]
    for name, (handlers, propagate, level) in saved.items():
        lg = logging.getLogger(name)
        lg.handlers, lg.propagate, lg.level = handlers, propagate, level


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_debug_log_level_does_not_let_piper_log_the_reply_it_speaks(
    fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("DEBUG", fmt)  # type: ignore[arg-type]
    # piper/voice.py, for every sentence it phonemizes.
    logging.getLogger("piper.voice").debug("text=%s, phonemes=%s", REPLY, [])
    logging.getLogger("voicepipe.stage").debug("ours still logs at debug")

    err = capsys.readouterr().err
    assert REPLY not in err
    assert "ours still logs at debug" in err


@pytest.mark.parametrize(
    "name", ["anthropic._base_client", "google.cloud.texttospeech_v1", "faster_whisper", "httpx2"]
)
def test_libraries_that_log_request_bodies_are_kept_at_warning(name: str) -> None:
    configure_logging("DEBUG")
    assert not logging.getLogger(name).isEnabledFor(logging.DEBUG)
    assert not logging.getLogger(name).isEnabledFor(logging.INFO)


def _as_uvicorn_leaves_them(access_log: bool) -> None:
    """uvicorn's own logging config (at its default level, info: an earlier test's server
    may have left "critical"), then what ``--no-access-log`` does to it."""
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).setLevel(logging.INFO)
    for name in ("uvicorn", "uvicorn.access"):
        logging.getLogger(name).handlers = [logging.NullHandler()]
    logging.getLogger("uvicorn.access").propagate = False
    if not access_log:
        logging.getLogger("uvicorn.access").handlers = []


def test_json_logs_keep_uvicorns_access_lines_off_when_no_access_log_turned_them_off(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _as_uvicorn_leaves_them(access_log=False)
    configure_logging("INFO", "json")

    logging.getLogger("uvicorn.access").info('GET /v1/inbox?text=4155550188 HTTP/1.1" 200')
    logging.getLogger("uvicorn.error").info("Application startup complete.")

    err = capsys.readouterr().err
    assert "4155550188" not in err
    assert '"message": "Application startup complete."' in err


def test_json_logs_carry_uvicorns_access_lines_when_they_are_on(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _as_uvicorn_leaves_them(access_log=True)
    configure_logging("INFO", "json")

    logging.getLogger("uvicorn.access").info("GET /healthz 200")

    assert '"logger": "uvicorn.access"' in capsys.readouterr().err


def _route_failure(body: str) -> Exception:
    """What a route's bug raises from a request's body: pydantic quotes the value it read."""
    try:
        try:
            TypeAdapter(int).validate_python(body)
        except ValidationError as exc:
            raise RuntimeError(f"could not read {body!r}") from exc
    except RuntimeError as exc:
        return exc
    raise AssertionError("no failure")


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_logged_exception_shows_its_frames_and_kind_but_not_its_text(
    fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO", fmt)  # type: ignore[arg-type]
    # As uvicorn logs what a route raised and no handler took (h11_impl, httptools_impl).
    logging.getLogger("uvicorn.error").error(
        "Exception in ASGI application\n", exc_info=_route_failure(REPLY)
    )

    err = capsys.readouterr().err
    assert "Priscilla" not in err
    assert "four one five" not in err
    assert "in _route_failure" in err
    assert "ValidationError" in err
    assert "RuntimeError" in err


def test_a_logged_broker_error_keeps_its_text(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO")
    try:
        raise redis.ConnectionError("Error 111 connecting to localhost:6390. Connection refused.")
    except redis.ConnectionError:
        logging.getLogger("voicepipe.sweeper").exception("sweep failed")

    assert "Error 111 connecting to localhost:6390" in capsys.readouterr().err
