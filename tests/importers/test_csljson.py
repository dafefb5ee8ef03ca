"""Tests for the CSL-JSON importer.

tests/fixtures/csljson/pmc-scihub-study-csl.json comes from manubot's test data
(BSD-2-Clause-Patent); the other inputs are written inline.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from peerlit_tui.importers import read_file
from peerlit_tui.importers.base import FileFormatError, SourceFile
from peerlit_tui.importers.csljson import FORMAT, parse, record_from_item, sniff
from peerlit_tui.importers.pipeline import FileResult
from peerlit_tui.model import Author


def read_json(tmp_path: Path, content: Any, encoding: str = "utf-8") -> FileResult:
    text = content if isinstance(content, str) else json.dumps(content, indent=2)
    path = tmp_path / "items.json"
    path.write_bytes(text.encode(encoding))
    return read_file(path)


def test_pmc_fixture_fields(fixtures: Path) -> None:
    result = read_file(fixtures / "csljson" / "pmc-scihub-study-csl.json")
    assert result.format == "csljson"
    (record,) = result.records
    assert (record.type, record.type_detail) == ("article", "article-journal")
    assert record.title == "Sci-Hub provides access to nearly all scholarly literature"
    assert record.authors[0] == Author("Himmelstein, Daniel S", "Himmelstein", "Daniel S", True)
    assert record.authors[5].family == "Greshake Tzovaras"
    assert len(record.authors) == 7
    assert (record.date, record.year) == ("2018", 2018)
    assert (record.journal, record.volume, record.pages) == ("eLife", "7", "e32822")
    assert record.issn == "2050-084X"
    assert record.doi == "10.7554/elife.32822"
    assert record.url == "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC5832410/"
    assert record.publisher == "eLife Sciences Publications, Ltd"
    assert record.extra["pmid"] == "29424689"
    assert record.extra["pmcid"] == "PMC5832410"
    assert record.extra["citekey"] == "vkig9eAb"
    assert record.extra["editor"] == "Rodgers, Peter A"


@pytest.mark.parametrize(
    ("csl_type", "record_type"),
    [
        ("article-journal", "article"),
        ("article-newspaper", "article"),
        ("article", "preprint"),
        ("book", "book"),
        ("chapter", "chapter"),
        ("entry-encyclopedia", "book part"),
        ("paper-conference", "conference paper"),
        ("report", "report"),
        ("thesis", "thesis"),
        ("webpage", "webpage"),
        ("post-weblog", "webpage"),
        ("dataset", "dataset"),
        ("software", "other"),
        ("", "other"),
    ],
)
def test_types(csl_type: str, record_type: str) -> None:
    record = record_from_item({"type": csl_type, "title": "T"})
    assert (record.type, record.type_detail) == (record_type, csl_type)


@pytest.mark.parametrize(
    ("issued", "date", "year"),
    [
        ({"date-parts": [[2018, 3, 1]]}, "2018-03-01", 2018),
        ({"date-parts": [[2018, 10, 21, 13]]}, "2018-10-21", 2018),
        ({"date-parts": [["2018", "3"]]}, "2018-03", 2018),
        ({"date-parts": [[2018, 13]]}, "2018", 2018),
        ({"date-parts": [[]]}, "", None),
        ({"date-parts": [[None]]}, "", None),
        ({"date-parts": []}, "", None),
        ({"raw": "2019-05-02/2019-06"}, "2019-05-02", 2019),
        ({"literal": "2007"}, "2007", 2007),
        ("2020-02", "2020-02", 2020),
        (None, "", None),
    ],
)
def test_issued_dates(issued: Any, date: str, year: int | None) -> None:
    record = record_from_item({"title": "T", "issued": issued})
    assert (record.date, record.year) == (date, year)


def test_loosely_typed_values() -> None:
    record = record_from_item(
        {
            "title": ["Main title", "Other"],
            "subtitle": ["and more"],
            "volume": 7,
            "issue": 2.0,
            "page": "10-19",
            "ISSN": ["1234-5678", "8765-4321"],
            "ISBN": "978-3-16-148410-0",
            "keyword": "peer support, depression; anxiety",
            "container-title": ["Journal of Tests"],
            "published-print": {"date-parts": [[2001, 2]]},
        }
    )
    assert record.title == "Main title: and more"
    assert (record.volume, record.issue, record.pages) == ("7", "2", "10-19")
    assert record.issn == "1234-5678, 8765-4321"
    assert record.isbn == "978-3-16-148410-0"
    assert record.keywords == ["peer support", "depression", "anxiety"]
    assert record.journal == "Journal of Tests"
    assert record.date == "2001-02"
    assert record_from_item({"keyword": ["a", "b"]}).keywords == ["a", "b"]


def test_names() -> None:
    record = record_from_item(
        {
            "author": [
                {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"},
                {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
                {"literal": "World Health Organization"},
                {"literal": "Arfon M Smith"},
                "Gray, Benjamin",
                {"given": "Cher"},
                42,
            ]
        }
    )
    assert record.authors == [
        Author("van Beethoven, Ludwig", "van Beethoven", "Ludwig", True),
        Author("King, Jr., Martin Luther", "King", "Martin Luther", True),
        Author("World Health Organization", "World Health Organization", "", False),
        Author("Arfon M Smith", "Smith", "Arfon M", False),
        Author("Gray, Benjamin", "Gray", "Benjamin", True),
        Author("Cher", "Cher", "", False),
    ]


def test_jats_abstract_is_stripped_into_sections() -> None:
    abstract = (
        "<jats:title>Abstract</jats:title><jats:sec><jats:title>Background</jats:title>"
        "<jats:p>Peer support &amp; <jats:italic>care</jats:italic>.</jats:p></jats:sec>"
        "<jats:sec><jats:title>Methods</jats:title><jats:p>We reviewed trials.</jats:p>"
        "</jats:sec><jats:sec><jats:title>Results</jats:title><jats:p>It works.</jats:p>"
        "</jats:sec>"
    )
    record = record_from_item({"title": "T", "abstract": abstract})
    assert [(s.key, s.text) for s in record.abstract] == [
        ("background", "Peer support & care."),
        ("methods", "We reviewed trials."),
        ("results", "It works."),
    ]
    html = record_from_item({"abstract": "<b>Bold</b> start.<br>Second paragraph &lt;3"})
    assert html.abstract[0].text == "Bold start.\n\nSecond paragraph <3"


def test_single_item_and_wrapped_items(tmp_path: Path) -> None:
    single = read_json(tmp_path, {"type": "book", "title": "One book"})
    assert [r.title for r in single.records] == ["One book"]
    wrapped = read_json(tmp_path, {"items": [{"title": "A"}, {"title": "B"}]})
    assert [r.title for r in wrapped.records] == ["A", "B"]


def test_items_carry_their_start_lines(tmp_path: Path) -> None:
    result = read_json(tmp_path, [{"title": "A"}, {"title": "B", "type": "book"}])
    assert [r.sources[0].line for r in result.records] == [2, 5]


def test_non_object_items_are_skipped_with_their_line(tmp_path: Path) -> None:
    result = read_json(tmp_path, '[\n{"title": "A"},\n42,\n"text",\n{"title": "B"}\n]\n')
    assert [r.title for r in result.records] == ["A", "B"]
    assert [(i.line, i.skipped) for i in result.issues] == [(3, True), (4, True)]
    assert "item 2 is a JSON int" in result.issues[0].message


def test_invalid_json_keeps_the_items_before_the_error(tmp_path: Path) -> None:
    result = read_json(tmp_path, '[\n{"title": "A"},\n{"title": "B"}\n{"title": "C"}\n]\n')
    assert [r.title for r in result.records] == ["A", "B"]
    (issue,) = result.issues
    assert issue.line == 4 and "invalid JSON" in issue.message


def test_invalid_json_from_the_start_is_a_file_error(tmp_path: Path) -> None:
    result = read_json(tmp_path, '{"title": "A",\n  "author": [}\n')
    assert result.records == []
    assert result.error is not None
    assert "invalid JSON at column 14" in result.error and "(line 2)" in result.error
    with pytest.raises(FileFormatError) as raised:
        list(parse(SourceFile.from_bytes(Path("x.json"), b'[{"title": "A"}, {"title": ]')))
    assert raised.value.line == 1


def test_json_that_is_neither_list_nor_object(tmp_path: Path) -> None:
    result = read_file(_write(tmp_path, '"just a string"'), format_name="csljson")
    assert result.error == "the JSON holds neither a list of items nor an item"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "x.json"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16", "utf-16-be", "utf-8-sig"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    item = {
        "type": "article-journal",
        "title": "La société française – une étude",
        "author": [{"family": "Lefèvre", "given": "Hélène"}],
        "abstract": "Le café de la société française était très animé à l'époque. " * 3,
    }
    text = json.dumps([item], ensure_ascii=False, indent=1)
    result = read_json(tmp_path, text, encoding)
    (record,) = result.records
    assert record.title == "La société française – une étude"
    assert record.authors[0].family == "Lefèvre"


def test_sniff() -> None:
    def score(text: str) -> float:
        return sniff(SourceFile.from_bytes(Path("x.txt"), text.encode()))

    assert score('[{"type": "article-journal", "title": "T", "DOI": "10.1/x"}]') == 0.9
    assert score('{"items": [{"issued": {"date-parts": [[2000]]}, "URL": "u"}]}') == 0.9
    assert score('[{"foo": 1}]') == pytest.approx(0.3)
    assert score("[]\n") == pytest.approx(0.3)
    assert score("[Fau86]\n    title: Faust\n") == 0.0
    assert score("TY  - JOUR\nER  - \n") == 0.0
    assert FORMAT.extensions == ("json",)


_ROW = re.compile(r"^\| `([^`]+)` \| CSL-JSON \| (\d+) \|")


def test_shared_csljson_files_account_for_every_item(shared_data: Path) -> None:
    files, folder = [], ""
    for line in (shared_data / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## `"):
            folder = line[4:].split("`")[0]
        row = _ROW.match(line)
        if row:
            files.append((shared_data / folder / row.group(1), int(row.group(2))))
    assert len(files) == 16
    for path, count in files:
        result = read_file(path)
        assert result.format == "csljson", path
        # Items with neither title nor DOI (manubot's "raw:blank" test items, the
        # empty item) are reported as skipped by the pipeline.
        assert len(result.records) + len(result.skipped) == count, path


def test_shared_crossref_item(shared_data: Path) -> None:
    result = read_file(shared_data / "manubot" / "csl_json" / "crossref-deep-review-csl.json")
    (record,) = result.records
    assert record.doi == "10.1098/rsif.2017.0387"
    assert record.title == "Opportunities and obstacles for deep learning in biology and medicine"
    assert len(record.authors) > 30


def test_lone_surrogates_become_replacement_characters(tmp_path: Path) -> None:
    path = tmp_path / "items.json"
    path.write_text(
        '[{"title": "lone \\ud800 surrogate", "author": [{"family": "Sm\\udfffith"}],'
        ' "DOI": "10.1/x\\ud800", "abstract": "a \\udc80 b"}, {"title": "next"}]',
        encoding="utf-8",
    )
    result = read_file(path)
    first, second = result.records
    assert first.title == "lone \ufffd surrogate"
    assert first.authors[0].family == "Sm\ufffdith"
    assert first.abstract[0].text == "a \ufffd b"
    assert second.title == "next"
    encoded = (first.title + first.doi + first.id).encode("utf-8")  # no UnicodeEncodeError
    assert encoded
