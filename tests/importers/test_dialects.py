"""Every export dialect reviewers bring: title, first author, year, journal and DOI, field by field.

The fixtures in `tests/fixtures/dialects/` are the first records of real exports
of one search made with each tool (asreview/citation-file-formatting, CC0), or,
for Springer Link, Publish or Perish and Ovid CSV, small files written from the
documented column layout (see `tests/fixtures/README.md`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from peerlit_tui.importers.column_map import ColumnMapError, mapped_columns, parse_map_options
from peerlit_tui.importers.pipeline import read_file

DIALECTS = Path(__file__).parents[1] / "fixtures" / "dialects"

YANG = (
    "Cellular structure of dinosaur scales reveals retention of reptile-type skin during "
    "the evolutionary transition to feathers"
)
YANG_DOI = "10.1038/s41467-024-48400-3"

#: file -> (format, title start, first author family name, year, journal, DOI) of record 1.
EXPECTED: dict[str, tuple[str, str, str, int | None, str, str]] = {
    "scopus.csv": ("csv_tsv", "Global latitudinal gradients and the evolution of body size",
                   "Wilson", 2024, "Nature Communications", "10.1038/s41467-024-46843-2"),
    "embase.csv": ("csv_tsv", YANG, "Yang", 2024, "Nature Communications", YANG_DOI),
    "embase_excel.csv": ("csv_tsv", YANG, "Yang", 2024, "Nature Communications", YANG_DOI),
    "embase.xlsx": ("xlsx", YANG, "Yang", 2024, "Nature Communications", YANG_DOI),
    "pubmed.csv": ("csv_tsv", "Time lapse: A glimpse into prehistoric genomics", "Griffin",
                   2020, "Eur J Med Genet", "10.1016/j.ejmg.2019.03.004"),
    "cinahl.csv": ("csv_tsv", "Osteohistological insight into the growth dynamics",
                   "Curry Rogers", 2024, "PLoS ONE", "10.1371/journal.pone.0298242"),
    "cochrane.csv": ("csv_tsv", "The Incredible Years Therapeutic Dinosaur Programme",
                     "Bywater", 2011, "Trials", "10.1186/1745-6215-12-39"),
    "covidence.csv": ("csv_tsv", YANG, "Yang", 2024, "Nature Communications", YANG_DOI),
    "rayyan.csv": ("csv_tsv", YANG, "Yang", 2024, "Nat. Commun.", YANG_DOI),
    "abstrackr.csv": ("csv_tsv", "A new small duckbilled dinosaur (Hadrosauridae",
                      "Longrich", None, "Sci Rep", ""),
    "eppi_reviewer.xlsx": ("xlsx", "A juvenile bird with possible crown-group affinities",
                           "Brownstein", 2024, "", ""),
    "refworks.tsv": ("csv_tsv", "The effect of intra-arterial angiotensin II", "van den Hoven",
                     2014, "Journal of Vascular and Interventional Radiology",
                     "10.1016/j.jvir.2013.12.293"),
    "zotero.csv": ("csv_tsv", YANG, "Yang", 2024, "Nature Communications", YANG_DOI),
    "openalex.csv": ("csv_tsv", "A bioprovince for the Barremian–Aptian charophytes", "Vicente",
                     2024, "Cretaceous Research", "10.1016/j.cretres.2023.105752"),
    "lens.csv": ("csv_tsv", "The Value of Radiologic Interventions and 18 F-DOPA PET",
                 "Blomberg", 2012, "Molecular imaging and biology", "10.1007/s11307-012-0572-0"),
    "lens_title_row.xlsx": ("xlsx", "The Value of Radiologic Interventions and 18 F-DOPA PET",
                            "Blomberg", 2012, "Molecular imaging and biology",
                            "10.1007/s11307-012-0572-0"),
    "springer.csv": ("csv_tsv", "Screening tools for systematic reviews", "McDonald", 2023,
                     "Systematic Reviews", "10.1186/s13643-023-02101-5"),
    "google_scholar.csv": ("csv_tsv", "Did dinosaurs invent flowers?", "Barrett", 2001,
                           "Biological Reviews", ""),
    "publish_or_perish.csv": ("csv_tsv", "Did dinosaurs invent flowers?", "Barrett", 2001,
                              "Biological Reviews", "10.1017/s1464793101005735"),
    "ovid.csv": ("csv_tsv", YANG, "Yang", 2024, "Nature Communications", YANG_DOI),
    "mendeley.ris": ("ris", "Description of a new specimen of Haplocanthosaurus", "Boisvert",
                     2024, "Anatomical Record", "10.1002/ar.25520"),
    "endnote.ris": ("ris", "Description of a new specimen of Haplocanthosaurus", "Boisvert",
                    2024, "Anatomical Record", "10.1002/ar.25520"),
    "citavi.ris": ("ris", "Postoperative headache after surgical treatment", "Pogoda", 2021,
                   "European archives of oto-rhino-laryngology", "10.1007/s00405-021-06627-6"),
    "rayyan.ris": ("ris", YANG, "Yang", 2024, "Nat. Commun.", YANG_DOI),
    "eppi_reviewer.ris": ("ris", "A juvenile bird with possible crown-group affinities",
                          "Brownstein", 2024, "BMC ecology and evolution",
                          "10.1186/s12862-024-02210-9"),
    "ovid_eric.ris": ("ris", "Creationism and the Dinosaur Boom", "Stokes", 1989,
                      "Journal of Geological Education", ""),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_first_record_of_each_dialect(name: str) -> None:
    fmt, title, family, year, journal, doi = EXPECTED[name]
    result = read_file(DIALECTS / name)
    assert result.error is None
    assert result.format == fmt
    assert not result.skipped
    first = result.records[0]
    assert first.title.startswith(title)
    assert not first.title_derived
    assert first.authors[0].family == family
    assert first.year == year
    assert first.journal.startswith(journal)
    assert first.doi == doi


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if not n.endswith(".ris")))
def test_every_record_has_a_real_title_and_authors(name: str) -> None:
    result = read_file(DIALECTS / name)
    assert len(result.records) >= 2
    for record in result.records:
        assert record.title and not record.title_derived
        assert record.authors


def test_embase_preamble_is_passed_over_and_lines_count_from_the_file_start() -> None:
    result = read_file(DIALECTS / "embase.csv")
    # "SEARCH QUERY", a dashed line and a blank line come before the header (line 4).
    assert result.records[0].sources[0].line == 5
    assert result.records[0].extra["database"] == "Embase"
    assert [a.name for a in result.records[0].authors] == [
        "Yang Z.", "Jiang B.", "Xu J.", "McNamara M.E."
    ]  # fmt: skip


@pytest.mark.parametrize("name", ["embase.csv", "embase_excel.csv"])
def test_embase_emtree_terms_are_keywords(name: str) -> None:
    record = read_file(DIALECTS / name).records[0]
    # Medical and drug terms, major focus or not, each once; a term's own
    # parenthesised qualifier ("keratin (endogenous compound)") is not cut.
    assert {"dinosaur", "animal tissue", "keratin (endogenous compound)"} <= set(record.keywords)
    assert len(record.keywords) == len({k.lower() for k in record.keywords})
    assert not [key for key in record.extra if key.lower().startswith("emtree")]


def test_springer_run_together_authors_split_without_breaking_surnames() -> None:
    records = read_file(DIALECTS / "springer.csv").records
    assert [a.name for a in records[0].authors] == [
        "Ronald McDonald",
        "Anna DeVries",
        "Sean O'Brien",
    ]
    assert [a.name for a in records[1].authors] == [
        "Vivek K. Pallipuram", "Mohammad Bhuiyan", "Melissa C. Smith"
    ]  # fmt: skip
    assert [a.name for a in records[2].authors] == ["Jo MacArthur"]
    assert records[2].type == "chapter"
    assert records[0].extra["database"] == "Springer Link"


def test_abstrackr_and_lines_do_not_stick_to_names() -> None:
    first = read_file(DIALECTS / "abstrackr.csv").records[0]
    assert [a.name for a in first.authors] == [
        "Longrich, N.R.", "Pereda-Suberbiola, X.", "Bardet, N.", "Jalil, N.-E."
    ]  # fmt: skip


def test_openalex_pipe_separated_authors_and_pages() -> None:
    first = read_file(DIALECTS / "openalex.csv").records[0]
    assert [a.name for a in first.authors[:3]] == [
        "Alba Vicente",
        "Josep Sanjuan",
        "Jordi Pérez-Cano",
    ]
    assert first.volume == "154"


def test_refworks_fields() -> None:
    records = read_file(DIALECTS / "refworks.tsv").records
    first = records[0]
    assert first.type == "article"
    assert (first.volume, first.issue, first.pages) == ("25", "3", "S105")
    assert records[1].pages == "69-79"
    second = records[1].authors[0]
    assert (second.family, second.given, second.inverted) == ("de Jong", "Ype", True)


def test_ovid_csv_reads_issue_and_issn_from_their_own_tags() -> None:
    first = read_file(DIALECTS / "ovid.csv").records[0]
    assert (first.issue, first.issn) == ("1", "2041-1723")
    assert first.extra["pmid"] == "38773073"


def test_covidence_year_and_tags_column_kept() -> None:
    first = read_file(DIALECTS / "covidence.csv").records[0]
    assert first.year == 2024
    assert (first.volume, first.issue) == ("15", "1")


# --- columns not recognised ---------------------------------------------------------


def test_file_without_title_and_author_columns_is_reported_by_name(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Item Name,Writers,Summary\nA study,Smith J,Some text here.\n")
    result = read_file(path)
    # The abstract column is known, so the row imports, but not silently.
    messages = [i.message for i in result.issues if not i.skipped]
    assert messages == [
        "no title column among: Item Name, Writers, Summary; use --map title=COLUMN",
        "no authors column among: Item Name, Writers, Summary; use --map authors=COLUMN",
    ]
    assert result.records[0].title_derived


def test_map_option_fixes_the_mapping(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Item Name,Writers,Summary\nA study,Smith J,Some text here.\n")
    with mapped_columns(parse_map_options(["title=Item Name", "authors=writers"])):
        result = read_file(path)
    first = result.records[0]
    assert (first.title, first.title_derived) == ("A study", False)
    assert [a.name for a in first.authors] == ["Smith J"]
    assert result.issues == []
    # Outside the block the default mapping is back.
    assert read_file(path).records[0].title_derived


def test_map_option_naming_no_column_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Name", "Abstract"])
    sheet.append(["A", "Some text."])
    book.save(path)
    with mapped_columns({"title": "Heading"}):
        result = read_file(path)
    messages = [i.message for i in result.issues]
    assert messages[0] == "--map title=Heading: no such column among: Name, Abstract; ignored"
    assert "no title column among: Name, Abstract" in messages[1]


def test_header_with_no_usable_column_refuses_naming_columns(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Item Name,Writers\nA study,Smith J\nB,Doe\n")
    result = read_file(path, format_name="csv")
    assert result.records == []
    assert result.error is not None
    assert "no title, abstract or DOI column among: Item Name, Writers" in result.error
    assert "--map title=COLUMN" in result.error
    with mapped_columns({"title": "Item Name"}):
        assert [r.title for r in read_file(path, format_name="csv").records] == ["A study", "B"]


@pytest.mark.parametrize(
    "option", ["title", "title=", "=Name", "colour=Name"]
)  # fmt: skip
def test_bad_map_options_are_refused(option: str) -> None:
    with pytest.raises(ColumnMapError):
        parse_map_options([option])


def test_cinahl_excel_protected_cells_are_unwrapped() -> None:
    first = read_file(DIALECTS / "cinahl.csv").records[0]
    # EBSCO writes ISSN and date as ="19326203" so that Excel keeps them as text.
    assert first.issn == "19326203"
    assert first.extra["accession_number"] == "176404503"
