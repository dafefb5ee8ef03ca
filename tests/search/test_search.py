"""Query evaluation over a small real library: fields, sections, annotations, narrowing, sorting."""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerlit_tui.cli import main
from peerlit_tui.importers.pipeline import finalise_record
from peerlit_tui.model import Author, Provenance, Record
from peerlit_tui.query import QueryError
from peerlit_tui.sections import split_abstract
from peerlit_tui.services import search_eval
from peerlit_tui.services.library import Library
from peerlit_tui.services.search import SearchIndex, search_ids
from peerlit_tui.services.search_store import INDEX_COLUMNS
from peerlit_tui.text import fold
from tests.conftest import SAMPLE_DATA

SEED = SAMPLE_DATA / "emerald_peer_support_results.txt"
SCOPUS = Provenance("/data/scopus_export.ris", "ris", "Scopus", "2030-01-01T00:00:00Z", 1)


def _record(title: str, **fields: object) -> Record:
    record = Record(title=title, type=str(fields.pop("type", "article")))
    authors = fields.pop("authors", [])
    assert isinstance(authors, list)
    record.authors = [Author(name, family=name.split(",")[0]) for name in authors]
    abstract = fields.pop("abstract", "")
    assert isinstance(abstract, str)
    record.abstract = split_abstract(abstract)
    for name, value in fields.items():
        setattr(record, name, value)
    return finalise_record(record, SCOPUS)


SYNTHETIC = [
    _record(
        "Peer support in mental health services",
        authors=["Çelik, Ayşe", "Smith, John"],
        year=2015,
        journal="Journal of Peer Work",
        keywords=["Peer support", "Recovery"],
        doi="10.1234/peer.2015",
        abstract="Purpose\nTo study peer workers.\n"
        "Findings\nPeer support improved recovery in the ward.",
    ),
    _record(
        "Recovery colleges: a qualitative study",
        authors=["Smith, Jane"],
        year=2019,
        journal="Mental Health Review",
        keywords=["education"],
        abstract="Students described the colleges as hopeful. Supporters helped them.",
    ),
    _record(
        "Méthodes de soutien par les pairs",
        authors=["Dupont, Marie"],
        year=2008,
        type="book",
        abstract="BACKGROUND: Peer workers are common. METHODS: We randomized 40 patients to "
        "peer support. RESULTS: Recovery improved significantly. CONCLUSIONS: It helps.",
    ),
    _record(
        "",
        abstract="Clinicians rarely discuss antipsychotic dosing with patients. We surveyed wards.",
    ),
    _record("Peer mentoring for students", authors=["Lee, Ann"], year=2020, doi="10.1000/a"),
    _record("Peer mentoring for students", authors=["Lee, Ann"], year=2020, doi="10.1000/b"),
    _record(
        "Ward rounds and HIV care",
        year=2011,
        journal="AIDS Care",
        abstract="HIV and AI in the UK. Prognosis improved after the intervention.",
    ),
]


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    lib = Library.open(tmp_path_factory.mktemp("search") / "library")
    lib.import_files([SEED])
    lib.store.begin()
    for n, record in enumerate(SYNTHETIC):
        lib.store.insert(record, f"2030-01-0{n + 1}T00:00:00Z", "")
        lib.store.add_source(record.id, SCOPUS)
    lib.store.link(SYNTHETIC[4].id, SYNTHETIC[5].id, "same title", "2030-01-01T00:00:00Z")
    lib.store.commit()
    yield lib
    lib.close()


@pytest.fixture
def index(library: Library) -> Iterator[SearchIndex]:
    ix = SearchIndex(library)
    yield ix
    ix.close()


def ids(index: SearchIndex, text: str) -> set[str]:
    return set(index.ids(index.search(text).rows))


def syn(*numbers: int) -> set[str]:
    return {SYNTHETIC[n].id for n in numbers}


def all_records(library: Library) -> list[Record]:
    return list(library.iter_records())


# -- plain words, accents, phrases, operators ------------------------------------------------


def test_plain_words_match_short_fields_or_abstract(library: Library, index: SearchIndex) -> None:
    found = ids(index, "peer support")
    assert syn(0, 2) <= found  # title; abstract of a book
    assert not found & syn(1, 3, 6)
    seeds = {r.id for r in all_records(library)} - syn(*range(7))
    assert seeds <= found  # every sample record is about peer support
    # The command-line function gives the same ids, in library order.
    assert search_ids(library, "peer support") == index.ids(index.search("peer support").rows)


