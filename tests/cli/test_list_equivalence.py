"""`peerlit list QUERY --limit N` answers exactly what a search of the whole library does.

`list` searches the library a slice at a time (the first N matches in library
order are usually found in its first few thousand records) and without the
search's character bitmaps, numpy or the `regex` package. The reference is the
search as the app runs it: one index over every record, bitmaps built. Both run on
a library of 300 records (the Emerald sample and generated ones with plain and
structured abstracts, odd types, missing years, a linked pair, tags and
decisions), over queries of every kind: words, prefixes, phrases, negation, OR
and grouping, fields, sections, ranges, flags, annotations and regular
expressions. The slice is made tiny so that a search grows through several
slices before it reaches the end of the library.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from peerlit_tui.cli import records as cli_records
from peerlit_tui.cli.records import first_matches, parse_query
from peerlit_tui.importers.pipeline import finalise_record
from peerlit_tui.model import Author, Provenance, Record
from peerlit_tui.sections import split_abstract
from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.services.library import Library
from peerlit_tui.services.search import SearchIndex
from tests.cli.helpers import SAMPLE, run, subprocess_env

SOURCE = Provenance("/data/scopus_export.ris", "ris", "Scopus", "2030-01-01T00:00:00Z", 1)
WORDS = ("peer", "support", "recovery", "mentoring", "students", "ward", "clinicians",
         "hiv", "Çelik", "randomized", "qualitative", "colleges", "hope", "dosing")  # fmt: skip
TYPES = ("article", "book", "chapter", "conference", "other")
QUERIES = (
    "", "peer", "peer support", "PEER Support", '"peer support"', "-peer", "peer -support",
    "NOT recovery", "peer OR mentoring", "(peer OR recovery) -students", "celik", "stud*",
    "rec", "a", "title:recovery", "author:smith", "author:çelik", "journal:health",
    "keyword:recovery", "doi:10.5555", "id:10.5555", "type:book", "-type:article",
    "year:2010..2020", "year:..2000", "year:2021..", "abstract:hiv", "abstract:\"peer work\"",
    "findings:support", "methods:randomized", "purpose:study", "has:abstract", "-has:abstract",
    "has:doi", "is:duplicate", "source:scopus", "tag:later", "-tag:later", "decision:include",
    "decision:exclude", "is:screened", "is:unscreened", "rating:>=3", "read:read",
    "/recover(y|ies)/", "title:/^peer/", "abstract:/rand[a-z]+ized/", "peer /ward|college/",
    "nothingmatchesthis", "peer nothingmatchesthis OR hope",
)  # fmt: skip
LIMITS = (1, 3, 20, 0)


def _generated(n: int, rng: random.Random) -> Record:
    words = rng.sample(WORDS, 4)
    structured = rng.random() < 0.4
    abstract = (
        f"Purpose\nTo study {words[0]} and {words[1]}.\nDesign\nA randomized trial on wards.\n"
        f"Findings\n{words[2].capitalize()} support improved.\nMethods\nWe asked {words[3]}."
        if structured
        else f"{' '.join(rng.sample(WORDS, 6))}. Peer work in {words[0]}."
        if rng.random() < 0.8
        else ""
    )
    record = Record(
        title=f"{words[0].capitalize()} {words[1]} and {words[2]} (number {n})",
        type=rng.choice(TYPES),
        year=rng.choice((None, 1995, 2008, 2015, 2019, 2024)),
        journal=rng.choice(("", "Mental Health Review", "Journal of Peer Work", "AIDS Care")),
        keywords=rng.sample(WORDS, 2),
        doi=f"10.5555/gen.{n}" if rng.random() < 0.5 else "",
    )
    record.authors = [
        Author(name, family=name.split(",")[0])
        for name in rng.sample(("Smith, Jane", "Çelik, Ayşe", "Lee, Ann", "Dupont, Marie"), 2)
    ]
    record.abstract = split_abstract(abstract)
    return finalise_record(record, SOURCE)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("list") / "library"
    rng = random.Random(12)
    library = Library.open(folder)
    try:
        library.import_files([SAMPLE])
        library.store.begin()
        made: list[str] = []
        for n in range(290):
            record = _generated(n, rng)
            if record.id not in made:
                library.store.insert(record, "2030-01-01T00:00:00Z", "")
                library.store.add_source(record.id, SOURCE)
                made.append(record.id)
        library.store.commit()
        library.link(made[3], made[200])
        ids = library.columns().ids
    finally:
        library.close()
    with AnnotationService.open(folder, sync=False) as service:
        service.add_tags(ids[5::7], "later")
        service.set_decision(ids[::5], "include")
        service.set_decision(ids[1::9], "exclude")
        service.set_rating(ids[2::11], 4)
        service.set_read(ids[3::13], "read")
    return folder


@pytest.fixture(scope="module")
def opened(folder: Path) -> Iterator[tuple[Library, AnnotationService, SearchIndex]]:
    library = Library.open(folder, read_only=True)
    annotations = AnnotationService.open(folder, read_only=True)
    index = SearchIndex(library, annotations)
    index.build_grams()  # the app's index: bitmaps and numpy
    yield library, annotations, index
    index.close()
    annotations.close(checkpoint=False)
    library.close()


@pytest.mark.parametrize("slice_size", [8, 2000], ids=["tiny-slices", "one-slice"])
@pytest.mark.parametrize("text", QUERIES)
def test_first_matches_equal_the_whole_library_search(
    opened: tuple[Library, AnnotationService, SearchIndex],
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    slice_size: int,
) -> None:
    library, annotations, index = opened
    monkeypatch.setattr(cli_records, "_FIRST_SLICE", slice_size)
    everything = index.ids(index.search(text).rows)
    query = parse_query(text.split())
    lookup = annotations if query.uses_annotations() else None
    for limit in LIMITS:
        ids, matched = first_matches(library, query, lookup, limit)
        if limit <= 0 or len(everything) <= limit:
            assert ids == everything
        else:
            assert ids == everything[:limit]
        # None only when the search stopped before the end with `limit` matches.
        assert matched == len(everything) or (matched is None and len(everything) >= limit)


def test_the_queries_cover_what_they_are_meant_to(
    opened: tuple[Library, AnnotationService, SearchIndex],
) -> None:
    _library, _annotations, index = opened
    sizes = {text: len(index.search(text).rows) for text in QUERIES}
    assert len(index) == 300
    # Most queries match some records but not all, a few stop early at --limit 20.
    assert sum(0 < n < len(index) for n in sizes.values()) >= len(QUERIES) - 4
    assert sum(n > 20 for n in sizes.values()) >= 20


def test_cli_list_prints_the_whole_library_search_in_order(
    folder: Path,
    opened: tuple[Library, AnnotationService, SearchIndex],
    capsys: pytest.CaptureFixture[str],
) -> None:
    _library, _annotations, index = opened
    for text in ("peer -support", "(peer OR recovery) -students", "tag:later", "/hope/"):
        everything = index.ids(index.search(text).rows)
        capsys.readouterr()
        assert run(folder, "list", "--limit", "20", "--json", "--", *text.split()) == 0
        assert [item["id"] for item in json.loads(capsys.readouterr().out)] == everything[:20]
        assert run(folder, "list", "--limit", "7", "--", *text.split()) == 0
        out, err = capsys.readouterr()
        assert [line.split()[0] for line in out.splitlines()] == everything[:7]
        assert err.startswith("7 ")


def test_list_loads_neither_numpy_nor_regex_unless_the_query_has_a_pattern(folder: Path) -> None:
    code = (
        "import json, sys\n"
        "from peerlit_tui.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "print(json.dumps([code, sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('numpy', 'regex'))]), file=sys.stderr)\n"
    )

    def loaded(*words: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", code, "--library", str(folder), "list", "--limit", "20",
             "--", *words],
            capture_output=True, text=True, env=subprocess_env(), timeout=60,
        )  # fmt: skip
        status, modules = json.loads(done.stderr.splitlines()[-1])
        assert status == 0, done.stderr
        return sorted({m.split(".")[0] for m in modules})

    assert loaded("peer", "support") == []
    assert loaded("findings:support", "-tag:later") == []
    assert loaded("/recover(y|ies)/") == ["regex"]
