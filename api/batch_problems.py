"""What a JSON batch's validation errors say to a person: one plain sentence per field,
where pydantic's words name its own machinery (union members, "items" of a string)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from api.field_problems import problem_text
from shared.batches import MAX_METADATA_VALUE_CHARS

_STAGES_ARE = (
    'stt, stt,llm or stt,llm,tts, as a list of stage names, ["stt", "llm"], or the names '
    'separated by commas, "stt,llm"'
)


def problems(exc: ValidationError) -> str:
    said: dict[str, str] = {}
    for error in exc.errors():
        loc = error["loc"]
        # A metadata value fits none of its kinds: pydantic names each member of the union
        # (constrained-str, int, float, bool), "unable to parse string as an integer" for
        # a long string; one sentence per value says what it may be.
        value = len(loc) >= 3 and loc[-3] == "metadata" and loc[-1] != "[key]"
        # The prefix or stages of another shape: "Input should be an object", or the union
        # member by member; one sentence says the shape expected. (A value inside the
        # prefix object is said of that value, below.)
        whole = loc == ("prefix",) or loc[:1] == ("stages",)
        shape = _SHAPES.get(str(loc[0])) if whole and error["type"] in _WRONG_KIND else None
        inner = _value_problem(loc, error)
        if len(loc) == 2 and loc[0] == "items" and error["type"] in _WRONG_KIND:
            # A bare string for an item ("mailbox/vm1.wav"): the object it was meant as.
            where = ".".join(str(p) for p in loc)
            text = _item_shape(error["input"])
        elif shape:
            where = str(loc[0])
            text = shape(error["input"])
        elif inner:
            where = ".".join(str(p) for p in loc)
            text = inner
        elif loc == ("stages",) and error["type"] == "too_long":
            # pydantic counts a string's characters as "items".
            where = "stages"
            text = f"{_STAGES_ARE} (this one is {error['ctx']['actual_length']} characters long)"
        else:
            where = ".".join(str(p) for p in (loc[:-1] if value else loc)) or "body"
            text = _metadata_problem(error["input"]) if value else checked_text(error)
        said.setdefault(where, text)
    return "; ".join(f"{where}: {text}" for where, text in list(said.items())[:5])


def checked_text(error: Mapping[str, Any]) -> str:
    """``problem_text``, but a check of our own (a ValueError) in its own words: pydantic
    puts "Value error, " before them, which names its machinery, not the value."""
    if error["type"] == "value_error":
        return str((error.get("ctx") or {}).get("error") or error["msg"])
    return problem_text(error)


def _item_shape(value: object) -> str:
    example = '{"key": "mailbox/vm1.wav"}'
    if isinstance(value, str) and value:
        field = "url" if value.lower().startswith(("http://", "https://")) else "key"
        example = json.dumps({field: value})
    return (
        f'an object, {example}, not {_kind(value)}: an item is an object with one of "key", '
        '"url" or "text"'
    )


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    kinds = {str: "a string", dict: "an object", list: "a list", type(None): "null"}
    return kinds.get(type(value), "that")


def _prefix_shape(value: object) -> str:
    folder = json.dumps(value) if isinstance(value, str) else '"folder/"'
    return f'an object naming the folder, {{"prefix": {{"prefix": {folder}}}}}, not {_kind(value)}'


def _stages_shape(value: object) -> str:
    given = "a list holding something else" if isinstance(value, list) else _kind(value)
    return (
        'a list of stage names, ["stt", "llm"], or the names separated by commas, '
        f'"stt,llm"; not {given}'
    )


_SHAPES: dict[str, Callable[[object], str]] = {"prefix": _prefix_shape, "stages": _stages_shape}
_WRONG_KIND = {"model_type", "model_attributes_type", "string_type", "list_type"}
# What each string of the manifest is, said when it is of another type, empty or missing
# (pydantic's "Input should be a valid string", "String should have at least 1 character",
# "Field required"); an item's by its field, whatever its place ("*").
_STRING_VALUES: dict[tuple[int | str, ...], str] = {
    ("prefix", "prefix"): (
        'the start of the recordings\' keys (a folder, "mailbox/", or the start of names, '
        '"mailbox/2026-")'
    ),
    ("prefix", "bucket"): "the import location's bucket (or leave it out)",
    ("items", "*", "key"): 'an object key in the import location, "mailbox/vm1.wav"',
    ("items", "*", "url"): "the recording's http(s) URL",
    ("items", "*", "text"): "the typed message a text job replies to",
    ("items", "*", "filename"): "the name the item is shown by (or leave it out)",
}


def _value_problem(loc: tuple[int | str, ...], error: Mapping[str, Any]) -> str | None:
    field = ("items", "*", *loc[2:]) if loc[:1] == ("items",) and len(loc) == 3 else loc
    about = _STRING_VALUES.get(field)
    if about is None:
        return None
    if error["type"] in _WRONG_KIND:
        return f"a string, {about}, not {_kind(error['input'])}"
    # An empty key fails the key's own check before its length is checked.
    if error["type"] == "string_too_short" or (
        error["type"] == "value_error" and error["input"] == ""
    ):
        return f"{about}, not an empty string"
    if error["type"] == "missing":
        return f"missing: give {about}"
    return None


def _metadata_problem(value: object) -> str:
    if isinstance(value, str):
        return (
            f"a string of at most {MAX_METADATA_VALUE_CHARS} characters (this one has {len(value)})"
        )
    if isinstance(value, float):
        return "JSON has no NaN or infinity: send a finite number, or the value as a string"
    kind = (
        "an object" if isinstance(value, dict) else "a list" if isinstance(value, list) else "that"
    )
    return f"a metadata value is a string, a number, true/false or null, not {kind}"