def test_case_and_accent_insensitive(index: SearchIndex) -> None:
    assert ids(index, "celik") == syn(0)
    assert ids(index, "ÇELİK") == syn(0)
    assert ids(index, "methodes soutien") == syn(2)
    assert ids(index, "Méthodes") == syn(2)


def test_phrase(index: SearchIndex) -> None:
    assert syn(0) <= ids(index, '"peer support"')
    assert not ids(index, '"support peer"') & syn(0)
    assert ids(index, '"mentoring for students"') == syn(4, 5)


def test_not_or_and_parentheses(index: SearchIndex) -> None:
    assert ids(index, "recovery -peer") == syn(1)
    assert ids(index, "recovery NOT peer") == syn(1)
    assert ids(index, "hiv OR antipsychotic") == syn(3, 6)
    assert ids(index, "(hiv OR antipsychotic) wards") == syn(3)
    assert ids(index, "mentoring OR hiv care") == syn(4, 5, 6)
    assert ids(index, "-(peer OR recovery OR hiv)") == syn(3)


def test_abstract_words_follow_index_rules(index: SearchIndex) -> None:
    # Four letters or more: also longer words ("supporters"); shorter: whole words only.
    assert syn(1) <= ids(index, "supp")
    mine = syn(*range(7))
    assert ids(index, "uk") & mine == syn(6)  # a sample abstract mentions the UK too
    assert ids(index, "progn") & mine == syn(6)
    assert not ids(index, "pro") & syn(6)
    assert ids(index, "pro*") >= syn(6)


# -- fields -----------------------------------------------------------------------------


def test_year_ranges(library: Library, index: SearchIndex) -> None:
    years = {r.id: r.year for r in all_records(library)}

    def expect(low: int, high: int) -> set[str]:
        return {i for i, y in years.items() if y is not None and low <= y <= high}

    assert ids(index, "year:2015") == expect(2015, 2015) == syn(0)
    assert ids(index, "year:2010..2012") == expect(2010, 2012)
    assert ids(index, "year:>2017") == expect(2018, 9999)
    assert ids(index, "year:<2010") == expect(0, 2009) == syn(2)
    assert ids(index, "year:..2008") == syn(2)


def test_field_terms(index: SearchIndex) -> None:
    assert ids(index, 'author:"smith, j"') == syn(0, 1)
    assert ids(index, "author:smith") == syn(0, 1) | ids(index, "author:lawton-smith")
    assert ids(index, "author:celik title:peer") == syn(0)
    assert ids(index, "journal:aids") == syn(6)
    assert ids(index, "keyword:education") == syn(1)
    assert ids(index, "title:recovery") == syn(1)
    assert ids(index, "doi:10.1234") == syn(0)
    assert ids(index, "doi:https://doi.org/10.1000/A") == syn(4)
    assert ids(index, f"id:{SYNTHETIC[6].id[:6]}") == syn(6)
    assert ids(index, "abstract:supporters") == syn(1)
    assert ids(index, "type:book -source:emerald") == syn(2)
    assert len(ids(index, "type:book")) == 2  # the book and the sample's book part
    assert ids(index, "source:scopus") == syn(*range(7))
    assert ids(index, "source:scopus_export") == syn(*range(7))
    assert ids(index, "source:emerald").isdisjoint(syn(*range(7)))
    assert len(ids(index, "source:emerald")) == 10


def test_section_scoped_terms(library: Library, index: SearchIndex) -> None:
    def with_section(key: str, pattern: str) -> set[str]:
        rx = re.compile(pattern)
        return {
            r.id
            for r in all_records(library)
            if any(s.key == key and rx.search(fold(s.text)) for s in r.abstract)
        }

    found = ids(index, 'findings:"peer support"')
    assert syn(0) <= found
    assert found == with_section("findings", r"\bpeer support")
    assert ids(index, "findings:recover") == with_section("findings", r"\brecover")
    assert ids(index, "purpose:workers") & syn(*range(7)) == syn(0)
    # Headings without an index column of their own are checked against the section.
    assert ids(index, "methods:randomized") == syn(2)
    assert ids(index, "background:peer") == syn(2)
    assert ids(index, "results:recovery") == syn(2)
    assert ids(index, "conclusions:recovery") == set()


