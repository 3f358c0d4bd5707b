"""The README's reference tables against the product: settings and their defaults, the error
codes the API answers, its routes and the make targets. A new user follows the README; these
fail when it drifts from the code instead of leaving the drift to be found by hand."""

from __future__ import annotations

import datetime
import enum
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from api.main import create_app
from shared.settings import Settings

ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text()
UNPARSED = object()


def _section_of(model: Any) -> type[BaseModel] | None:
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _leaves(model: type[BaseModel], prefix: str) -> Iterator[tuple[str, FieldInfo]]:
    for name, field in model.model_fields.items():
        variable = prefix + name.upper()
        section = _section_of(field.annotation)
        if section is None:
            yield variable, field
        else:
            yield from _leaves(section, variable + "__")


SETTINGS = dict(_leaves(Settings, "VOICEPIPE_"))


def _expand(name: str) -> list[str]:
    braces = re.search(r"\{([A-Z_,]+)\}", name)
    if braces is None:
        return [name]
    head, tail = name[: braces.start()], name[braces.end() :]
    return [head + option + tail for option in braces.group(1).split(",")]


def _settings_table() -> list[tuple[list[str], str]]:
    """Each row of the settings table: the variables it names (`__X` continues the section of
    the row's first full name) and its default cell."""
    start = README.index("| variable | default | meaning |")
    rows = []
    for line in README[start:].split("\n\n")[0].splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        names: list[str] = []
        sections: list[str] = []
        for token in re.findall(r"`([A-Z0-9_{},]+)`", cells[0]):
            if token.startswith("VOICEPIPE_"):
                full = _expand(token)
                names += full
                sections = [name.rsplit("__", 1)[0] if "__" in name else "" for name in full]
            elif token.startswith("__"):
                names += [section + token for section in sections]
        rows.append((names, cells[1]))
    return rows


def _split_defaults(cell: str) -> list[str]:
    """A default cell's comma-separated values ("1000, 2 GiB, 100,000": the thousands
    separator has no space after it)."""
    return [part.strip() for part in re.split(r",\s+(?![^(]*\))", cell)]


_UNITS = {"MB": 1024**2, "GiB": 1024**3, "h": 3600, "days": 86400}


def _parse(text: str) -> object:
    """A default as the README writes it, or UNPARSED for prose ("derived", "Google's")."""
    if text in {"none", "unset", "\N{EN DASH}"}:
        return None
    quoted = re.fullmatch(r"`([^`]*)`", text)
    if quoted:
        literal = quoted.group(1)
        if literal in {"true", "false"}:
            return literal == "true"
        if literal.startswith("["):
            return tuple(json.loads(literal))
        if "<" in literal:  # a path under the data directory, derived at start-up
            return UNPARSED
        parsed = _parse(literal)
        return literal if parsed is UNPARSED or parsed is None else parsed
    number = re.fullmatch(r"([0-9][0-9,]*(?:\.[0-9]+)?)(?: (MB|GiB|h|days))?", text)
    if number:
        value = float(number.group(1).replace(",", ""))
        return value * _UNITS.get(number.group(2) or "", 1)
    return UNPARSED


