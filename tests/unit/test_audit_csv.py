"""The CSV export neutralises cells a spreadsheet would run as formulas (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io

import pytest

from engine.audit import export


def _doc(actor: str, element_name: str | None) -> dict:
    return {"events": [{"case_id": "c1", "seq": 7, "at": "2027-01-04T08:00:00.000000+00:00", "actor": actor,
                        "kind": "task_completed", "element_id": "t1", "element_name": element_name,
                        "task_id": None, "version_id": 3, "payload_json": '{"reason":"=1+1"}',
                        "prev_hash": "0" * 64, "hash": "f" * 64}]}


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_starts_like_a_formula_is_written_as_text(start: str) -> None:
    dangerous = f'{start}HYPERLINK("http://evil.example","klik")'
    [header, row] = list(csv.reader(io.StringIO(export.to_csv(_doc(dangerous, dangerous)), newline="")))
    cells = dict(zip(header, row, strict=True))
    assert cells["actor"] == "'" + dangerous and cells["element_name"] == "'" + dangerous


def test_ordinary_cells_and_numbers_are_unchanged() -> None:
    [header, row] = list(csv.reader(io.StringIO(export.to_csv(_doc("ralf", "Review -> done")), newline="")))
    cells = dict(zip(header, row, strict=True))
    assert (cells["actor"], cells["element_name"], cells["seq"], cells["definition_version_id"]) == (
        "ralf", "Review -> done", "7", "3")
    assert cells["payload"] == '{"reason":"=1+1"}', "the JSON cell starts with { and is kept exact"
