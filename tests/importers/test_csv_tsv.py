"""Tests for the CSV/TSV importer and the shared column mapping.

Fixtures in tests/fixtures/csv are ASReview test files (Apache-2.0); the Scopus,
Web of Science and Zotero tables below are small synthetic files written for these
tests in the layout those databases export.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from pathlib import Path

import pytest

from peerlit_tui.importers import read_file
from peerlit_tui.importers.base import FileFormatError, SourceFile
from peerlit_tui.importers.cell_values import (
    parse_date,
    parse_embase_source,
    record_type,
    split_authors,
    split_keywords,
)
from peerlit_tui.importers.columns import ColumnPlan
from peerlit_tui.importers.csv_tsv import FORMAT, detect_delimiter, parse, sniff
from peerlit_tui.importers.pipeline import FileResult
from peerlit_tui.model import ImportIssue, Record

LOREM_HEADINGS = ["Background", "Results", "Conclusions"]


def row_issues(result: FileResult) -> list[ImportIssue]:
    """Issues about rows, without the file-level notices about missing columns."""
    return [i for i in result.issues if " column among: " not in i.message]


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def source(text: str, name: str = "export.csv") -> SourceFile:
    return SourceFile.from_bytes(Path(name), text.encode("utf-8"))


def read_text(tmp_path: Path, text: str, name: str = "export.csv") -> FileResult:
    return read_file(write(tmp_path, name, text))


# --- ASReview fixtures -------------------------------------------------------------


@pytest.mark.parametrize("name", ["generic_semicolon.csv", "generic_tab.tsv"])
def test_generic_fixture_fields(fixtures: Path, name: str) -> None:
    result = read_file(fixtures / "csv" / name)
    assert result.format == "csv_tsv"
    assert result.issues == []
    assert [r.title for r in result.records] == ["Title of reference", "The title of the reference"]
    first = result.records[0]
    assert first.sources[0].line == 2
    assert [(a.family, a.given, a.inverted) for a in first.authors] == [
        ("Marx", "Karl", True),
        ("Lindgren", "Astrid", True),
    ]
    assert first.year == 2014 and first.date == "2014"  # written "2014//"
    assert first.keywords == ["Pippi", "Nordwind", "Piraten"]
    assert (first.issn, first.volume, first.issue, first.pages) == ("1932-6208", "9", "3", "e0815")
    assert (first.type, first.type_detail) == ("article", "JOUR")
    assert first.publisher == "Fun Factory"
    assert first.url == "http://example_url.com"
    assert [s.heading for s in first.abstract] == LOREM_HEADINGS
    assert first.abstract[0].text.startswith("Lorem ipsum dolor sit amet")
    assert first.extra["record_id"] == "12345"
    assert first.extra["notes"] == "1008150341"
    assert first.extra["place_published"] == "United States"
    assert first.extra["secondary_authors"] == "Glattauer, Daniel"
    second = result.records[1]
    assert second.year == 2006
    assert second.authors[0].name == "Marxus, Karlus"
    assert second.keywords == ["Pippi Langstrumpf", "Nordwind", "Piraten"]


def test_semicolon_and_tab_files_give_identical_records(fixtures: Path) -> None:
    semicolon = read_file(fixtures / "csv" / "generic_semicolon.csv").records
    tab = read_file(fixtures / "csv" / "generic_tab.tsv").records
    strip = [{**r.to_dict(), "sources": []} for r in semicolon]
    assert strip == [{**r.to_dict(), "sources": []} for r in tab]


def test_labels_are_kept(fixtures: Path) -> None:
    result = read_file(fixtures / "csv" / "generic_labels.csv")
    assert [r.extra["label_included"] for r in result.records] == ["1", "0"] * 3
    assert [r.sources[0].line for r in result.records] == [2, 3, 4, 5, 6, 7]


def test_embase_fixture(fixtures: Path) -> None:
    result = read_file(fixtures / "csv" / "embase.csv")
    assert result.issues == []
    assert len(result.records) == 6
    first, second = result.records[0], result.records[1]
    assert (
        first.title
        == "Duplication cysts: Diagnosis, management, and the role of endoscopic ultrasound"
    )
    assert [(a.family, a.given) for a in first.authors] == [("Liu", "R."), ("Adler", "D.G.")]
    # "Endoscopic Ultrasound (2014) 3:3 (152-160). Date of Publication: 2014"
    assert (first.journal, first.year, first.volume, first.issue, first.pages) == (
        "Endoscopic Ultrasound",
        2014,
        "3",
        "3",
        "152-160",
    )
    assert first.date == "2014"
    # The DOI is only in the "Open URL Link" (id=doi:10.4103%2F2303-9027.138783).
    assert first.doi == "10.4103/2303-9027.138783"
    assert first.extra["database"] == "Embase"
    assert "bronchogenic duplication cyst (diagnosis, surgery)" in first.keywords
    assert second.date == "2004-08-25"  # "Date of Publication: 25 Aug 2004"
    assert second.journal == "Cancer"
    assert second.authors[-1].family == "Eltoum"
    # "BACKGROUND. … METHODS. …": the period-style headings split into sections.
    assert [s.key for s in second.abstract][:2] == ["background", "methods"]
    assert second.abstract[0].text.startswith("The management")


def test_missing_values_get_derived_titles(fixtures: Path) -> None:
    result = read_file(fixtures / "csv" / "missing_values.csv")
    # The only issue is the file-level notice that no column holds authors.
    assert [(i.line, i.message, i.skipped) for i in result.issues] == [
        (1, "no authors column among: title, abstract; use --map authors=COLUMN", False)
    ]
    titles = [(r.title, r.title_derived) for r in result.records]
    assert titles[0] == ("Title of reference", False)
    assert titles[1][1] is True and titles[1][0].startswith("Lorem ipsum dolor sit amet")
    assert result.records[0].abstract == []
    assert [s.heading for s in result.records[1].abstract] == LOREM_HEADINGS


def test_duplicate_records_fixture_reports_rows_without_title(fixtures: Path) -> None:
    result = read_file(fixtures / "csv" / "duplicate_records.csv")
    assert [r.title for r in result.records] == list("aabcdefghi")
    # "10.1" is not a DOI: kept as written, not as the identity.
    assert result.records[0].doi == ""
    assert result.records[0].extra["doi_as_given"] == "10.1"
    # Rows 12-15 hold only "10.4"..."10.7" (no real DOI) and nothing else to show.
    assert [i.line for i in result.skipped] == [12, 13, 14, 15]


# --- delimiter detection ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("title,abstract\nA,b\n", ","),
        ("title;abstract\nA;b, c, d, e\n", ";"),
        ("title\tabstract\nA, b; c\td\n", "\t"),
        # One delimiter each in the header: the tie goes to tab, then semicolon.
        ("title;abstract\nA;b\n", ";"),
        ("title\tyear;x\nA\t2001;y\n", "\t"),
        # Commas inside a quoted header name do not count.
        ('"Title, full";abstract;year\n"A, b";c;2001\n', ";"),
        # The header counts more commas, but only semicolons split the rows evenly.
        ("a,b;c,d;e\n1;2;3\n", ";"),
        ("title\n", ""),
    ],
)
def test_detect_delimiter(text: str, expected: str) -> None:
    assert detect_delimiter(text)[0] == expected


def test_tab_file_with_commas_and_semicolons_in_cells(tmp_path: Path) -> None:
    text = "Title\tAuthors\tAbstract\nOne, two; three\tSmith, J.; Doe, A.\tText; with, marks\n"
    result = read_text(tmp_path, text, "x.txt")
    record = result.records[0]
    assert record.title == "One, two; three"
    assert [a.family for a in record.authors] == ["Smith", "Doe"]


# --- header mapping -----------------------------------------------------------------


def test_header_names_are_matched_ignoring_case_spaces_and_punctuation() -> None:
    plan = ColumnPlan.from_header(
        ["ABSTRACT ", "Article Title", "Publication_Year", "Source title", "D.O.I.", "Misc"]
    )
    assert plan.columns["abstract"] == (0,)
    assert plan.columns["title"] == (1,)
    assert plan.columns["year"] == (2,)
    assert plan.columns["journal"] == (3,)
    assert plan.columns["doi"] == (4,)
    assert plan.unmapped == (("Misc", 5),)


def test_title_column_is_preferred_over_short_aliases() -> None:
    plan = ColumnPlan.from_header(["primary_title", "Title", "Authors", "first_authors"])
    assert plan.columns["title"] == (1, 0)
    assert plan.columns["authors"] == (2, 3)
    record, _ = plan.build(["Fallback", "", "", "Doe, J."])
    assert record.title == "Fallback"
    assert record.authors[0].family == "Doe"


def test_header_without_title_abstract_or_doi_is_refused(tmp_path: Path) -> None:
    result = read_text(tmp_path, "name,colour,size\nA,red,3\nB,blue,4\n")
    assert result.records == []
    assert result.error is not None
    assert "no title, abstract or DOI column" in result.error
    assert "among: name, colour, size; use --map title=COLUMN" in result.error
    with pytest.raises(FileFormatError) as caught:
        list(parse(source("\n\nname,colour\nA,red\n")))
    assert caught.value.line == 3


def test_scopus_export(tmp_path: Path) -> None:
    header = (
        "Authors,Author full names,Title,Year,Source title,Volume,Issue,Art. No.,Page start,"
        "Page end,Cited by,DOI,Link,Abstract,Author Keywords,Index Keywords,Publisher,ISSN,"
        "PubMed ID,Language of Original Document,Document Type,Source,EID,References"
    )
    row = (
        '"Yagai T., Van der Berg J.A.","Yagai, Tsuyoshi (7003612345); Van der Berg, Jan A. '
        '(57189012345)",Strain of YBCO tape,2016,IEEE Trans Appl Supercond,26,4,7433444,1,5,3,'
        "10.1109/TASC.2016.2541670,https://www.scopus.com/inward/record.uri?eid=2-s2.0-1,"
        '"An abstract.",complex bending; SMES,Carbon; Energy storage,IEEE,10518223,12345678,'
        'English,Review,Scopus,2-s2.0-84963944162,"Barth, C., (2015) Supercond. Sci."'
    )
    result = read_text(tmp_path, f"\ufeff{header}\n{row}\n")
    assert result.issues == []
    record = result.records[0]
    assert [(a.family, a.given, a.inverted) for a in record.authors] == [
        ("Yagai", "Tsuyoshi", True),
        ("Van der Berg", "Jan A.", True),
    ]
    assert (record.journal, record.volume, record.issue, record.pages) == (
        "IEEE Trans Appl Supercond",
        "26",
        "4",
        "1-5",
    )
    assert record.extra["article_number"] == "7433444"
    assert (record.type, record.type_detail) == ("review", "Review")
    assert record.keywords == ["complex bending", "SMES", "Carbon", "Energy storage"]
    assert record.doi == "10.1109/tasc.2016.2541670"
    assert record.url.startswith("https://www.scopus.com/")
    assert record.extra["database"] == "Scopus"
    assert record.extra["accession_number"] == "2-s2.0-84963944162"
    assert record.extra["pmid"] == "12345678"
    assert record.extra["Cited by"] == "3"
    assert "References" not in record.extra
    assert record.language == "English"


def test_web_of_science_tab_delimited(tmp_path: Path) -> None:
    header = "PT\tAU\tAF\tTI\tSO\tDE\tID\tAB\tSN\tPY\tVL\tIS\tBP\tEP\tDI\tDT\tUT\t"
    row = (
        "J\tBrevik, I; Smith, JA\tBrevik, Iver; Smith, John A.\tA title\tJOURNAL OF X\t"
        "peer support; recovery\tMENTAL-HEALTH; CARE\tAn abstract.\t0001-0002\t2016\t12\t3\t"
        "100\t110\t10.1000/xyz\tArticle; Proceedings Paper\tWOS:000123\t"
    )
    result = read_text(tmp_path, f"{header}\n{row}\n", "savedrecs.txt")
    assert result.format == "csv_tsv"
    assert result.issues == []
    record = result.records[0]
    assert [a.name for a in record.authors] == ["Brevik, Iver", "Smith, John A."]
    assert record.keywords == ["peer support", "recovery", "MENTAL-HEALTH", "CARE"]
    assert record.pages == "100-110"
    assert (record.type, record.type_detail) == ("article", "Article; Proceedings Paper")
    assert record.extra["database"] == "Web of Science"
    assert record.extra["accession_number"] == "WOS:000123"
    assert "record_id" not in record.extra


def test_zotero_export_with_bom_and_no_final_newline(tmp_path: Path) -> None:
    text = (
        '\ufeff"Key","Item Type","Publication Year","Author","Title","Publication Title",'
        '"DOI","Url","Abstract Note","Date","Pages","Issue","Volume","Manual Tags"\n'
        '"VNNKZQAI","bookSection","2016","Seessle, J.; Gotthardt, D. N.","A chapter",'
        '"A book","10.1007/x","http://a.example/1 http://b.example/2",'
        '"BACKGROUND AND AIMS: Aims here. METHODS: Methods here.","2016-01","125-30","1","39",'
        '"*Chelating Agents/ae [Adverse Effects]; Adolescent"'
    )
    result = read_text(tmp_path, text)
    assert result.issues == []
    record = result.records[0]
    assert (record.type, record.type_detail) == ("chapter", "bookSection")
    assert [(a.family, a.given) for a in record.authors] == [
        ("Seessle", "J."),
        ("Gotthardt", "D. N."),
    ]
    assert (record.date, record.year, record.journal) == ("2016-01", 2016, "A book")
    assert record.url == "http://a.example/1"
    assert [(s.heading, s.text) for s in record.abstract] == [
        ("Background and aims", "Aims here."),
        ("Methods", "Methods here."),
    ]
    assert record.keywords == ["*Chelating Agents/ae [Adverse Effects]", "Adolescent"]
    assert record.extra["record_id"] == "VNNKZQAI"


def test_asreview_style_ids_and_labels(tmp_path: Path) -> None:
    text = (
        "record_id,pubmed_id,title,abstract,authors,year,label_included,label_abstract_screening\n"
        "1,10024335.0,A title,,P Nazzaro; M A Merlo,1999.0,1.0,0\n"
        "2,,,,,,0,0\n"
    )
    result = read_text(tmp_path, text)
    record = result.records[0]
    assert record.extra["pmid"] == "10024335"
    assert record.extra["record_id"] == "1"
    assert record.extra["label_included"] == "1"
    assert record.extra["label_abstract_screening"] == "0"
    assert record.year == 1999
    assert [(a.family, a.given, a.inverted) for a in record.authors] == [
        ("Nazzaro", "P", False),
        ("Merlo", "M A", False),
    ]
    assert len(result.skipped) == 1
    assert result.skipped[0].line == 3
    assert "no title, abstract or DOI (record_id 2)" in result.skipped[0].message


def test_long_values_of_unmapped_columns_are_not_kept(tmp_path: Path) -> None:
    text = f"title,comment,code\nA,{'x' * 400},K1\n"
    record = read_text(tmp_path, text).records[0]
    assert "comment" not in record.extra
    assert record.extra["code"] == "K1"


# --- cell values --------------------------------------------------------------------


# Every list style is covered in tests/core/test_authors_identity.py; these are the
# shapes the spreadsheet exports of Scopus, Web of Science and ASReview write.
@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Liu R., Adler D.G.", [("Liu", "R.", True), ("Adler", "D.G.", True)]),
        ("Alnaes, R., Torgersen, S.", [("Alnaes", "R.", True), ("Torgersen", "S.", True)]),
        ("['Marx, Karl', 'Lindgren, Astrid']",
         [("Marx", "Karl", True), ("Lindgren", "Astrid", True)]),
        ("Yagai, Tsuyoshi (7003612345); Doe, Jane (57190000001)",
         [("Yagai", "Tsuyoshi", True), ("Doe", "Jane", True)]),
        ("", []),
    ],
)  # fmt: skip
def test_split_authors(cell: str, expected: list[tuple[str, str, bool]]) -> None:
    assert [(a.family, a.given, a.inverted) for a in split_authors(cell)] == expected


def test_split_keywords() -> None:
    assert split_keywords("a; b;; c") == ["a", "b", "c"]
    assert split_keywords("cyst (diagnosis, surgery), colon, x") == [
        "cyst (diagnosis, surgery)",
        "colon",
        "x",
    ]
    assert split_keywords("['Pippi', 'Nordwind']") == ["Pippi", "Nordwind"]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2016-01", "2016-01"),
        ("2015-08-15", "2015-08-15"),
        ("2014/05/03/", "2014-05-03"),
        ("2014//", "2014"),
        ("1999.0", "1999"),
        ("25 Aug 2004", "2004-08-25"),
        ("January 7, 2011", "2011-01-07"),
        ("JAN 2016", "2016-01"),
        ("Spring 2004", "2004"),
        ("19xx", ""),
    ],
)
def test_parse_date(cell: str, expected: str) -> None:
    assert parse_date(cell) == expected


def test_parse_embase_source() -> None:
    assert parse_embase_source(
        "International Journal of Surgery Case Reports (2019) 54 (83-86). "
        "Date of Publication: 1 Jan 2019"
    ) == {
        "journal": "International Journal of Surgery Case Reports",
        "year": "2019",
        "volume": "54",
        "issue": "",
        "pages": "83-86",
        "date": "2019-01-01",
    }
    assert parse_embase_source("Just a journal name") is None


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Article", "article"),
        ("journalArticle", "article"),
        ("JOUR", "article"),
        ("Review", "review"),
        ("Conference Paper", "conference paper"),
        ("bookSection", "chapter"),
        ("Book Chapter", "chapter"),
        ("THES", "thesis"),
        ("Something else", "other"),
    ],
)
def test_record_type(label: str, expected: str) -> None:
    assert record_type(label) == expected


# --- physical layout: newlines, encodings, huge fields -------------------------------


def test_crlf_inside_quoted_fields_keeps_line_numbers(tmp_path: Path) -> None:
    data = (
        b'title,abstract\r\n"First","Purpose\r\nTo test.\r\n\r\nFindings\r\nIt works."\r\n'
        b'"Second","Plain"\r\n'
    )
    result = read_file(write(tmp_path, "x.csv", data))
    assert [r.title for r in result.records] == ["First", "Second"]
    assert [r.sources[0].line for r in result.records] == [2, 7]
    assert [(s.key, s.text) for s in result.records[0].abstract] == [
        ("purpose", "To test."),
        ("findings", "It works."),
    ]


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16", "utf-16-le", "utf-8-sig"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    text = "Title;Authors;Abstract\nÉtude du café – über alles;Müller, J.;Résumé\n"
    result = read_file(write(tmp_path, "x.csv", text.encode(encoding)))
    assert result.error is None
    record = result.records[0]
    assert record.title == "Étude du café – über alles"
    assert record.authors[0].family == "Müller"
    assert record.abstract_text == "Résumé"


def test_field_larger_than_the_csv_default_limit(tmp_path: Path) -> None:
    abstract = "word " * 60_000  # 300 KB, above csv's 128 KB default
    result = read_text(tmp_path, f'title,abstract\nA,"{abstract}"\nB,short\n')
    assert [r.title for r in result.records] == ["A", "B"]
    assert len(result.records[0].abstract_text) > 250_000


# --- broken rows --------------------------------------------------------------------


def test_unbalanced_quote_is_reported_and_later_rows_still_import(tmp_path: Path) -> None:
    text = 'title,abstract,year\nA,"unterminated abstract,2001\nB,b,2002\n"C","c",2003\n'
    result = read_text(tmp_path, text)
    assert [(r.title, r.year, r.sources[0].line) for r in result.records] == [
        ("A", 2001, 2),
        ("B", 2002, 3),
        ("C", 2003, 4),
    ]
    assert result.records[0].abstract_text == "unterminated abstract"
    assert [(i.line, i.skipped) for i in row_issues(result)] == [(2, False)]
    assert "unbalanced quote" in row_issues(result)[0].message


def test_wrong_field_counts_and_bad_year_are_reported(tmp_path: Path) -> None:
    text = "title,abstract,year\nA,a,2001,extra\nB,b\n,,,more\nC,c,19xx\nD,d,2004,,\n"
    result = read_text(tmp_path, text)
    assert [r.title for r in result.records] == ["A", "B", "C", "D"]
    issues = [(i.line, i.skipped, i.message) for i in row_issues(result)]
    assert issues[0] == (2, False, "row has 4 fields but the header has 3; extra fields ignored")
    assert issues[1] == (3, False, "row has 2 fields but the header has 3; missing ones left empty")
    assert issues[2][0:2] == (4, True)
    assert "row has 4 fields" in issues[2][2] and "skipped" in issues[2][2]
    assert issues[3] == (5, False, "year '19xx' is not a four-digit year; left empty")
    assert len(issues) == 4  # trailing empty fields (row D) are not a problem
    assert result.records[2].year is None


def test_blank_lines_are_ignored(tmp_path: Path) -> None:
    result = read_text(tmp_path, "\ntitle,abstract\n\nA,a\n , \nB,b\n")
    assert [(r.title, r.sources[0].line) for r in result.records] == [("A", 4), ("B", 6)]
    assert row_issues(result) == []
    # The notice about the missing author column names the header's line.
    assert [i.line for i in result.issues] == [2]


# --- sniffing -----------------------------------------------------------------------

NOT_CSV = {
    "ris": "TY  - JOUR\nAU  - Smith, J\nTI  - A title, with commas, in it\nER  - \n",
    "medline": "PMID- 123\nOWN - NLM\nTI  - A title, with, commas\nAU  - Smith J\n",
    "wos": "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAU Smith, J\nTI A, b, c\nER\n",
    "bibtex": "@article{key,\n  title = {A, b},\n  author = {Smith, J and Doe, A},\n}\n",
    "json": '[{"title": "A", "author": [{"family": "Smith", "given": "J"}]}]\n',
    "xml": '<?xml version="1.0"?>\n<xml><records><record><title>A, b</title></record>\n',
    "emerald": "Search results\n\n1 – 10 of over 73000\nArticle\nPublication date: 22 August "
    "2024\n\nBenjamin Thomas Gray, Matthew Sisto and Renee Conley\n",
    "prose": "We screened records, as planned, in two rounds.\nThe first round, by title, "
    "took a week; the second took two.\n",
}


@pytest.mark.parametrize("kind", sorted(NOT_CSV))
def test_sniff_rejects_other_formats(kind: str) -> None:
    assert sniff(source(NOT_CSV[kind])) == 0.0


def test_sniff_scores() -> None:
    assert sniff(source("title,abstract,doi\nA,b,10.1/x\nC,d,10.1/y\n")) == 0.7
    assert sniff(source("name;colour;size\nA;red;3\nB;blue;4\n")) == 0.5
    # A bibliographic header keeps a moderate score even when the rows are broken.
    assert 0.3 < sniff(source("title,abstract,year\nA,a,2001,extra\nB,b\nC,c,2003,,\n")) < 0.7
    assert sniff(source("")) == 0.0


def test_format_object() -> None:
    assert FORMAT.name == "csv_tsv"
    assert FORMAT.label == "CSV/TSV"
    assert FORMAT.extensions == ("csv", "tsv", "tab", "txt")
    assert FORMAT.database == ""


# --- the shared corpus --------------------------------------------------------------

#: Delimited files of the shared corpus with their README record counts.
SHARED_TABLES = {
    "asreview_tests/duplicate_records.csv": 14,
    "asreview_tests/embase.csv": 6,
    "asreview_tests/embase_newpage.csv": 6,
    "asreview_tests/generic.csv": 2,
    "asreview_tests/generic_bad_record_id.csv": 6,
    "asreview_tests/generic_column_names_with_spaces.csv": 2,
    "asreview_tests/generic_labels.csv": 6,
    "asreview_tests/generic_labels_no_abs.csv": 6,
    "asreview_tests/generic_labels_no_title.csv": 6,
    "asreview_tests/generic_partial_labels.csv": 6,
    "asreview_tests/generic_semicolon.csv": 2,
    "asreview_tests/generic_tab.csv": 2,
    "asreview_tests/generic_tab.tab": 2,
    "asreview_tests/generic_tab.tsv": 2,
    "asreview_tests/missing_values.csv": 4,
    "asreview_tests/record_id.csv": 10,
    "synergy_raw_exports/wilson_zotero/DOKU_All_Included_20200116_cap.csv": 26,
    "synergy_raw_exports/wilson_zotero/DOKU_All_FT-Screening_20200116_cap.csv": 174,
    "synergy_raw_exports/bannach_brown_2019/Depression-Dataset-SLIM-DevelopmentTrainingSet.tsv.gz": 1993,  # noqa: E501
    "metaknowledge/scopus_testing.csv.gz": 220,
    "synergy_scale/originals/Cohen_2006_ACEInhibitors.csv.gz": 2544,
    "synergy_scale/originals/Cohen_2006_ADHD.csv.gz": 851,
    "synergy_scale/originals/Cohen_2006_Antihistamines.csv.gz": 310,
    "synergy_scale/originals/Cohen_2006_AtypicalAntipsychotics.csv.gz": 1120,
    "synergy_scale/originals/Cohen_2006_BetaBlockers.csv.gz": 2072,
    "synergy_scale/originals/Cohen_2006_CalciumChannelBlockers.csv.gz": 1218,
    "synergy_scale/originals/Cohen_2006_Estrogens.csv.gz": 368,
    "synergy_scale/originals/Cohen_2006_NSAIDS.csv.gz": 393,
    "synergy_scale/originals/Cohen_2006_Opiods.csv.gz": 1915,
    "synergy_scale/originals/Cohen_2006_OralHypoglycemics.csv.gz": 503,
    "synergy_scale/originals/Cohen_2006_ProtonPumpInhibitors.csv.gz": 1333,
    "synergy_scale/originals/Cohen_2006_SkeletalMuscleRelaxants.csv.gz": 1643,
    "synergy_scale/originals/Cohen_2006_Triptans.csv.gz": 671,
    "synergy_scale/originals/Cohen_2006_UrinaryIncontinence.csv.gz": 327,
    "synergy_scale/originals/Bannach-Brown_2019.csv.gz": 1993,
    "synergy_scale/originals/Kitchenham_2010.csv.gz": 1704,
    "synergy_scale/originals/Nagtegaal_2019.csv.gz": 2019,
    "synergy_scale/originals/Hamilton_2022.csv.gz": 1862,
    "synergy_scale/combined_22846_records.csv.gz": 22846,
}

#: Files with rows that hold no title, abstract or DOI (Cohen rows carry only a
#: PubMed id; duplicate_records has "10.4"-style non-DOIs). Those rows are reported
#: as skipped; every other row must import.
ROWS_WITHOUT_TEXT = {
    "asreview_tests/duplicate_records.csv": 4,
    "synergy_scale/originals/Cohen_2006_ACEInhibitors.csv.gz": 26,
    "synergy_scale/originals/Cohen_2006_ADHD.csv.gz": 24,
    "synergy_scale/originals/Cohen_2006_Antihistamines.csv.gz": 10,
    "synergy_scale/originals/Cohen_2006_AtypicalAntipsychotics.csv.gz": 34,
    "synergy_scale/originals/Cohen_2006_BetaBlockers.csv.gz": 60,
    "synergy_scale/originals/Cohen_2006_CalciumChannelBlockers.csv.gz": 43,
    "synergy_scale/originals/Cohen_2006_Estrogens.csv.gz": 14,
    "synergy_scale/originals/Cohen_2006_NSAIDS.csv.gz": 12,
    "synergy_scale/originals/Cohen_2006_Opiods.csv.gz": 60,
    "synergy_scale/originals/Cohen_2006_OralHypoglycemics.csv.gz": 13,
    "synergy_scale/originals/Cohen_2006_ProtonPumpInhibitors.csv.gz": 44,
    "synergy_scale/originals/Cohen_2006_SkeletalMuscleRelaxants.csv.gz": 40,
    "synergy_scale/originals/Cohen_2006_Triptans.csv.gz": 24,
    "synergy_scale/originals/Cohen_2006_UrinaryIncontinence.csv.gz": 18,
    "synergy_scale/originals/Hamilton_2022.csv.gz": 5,
    "synergy_scale/combined_22846_records.csv.gz": 427,
}

_SLOW = {"synergy_scale/combined_22846_records.csv.gz"}


@pytest.mark.parametrize(
    "relative",
    [pytest.param(p, marks=pytest.mark.slow) if p in _SLOW else p for p in SHARED_TABLES],
)
def test_shared_tables_give_the_readme_counts(shared_data: Path, relative: str) -> None:
    result = read_file(shared_data / relative)
    assert result.error is None
    assert result.format == "csv_tsv"
    skipped = ROWS_WITHOUT_TEXT.get(relative, 0)
    assert len(result.skipped) == skipped, [i.message for i in result.skipped[:3]]
    assert len(result.records) + skipped == SHARED_TABLES[relative]
    assert not [i for i in row_issues(result) if not i.skipped]
    for issue in result.skipped:
        assert "no title, abstract" in issue.message
    lines = [r.sources[0].line for r in result.records]
    assert lines == sorted(set(lines))


def test_shared_scopus_fields(shared_data: Path) -> None:
    result = read_file(shared_data / "metaknowledge" / "scopus_testing.csv.gz")
    first = result.records[0]
    assert first.title.startswith("Strain Distribution of Complex-Bending YBCO Tape")
    assert first.authors[0].name == "Yagai T."
    assert first.extra["database"] == "Scopus"
    assert first.doi == "10.1109/tasc.2016.2541670"
    assert first.keywords[:2] == ["complex bending", "force-balanced coil"]
    assert all(r.extra.get("database") == "Scopus" for r in result.records)


def test_shared_bannach_brown_tsv(shared_data: Path) -> None:
    folder = shared_data / "synergy_raw_exports" / "bannach_brown_2019"
    result = read_file(folder / "Depression-Dataset-SLIM-DevelopmentTrainingSet.tsv.gz")
    first = result.records[0]
    assert [(a.family, a.given) for a in first.authors] == [
        ("Whistler", "R. L."),
        ("Lake", "W. C."),
    ]
    assert (first.year, first.journal, first.volume, first.issue, first.pages) == (
        1972,
        "Biochem.J.",
        "130",
        "4",
        "919-925",
    )
    assert first.url == "http://www.ncbi.nlm.nih.gov/pubmed/4656804"
    assert first.extra["label_included"] == "0"
    assert sum(r.extra["label_included"] == "1" for r in result.records) > 0


# --- parsing with the garbage collector paused ---------------------------------------


def test_read_file_parses_with_the_garbage_collector_paused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = ColumnPlan.build
    seen: list[bool] = []

    def recording_build(plan: ColumnPlan, values: Sequence[str]) -> tuple[Record, list[str]]:
        seen.append(gc.isenabled())
        return original(plan, values)

    monkeypatch.setattr(ColumnPlan, "build", recording_build)
    assert gc.isenabled()
    result = read_text(tmp_path, "title,abstract\n" + "".join(f"T{n},a\n" for n in range(50)))
    assert len(result.records) == 50
    assert seen == [False] * 50
    assert gc.isenabled()


def test_read_file_leaves_a_paused_garbage_collector_paused(tmp_path: Path) -> None:
    gc.disable()
    try:
        result = read_text(tmp_path, "title,abstract\nA,a\n")
        assert [r.title for r in result.records] == ["A"]
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_records_before_a_parser_failure_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = ColumnPlan.build

    def failing_build(plan: ColumnPlan, values: Sequence[str]) -> tuple[Record, list[str]]:
        if values[0] == "boom":
            raise RuntimeError("unexpected")
        return original(plan, values)

    monkeypatch.setattr(ColumnPlan, "build", failing_build)
    result = read_text(tmp_path, "title,abstract\nA,a\nB,b\nboom,x\nC,c\n")
    assert [r.title for r in result.records] == ["A", "B"]
    assert [i.line for i in row_issues(result)] == [3]
    assert "RuntimeError: unexpected" in row_issues(result)[0].message
    assert gc.isenabled()


def test_single_column_file_needs_the_format_forced(tmp_path: Path) -> None:
    path = write(tmp_path, "titles.csv", "Title\nFirst paper\nSecond paper\n")
    assert read_file(path).error is not None
    result = read_file(path, format_name="csv")
    assert [r.title for r in result.records] == ["First paper", "Second paper"]