def _real_default(field: FieldInfo) -> object:
    if field.default is PydanticUndefined and field.default_factory is not None:
        value: object = field.default_factory()  # type: ignore[call-arg]
    else:
        value = field.default
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, datetime.date):
        value = value.isoformat()
    if isinstance(value, Path):
        value = str(value)
    if isinstance(value, (list, tuple, dict)) and not value:
        value = None
    if isinstance(value, list):
        value = tuple(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return float(value)


def test_the_settings_table_names_every_setting_and_only_settings() -> None:
    named = {name for names, _ in _settings_table() for name in names}
    assert sorted(set(SETTINGS) - named) == [], "settings missing from README's settings table"
    assert sorted(named - set(SETTINGS)) == [], "README's settings table names non-settings"


def test_the_settings_table_gives_each_default_the_code_has() -> None:
    compared = 0
    wrong = []
    for names, cell in _settings_table():
        values = _split_defaults(cell)
        if len(values) != len(names):
            continue
        for name, text in zip(names, values, strict=True):
            documented = _parse(text)
            if documented is UNPARSED:
                continue
            compared += 1
            real = _real_default(SETTINGS[name])
            if documented != real:
                wrong.append(f"{name}: README {text!r}, code {real!r}")
    assert wrong == []
    # The check must keep reading the table: a change of its layout must not empty it.
    assert compared >= 80


def _codes_raised() -> dict[str, str]:
    """Every error code the API raises as a literal, with the file raising it."""
    codes: dict[str, str] = {}
    patterns = (
        r"ApiError\(\s*[\w.]+\s*,\s*\"([a-z_]+)\"",
        r"MediaRejected\(\s*\"([a-z_]+)\"",
        r"^\s+code = \"([a-z_]+)\"",
    )
    for path in sorted([*ROOT.glob("api/**/*.py"), ROOT / "shared" / "errors.py"]):
        source = path.read_text()
        for pattern in patterns:
            for code in re.findall(pattern, source, flags=re.MULTILINE):
                codes.setdefault(code, str(path.relative_to(ROOT)))
    return codes


def test_every_error_code_the_api_answers_is_in_the_readme() -> None:
    codes = _codes_raised()
    assert len(codes) > 50
    missing = {
        code: where
        for code, where in codes.items()
        if f"`{code}`" not in README and not re.search(rf"`\d{{3}} {code}`", README)
    }
    assert missing == {}


def test_every_error_code_in_the_readme_tables_is_one_the_code_has() -> None:
    source = "".join(
        path.read_text()
        for folder in ("api", "shared", "workers")
        for path in ROOT.glob(f"{folder}/**/*.py")
    )
    documented = set(re.findall(r"`[1-5]\d\d ([a-z_]+)`", README))
    for header in ("| code | status | meaning |", "| code | retried? | meaning |"):
        table = README[README.index(header) :].split("\n\n")[0].splitlines()[2:]
        for row in table:
            documented |= set(re.findall(r"`([a-z_]+)`", row.split("|")[1]))
    assert sorted(code for code in documented if f'"{code}"' not in source) == []


@pytest.fixture(scope="module")
def operations() -> set[tuple[str, str]]:
    """The API's operations as its OpenAPI document lists them, `{job_id}` written `{id}`."""
    paths: dict[str, dict[str, Any]] = create_app().openapi()["paths"]
    return {
        (method.upper(), re.sub(r"\{[a-z_]+_id\}", "{id}", path))
        for path, item in paths.items()
        for method in item
    }


def test_every_operation_of_the_api_is_in_the_readme(operations: set[tuple[str, str]]) -> None:
    missing = sorted(
        f"{method} {path}"
        for method, path in operations
        if not re.search(re.escape(f"{method} {path}") + r"(?![\w/{])", README)
    )
    assert missing == []


def test_every_api_operation_in_the_readme_is_one_the_api_has(
    operations: set[tuple[str, str]],
) -> None:
    # The JSON API's paths; /metrics and the inbox pages are outside the OpenAPI document.
    operation = r"\b(GET|POST|DELETE|PUT|PATCH) (/(?:v1/|healthz|readyz)[\w/{}<>.-]*)"
    written = re.findall(operation, README)
    # `/v1/jobs/<id>` in the diagram is `/v1/jobs/{id}`.
    paths = {(m, re.sub(r"<\w+>", "{id}", p).rstrip(".")) for m, p in written}
    unknown = sorted(f"{m} {p}" for m, p in paths if (m, p) not in operations)
    assert unknown == []


def _make_targets() -> dict[str, bool]:
    """The Makefile's targets, each with whether it carries a `## help` comment."""
    makefile = (ROOT / "Makefile").read_text()
    return {
        match.group(1): "##" in match.group(2)
        for match in re.finditer(r"^([a-z][\w-]*):(.*)$", makefile, flags=re.MULTILINE)
    }


def test_every_make_target_in_the_readme_exists_and_every_documented_one_is_there() -> None:
    targets = _make_targets()
    written = set(re.findall(r"`make ([a-z][\w-]*)", README))
    assert sorted(written - set(targets)) == []
    assert sorted(t for t, helped in targets.items() if helped and t not in written) == []


def test_every_column_of_a_batch_export_is_named_where_the_readme_describes_the_export() -> None:
    from api.batch_exports import COLUMNS

    start = README.index("- `GET /v1/batches/{id}/results?format=csv|jsonl`")
    described = README[start : README.index("\n- ", start + 1)]

    assert [c for c in COLUMNS if c not in re.findall(r"[a-z_]+", described)] == []
