"""The character bitmaps give the scan's results: on random texts, and through whole searches."""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerlit_tui.query import QueryError
from peerlit_tui.services import search_eval, search_grams
from peerlit_tui.services.library import Library
from peerlit_tui.services.search import SearchIndex
from peerlit_tui.services.search_grams import GramIndex, mask_of, select
from tests.search.test_search import SCOPUS, SEED, SYNTHETIC

# Letters, digits, accents, punctuation, spaces, separators and a lone surrogate.
ALPHABET = "abcz019 -.;é\x1f\x00ß\ud800"


@settings(max_examples=150, deadline=None)
@given(
    texts=st.lists(st.text(alphabet=ALPHABET, max_size=12), min_size=1, max_size=60),
    query=st.text(alphabet=ALPHABET, min_size=1, max_size=4),
    chunk=st.sampled_from([8, 16, 8192]),
)
def test_candidates_hold_every_match_and_short_terms_exactly(
    texts: list[str], query: str, chunk: int
) -> None:
    original = search_grams._CHUNK
    search_grams._CHUNK = chunk  # several chunks, so records cross chunk boundaries
    try:
        grams = GramIndex(texts)
    finally:
        search_grams._CHUNK = original
    truth = np.array([query in t for t in texts], dtype=np.bool_)
    found = grams.candidates(query)
    if found is None:
        assert not re.search("[a-z0-9]", query)
        return
    mask, exact = found
    assert len(mask) == len(texts)
    assert not (truth & ~mask).any(), "a record containing the term is not a candidate"
    if exact:
        assert (mask == truth).all()
    if len(query) <= 2 and re.fullmatch("[a-z0-9]+", query):
        assert exact


@given(
    rows=st.lists(st.integers(0, 49), unique=True).map(sorted),
    chosen=st.lists(st.integers(0, 49), unique=True),
)
def test_select_keeps_the_rows_with_a_set_bit_in_order(rows: list[int], chosen: list[int]) -> None:
    mask = mask_of(chosen, 50)
    assert select(rows, mask, 50) == [r for r in rows if r in set(chosen)]
    assert select(range(50), mask, 50) == sorted(chosen)


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    lib = Library.open(tmp_path_factory.mktemp("grams") / "library")
    lib.import_files([SEED])
    lib.store.begin()
    for n, record in enumerate(SYNTHETIC):
        lib.store.insert(record, f"2030-01-0{n + 1}T00:00:00Z", "")
        lib.store.add_source(record.id, SCOPUS)
    lib.store.commit()
    yield lib
    lib.close()


@pytest.fixture(scope="module")
def indexes(library: Library) -> Iterator[tuple[SearchIndex, SearchIndex]]:
    """(with bitmaps, without): the second scans every row as before."""
    fast, plain = SearchIndex(library), SearchIndex(library)
    fast.build_grams()
    assert fast.folded.grams is not None and plain.folded.grams is None
    yield fast, plain
    fast.close()
    plain.close()


def _words(library: Library) -> list[str]:
    text = " ".join(library.columns().titles[:80]).lower()
    words = sorted(set(re.findall(r"[a-z0-9]+", text)))
    return words[:: max(1, len(words) // 40)]


FIELDS = ("", "", "", "title:", "author:", "journal:", "keyword:", "doi:", "-")


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_searches_with_bitmaps_equal_the_scan(
    library: Library,
    indexes: tuple[SearchIndex, SearchIndex],
    monkeypatch: pytest.MonkeyPatch,
    data: st.DataObject,
) -> None:
    monkeypatch.setattr(search_eval, "GRAM_MIN_ROWS", 0)  # bitmaps even on a few rows
    fast, plain = indexes
    vocabulary = _words(library)
    terms = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from(FIELDS),
                st.sampled_from(vocabulary),
                st.integers(1, 12),  # cut the word: short prefixes, mid-word pieces
                st.integers(0, 3),
            ),
            min_size=1,
            max_size=3,
        )
    )
    parts = [f"{field}{word[start % len(word) :][:cut]}" for field, word, cut, start in terms]
    joiner = data.draw(st.sampled_from([" ", " OR ", " AND "]))
    query = joiner.join(parts)
    try:
        expected = plain.evaluate(query)
    except QueryError:
        return
    assert fast.evaluate(query) == expected
    # Typed key by key, each search refining (or not) the previous one.
    previous = None
    for end in range(1, len(query) + 1):
        try:
            previous = fast.search(query[:end], previous=previous)
        except QueryError:
            previous = None
    assert previous is not None and previous.rows == expected


def test_bitmaps_are_used_and_agree_on_every_short_term(
    indexes: tuple[SearchIndex, SearchIndex], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_eval, "GRAM_MIN_ROWS", 0)
    fast, plain = indexes
    assert fast.folded.grams is not None
    letters = "abcdefghijklmnopqrstuvwxyz0123456789"
    for a in letters:
        for text in (a, a + "e", "e" + a, "p" + a):
            assert fast.evaluate(text) == plain.evaluate(text), text


def test_no_pair_spans_two_records_or_an_empty_one() -> None:
    grams = GramIndex(["xa", "", "b", "ab", "a", "b?", "", ""])
    found = grams.candidates("ab")
    assert found is not None
    mask, exact = found
    assert exact and np.flatnonzero(mask).tolist() == [3]
    single = grams.candidates("b")
    assert single is not None and np.flatnonzero(single[0]).tolist() == [2, 3, 5]
    assert grams.candidates("é?") is None
