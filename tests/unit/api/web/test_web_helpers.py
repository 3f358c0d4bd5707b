"""The inbox's small helpers: byte ranges for the players, the filter query string, the
session codec, and the colours' contrast."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

import pytest
from starlette.datastructures import QueryParams

from api.web.inbox_view import parse_query
from api.web.media import byte_range
from api.web.session import Session, SessionCodec, stored_secret
from shared.redis_keys import connect
from tests.conftest import ValkeyProcess

INTENTS = ("billing", "repair", "general")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-", (0, 999)),
        ("bytes=10-19", (10, 19)),
        ("bytes=990-5000", (990, 999)),
        ("bytes=-100", (900, 999)),
        ("bytes=1000-", False),
        ("bytes=20-10", False),
        ("bytes=-0", False),
        ("bytes=0-1,5-6", None),
        ("items=0-1", None),
        # Longer than Python reads as a number (4,300 digits): beyond the end, not a 500.
        ("bytes=" + "9" * 5000 + "-", False),
        ("bytes=0-" + "9" * 5000, (0, 999)),
        ("bytes=-" + "9" * 5000, (0, 999)),
        ("bytes=" + "0" * 5000 + "1-2", (1, 2)),
    ],
)
def test_a_range_header_is_read_as_the_bytes_it_asks_for(
    header: str | None, expected: tuple[int, int] | bool | None
) -> None:
    assert byte_range(header, 1000) == expected


def test_filters_the_form_does_not_offer_are_ignored_rather_than_refused() -> None:
    query = parse_query(
        QueryParams("urgency=urgent&intent=nonsense&needs_review=maybe&status=succeeded&q=+bill+"),
        INTENTS,
    )

    assert query.values == {"status": "succeeded", "q": "bill"}
    flt = query.to_filter()
    assert (flt.urgency, flt.intent, flt.needs_review, flt.text) == (None, None, None, "bill")
    # Named, so the page can say its list is not filtered by them.
    assert query.ignored == ("intent=nonsense", "urgency=urgent", "needs_review=maybe")


def test_a_filtered_view_links_to_its_next_page_with_its_filters() -> None:
    query = parse_query(QueryParams("urgency=high&needs_review=yes&batch=bat_1"), INTENTS)

    assert query.to_filter().needs_review is True
    assert query.url("after:1.5:job_x") == (
        "/inbox?urgency=high&needs_review=yes&batch=bat_1&cursor=after%3A1.5%3Ajob_x"
    )


def test_a_session_survives_signing_and_reading_back() -> None:
    codec = SessionCodec("k" * 40, 3600)
    session = Session(csrf="t", tenant="acme", key_id="abcd", reviewer="Ann <b>")

    assert codec.loads(codec.dumps(session)) == session


def test_a_session_signed_with_another_secret_or_too_old_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    value = SessionCodec("k" * 40, 60).dumps(Session(csrf="t", tenant="acme"))

    assert SessionCodec("j" * 40, 60).loads(value) is None
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: 10**10)
    assert SessionCodec("k" * 40, 60).loads(value) is None


def test_every_api_process_gets_the_same_generated_secret(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    first = stored_secret(connect(valkey.url))
    second = stored_secret(connect(valkey.url))

    assert first == second
    assert len(first) >= 32


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_text_colour_on_its_background_passes_wcag_aa() -> None:
    css = (Path(__file__).parents[4] / "api/web/static/app.css").read_text()
    rules = re.findall(r"([^{}]+)\{([^}]*)\}", css)
    pairs = []
    for selector, body in rules:
        background = re.search(r"background:\s*(#[0-9a-f]{6})", body)
        colour = re.search(r"(?<![-\w])color:\s*(#[0-9a-f]{6})", body)
        if background and colour:
            pairs.append((selector.strip(), colour.group(1), background.group(1)))

    assert len(pairs) >= 8
    for selector, colour, background in pairs:
        assert _contrast(colour, background) >= 4.5, selector


def test_chart_bars_stand_out_from_the_page_by_three_to_one() -> None:
    css = (Path(__file__).parents[4] / "api/web/static/app.css").read_text()
    fills = re.findall(r"\.(tone-[a-z0-9]+|span-run) \{ fill: (#[0-9a-f]{6}); \}", css)

    assert len(fills) >= 10
    for name, fill in fills:
        assert _contrast(fill, "#ffffff") >= 3.0, name


def test_every_template_and_static_file_is_in_the_wheels_package_data() -> None:
    root = Path(__file__).parents[4]
    config = tomllib.loads((root / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["api.web"]
    package = root / "api" / "web"

    files = [p for d in ("templates", "static") for p in (package / d).iterdir()]
    assert len(files) > 10
    for path in files:
        name = str(path.relative_to(package))
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), name
