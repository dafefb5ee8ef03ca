"""PRISMA counts on a fixture library, checked against numbers worked out by hand.

The library: the ten Emerald sample records (Emerald Insight), then two Scopus
records S1 (DOI …2020.001) and S2 (DOI …2019.002), then three PubMed records: P1
is S1 again (same DOI, written differently: a re-find), P2 is S2 without its DOI
(another id, linked as a likely duplicate), P3 is new (DOI …2021.003).

By hand: 14 records; 15 identified (Emerald 10, PubMed 3, Scopus 2); duplicates
removed 2 (S1 found again, P2/S2 linked); 13 left. Decisions: include E1 and S1;
exclude E2, E3 and P2 for "wrong population", P3 for "not peer support", E4 without
a reason; maybe E5. P2 is decided and S2 is not, so the linked pair keeps P2 and
drops S2. Screened 8 = 2 + 5 + 1; undecided 5 (E6 to E10).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.services.library import Library
from peerlit_tui.services.stats import PrismaStats, compute_stats, prisma_csv
from tests.conftest import FIXTURES, SAMPLE_DATA

SAMPLE = SAMPLE_DATA / "emerald_peer_support_results.txt"
SCOPUS = FIXTURES / "exports" / "scopus_search.ris"
PUBMED = FIXTURES / "exports" / "pubmed_search.ris"
S1, S2, P3 = "10.5555/peer.2020.001", "10.5555/peer.2019.002", "10.5555/peer.2021.003"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    library = Library.open(folder)
    try:
        library.import_files([SAMPLE])
        library.import_files([SCOPUS], database="Scopus")
        summary = library.import_files([PUBMED], database="PubMed")
        assert summary.to_json()["totals"]["duplicates_linked"] == 1
    finally:
        library.close()
    return folder


def _ids(folder: Path) -> tuple[list[str], str]:
    library = Library.open(folder)
    try:
        ids = library.columns().ids
        (p2,) = [d["id"] for d in library.duplicates_of(S2)]
    finally:
        library.close()
    return ids[:10], p2


def _decide(folder: Path) -> None:
    emerald, p2 = _ids(folder)
    with AnnotationService.open(folder, sync=False) as service:
        service.set_decision([emerald[0], S1], "include")
        service.set_decision(
            [emerald[1], emerald[2], p2], "exclude", "wrong population", add_reason=True
        )
        service.set_decision(P3, "exclude", "not peer support", add_reason=True)
        service.set_decision(emerald[3], "exclude")
        service.set_decision(emerald[4], "maybe")


def _stats(folder: Path) -> PrismaStats:
    library = Library.open(folder)
    try:
        with AnnotationService.open(folder, read_only=True) as service:
            return compute_stats(library, service)
    finally:
        library.close()


def test_hand_checked_counts(folder: Path) -> None:
    _decide(folder)
    assert _stats(folder).to_json() == {
        "records": 14,
        "identification": {
            "total": 15,
            "by_database": {"Emerald Insight": 10, "PubMed": 3, "Scopus": 2},
            "by_file": {str(SAMPLE): 10, str(PUBMED): 3, str(SCOPUS): 2},
        },
        "duplicates": {"removed": 2, "refound": 1, "linked": 1},
        "after_duplicates": 13,
        "screening": {
            "screened": 8,
            "included": 2,
            "excluded": 5,
            "excluded_by_reason": {
                "wrong population": 3,
                "no reason given": 1,
                "not peer support": 1,
            },
            "maybe": 1,
            "undecided": 5,
        },
    }


def test_a_linked_pair_counts_once_even_when_both_are_decided(folder: Path) -> None:
    _decide(folder)
    with AnnotationService.open(folder, sync=False) as service:
        service.set_decision(S2, "include")  # S2 was imported first, so it is kept
    stats = _stats(folder)
    assert (stats.included, stats.excluded, stats.undecided) == (3, 4, 5)
    assert stats.excluded_by_reason["wrong population"] == 2
    assert stats.after_duplicates == stats.screened + stats.undecided == 13


def test_an_unscreened_library(folder: Path) -> None:
    stats = _stats(folder)
    assert (stats.screened, stats.undecided, stats.excluded_by_reason) == (0, 13, {})


def test_prisma_csv_follows_the_prisma2020_template(folder: Path) -> None:
    _decide(folder)
    text = prisma_csv(_stats(folder))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert text.startswith("data,node,box,description,boxtext,tooltips,url,n\n")
    assert len(rows) == 32
    n = {row["data"]: row["n"] for row in rows if row["data"] != "NA"}
    assert n["database_results"] == "15"
    assert n["database_specific_results"] == "Emerald Insight, 10; PubMed, 3; Scopus, 2"
    assert (n["register_results"], n["register_specific_results"]) == ("0", "")
    assert n["duplicates"] == "2"
    assert (n["records_screened"], n["records_excluded"]) == ("8", "5")
    assert (n["dbr_sought_reports"], n["dbr_assessed"]) == ("3", "3")  # include + maybe
    assert (n["new_studies"], n["total_studies"]) == ("2", "2")
    assert n["website_results"] == "0" and n["dbr_excluded"] == ""


def test_database_names_cannot_break_the_per_database_list() -> None:
    stats = PrismaStats(by_database={"Web of Science; Core, Collection": 4}, identified=4)
    rows = {r["data"]: r["n"] for r in csv.DictReader(io.StringIO(prisma_csv(stats)))}
    assert rows["database_specific_results"] == "Web of Science - Core - Collection, 4"


# -- repeats inside one export ------------------------------------------------------

_RIS_ENTRY = "TY  - JOUR\nTI  - {title}\nAU  - {author}\nPY  - 2020\nDO  - {doi}\nER  - \n\n"


def _ris(path: Path, *entries: tuple[str, str, str]) -> Path:
    path.write_text(
        "".join(_RIS_ENTRY.format(title=t, author=a, doi=d) for t, a, d in entries),
        encoding="utf-8",
    )
    return path


A = ("Peer support in rural clinics", "Gray, Ann", "10.5555/rep.001")
B = ("Peer workers and recovery", "Holm, Bo", "10.5555/rep.002")
C = ("Group sessions for carers", "Ito, Chie", "10.5555/rep.003")


def _import(folder: Path, *batches: tuple[list[Path], str]) -> PrismaStats:
    library = Library.open(folder)
    try:
        for paths, database in batches:
            library.import_files(paths, database=database)
    finally:
        library.close()
    return _stats(folder)


def test_a_repeat_inside_one_file_counts_as_identified_and_removed(tmp_path: Path) -> None:
    # By hand: three records read (A, B, A again), two distinct: identified 3, removed 1.
    scopus = _ris(tmp_path / "scopus.ris", A, B, A)
    stats = _import(tmp_path / "lib", ([scopus], "Scopus"))
    assert (stats.records, stats.identified, stats.duplicates, stats.after_duplicates) == (
        2,
        3,
        1,
        2,
    )
    assert stats.by_database == {"Scopus": 3}
    assert stats.by_file == {str(scopus): 3}
    data = stats.to_json()
    assert data["identification"]["total"] == 3 and data["duplicates"]["removed"] == 1
    rows = {r["data"]: r["n"] for r in csv.DictReader(io.StringIO(prisma_csv(stats)))}
    assert (rows["database_results"], rows["duplicates"]) == ("3", "1")
    assert rows["database_specific_results"] == "Scopus, 3"


def test_repeats_inside_and_across_files_add_up(tmp_path: Path) -> None:
    # By hand: Scopus reads A, B, A, A (4), PubMed reads B, C (2): identified 6;
    # distinct A, B, C: removed 3 (A twice more inside Scopus, B again in PubMed).
    scopus = _ris(tmp_path / "scopus.ris", A, B, A, A)
    pubmed = _ris(tmp_path / "pubmed.ris", B, C)
    stats = _import(tmp_path / "lib", ([scopus], "Scopus"), ([pubmed], "PubMed"))
    assert (stats.identified, stats.duplicates, stats.after_duplicates) == (6, 3, 3)
    assert stats.by_database == {"Scopus": 4, "PubMed": 2}
    assert sum(stats.by_file.values()) == stats.identified
    assert stats.after_duplicates == stats.screened + stats.undecided


def test_importing_the_same_file_again_identifies_nothing_new(tmp_path: Path) -> None:
    scopus = _ris(tmp_path / "scopus.ris", A, B, A)
    folder = tmp_path / "lib"
    first = _import(folder, ([scopus], "Scopus")).to_json()
    again = _import(folder, ([scopus], "Scopus"), ([scopus], "Scopus")).to_json()
    assert again == first
    assert first["identification"]["total"] == 3
