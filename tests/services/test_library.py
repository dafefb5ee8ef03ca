"""The library service: import summaries, identity across re-imports, provenance, duplicates."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from peerlit_tui.services.library import Library, UnknownRecordError
from tests.conftest import SAMPLE_DATA

SEED = SAMPLE_DATA / "emerald_peer_support_results.txt"

RIS_WITH_DOI = """TY  - JOUR
TI  - Peer support in mental health: a review of models
AU  - Smith, Jane
AU  - Doe, John
PY  - 2012
JO  - Journal of Mental Health
DO  - 10.1234/JMH.2012.001
AB  - BACKGROUND: Peer support grows. METHODS: We reviewed 40 papers. RESULTS: It helps.
KW  - peer support
ER  -
"""

RIS_WITHOUT_DOI = """TY  - JOUR
TI  - Peer Support in Mental Health. A Review of Models
AU  - Smith, J.
PY  - 2012
T2  - J Ment Health
KW  - recovery
ER  -
"""


@pytest.fixture
def library(tmp_path: Path) -> Library:
    lib = Library.open(tmp_path / "lib")
    yield lib
    lib.close()


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_seed_import_summary(library: Library) -> None:
    summary = library.import_files([SEED])
    file = summary.files[0]
    assert (file.format, file.records, file.added, file.already_present) == ("emerald", 10, 10, 0)
    assert file.skipped == [] and file.error is None
    assert summary.exit_code == 0
    assert library.count() == 10


def test_reimport_adds_nothing_twice_and_keeps_one_provenance_per_file(library: Library) -> None:
    first = library.import_files([SEED])
    again = library.import_files([SEED])
    assert again.files[0].added == 0
    assert again.files[0].already_present == 10
    assert library.count() == 10
    some_id = library.columns().ids[0]
    record = library.get(some_id)
    assert record is not None and len(record.sources) == 1
    assert first.files[0].records == again.files[0].records


def test_same_record_from_another_database_keeps_every_provenance(
    library: Library, tmp_path: Path
) -> None:
    a = _write(tmp_path, "a.ris", RIS_WITH_DOI)
    b = _write(tmp_path, "b.ris", RIS_WITH_DOI.replace("KW  - peer support", "KW  - stigma"))
    library.import_files([a], database="PubMed")
    summary = library.import_files([b], database="Scopus")
    assert summary.files[0].already_present == 1
    record = library.get("10.1234/jmh.2012.001")
    assert record is not None
    assert sorted(s.database for s in record.sources) == ["PubMed", "Scopus"]
    assert record.keywords == ["peer support", "stigma"]


def test_likely_duplicates_are_linked_not_deleted_and_unlinking_sticks(
    library: Library, tmp_path: Path
) -> None:
    with_doi = _write(tmp_path, "doi.ris", RIS_WITH_DOI)
    without = _write(tmp_path, "nodoi.ris", RIS_WITHOUT_DOI)
    summary = library.import_files([with_doi, without])
    assert summary.to_json()["totals"]["duplicates_linked"] == 1
    assert library.count() == 2
    other = next(i for i in library.columns().ids if i != "10.1234/jmh.2012.001")
    links = library.duplicates_of("10.1234/jmh.2012.001")
    reason = "same title, year and first author"
    assert links == [{"id": other, "reason": reason, "status": "linked"}]
    assert library.unlink(other, "10.1234/jmh.2012.001")
    again = library.import_files([with_doi, without])
    assert again.to_json()["totals"]["duplicates_linked"] == 0
    assert library.duplicates_of(other)[0]["status"] == "unlinked"
    assert library.link(other, "10.1234/jmh.2012.001")
    assert library.duplicates_of(other)[0]["status"] == "linked"


def test_structured_inline_abstract_becomes_sections(library: Library, tmp_path: Path) -> None:
    library.import_files([_write(tmp_path, "a.ris", RIS_WITH_DOI)])
    record = library.get("10.1234/jmh.2012.001")
    assert record is not None
    assert [s.key for s in record.abstract] == ["background", "methods", "results"]


def test_unreadable_and_partial_files_are_reported_with_exit_codes(
    library: Library, tmp_path: Path
) -> None:
    missing = tmp_path / "missing.ris"
    garbage = _write(tmp_path, "garbage.ris", "\x00\x01 nothing here at all\n")
    summary = library.import_files([missing, garbage])
    assert summary.exit_code == 2
    assert "cannot read file" in (summary.files[0].error or "")
    assert summary.files[1].error
    good = _write(tmp_path, "good.ris", RIS_WITH_DOI)
    mixed = library.import_files([good, missing])
    assert mixed.exit_code == 1


def test_a_failure_mid_import_leaves_the_library_as_before(
    library: Library, tmp_path: Path
) -> None:
    library.import_files([_write(tmp_path, "a.ris", RIS_WITH_DOI)])

    def explode(done: int, total: int, label: str) -> None:
        if label == "saving records":
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        library.import_files([SEED], progress=explode)
    assert library.count() == 1
    assert library.columns().ids == ["10.1234/jmh.2012.001"]


def test_kill_mid_import_in_another_process_leaves_the_library_readable(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    lib = Library.open(folder)
    lib.import_files([SEED])
    lib.close()
    # An open write transaction that never commits (the process "dies") changes nothing.
    db = sqlite3.connect(folder / "records.sqlite3", isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    db.execute("DELETE FROM records")
    db.close()
    reopened = Library.open(folder)
    assert reopened.count() == 10
    reopened.close()


def test_resolve_id_accepts_doi_forms_and_unique_prefixes(library: Library, tmp_path: Path) -> None:
    library.import_files([SEED, _write(tmp_path, "a.ris", RIS_WITH_DOI)])
    assert library.resolve_id("https://doi.org/10.1234/JMH.2012.001") == "10.1234/jmh.2012.001"
    hashed = next(i for i in library.columns().ids if not i.startswith("10."))
    assert library.resolve_id(hashed[:8]) == hashed
    with pytest.raises(UnknownRecordError, match="no record"):
        library.resolve_id("zzzzzzzz")
    with pytest.raises(UnknownRecordError):
        library.resolve_id("")


def test_list_columns_load_without_json(library: Library) -> None:
    library.import_files([SEED])
    cols = library.columns()
    assert len(cols) == 10
    assert cols.years[0] == 2024
    assert cols.first_authors[0] == "Gray"
    assert all(cols.title_derived)
    assert cols.types.count("book part") == 1