def test_regex(library: Library, index: SearchIndex) -> None:
    rx = re.compile(r"recover(y|ies)", re.IGNORECASE)
    expected = {
        r.id
        for r in all_records(library)
        if any(
            rx.search(text)
            for text in (
                r.title,
                "; ".join(a.name for a in r.authors),
                r.journal,
                "; ".join(r.keywords),
                r.abstract_text,
            )
        )
    }
    assert syn(0, 1, 2) <= expected
    assert ids(index, "/recover(y|ies)/") == expected
    assert ids(index, "title:/^recovery/") == syn(1)
    assert ids(index, "title:/^m[eé]thodes/") == syn(2)
    assert ids(index, "author:/\\bsmith, j/") == syn(0, 1)
    assert ids(index, "methods:/random/") == syn(2)


def test_has_and_is(library: Library, index: SearchIndex) -> None:
    records = all_records(library)
    assert ids(index, "has:doi") == syn(0, 4, 5)
    assert ids(index, "has:abstract") == {r.id for r in records if r.abstract}
    assert ids(index, "is:derived") == {r.id for r in records if r.title_derived}
    assert syn(3) <= ids(index, "is:derived")
    assert ids(index, "is:duplicate") == syn(4, 5)
    index_after = SearchIndex(library)
    library.store.begin()
    library.store.unlink(SYNTHETIC[4].id, SYNTHETIC[5].id)
    library.store.commit()
    try:
        assert ids(index_after, "is:duplicate") == set()
    finally:
        library.store.begin()
        library.store.link(SYNTHETIC[4].id, SYNTHETIC[5].id, "x", "t", force=True)
        library.store.commit()
        index_after.close()


def test_malformed_query_raises(index: SearchIndex) -> None:
    with pytest.raises(QueryError):
        index.search("(peer")


# -- the full-text index path agrees with reading the rows -------------------------------------

QUERIES = [
    "peer", "peer support", "supp", "uk", "hiv", "progn", "pro*", '"peer support"', "recover",
    "findings:peer", "findings:improv", "abstract:patients", "ward", "wards", "an", "p", "pe",
    "methods:randomized", "colleges", '"peer s"', "-peer", "peer OR hiv",
]  # fmt: skip


