"""Regular expressions in queries and highlighting cannot hang (issue: `/(a+)+$/`)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from peerlit_tui.highlight import compile_words
from peerlit_tui.importers.pipeline import finalise_record
from peerlit_tui.model import Provenance, Record, Section
from peerlit_tui.query import QueryError, QueryTimeout, parse
from peerlit_tui.services.library import Library
from peerlit_tui.services.search import SearchIndex
from peerlit_tui.timed_regex import TimedPattern
from peerlit_tui.ui.text_render import match_spans

SOURCE = Provenance("/data/redos.ris", "ris", "Test", "2030-01-01T00:00:00Z", 1)
#: Generous: a hang runs for minutes; the limits end a search well under a second.
HANG = 2.0


def _record(title: str, abstract: str = "") -> Record:
    record = Record(title=title, type="article")
    if abstract:
        record.abstract = [Section("", abstract)]
    return finalise_record(record, SOURCE)


def _library(folder: Path, records: list[Record]) -> Library:
    library = Library.open(folder)
    library.store.begin()
    for n, record in enumerate(records):
        library.store.insert(record, f"2030-01-01T00:00:{n:02d}Z", "")
        library.store.add_source(record.id, SOURCE)
    library.store.commit()
    return library


@pytest.fixture
def titles(tmp_path: Path) -> Iterator[SearchIndex]:
    """The audit's library: titles of a's ending in '!' (18, 22 and 34 a's)."""
    library = _library(tmp_path / "lib", [_record("a" * n + "!") for n in (18, 22, 34)])
    index = SearchIndex(library)
    yield index
    index.close()
    library.close()


@pytest.fixture
def long_abstract(tmp_path: Path) -> Iterator[SearchIndex]:
    """Plus one record whose abstract is 5,000 a's and a '!'."""
    records = [_record("a" * 34 + "!"), _record("Long one", "a" * 5000 + "!")]
    library = _library(tmp_path / "lib", records)
    index = SearchIndex(library)
    yield index
    index.close()
    library.close()


def _timed(index: SearchIndex, query: str) -> tuple[float, list[int] | QueryError]:
    started = time.monotonic()
    try:
        outcome: list[int] | QueryError = index.search(query).rows
    except QueryError as exc:
        outcome = exc
    return time.monotonic() - started, outcome


def test_nested_quantifier_on_a_34_character_title_returns(titles: SearchIndex) -> None:
    took, rows = _timed(titles, "/(a+)+$/")
    assert took < HANG
    assert rows == []  # no title ends in "a": the right answer, not a refusal
    assert titles.search("/a+!$/").rows == [0, 1, 2]


def test_catastrophic_regex_says_it_took_too_long(titles: SearchIndex) -> None:
    took, outcome = _timed(titles, "title:/(a|aa)+$/")
    assert took < HANG
    assert isinstance(outcome, QueryTimeout)
    assert str(outcome) == "the regular expression /(a|aa)+$/ took too long; simplify it"
    assert outcome.position == 0


def test_timeout_on_an_abstract_gives_the_message(long_abstract: SearchIndex) -> None:
    took, outcome = _timed(long_abstract, "/(a+)+$/")
    assert took < HANG
    assert isinstance(outcome, QueryTimeout)
    assert "/(a+)+$/ took too long" in str(outcome)


def test_a_timed_out_query_leaves_the_index_usable(titles: SearchIndex) -> None:
    good = titles.search("/^a{34}/")
    assert good.rows == [2]
    with pytest.raises(QueryTimeout):
        titles.search("title:/(a|aa)+$/", previous=good)
    assert titles.search("/^a{18}!/").rows == [0]


def test_query_error_is_a_query_error_the_ui_catches() -> None:
    # The app's filter worker catches QueryError and keeps the last good result.
    assert issubclass(QueryTimeout, QueryError)


def test_regex_syntax_errors_still_point_at_the_problem() -> None:
    with pytest.raises(QueryError, match="invalid regex at 6: missing \\)"):
        parse("peer /(ab/")


def test_highlighting_a_catastrophic_pattern_gives_up_quietly() -> None:
    ((_, pattern),) = parse("/(a|aa)+$/").terms_for_highlight()
    started = time.monotonic()
    assert match_spans("a" * 40 + "!", [pattern]) == []
    assert time.monotonic() - started < HANG
    assert match_spans("xx aab", [parse("/a+b/").terms_for_highlight()[0][1]]) == [(3, 6)]


def test_highlight_words_with_many_wildcards_cannot_freeze_the_screen() -> None:
    pattern = compile_words(["a*a*a*a*b"])
    assert pattern is not None
    started = time.monotonic()
    assert match_spans("a" * 5000, [pattern]) == []
    assert time.monotonic() - started < HANG
    assert match_spans("x aaaab y", [pattern]) == [(2, 7)]


def test_timed_pattern_raises_for_the_search_and_compares_by_source() -> None:
    pattern = TimedPattern("(a|aa)+$")
    with pytest.raises(TimeoutError):
        pattern.timed_search("a" * 60 + "!", 0.05)
    assert pattern == TimedPattern("(a|aa)+$")
    assert hash(pattern) == hash(TimedPattern("(a|aa)+$"))


def _cli(library: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "peerlit_tui", "--library", str(library), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_peerlit_list_reports_the_timeout(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    _library(folder, [_record("a" * 34 + "!"), _record("Long one", "a" * 5000 + "!")]).close()
    started = time.monotonic()
    done = _cli(folder, "list", "/(a+)+$/")
    took = time.monotonic() - started
    assert done.returncode == 2
    assert "the regular expression /(a+)+$/ took too long; simplify it" in done.stderr
    assert "Traceback" not in done.stderr
    # Interpreter start-up and imports come on top of the at most ~0.5 s of matching.
    assert took < HANG + 8
    ok = _cli(folder, "list", "/a{34}!/")
    assert ok.returncode == 0 and "aaaa" in ok.stdout
