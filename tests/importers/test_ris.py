from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from peerlit_tui.importers import read_file
from peerlit_tui.importers.base import SourceFile
from peerlit_tui.importers.ris import FORMAT, parse, sniff
from peerlit_tui.model import Record


def _read(path: Path) -> list[Record]:
    result = read_file(path)
    assert result.error is None, result.error
    assert result.format == "ris"
    return result.records


def _source(text: str, name: str = "x.ris") -> SourceFile:
    return SourceFile.from_bytes(Path(name), text.encode("utf-8"))


def test_header_text_before_first_record_and_structured_abstract(fixtures: Path) -> None:
    records = _read(fixtures / "ris" / "example_extraneous_data.ris")
    assert len(records) == 2
    first = records[0]
    assert first.title == "Title of reference"
    assert first.type == "article" and first.type_detail == "JOUR"
    # A1 are the authors; A2 (secondary authors, editors) are not mixed in.
    assert [(a.family, a.given, a.inverted) for a in first.authors] == [
        ("Marx", "Karl", True),
        ("Lindgren", "Astrid", True),
    ]
    assert (first.year, first.date) == (2014, "2014")
    assert first.journal == "Lorem"  # JF (full name) preferred to JA
    assert (first.volume, first.issue, first.pages) == ("9", "3", "e0815")
    assert first.issn == "1932-6208"
    assert first.url == "http://example_url.com"
    assert first.publisher == "Fun Factory"
    assert first.keywords == ["Pippi", "Nordwind", "Piraten"]
    assert [s.key for s in first.abstract] == ["background", "results", "conclusions"]
    assert first.abstract[1].text.startswith("Donec quam felis")
    assert first.extra["accession"] == "12345"
    # Line 5 is the TY line after the "Record #1 of 2 / Provider" header lines.
    assert first.sources[0].line == 5
    assert records[1].sources[0].line == 33


def test_synthetic_export_fields(fixtures: Path) -> None:
    result = read_file(fixtures / "ris" / "synthetic_quirks.ris")
    journal, chapter, report, webpage = result.records
    # M3 "Review" refines a JOUR; the title continues on an indented untagged line.
    assert journal.type == "review" and journal.type_detail == "JOUR"
    assert journal.title == (
        "Peer support for adults with severe mental illness: a randomised trial"
    )
    assert [a.name for a in journal.authors] == ["Çelik, Ayşe", "O'Brien, Seán M."]
    assert journal.authors[0].family == "Çelik"
    assert (journal.date, journal.year) == ("2019-06-15", 2019)
    assert journal.journal == "Journal of Mental Health"
    assert journal.pages == "245-252"
    assert journal.issn == "0963-8237, 1360-0567"
    # No DO tag: the DOI comes from the percent-encoded Scopus URL.
    assert journal.doi == "10.1080/09638237.2019.1600001"
    assert journal.keywords == ["peer support", "mental health", "recovery"]
    assert [s.key for s in journal.abstract] == ["background", "methods", "results", "conclusions"]
    assert journal.extra["asreview_label"] == "relevant"
    assert journal.extra["notes"] == "ASReview_relevant\n\nExport Date: 2 May 2024"
    assert journal.extra["database"] == "Scopus"
    assert journal.extra["accession"] == "2-s2.0-85000000001"

    assert chapter.type == "chapter"
    assert chapter.title == "Recovery colleges in practice"
    assert chapter.journal == "Handbook of Recovery"  # BT is the book of a CHAP
    assert [a.name for a in chapter.authors] == ["Smith, John"]  # A2 editor left out
    assert (chapter.date, chapter.year) == ("2012", 2012)
    assert chapter.isbn == "978-0-19-954016-0" and chapter.issn == ""
    assert chapter.abstract[0].text == (
        "Recovery colleges offer courses co-produced with people who use services. "
        "This paragraph continues on a line without a tag."
    )

    assert report.type == "report"
    assert report.date == "2020-03"  # PY 2020 + DA Mar
    assert report.url == "https://example.org/crisis-report"  # first of "a; b"
    assert report.doi == "10.5555/crisis.2020.7"  # from the L3 resolver link
    assert webpage.type == "webpage" and webpage.title == "Finding a peer worker near you"

    # The report has no ER before the next TY: kept, with a warning naming its line.
    # The tagged lines after the last ER (a record without TY) are reported as skipped.
    messages = [(i.line, i.skipped) for i in result.issues]
    assert messages == [(44, False), (59, True)]
    assert "no ER line" in result.issues[0].message
    assert "outside any record" in result.issues[1].message


