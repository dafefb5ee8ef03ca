"""The quick paths of cleaning give exactly what the full cleaning gives."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from peerlit_tui.importers import pipeline
from peerlit_tui.importers.base import Parsed
from peerlit_tui.model import Author, Provenance, Record, Section
from peerlit_tui.sections import split_abstract
from peerlit_tui.text import _NON_ALNUM, fold, is_printable, match_key

PROVENANCE = Provenance("/x.ris", "ris", "Scopus", "2024-01-01T00:00:00Z", 3)


@pytest.mark.parametrize("code", range(0x100))
def test_is_printable_agrees_with_isprintable_for_every_character(code: int) -> None:
    for text in (chr(code), "a" * 60 + chr(code), chr(code) + "b" * 60, "é" * 60 + chr(code)):
        assert is_printable(text) == text.isprintable()


@pytest.mark.parametrize("code", range(0x80))
def test_match_key_of_ascii_agrees_with_the_pattern(code: int) -> None:
    text = f"Peer {chr(code)}Support - A Review 2024"
    assert match_key(text) == _NON_ALNUM.sub("", fold(text))


def _record(**changes: object) -> Record:
    record = Record(
        type="article",
        type_detail="JOUR",
        title="Peer support for recovery",
        authors=[Author("Gray, B.", "Gray", "B.", True), Author("Sisto"), Author("")],
        date="2021",
        journal="Journal of Peer Work",
        keywords=["peer support;", "Peer Support", "recovery"],
        abstract=[Section("Purpose", "To see.", "purpose"), Section("", "", "")],
        extra={"database": "Scopus", "empty": ""},
        doi="https://doi.org/10.1000/ABC",
    )
    for name, value in changes.items():
        setattr(record, name, value)
    return record


CASES = {
    "clean": {},
    "doubled space": {"title": "Peer  support"},
    "edge space": {"journal": " Journal"},
    "control": {"title": "Peer\x1b[31m support"},
    "tab in a name": {"authors": [Author("Gray,\tB.", "Gray", "B.", True)]},
    "line break in the abstract": {"abstract": [Section("", "One.\n\nTwo  three.", "")]},
    "bar with space": {"title": "A | B"},
    "non-ASCII": {"title": "Über Peer-Support", "authors": [Author("Çelik, A.", "Çelik", "A.")]},
    "nbsp": {"title": "Peer\u00a0support"},
}


@pytest.mark.parametrize("changes", CASES.values(), ids=CASES.keys())
def test_finalise_gives_what_full_cleaning_gives(changes: dict[str, object]) -> None:
    quick = pipeline.finalise_record(_record(**changes), PROVENANCE)
    slow = _record(**changes)
    pipeline._finish_untidy(slow)
    slow.type = "article"
    expected = pipeline.finalise_record(slow, PROVENANCE)  # already clean: same again
    assert quick.to_dict() == expected.to_dict()
    assert pipeline._all_tidy(_record(**changes)) == (
        changes in (CASES["clean"], CASES["non-ASCII"])
    )


def test_finalise_of_a_clean_record_drops_blanks_and_fills_family_names() -> None:
    record = pipeline.finalise_record(_record(), PROVENANCE)
    assert [a.to_dict() for a in record.authors] == [
        {"name": "Gray, B.", "family": "Gray", "given": "B.", "inverted": True},
        {"name": "Sisto", "family": "Sisto", "given": "", "inverted": False},
    ]
    assert record.keywords == ["peer support", "recovery"]
    assert record.abstract == [Section("Purpose", "To see.", "purpose")]
    assert record.extra == {"database": "Scopus"}
    assert record.doi == "10.1000/abc" and record.id == "10.1000/abc"


def test_a_value_that_is_not_text_takes_the_long_way_and_is_reported() -> None:
    record = _record(extra={"count": 3})
    assert not pipeline._all_tidy(copy.copy(record))
    result = pipeline.FileResult(path=Path("/x.ris"))
    pipeline._check(Parsed(7, record), result, PROVENANCE)
    assert result.records == []
    assert [(i.line, i.skipped) for i in result.issues] == [(7, True)]
    assert "could not be read" in result.issues[0].message


@pytest.mark.parametrize(
    "text",
    [
        "BACKGROUND Heart failure is common. METHODS We asked 20 people. RESULTS All agreed.",
        "Abstract Purpose. To see the thing. Findings. Most agreed.",
        "PurposeThe aim is clear. FindingsMost agreed.",
        "Patients with heart failure were asked. RESULTS of a survey. CONCLUSIONS None.",
        "We asked. BACKGROUND Heart failure. METHODS We asked. RESULTS All agreed.",
    ],
)
def test_unmarked_headings_are_split_only_when_they_open_the_text(text: str) -> None:
    opens = not text.startswith(("Patients", "We"))
    sections = split_abstract(text)
    assert (len(sections) > 1) == opens, sections
