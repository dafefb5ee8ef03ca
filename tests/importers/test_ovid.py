"""Ovid plain-text exports: "<n>" records of field blocks after a search-strategy header."""

from __future__ import annotations

from pathlib import Path

from peerlit_tui.importers import read_file

FIXTURE = Path(__file__).parents[1] / "fixtures" / "ovid" / "ovid_export.txt"


def test_fields_of_an_embase_record() -> None:
    result = read_file(FIXTURE)
    assert (result.format, result.error, result.issues) == ("ovid", None, [])
    first = result.records[0]
    assert first.title == (
        "Cellular structure of dinosaur scales reveals retention of reptile-type skin "
        "during the evolutionary transition to feathers"
    )
    assert [a.name for a in first.authors] == ["Yang, Zixiao", "Jiang, Baoyu", "McNamara, Maria E."]
    assert first.year == 2024
    assert (first.journal, first.volume, first.issue) == ("Nature Communications", "15", "1")
    assert first.doi == "10.1038/s41467-024-48400-3"
    assert first.keywords == ["dinosaur", "skin"]
    assert first.extra["database"] == "Embase"
    assert first.extra["accession"] == "2029880245"
    assert first.sources[0].line == 8  # the "<1>" line after the header


def test_source_citation_fills_missing_fields() -> None:
    second = read_file(FIXTURE).records[1]
    assert second.journal == "European Journal of Medical Genetics"
    assert (second.volume, second.issue, second.pages) == ("63", "2", "103640")
    assert [a.name for a in second.authors] == ["Griffin DK", "Larkin DM"]
    # The file's database is Embase, so its unique identifier is an accession number.
    assert (second.extra["accession"], second.language) == ("30922926", "English")


def test_one_line_author_list_with_affiliation_numbers(tmp_path: Path) -> None:
    # The layout of JabRef's Ovid importer test files: "Author" on one line, "DOI Number".
    path = tmp_path / "ovid.txt"
    path.write_text(
        "<8>\nScore\n  *****\nAuthor\n  Holstiege, Jakob 1;  Mathes, Tim 2;  Pieper, Dawid 2\n"
        "Title\n  Effects of decision support systems: a systematic review.[Review]\n"
        "Source\n  Journal of the American Medical Informatics Association. \n"
        "Author Keywords\n  decision support;  CDSS;  primary care.\nLanguage\n  English.\n"
        "Document Type\n  Review:  PDF Only.\nDOI Number\n  10.1136/amiajnl-2014-002886\n"
    )
    record = read_file(path).records[0]
    assert [a.name for a in record.authors] == ["Holstiege, Jakob", "Mathes, Tim", "Pieper, Dawid"]
    assert record.journal == "Journal of the American Medical Informatics Association"
    assert record.keywords == ["decision support", "CDSS", "primary care"]
    assert (record.language, record.type, record.doi) == (
        "English", "review", "10.1136/amiajnl-2014-002886"
    )  # fmt: skip


def test_tagged_variant() -> None:
    result = read_file(Path(__file__).parents[1] / "fixtures" / "ovid" / "ovid_tagged.ovd")
    assert (result.format, result.error, result.issues) == ("ovid", None, [])
    embase, medline = result.records
    assert embase.title.startswith("Cellular structure of dinosaur scales reveals retention of")
    assert "reptile-type skin during" in embase.title
    assert [a.name for a in embase.authors] == ["Yang Z.", "Jiang B.", "McNamara M.E."]
    assert (embase.year, embase.journal, embase.volume, embase.issue) == (
        2024, "Nature Communications", "15", "1"
    )  # fmt: skip
    assert embase.doi == "10.1038/s41467-024-48400-3"
    assert embase.keywords == ["dinosaur", "skin"]
    assert embase.type == "article"
    # Outside MEDLINE the unique identifier is the database's accession number.
    assert (embase.extra["database"], embase.extra["accession"]) == ("Embase", "2029880245")
    assert "pmid" not in embase.extra
    assert (medline.extra["pmid"], medline.pages) == ("30922926", "103640")
