"""The fuzzy near-duplicate step: typos and subtitles link, distinct papers do not."""

from __future__ import annotations

from pathlib import Path

import pytest

from peerlit_tui.services.dedup import FUZZY_REASON, NearDuplicateIndex, link_reason, make_entry
from peerlit_tui.services.library import Library

BASE = "Cognitive behavioural therapy for insomnia in adults with chronic pain"


def _entry(title: str, year: int | None = 2015, author: str = "Smith", **kw: str):  # type: ignore[no-untyped-def]
    entry = make_entry(kw.pop("id", title), title, year, author, **kw)
    assert entry is not None
    return entry


@pytest.mark.parametrize(
    ("other", "year", "author"),
    [
        ("Cognitive behavioral therapy for insomnia in adults with chronic pain", 2015, "Smith"),
        (
            "Cognitive behavioural therapy for insomnia in adults with chronic pain: a randomised "
            "controlled trial",
            2015,
            "Smith",
        ),
        ("Cognitive behavioural therapy for insomina in adults with chronic pain.", 2016, "Smith"),
        ("COGNITIVE-BEHAVIOURAL THERAPY FOR INSOMNIA IN ADULTS WITH CHRONIC PAIN", None, ""),
        (
            "Cognitive behavioural therapy for insomnia in adults with chronic pain",
            2015,
            "Smith-Jones",
        ),
    ],
)
def test_typos_subtitles_and_spelling_link(other: str, year: int | None, author: str) -> None:
    assert link_reason(_entry(BASE), _entry(other, year, author)) == FUZZY_REASON


@pytest.mark.parametrize(
    ("a", "b", "year_b", "author_b"),
    [
        (
            "Peer support in psychosis services, part 1: design of the study",
            "Peer support in psychosis services, part 2: design of the study",
            2015,
            "Smith",
        ),
        (
            "Peer support in psychosis services. Part I",
            "Peer support in psychosis services. Part II",
            2015,
            "Smith",
        ),
        (
            "Annual report of the national institute for mental health research",
            "Annual report of the national institute for mental health research",
            2016,
            "Smith",
        ),
        (
            "Annual report 2015 of the national institute for mental health",
            "Annual report 2016 of the national institute for mental health",
            2015,
            "Smith",
        ),
        (BASE, "Erratum: " + BASE, 2015, "Smith"),
        (BASE, "Correction to: " + BASE, 2015, "Smith"),
        (BASE, BASE, 2019, "Smith"),
        (BASE, BASE, 2015, "Okafor"),
        (
            BASE,
            "Cognitive behavioural therapy for insomnia in children with chronic pain",
            2015,
            "Smith",
        ),
    ],
)
def test_distinct_papers_do_not_link(a: str, b: str, year_b: int, author_b: str) -> None:
    assert link_reason(_entry(a), _entry(b, year_b, author_b)) is None


def test_different_dois_do_not_link() -> None:
    a = _entry(BASE, doi="10.1/a")
    b = _entry(BASE + ".", doi="10.1/b", id="other")
    assert link_reason(a, b) is None
    assert link_reason(a, _entry(BASE + ".", doi="10.1/a", id="x")) == FUZZY_REASON


def test_journal_and_first_page_break_ties_in_the_uncertain_band() -> None:
    a = _entry(
        "Outcomes of a peer support programme in rural clinics", journal="BMJ Open", pages="e01234"
    )
    near = "Outcome of peer support programs in rural clinic"
    same = _entry(near, journal="BMJ open", pages="e01234-e01240", id="b")
    other_page = _entry(near, journal="BMJ Open", pages="e05555", id="c")
    assert link_reason(a, same) == FUZZY_REASON
    assert link_reason(a, other_page) is None


def test_short_titles_are_never_linked_fuzzily() -> None:
    assert make_entry("x", "Editorial", 2015, "Smith") is None


def test_the_index_finds_candidates_through_any_blocking_key() -> None:
    index = NearDuplicateIndex()
    index.add(_entry(BASE, id="base"))
    for i in range(50):
        index.add(
            _entry(f"Unrelated study number {i} about something entirely different", id=str(i))
        )
    # A typo in the first word: the prefix key differs, the suffix key still finds it.
    assert index.matches(
        _entry("Cognitiv behavioural therapy for insomnia in adults with chronic pain", id="new")
    ) == [("base", FUZZY_REASON)]
    # A subtitle changes the suffix key; the prefix key finds it.
    assert index.matches(_entry(BASE + ": a pilot study", id="new2")) == [("base", FUZZY_REASON)]


def _csv(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    lines = ["title,authors,year"] + [f'"{t}","{a}",{y}' for t, a, y in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_links_a_typo_variant_from_another_file(tmp_path: Path) -> None:
    library = Library.open(tmp_path / "lib")
    try:
        first = _csv(
            tmp_path / "a.csv",
            [
                (BASE, "Smith, Jane", "2015"),
                ("Loneliness among older adults after discharge", "Okafor, C", "2019"),
            ],
        )
        second = _csv(
            tmp_path / "b.csv", [(BASE.replace("insomnia", "insomina"), "Smith, J", "2015")]
        )
        library.import_files([first])
        summary = library.import_files([second])
        assert summary.files[0].duplicates_linked == 1
        new = library.columns().ids[-1]
        links = library.duplicates_of(new)
        assert [link["reason"] for link in links] == [FUZZY_REASON]
        assert links[0]["status"] == "linked"
    finally:
        library.close()