def test_untagged_er_lines_are_continuations_not_record_ends(fixtures: Path) -> None:
    # The README counts 5 records by counting lines starting with "ER"; two of them
    # are untagged continuation lines ("ER then second line ..."), so 3 is right.
    records = _read(fixtures / "ris" / "example_multiline.ris")
    assert len(records) == 3
    for record in records:
        assert (
            record.abstract_text == "first line, ER then second line and at the end the last line"
        )
        assert record.extra["notes"] == "first line\n\n* second line\n\n* last line"


def test_bom_crlf_spelled_out_type_and_cyrillic(fixtures: Path) -> None:
    result = read_file(fixtures / "ris" / "example_utf_chars.ris")
    assert result.encoding == "utf-8-sig"
    (record,) = result.records
    assert record.type == "article" and record.type_detail == "Journal Article"
    assert record.title.startswith("Состояние рецепторного аппарата")  # from ST
    assert record.volume == "8"  # written as VO
    assert record.extra["notes"] == "Ä,Ö,Ü,ä,ö,ü,ß"


def test_crlf_and_bom_give_the_same_records_and_lines(tmp_path: Path, fixtures: Path) -> None:
    plain = (fixtures / "ris" / "synthetic_quirks.ris").read_text(encoding="utf-8")
    variant = tmp_path / "variant.ris"
    variant.write_bytes(codecs.BOM_UTF8 + plain.replace("\n", "\r\n").encode("utf-8"))
    expected = read_file(fixtures / "ris" / "synthetic_quirks.ris")
    result = read_file(variant)
    assert [r.to_dict() | {"sources": []} for r in result.records] == [
        r.to_dict() | {"sources": []} for r in expected.records
    ]
    assert [r.sources[0].line for r in result.records] == [4, 32, 44, 51]
    assert result.issues == expected.issues


def test_garbage_line_is_reported_with_its_line_and_the_rest_imported() -> None:
    text = (
        "TY  - JOUR\nTI  - First\nPY  - 2001\nER  -\n"
        "TY  - JOUR\nTI  - Second\nPY  - 2002\n\x00@@ corrupted bytes @@\nVL  - 4\nER  -\n"
        "TY  - JOUR\nTI  - Third\nER  -\n"
    )
    parsed = list(parse(_source(text)))
    assert [p.record.title for p in parsed if p.record] == ["First", "Second", "Third"]
    second = parsed[1]
    assert second.record is not None and second.record.year == 2002
    assert second.record.volume == "4"
    (issue,) = second.issues
    assert issue.line == 8 and not issue.skipped
    assert "after PY" in issue.message and "corrupted bytes" in issue.message


def test_record_whose_ty_line_is_broken_is_skipped_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.ris"
    path.write_text(
        "TY  - JOUR\nTI  - Kept one\nER  -\n\n"
        "TX  - JOUR\nTI  - Lost one\nAU  - Doe, J\nER  -\n\n"
        "TY  - JOUR\nTI  - Kept two\nER  -\n",
        encoding="utf-8",
    )
    result = read_file(path)
    assert [r.title for r in result.records] == ["Kept one", "Kept two"]
    (issue,) = result.issues
    assert issue.skipped and issue.line == 6


def test_cut_off_file_keeps_the_last_record_with_a_warning() -> None:
    parsed = list(parse(_source("TY  - JOUR\nTI  - Whole\nER  -\nTY  - JOUR\nTI  - Cut")))
    assert [p.record.title for p in parsed if p.record] == ["Whole", "Cut"]
    assert parsed[1].issues[0].line == 4 and "cut off" in parsed[1].issues[0].message


def test_continuation_lines_keywords_and_abstract_paragraphs() -> None:
    text = (
        "TY  - JOUR\n"
        "TI  - Wilson disease therapy\n"
        "KW  - Adolescent\nAdult\n*Chelating Agents/ae [Adverse Effects]\n"
        "AB  - BACKGROUND AND AIMS: Guidelines favour chelating agents.\n"
        "METHODS: We analysed 235 patients.\n"
        "RESULTS: Immune events were rare.\n"
        "ER  -\n"
    )
    (parsed,) = list(parse(_source(text)))
    record = parsed.record
    assert record is not None
    assert record.keywords == ["Adolescent", "Adult", "*Chelating Agents/ae [Adverse Effects]"]
    assert [s.key for s in record.abstract] == ["background", "methods", "results"]
    assert record.abstract[0].heading == "Background and aims"
    assert parsed.issues == []