@pytest.mark.parametrize("text", QUERIES)
def test_index_path_and_row_check_path_agree(
    index: SearchIndex, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    by_rows = index.evaluate(text)
    monkeypatch.setattr(search_eval, "ROW_CHECK_LIMIT", 0)
    assert index.evaluate(text) == by_rows


# -- annotations ------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeAnnotation:
    record_id: str
    tags: tuple[str, ...] = ()
    note: str = ""
    rating: int = 0
    read: str = "unread"
    decision: str = "undecided"


class FakeAnnotations:
    def __init__(self) -> None:
        self.data: dict[str, FakeAnnotation] = {}

    def set(self, record_id: str, **fields: object) -> None:
        base = self.data.get(record_id, FakeAnnotation(record_id))
        self.data[record_id] = replace(base, **fields)  # type: ignore[arg-type]

    def get(self, record_id: str) -> FakeAnnotation:
        return self.data.get(record_id, FakeAnnotation(record_id))

    def all(self) -> list[FakeAnnotation]:
        return list(self.data.values())


@pytest.fixture
def annotated(library: Library) -> Iterator[tuple[SearchIndex, FakeAnnotations]]:
    notes = FakeAnnotations()
    notes.set(SYNTHETIC[0].id, tags=("Urgent", "Peer Work"), rating=5, decision="include")
    notes.set(SYNTHETIC[1].id, note="Read later — Café", read="skimmed", decision="maybe")
    notes.set(SYNTHETIC[2].id, rating=3, read="read", decision="exclude", tags=("urgent",))
    ix = SearchIndex(library, notes)
    yield ix, notes
    ix.close()


def test_annotation_fields(
    annotated: tuple[SearchIndex, FakeAnnotations], library: Library
) -> None:
    index, _ = annotated
    everyone = {r.id for r in all_records(library)}
    assert ids(index, "tag:urgent") == syn(0, 2)
    assert ids(index, 'tag:"peer work"') == syn(0)
    assert ids(index, "tag:peer") == set()  # tags match whole
    assert ids(index, "decision:include") == syn(0)
    assert ids(index, "decision:undecided") == everyone - syn(0, 1, 2)
    assert ids(index, "is:screened") == syn(0, 1, 2)
    assert ids(index, "is:unscreened") == everyone - syn(0, 1, 2)
    assert ids(index, "note:cafe") == syn(1)
    assert ids(index, "note:/later/") == syn(1)
    assert ids(index, "read:skimmed") == syn(1)
    assert ids(index, "read:unread") == everyone - syn(1, 2)
    assert ids(index, "rating:>=4") == syn(0)
    assert ids(index, "rating:3..5") == syn(0, 2)
    assert ids(index, "rating:0") == everyone - syn(0, 2)
    assert ids(index, "has:note") == syn(1)
    assert ids(index, "has:tags") == syn(0, 2)
    assert ids(index, "has:tags -tag:urgent") == set()
    assert ids(index, "peer tag:urgent") == syn(0, 2)


def test_annotation_changes_are_seen_and_stale_results_not_refined(
    annotated: tuple[SearchIndex, FakeAnnotations],
) -> None:
    index, notes = annotated
    before = index.search("tag:urgent")
    assert set(index.ids(before.rows)) == syn(0, 2)
    notes.set(SYNTHETIC[6].id, tags=("urgent",))
    notes.set(SYNTHETIC[2].id, tags=())
    index.annotations_changed([SYNTHETIC[6].id, SYNTHETIC[2].id])
    after = index.search("tag:urgent care", previous=before)
    assert not after.narrowed
    assert set(index.ids(after.rows)) == syn(6)
    assert set(index.ids(index.search("tag:urgent").rows)) == syn(0, 6)
    # Plain queries keep refining across annotation changes.
    plain = index.search("peer")
    index.annotations_changed([SYNTHETIC[0].id])
    assert index.search("peer support", previous=plain).narrowed


def test_without_an_annotation_source_every_record_is_blank(index: SearchIndex) -> None:
    assert ids(index, "tag:urgent") == set()
    assert len(index.search("is:unscreened").rows) == len(index)


# -- narrowing --------------------------------------------------------------------------


def typed(index: SearchIndex, text: str) -> list[tuple[str, bool]]:
    previous = None
    out = []
    for k in range(1, len(text) + 1):
        prefix = text[:k]
        try:
            result = index.search(prefix, previous=previous)
        except QueryError:
            continue
        assert result.rows == index.evaluate(prefix), prefix
        out.append((prefix, result.narrowed))
        previous = result
    return out


def test_typing_refines_and_gives_the_full_result(index: SearchIndex) -> None:
    steps = dict(typed(index, "peer support recovery"))
    assert steps["peer"] and steps["peer support"] and steps["peer support recovery"]
    typed(index, "(hiv OR wards) -pro year:2000..2020")
    typed(index, 'findings:"peer supp" "improved recovery"')
    typed(index, "pro progn prognosis")


def test_results_from_another_index_are_not_refined(library: Library, index: SearchIndex) -> None:
    other = SearchIndex(library)
    try:
        first = other.search("peer")
        result = index.search("peer support", previous=first)
        assert not result.narrowed
        assert result.rows == index.evaluate("peer support")
    finally:
        other.close()


VOCABULARY = [
    "peer", "support", "recovery", "hiv", "uk", "wards", "ward", "patients", "pro", "progn",
    "smith", "celik", "méthodes", '"peer support"', "-peer", "OR", "title:peer", "findings:peer",
    "methods:random", "year:2010..2020", "year:>2012", "has:doi", "is:derived", "(hiv", "wards)",
    "/recover/", "abstract:supp", "an", "p", "type:book", "keyword:recovery", "-hiv",
]  # fmt: skip


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    words=st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=4),
    row_check=st.booleans(),
)
def test_refining_keystroke_by_keystroke_equals_full_evaluation(
    index: SearchIndex, monkeypatch: pytest.MonkeyPatch, words: list[str], row_check: bool
) -> None:
    monkeypatch.setattr(search_eval, "ROW_CHECK_LIMIT", 400 if row_check else 0)
    typed(index, " ".join(words))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    old=st.lists(st.sampled_from(VOCABULARY), max_size=3),
    new=st.lists(st.sampled_from(VOCABULARY), max_size=3),
)
def test_any_previous_result_gives_the_same_rows(
    index: SearchIndex, old: list[str], new: list[str]
) -> None:
    try:
        previous = index.search(" ".join(old))
        result = index.search(" ".join(new), previous=previous)
    except QueryError:
        return
    assert result.rows == index.evaluate(" ".join(new))


# -- sorting ------------------------------------------------------------------------------


def test_sort_by_year_puts_missing_years_last(index: SearchIndex) -> None:
    rows = index.search("").rows
    years = index.columns.years
    up = [years[i] for i in index.sort(rows, "year")]
    down = [years[i] for i in index.sort(rows, "year", reverse=True)]
    known = [y for y in up if y is not None]
    assert known == sorted(known) and up[len(known) :] == [None] * (len(up) - len(known))
    known = [y for y in down if y is not None]
    assert known == sorted(known, reverse=True) and down[-1] is None


