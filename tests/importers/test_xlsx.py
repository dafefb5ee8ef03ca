"""Tests for the Excel workbook importer.

Workbooks are written with openpyxl in tmp_path; the bundled fixture is a MegaMeta
spreadsheet (MIT, asreview/paper-megameta-postprocessing-screeningresults).
"""

from __future__ import annotations

import importlib
import io
import sys
import time
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from peerlit_tui.importers import read_file, xlsx
from peerlit_tui.importers.base import FileFormatError, SourceFile
from peerlit_tui.importers.xlsx import EMPTY_RUN_LIMIT, FORMAT, cell_text, parse, sniff

openpyxl = pytest.importorskip("openpyxl")

MEGAMETA = "TEST-depression-incorrectly-included-records.xlsx"
HEADER = ["Title", "Abstract", "Authors", "Publication Year", "DOI", "label_included", "Notes"]


def make_workbook(path: Path, rows: list[list[Any]], *, styled_rows: range = range(0)) -> Path:
    """Write rows to the first sheet; `styled_rows` get a format but no value."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for number in styled_rows:
        sheet.cell(row=number, column=1).number_format = "0.00"
    workbook.save(path)
    return path


def test_small_workbook_fields_and_row_numbers(tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        HEADER,
        ["A first title", "BACKGROUND: Why. METHODS: How.", "Smith, J.; Doe, A.", 2019.0,
         "https://doi.org/10.1000/ABC", 1, "checked"],
        [None, None, None, None, None, None, None],
        ["A second title", "Plain abstract.", "Liu R., Adler D.G.", 2020, None, 0, None],
    ]  # fmt: skip
    path = make_workbook(tmp_path / "records.xlsx", rows)
    result = read_file(path)
    assert result.format == "xlsx"
    assert result.issues == []
    first, second = result.records
    assert (first.title, first.year, first.doi) == ("A first title", 2019, "10.1000/abc")
    assert [(a.family, a.given) for a in first.authors] == [("Smith", "J."), ("Doe", "A.")]
    assert [s.key for s in first.abstract] == ["background", "methods"]
    assert first.extra["label_included"] == "1"
    assert first.extra["notes"] == "checked"
    assert [(a.family, a.given) for a in second.authors] == [("Liu", "R."), ("Adler", "D.G.")]
    assert second.extra["label_included"] == "0"
    # Lines are spreadsheet rows: the empty row 3 is skipped, not renumbered.
    assert [r.sources[0].line for r in result.records] == [2, 4]


def test_formatted_empty_rows_do_not_slow_reading(tmp_path: Path) -> None:
    rows: list[list[Any]] = [HEADER[:2], ["Only title", "Only abstract"]]
    path = make_workbook(tmp_path / "styled.xlsx", rows, styled_rows=range(3, 3_000))
    workbook = openpyxl.load_workbook(path, read_only=True)
    assert workbook.worksheets[0].max_row >= 2_999  # the declared dimension is the trap
    workbook.close()
    started = time.perf_counter()
    result = read_file(path)
    assert time.perf_counter() - started < 5
    assert [r.title for r in result.records] == ["Only title"]


def test_rows_after_a_short_gap_are_read_but_not_after_a_long_one(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["title"])
    sheet.cell(row=2, column=1, value="Near")
    sheet.cell(row=500, column=1, value="After a gap")
    sheet.cell(row=500 + EMPTY_RUN_LIMIT + 10, column=1, value="Lost after a long gap")
    workbook.save(tmp_path / "gaps.xlsx")
    result = read_file(tmp_path / "gaps.xlsx")
    assert [(r.title, r.sources[0].line) for r in result.records] == [
        ("Near", 2),
        ("After a gap", 500),
    ]


def test_cell_values_become_text() -> None:
    assert cell_text(None) == ""
    assert cell_text(2013.0) == "2013"
    assert cell_text(2.5) == "2.5"
    assert cell_text(7) == "7"
    assert cell_text(True) == "1"
    assert cell_text(datetime(2021, 5, 1)) == "2021-05-01"
    assert cell_text(datetime(2021, 5, 1, 13, 30)) == "2021-05-01 13:30:00"
    assert cell_text(date(2020, 2, 29)) == "2020-02-29"


def test_date_cells_fill_the_date(tmp_path: Path) -> None:
    rows: list[list[Any]] = [["Title", "Date"], ["Dated", datetime(2021, 5, 1)]]
    record = read_file(make_workbook(tmp_path / "dates.xlsx", rows)).records[0]
    assert (record.date, record.year) == ("2021-05-01", 2021)


def test_megameta_fixture(fixtures: Path) -> None:
    result = read_file(fixtures / "xlsx" / MEGAMETA)
    assert result.issues == []
    assert len(result.records) == 2
    first = result.records[0]
    assert first.title == (
        "Personality and personality disorders predict development and relapses of major depression"
    )
    assert [(a.family, a.given, a.inverted) for a in first.authors] == [
        ("Alnaes", "R.", True),
        ("Torgersen", "S.", True),
    ]
    assert (first.type, first.type_detail) == ("article", "JOUR")
    assert (first.journal, first.volume, first.issue, first.pages) == (
        "Acta Psychiatrica Scandinavica",
        "95",
        "4",
        "336-342",
    )
    assert (first.year, first.issn) == (1997, "0001-690X")
    assert first.doi == "10.1111/j.1600-0447.1997.tb09641.x"
    assert first.keywords[:2] == ["*Major Depression", "*Personality Disorders"]
    assert first.extra["label_included"] == "1"
    assert first.extra["record_id"] == "2508"
    assert first.extra["asreview_ranking"] == "2"
    assert result.records[1].sources[0].line == 3


def test_header_without_record_columns_names_the_row(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "plain.xlsx", [[None], ["name", "size"], ["a", 1]])
    result = read_file(path)
    assert result.records == []
    assert result.error is not None
    assert "no title, abstract or DOI column" in result.error
    assert "(line 2)" in result.error


def test_row_without_text_is_skipped_with_its_row_number(tmp_path: Path) -> None:
    rows: list[list[Any]] = [["record_id", "title"], [1, "Kept"], [2, None], [3, "Also kept"]]
    result = read_file(make_workbook(tmp_path / "ids.xlsx", rows))
    assert [r.title for r in result.records] == ["Kept", "Also kept"]
    assert [(i.line, i.skipped) for i in result.issues] == [(1, False), (3, True)]
    assert result.issues[0].message.startswith("no authors column among: record_id, title")
    assert "(record_id 2)" in result.issues[1].message


def test_sniff(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "s.xlsx", [["title"], ["A"]])
    assert sniff(SourceFile.read(path)) == 0.95
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert sniff(SourceFile.from_bytes(Path("d.docx"), plain_zip.getvalue())) == 0.0
    assert sniff(SourceFile.from_bytes(Path("x.csv"), b"title,abstract\nA,b\n")) == 0.0
    assert sniff(SourceFile.from_bytes(Path("x.xlsx"), b"PK\x03\x04 not really a zip")) == 0.0


def test_damaged_workbook_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    result = read_file(path, format_name="xlsx")
    assert result.error is not None
    assert result.error.startswith("not a readable Excel workbook")


def test_a_workbook_that_expands_far_beyond_its_size_is_refused(tmp_path: Path) -> None:
    # A zip bomb in workbook form: a few tens of kilobytes declaring 48 MB of parts.
    path = make_workbook(tmp_path / "bomb.xlsx", [HEADER, ["A title", "An abstract"]])
    padded = io.BytesIO()
    with (
        zipfile.ZipFile(path) as original,
        zipfile.ZipFile(padded, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for info in original.infolist():
            archive.writestr(info, original.read(info))
        archive.writestr("xl/media/pad.bin", b"\0" * (48 * 1024 * 1024))
    path.write_bytes(padded.getvalue())
    assert path.stat().st_size < 1024 * 1024
    started = time.monotonic()
    result = read_file(path, format_name="xlsx")
    assert time.monotonic() - started < 10  # a hang detector, not a timing
    assert result.error is not None and "zip bomb" in result.error
    assert not result.records


def test_missing_openpyxl_gives_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    module = importlib.reload(xlsx)  # the module itself must import without openpyxl
    try:
        source = SourceFile.from_bytes(Path("x.xlsx"), b"PK\x03\x04")
        with pytest.raises(FileFormatError) as caught:
            list(module.parse(source))
        assert str(caught.value) == (
            "reading .xlsx files needs the optional 'xlsx' extra: pip install 'peerlit-tui[xlsx]'"
        )
    finally:
        monkeypatch.undo()
        importlib.reload(xlsx)


def test_format_object() -> None:
    assert (FORMAT.name, FORMAT.label, FORMAT.extensions) == ("xlsx", "Excel workbook", ("xlsx",))
    assert FORMAT.parse is parse


#: MegaMeta workbooks of the shared corpus with their README record counts.
SHARED_WORKBOOKS = {
    "TEST-anxiety-incorrectly-excluded-records.xlsx": 3,
    "TEST-anxiety-incorrectly-included-records.xlsx": 2,
    "TEST-anxiety-screening-CNN-output.xlsx": 27,
    "TEST-depression-incorrectly-excluded-records.xlsx": 2,
    "TEST-depression-incorrectly-included-records.xlsx": 2,
    "TEST-depression-screening-CNN-output.xlsx": 27,
    "TEST-substance-incorrectly-included-records.xlsx": 2,
    "TEST-substance-screening-CNN-output.xlsx": 25,
    "TEST-substance_abuse-incorrectly-excluded-records.xlsx": 2,
}


@pytest.mark.parametrize("name", sorted(SHARED_WORKBOOKS))
def test_shared_workbooks_give_the_readme_counts(shared_data: Path, name: str) -> None:
    result = read_file(shared_data / "megameta_mental_health" / name)
    assert result.error is None
    assert result.format == "xlsx"
    assert result.issues == []
    assert len(result.records) == SHARED_WORKBOOKS[name]
    assert all(r.title and not r.title_derived for r in result.records)
    # The "included" column: 0/1 where the screening decided, empty where it did not.
    assert {r.extra.get("label_included") for r in result.records} <= {"0", "1", None}
    assert any("label_included" in r.extra for r in result.records)