def test_tabs_and_odd_spacing_around_the_tag_dash() -> None:
    text = "TY  - GEN\nA1\t- Gray, Benjamin\nTI - Spaced title\nPY\t-\t2021\nER  -\n"
    (parsed,) = list(parse(_source(text)))
    assert parsed.record is not None
    assert [a.family for a in parsed.record.authors] == ["Gray"]
    assert parsed.record.title == "Spaced title"
    assert parsed.record.year == 2021


def test_unparsable_year_is_kept_in_extra() -> None:
    (parsed,) = list(parse(_source("TY  - JOUR\nTI  - T\nPY  - 10 15\nER  -\n")))
    assert parsed.record is not None
    assert parsed.record.year is None and parsed.record.date == ""
    assert parsed.record.extra["year_as_given"] == "10 15"


def test_asreview_labels_in_notes(fixtures: Path) -> None:
    records = _read(fixtures / "ris" / "baseline_tag-notes_labels.ris")
    labels = [r.extra.get("asreview_label", "") for r in records[:4]]
    assert labels == ["relevant", "irrelevant", "not_seen", ""]
    assert records[0].extra["notes"] == "ASReview_relevant\n\nASReview_prior"


ENGLISH_WITH_NAMES = (
    "TY  - JOUR\r\nTI  - Peer support in Zürich and Malmö: a café-based programme\r\n"
    "AU  - Müller, Jörg\r\nAU  - Lefèvre, Hélène\r\nAU  - Núñez, José\r\nER  -\r\n"
)
FRENCH = (
    "TY  - JOUR\r\nTI  - Santé mentale et pairs aidants : une étude française\r\n"
    "AU  - Lefèvre, Hélène\r\nAU  - Núñez, José\r\nPY  - 2020\r\n"
    "AB  - Les pairs aidants améliorent l’accès aux soins – selon cette étude.\r\nER  -\r\n"
)


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (ENGLISH_WITH_NAMES, "cp1252"),
        (ENGLISH_WITH_NAMES, "utf-16-le"),
        (FRENCH, "utf-16-le"),
        (FRENCH, "cp1252"),
    ],
)
def test_legacy_and_utf16_encodings_keep_accents(tmp_path: Path, text: str, encoding: str) -> None:
    path = tmp_path / "accents.ris"
    path.write_bytes(text.encode(encoding))
    result = read_file(path)
    assert result.encoding == encoding
    (record,) = result.records
    expected = SourceFile.from_bytes(path, text.encode("utf-8")).text
    (reference,) = list(parse(_source(expected)))
    assert reference.record is not None
    assert record.title == reference.record.title.strip()
    assert "Lefèvre, Hélène" in [a.name for a in record.authors]
    assert "Núñez, José" in [a.name for a in record.authors]
    if "AB  -" in text:
        assert "l’accès aux soins – selon" in record.abstract_text


def test_sniff_claims_ris_but_not_medline_wos_or_proquest(fixtures: Path) -> None:
    def score(path: Path) -> float:
        return sniff(SourceFile.read(path))

    assert score(fixtures / "ris" / "synthetic_quirks.ris") >= 0.9
    assert score(fixtures / "ris" / "manubot_bibliography.ris") >= 0.9
    assert score(fixtures / "medline" / "manubot_bibliography.nbib") == 0
    assert score(fixtures / "wos" / "example_wos.ris") == 0
    assert score(fixtures / "proquest" / "synthetic.txt") == 0
    assert FORMAT.name == "ris" and FORMAT.extensions == ("ris", "txt")