def test_sort_ties_keep_library_order(index: SearchIndex) -> None:
    rows = index.search("").rows
    years = index.columns.years
    ordered = index.sort(rows, "year")
    for a, b in itertools.pairwise(ordered):
        if years[a] == years[b]:
            assert a < b


def test_sort_small_and_large_row_sets_agree(index: SearchIndex) -> None:
    every = index.search("").rows
    few = every[::5]
    for key in ("year", "author", "title", "journal", "added"):
        for reverse in (False, True):
            full = index.sort(every, key, reverse)
            assert index.sort(few, key, reverse) == [i for i in full if i in set(few)]
            assert sorted(full) == every


def test_sort_by_author_and_title(index: SearchIndex) -> None:
    rows = [index.row_of(r.id) for r in SYNTHETIC]
    assert None not in rows
    by_author = index.ids(index.sort([r for r in rows if r is not None], "author"))
    # Çelik sorts as "celik", before Dupont, Lee, Smith; records without authors last.
    assert by_author[:4] == [SYNTHETIC[0].id, SYNTHETIC[2].id, SYNTHETIC[4].id, SYNTHETIC[5].id]
    assert set(by_author[-2:]) == syn(3, 6)
    by_title = index.ids(index.sort([r for r in rows if r is not None], "title"))
    assert by_title.index(SYNTHETIC[1].id) > by_title.index(SYNTHETIC[4].id)  # "Peer" < "Recovery"


def test_sort_by_relevance(index: SearchIndex) -> None:
    result = index.search("recovery")
    ranked = index.ids(index.sort(result.rows, "relevance", query=result.query))
    # Title hit first, then keyword hit, then abstract-only hits in library order.
    assert ranked[0] == SYNTHETIC[1].id
    assert ranked[1] == SYNTHETIC[0].id
    assert ranked.index(SYNTHETIC[0].id) < ranked.index(SYNTHETIC[2].id)
    assert sorted(index.sort(result.rows, "relevance", query=result.query)) == result.rows
    assert index.sort(result.rows, "relevance") == result.rows  # no query: library order
    with pytest.raises(ValueError, match="unknown sort key"):
        index.sort(result.rows, "colour")


# -- threads ------------------------------------------------------------------------------


def test_searches_from_several_threads(annotated: tuple[SearchIndex, FakeAnnotations]) -> None:
    index, _ = annotated
    queries = ["peer support", "findings:peer", "hiv OR wards", "tag:urgent", "/recover/"]
    expected = {q: index.evaluate(q) for q in queries}
    failures: list[str] = []

    def worker() -> None:
        previous = None
        for n in range(40):
            q = queries[n % len(queries)]
            result = index.search(q, previous=previous)
            if result.rows != expected[q]:
                failures.append(q)
            previous = result

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for _ in range(50):
        index.annotations_changed([SYNTHETIC[0].id])  # same data: results must not change
    for t in threads:
        t.join()
    assert failures == []


# -- command line -----------------------------------------------------------------------------


def test_cli_list_uses_the_query_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "lib"
    assert main(["--library", str(folder), "import", str(SEED)]) == 0
    capsys.readouterr()
    assert main(["--library", str(folder), "list", "peer", "year:2012"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 4
    assert main(["--library", str(folder), "list", "auth:smith"]) == 2
    assert "bad query: unknown field 'auth' at 0 — did you mean author?" in capsys.readouterr().err
    assert main(["--library", str(folder), "list", "tag:none"]) == 0
    assert capsys.readouterr().out == ""


# -- folding ------------------------------------------------------------------------------


@given(st.text())
def test_fast_fold_equals_the_reference_fold(text: str) -> None:
    assert search_eval.fold(text) == fold(text)


def test_fast_fold_on_accented_and_special_text() -> None:
    for text in ("Çelik", "e\u0301cole", "Straße", "ﬁnal", "İstanbul", "Ꭰᏹ", "ⅻ", "naïve—café"):
        assert search_eval.fold(text) == fold(text)


def test_index_columns_are_read_from_the_library(index: SearchIndex) -> None:
    assert index.store.index_columns() == INDEX_COLUMNS
    assert {"abstract", "findings", "purpose"} <= index.store.index_columns()


def test_sort_by_date_added_gives_library_order(index: SearchIndex) -> None:
    rows = index.search("peer").rows
    shuffled = rows[::-1]
    assert index.sort(shuffled, "added") == rows
    added = index.columns.added
    down = index.sort(shuffled, "added", reverse=True)
    assert [added[i] for i in down] == sorted((added[i] for i in rows), reverse=True)
