"""Structured-abstract heading recognition and splitting."""

from __future__ import annotations

import pytest

from peerlit_tui.sections import recognise_heading, sections_from_pairs, split_abstract


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Purpose", "purpose"),
        ("DESIGN/METHODOLOGY/APPROACH:", "design"),
        ("Design / methodology / approach", "design"),
        ("Findings", "findings"),
        ("Research limitations/implications", "limitations"),
        ("Practical implications", "implications"),
        ("Social implications", "social"),
        ("Originality/value", "originality"),
        ("originality / value.", "originality"),
        ("BACKGROUND", "background"),
        ("Objectives", "objective"),
        ("Methods", "methods"),
        ("RESULTS:", "results"),
        ("Conclusion", "conclusions"),
    ],
)
def test_headings_are_recognised_case_and_punctuation_tolerantly(text: str, key: str) -> None:
    found = recognise_heading(text)
    assert found is not None and found[0] == key


def test_prose_is_not_a_heading() -> None:
    assert recognise_heading("The findings suggest that") is None
    assert recognise_heading("Value", inline=True) is None


def test_emerald_csv_layout_with_mojibake_dash() -> None:
    text = (
        "Purpose\r\n\x96 The first in a series.\r\n\r\nDesign/methodology/approach\r\n"
        "? Following a review.\r\n\r\nFindings\n– Things were found.\n\nOriginality/value\n– New."
    )
    sections = split_abstract(text)
    assert [(s.heading, s.key) for s in sections] == [
        ("Purpose", "purpose"),
        ("Design/methodology/approach", "design"),
        ("Findings", "findings"),
        ("Originality/value", "originality"),
    ]
    assert [s.text for s in sections] == [
        "The first in a series.",
        "Following a review.",
        "Things were found.",
        "New.",
    ]


def test_inline_medical_headings() -> None:
    text = (
        "BACKGROUND: Early worsening is rare. METHODS: We did 3.5 things. "
        "RESULTS: 12 of 40. CONCLUSIONS: It works."
    )
    sections = split_abstract(text)
    assert [s.key for s in sections] == ["background", "methods", "results", "conclusions"]
    assert sections[0].heading == "Background"
    assert sections[1].text == "We did 3.5 things."
    assert sections[3].text == "It works."


def test_inline_emerald_dash_headings() -> None:
    text = (
        "Purpose – To see. Design/methodology/approach – A survey. "
        "Findings – Y. Originality/value – Z."
    )
    assert [s.key for s in split_abstract(text)] == ["purpose", "design", "findings", "originality"]


def test_unstructured_abstract_is_one_section() -> None:
    sections = split_abstract("Results: see below. This is one paragraph.\n\nAnd another.")
    assert len(sections) == 1
    assert sections[0].heading == ""
    assert sections[0].text == "Results: see below. This is one paragraph.\n\nAnd another."


def test_blank_abstract_gives_no_sections() -> None:
    assert split_abstract("  \n ") == []


def test_sections_from_pairs_fills_keys_and_drops_blank_sections() -> None:
    sections = sections_from_pairs([("Purpose", " a "), ("Findings", ""), ("Other", "b")])
    assert [(s.heading, s.key, s.text) for s in sections] == [
        ("Purpose", "purpose", "a"),
        ("Other", "", "b"),
    ]