# (file, README count, records parsed). The README counts lines starting with
# "ER"; it is right except where noted. Records without any title, abstract or DOI are parsed but
# then reported by the pipeline as skipped, so records + skipped = parsed.
SHARED_RIS = [
    ("asreview_tests/_baseline.ris", 100, 100),
    ("asreview_tests/baseline_empty_values.ris", 4, 4),
    ("asreview_tests/baseline_reference_types.ris", 61, 61),
    ("asreview_tests/baseline_tag-notes.ris", 12, 12),
    ("asreview_tests/baseline_tag-notes_labels.ris", 32, 32),
    ("asreview_tests/baseline_tag-notes_zotero.ris", 4, 4),
    # "ER  - End of Reference" closes the only record; a stray "UK" line and a
    # second ER follow outside any record.
    ("asreview_tests/baseline_tag_and_field_definitions.ris", 2, 1),
    ("asreview_tests/baseline_tag_and_field_definitions_lists.ris", 1, 1),
    ("asreview_tests/baseline_zotero.ris", 100, 100),
    ("asreview_tests/embase.ris", 6, 6),
    ("asreview_tests/faulty_year.ris", 1, 1),
    ("asreview_tests/ovid_psycinfo.ris", 6, 6),
    ("asreview_tests/ovid_zotero.ris", 6, 6),
    ("asreview_tests/proquest.ris", 6, 6),
    ("asreview_tests/pubmed_endnote.txt", 6, 6),
    ("asreview_tests/pubmed_zotero.ris", 6, 6),
    ("asreview_tests/ris_issue_1099.txt", 7, 7),
    ("asreview_tests/ris_issue_992.txt", 19, 19),
    ("asreview_tests/scopus.ris", 6, 6),
    ("asreview_tests/web_of_science.txt", 10, 10),
    ("asreview_tests/ris_many_authors.ris", 1, 1),
    ("rispy_tests/example_basic.ris", 1, 1),
    ("rispy_tests/example_bom.ris", 1, 1),
    ("rispy_tests/example_custom_list_tags.ris", 1, 1),
    ("rispy_tests/example_empty_tag.ris", 1, 1),
    ("rispy_tests/example_extraneous_data.ris", 2, 2),
    ("rispy_tests/example_full.ris", 2, 2),
    ("rispy_tests/example_full_without_whitespace.ris", 2, 2),
    ("rispy_tests/example_full_write.ris", 2, 2),
    ("rispy_tests/example_multi_unknown_tags.ris", 1, 1),
    # Two of the five "ER" lines are untagged continuation lines.
    ("rispy_tests/example_multiline.ris", 5, 3),
    ("rispy_tests/example_single_unknown_tag.ris", 1, 1),
    ("rispy_tests/example_starting_newlines.ris", 1, 1),
    ("rispy_tests/example_urls.ris", 4, 4),
    ("rispy_tests/example_utf_chars.ris", 1, 1),
    ("manubot/same_refs_4_formats/bibliography.ris", 2, 2),
    ("synergy_raw_exports/wilson_raw/DOKU_All_Included_20200116_cap.txt", 26, 26),
    ("synergy_raw_exports/wilson_raw/DOKU_All_FT-Screening_20200116_cap.txt", 174, 174),
    ("synergy_raw_exports/wilson_zotero/DOKU_All_Included_20200116_cap.ris", 26, 26),
    ("synergy_raw_exports/wilson_zotero/DOKU_All_FT-Screening_20200116_cap.ris", 174, 174),
    ("synergy_raw_exports/ptsd_van_de_Schoot/schoot-lgmm-ptsd-included-1.ris", 363, 363),
    ("synergy_raw_exports/ptsd_van_de_Schoot/schoot-lgmm-ptsd-included-2.ris", 38, 38),
    ("synergy_raw_exports/ptsd_van_de_Schoot/schoot-lgmm-ptsd-included-3.ris", 8, 8),
    ("synergy_raw_exports/wolters_2018/dataset_included.ris", 19, 19),
    ("synergy_raw_exports/kwok_2020/Virus_Metagenomics_in_Farm_Animals-INCLUDED-v2.txt", 120, 120),
]


@pytest.mark.parametrize(("relative", "readme_count", "expected"), SHARED_RIS, ids=lambda v: str(v))
def test_shared_ris_files_match_readme_counts(
    shared_data: Path, relative: str, readme_count: int, expected: int
) -> None:
    result = read_file(shared_data / relative)
    assert result.format == "ris"
    assert len(result.records) + len(result.skipped) == expected
    # Only records with no title, abstract or DOI may be dropped, and the drop is
    # reported; nothing else is lost or warned about in these files.
    assert all("no title" in i.message for i in result.issues)


def test_shared_wos_file_named_ris_goes_to_the_wos_importer(shared_data: Path) -> None:
    # rispy reads 0 records from it: it is a Web of Science tagged export.
    result = read_file(shared_data / "rispy_tests" / "example_wos.ris")
    assert result.format == "wos" and len(result.records) == 2


def test_shared_many_authors_and_exports(shared_data: Path) -> None:
    (many,) = read_file(shared_data / "asreview_tests" / "ris_many_authors.ris").records
    assert len(many.authors) == 7456
    embase = read_file(shared_data / "asreview_tests" / "embase.ris").records[0]
    assert embase.extra["database"] == "Embase"
    assert embase.doi == "10.4103/2303-9027.138783"
    ovid = read_file(shared_data / "asreview_tests" / "ovid_psycinfo.ris").records[0]
    assert ovid.pages == ""  # "SP - No" / "EP - Specified"
    assert ovid.extra["database"] == "Ovid"
