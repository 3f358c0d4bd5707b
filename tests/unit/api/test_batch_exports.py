from __future__ import annotations

import csv
import io
import json

from api.batch_exports import COLUMNS, as_csv, as_jsonl


def _row(**values: object) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(COLUMNS)
    row.update(values)
    return row


def _parse(rows: list[dict[str, object]]) -> list[dict[str, str]]:
    text = b"".join(as_csv(iter(rows))).decode("utf-8")
    assert text.startswith("\ufeff"), "a byte-order mark tells spreadsheets it is UTF-8"
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_neutralised() -> None:
    risky = ['=HYPERLINK("http://x")', "+13125550100", "-2+3", "@SUM(A1)", "\tx", "\rx"]
    rows = [_row(item_index=i, source=value) for i, value in enumerate(risky)]

    parsed = _parse(rows)

    assert [r["source"] for r in parsed] == ["'" + value for value in risky]


def test_csv_has_a_header_quotes_every_field_and_keeps_unicode_and_newlines() -> None:
    rows = [_row(item_index=0, transcript='Grüße, "Ana"\nline two', metadata={"k": "é"})]

    text = b"".join(as_csv(iter(rows))).decode("utf-8")
    parsed = _parse(rows)

    assert text.splitlines()[0].lstrip("\ufeff") == ",".join(f'"{c}"' for c in COLUMNS)
    assert parsed[0]["transcript"] == 'Grüße, "Ana"\nline two'
    assert json.loads(parsed[0]["metadata"]) == {"k": "é"}
    assert parsed[0]["job_id"] == ""


def test_jsonl_keeps_values_typed_one_object_per_line() -> None:
    rows = [_row(item_index=1, needs_review=True, metadata={"n": 2}), _row(item_index=2)]

    lines = b"".join(as_jsonl(iter(rows))).decode().splitlines()

    assert [json.loads(line)["item_index"] for line in lines] == [1, 2]
    assert json.loads(lines[0])["needs_review"] is True
    assert json.loads(lines[0])["metadata"] == {"n": 2}
    assert json.loads(lines[0])["source"] is None, "no neutralising in JSON: nothing runs it"
