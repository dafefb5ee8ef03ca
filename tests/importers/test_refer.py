"""EndNote tagged / Refer (.enw) exports."""

from __future__ import annotations

from pathlib import Path

from peerlit_tui.importers import read_file

FIXTURE = Path(__file__).parents[1] / "fixtures" / "refer" / "endnote_tagged.enw"


def test_fields_of_a_journal_article() -> None:
    result = read_file(FIXTURE)
    assert (result.format, result.error, result.issues) == ("refer", None, [])
    first = result.records[0]
    assert first.type == "article"
    assert first.title == (
        "Cellular structure of dinosaur scales reveals retention of reptile-type skin "
        "during the evolutionary transition to feathers"
    )
    assert [a.family for a in first.authors] == ["Yang", "Jiang", "McNamara"]
    assert (first.year, first.date) == (2024, "2024-05-21")
    assert (first.journal, first.volume, first.issue, first.pages) == (
        "Nature Communications", "15", "1", "4063"
    )  # fmt: skip
    assert first.doi == "10.1038/s41467-024-48400-3"
    assert first.issn == "2041-1723"
    assert first.keywords == ["dinosaurs", "skin", "feathers", "Psittacosaurus"]
    assert [s.key for s in first.abstract] == ["background", "methods", "conclusions"]
    assert first.extra["accession"] == "38773073"


def test_records_split_at_type_lines_without_blank_lines() -> None:
    records = read_file(FIXTURE).records
    assert [(r.type, r.sources[0].line) for r in records] == [
        ("article", 1), ("chapter", 24), ("article", 33)
    ]  # fmt: skip
    chapter = records[1]
    assert (chapter.journal, chapter.publisher, chapter.isbn) == (
        "GeneReviews", "University of Washington, Seattle", "978-0-00-000000-2"
    )  # fmt: skip
    assert chapter.extra["editor"] == "Adam, Margaret P."
    # The DOI of the last record is only in its URL.
    assert records[2].doi == "10.1016/j.ejmg.2019.03.004"


def test_records_without_type_lines_split_at_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "plain.refer"
    path.write_text("%A Doe, J.\n%T First\n%D 1999\n\n%A Roe, K.\n%T Second\n%D 2001\n")
    result = read_file(path)
    assert result.format == "refer"
    assert [(r.title, r.year) for r in result.records] == [("First", 1999), ("Second", 2001)]
