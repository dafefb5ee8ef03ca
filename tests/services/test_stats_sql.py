"""PRISMA counts made in SQLite equal the same counts made record by record in Python.

`compute_stats` counts with a few SQL statements (`storage.record_counts`). The
reference below is the straightforward computation it replaced: every record id
and every provenance read into Python, every record's decision looked up. Both run
on small libraries built to hold what the counts must get right: several files and
databases (one of them unnamed, one named "unspecified"), names that differ only
in case with equal counts (their order is the order of import), repeats inside
one file, records without provenance, provenance whose record is missing, linked
groups of two and three with and without a decided member, unlinked pairs and
different papers sharing a DOI, odd record types and missing years, decisions by
several reviewers, decisions set back to undecided, annotations that are not
decisions, and decisions about records the library does not hold.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from peerlit_tui.model import Provenance, Record
from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.services.library import Library
from peerlit_tui.services.stats import (
    NO_REASON,
    UNSPECIFIED,
    PrismaStats,
    _groups,
    _ordered,
    compute_stats,
)
from peerlit_tui.services.team import set_blind_mode
from peerlit_tui.storage.paths import RECORDS_DB
from peerlit_tui.storage.record_counts import _PAIRS_ALL, PAIR_INDEX

FILES = ("/exports/pubmed.ris", "/exports/PubMed.ris", "/exports/scopus-1.csv",
         "/exports/scopus-2.csv", "/exports/wos.txt")  # fmt: skip
DATABASES = ("PubMed", "pubmed", "Scopus", "", "unspecified", "Web of Science")
TYPES = ("article", "book", "chapter", "conference", "thesis", "other", "preprint?")
REASONS = ("wrong population", "not peer support", "Wrong design")
STAMP = "2024-01-01T00:00:00Z"


def reference_stats(library: Library, annotations: AnnotationService) -> PrismaStats:
    """The counts made record by record: every id and provenance read into Python."""
    ids = library.store.load_columns().ids
    order = {rid: n for n, rid in enumerate(ids)}
    stats = PrismaStats(records=len(ids))
    databases: Counter[str] = Counter()
    files: Counter[str] = Counter()
    reads: Counter[str] = Counter()
    for rid, file, database, occurrences in library.store.source_counts():
        if rid in order:
            reads[rid] += occurrences
            databases[database or UNSPECIFIED] += occurrences
            files[file] += occurrences
    unsourced = len(ids) - len(reads)
    databases[UNSPECIFIED] += unsourced
    if not databases[UNSPECIFIED]:
        del databases[UNSPECIFIED]
    stats.identified = sum(reads.values()) + unsourced
    stats.refound = stats.identified - len(ids)
    stats.by_database, stats.by_file = _ordered(databases), _ordered(files)
    decisions = {a.record_id: a for a in annotations.all()}

    def decided(rid: str) -> bool:
        found = decisions.get(rid)
        return found is not None and found.decision != "undecided"

    removed: set[str] = set()
    for group in _groups(library.store.all_links()):
        members = sorted((m for m in group if m in order), key=order.__getitem__)
        if len(members) > 1:
            kept = next((m for m in members if decided(m)), members[0])
            removed.update(m for m in members if m != kept)
    stats.linked = len(removed)
    reasons: Counter[str] = Counter()
    for rid in ids:
        if rid in removed:
            continue
        found = decisions.get(rid)
        decision = found.decision if found is not None else "undecided"
        if decision == "include":
            stats.included += 1
        elif decision == "exclude":
            stats.excluded += 1
            reasons[(found.reason if found is not None else "") or NO_REASON] += 1
        elif decision == "maybe":
            stats.maybe += 1
        else:
            stats.undecided += 1
    stats.excluded_by_reason = _ordered(reasons)
    return stats


def _record(i: int, rng: random.Random) -> Record:
    return Record(
        id=f"rec{i:03d}",
        type=rng.choice(TYPES),
        title=f"Record {i} on peer support",
        year=rng.choice((None, 1987, 2003, 2019, 2024)),
        journal=rng.choice(("", "Journal of Mental Health", "BMJ")),
    )


def build_library(folder: Path, seed: int, *, orphans: bool) -> None:
    """A library of 60 records with random provenance, links and decisions."""
    rng = random.Random(seed)
    library = Library.open(folder)
    store = library.store
    ids = [f"rec{i:03d}" for i in range(60)]
    try:
        store.begin()
        for i, rid in enumerate(ids):
            store.insert(_record(i, rng), STAMP, "")
            # None, one or several (file, database) pairs; now and then read twice
            # or three times inside one file.
            for _ in range(rng.choice((0, 1, 1, 1, 2, 3))):
                source = Provenance(rng.choice(FILES), "ris", rng.choice(DATABASES), STAMP, i)
                for _repeat in range(rng.choice((1, 1, 1, 2, 3))):
                    store.add_source(rid, source)
        if orphans:  # provenance of records the store does not hold
            for n in range(3):
                store.add_source(f"gone{n}", Provenance(FILES[n], "ris", DATABASES[n], STAMP, 0))
                store.add_source(f"gone{n}", Provenance(FILES[n], "ris", DATABASES[n], STAMP, 0))
        store.commit()
        shuffled = rng.sample(ids, len(ids))
        pairs = [(shuffled[0], shuffled[1]), (shuffled[2], shuffled[3]),
                 (shuffled[3], shuffled[4]), (shuffled[5], shuffled[6]),
                 (shuffled[7], "not-in-library")]  # fmt: skip
        for a, b in pairs:
            library.link(a, b)
        library.link(shuffled[8], shuffled[9])
        library.unlink(shuffled[8], shuffled[9])
        store.begin()
        store.link(shuffled[10], shuffled[11], "shared DOI", STAMP, status="distinct")
        store.commit()
    finally:
        library.close()
    # Odd seeds: one reviewer. Even seeds: two, who agree on most records (their
    # final decision), disagree on some and each screen a few alone (no final one);
    # blind mode is turned off for every other team, else the counts are alice's view.
    team = ("alice", "bob") if seed % 2 == 0 else ("alice",)
    chosen = {rid: _pick(rng) for rid in rng.sample(ids, 40)}
    for n, reviewer in enumerate(team):
        with AnnotationService.open(folder, sync=False, reviewer=reviewer) as service:
            for k, (rid, (decision, reason)) in enumerate(chosen.items()):
                if n and k % 8 == 7:
                    decision, reason = _pick(rng)  # may disagree
                elif n and k % 10 == 9:
                    continue  # bob never saw it
                if reason:
                    service.set_decision(rid, decision, reason, add_reason=True)
                else:
                    service.set_decision(rid, decision)
            service.set_decision(["elsewhere1", "elsewhere2"], "include")
            undone = rng.choice(ids)
            service.set_decision(undone, "exclude")
            service.set_decision(undone, "undecided")
            service.add_tags(rng.sample(ids, 5), "later")
            if seed % 4 == 0:
                set_blind_mode(service, "off")


def _pick(rng: random.Random) -> tuple[str, str]:
    decision = rng.choice(("include", "exclude", "exclude", "maybe", "undecided"))
    reason = rng.choice(REASONS) if decision == "exclude" and rng.random() < 0.75 else ""
    return decision, reason


def both(folder: Path, *, read_only: bool = False, viewer: str = "alice") -> tuple[str, str]:
    """(SQL counts, reference counts) as JSON text, so key order is compared too."""
    library = Library.open(folder, read_only=read_only)
    try:
        with AnnotationService.open(folder, read_only=True, reviewer=viewer) as annotations:
            sql = compute_stats(library, annotations)
            reference = reference_stats(library, annotations)
    finally:
        library.close()
    return json.dumps(sql.to_json()), json.dumps(reference.to_json())


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("orphans", [False, True], ids=["consistent", "orphan-provenance"])
def test_sql_counts_equal_the_record_by_record_counts(
    tmp_path: Path, seed: int, orphans: bool
) -> None:
    folder = tmp_path / "library"
    build_library(folder, seed, orphans=orphans)
    sql, reference = both(folder)
    assert sql == reference
    data = json.loads(sql)
    # The libraries really hold what the comparison is about.
    assert data["duplicates"]["refound"] > 0 and data["duplicates"]["linked"] > 0
    assert data["screening"]["excluded"] > 0 and data["screening"]["undecided"] > 0
    assert len(data["identification"]["by_file"]) >= 4


def test_equal_counts_keep_the_order_of_import(tmp_path: Path) -> None:
    folder = tmp_path / "library"
    library = Library.open(folder)
    store = library.store
    try:
        store.begin()
        # "Z" sorts before "z", so grouping alone would list PubMed first; equal
        # counts must keep the order of the first provenance, as they always did.
        for i, (file, database) in enumerate(
            [("/b/z.ris", "pubmed"), ("/b/Z.ris", "PubMed"), ("/b/z.ris", "pubmed"),
             ("/b/Z.ris", "PubMed"), ("/a/x.ris", "")]
        ):  # fmt: skip
            store.insert(_record(i, random.Random(i)), STAMP, "")
            store.add_source(f"rec{i:03d}", Provenance(file, "ris", database, STAMP, i))
        store.commit()
    finally:
        library.close()
    sql, reference = both(folder)
    assert sql == reference
    assert list(json.loads(sql)["identification"]["by_database"]) == [
        "pubmed", "PubMed", UNSPECIFIED
    ]  # fmt: skip


def test_an_empty_library(tmp_path: Path) -> None:
    folder = tmp_path / "library"
    Library.open(folder).close()
    sql, reference = both(folder)
    assert sql == reference
    assert json.loads(sql)["identification"] == {"total": 0, "by_database": {}, "by_file": {}}


def test_a_read_only_library_from_before_the_pair_index_and_the_repeats(tmp_path: Path) -> None:
    folder = tmp_path / "library"
    build_library(folder, 3, orphans=False)
    with sqlite3.connect(folder / RECORDS_DB) as db:
        db.execute(f"DROP INDEX IF EXISTS {PAIR_INDEX}")
        db.execute("DROP TABLE source_repeats")
    db.close()
    sql, reference = both(folder, read_only=True)
    assert sql == reference
    names = _indexes(folder)  # read-only: nothing was added
    assert PAIR_INDEX not in names and "source_repeats" not in names


def _indexes(folder: Path) -> set[str]:
    with sqlite3.connect(folder / RECORDS_DB) as db:
        names = {str(row[0]) for row in db.execute("SELECT name FROM sqlite_master")}
    db.close()
    return names


def test_the_first_count_indexes_the_provenance_pairs(tmp_path: Path) -> None:
    folder = tmp_path / "library"
    build_library(folder, 1, orphans=False)
    assert PAIR_INDEX not in _indexes(folder)
    sql, reference = both(folder)
    assert sql == reference
    assert PAIR_INDEX in _indexes(folder)
    with sqlite3.connect(folder / RECORDS_DB) as db:
        plan = " ".join(str(row[-1]) for row in db.execute(f"EXPLAIN QUERY PLAN {_PAIRS_ALL}"))
    db.close()
    assert PAIR_INDEX in plan and "TEMP B-TREE" not in plan
    assert both(folder) == (sql, reference)  # and counts the same through it


@pytest.mark.parametrize("writer", ["another process", "this process"])
def test_counting_leaves_the_index_when_someone_is_writing(tmp_path: Path, writer: str) -> None:
    folder = tmp_path / "library"
    build_library(folder, 2, orphans=True)
    library = Library.open(folder)
    other = sqlite3.connect(folder / RECORDS_DB, isolation_level=None)
    try:
        with AnnotationService.open(folder, read_only=True, reviewer="alice") as annotations:
            if writer == "another process":
                other.execute("BEGIN IMMEDIATE")  # an import elsewhere: not waited for
            else:  # an import in this process, which the count must leave alone
                library.store.begin()
                library.store.insert(_record(99, random.Random(99)), STAMP, "")
            try:
                sql = compute_stats(library, annotations)  # counted with the sort
            finally:
                if writer == "another process":
                    other.execute("ROLLBACK")
                else:
                    library.store.commit()
            assert json.dumps(sql.to_json()) == json.dumps(
                reference_stats(library, annotations).to_json()
            )
    finally:
        other.close()
        library.close()
    assert PAIR_INDEX not in _indexes(folder)  # left for a later count
    sql_text, reference = both(folder)
    assert sql_text == reference
    assert json.loads(sql_text)["records"] == 60 + (writer == "this process")
    assert PAIR_INDEX in _indexes(folder)
