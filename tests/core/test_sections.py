"""Structured-abstract heading recognition and splitting."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerlit_tui import sections
from peerlit_tui.sections import recognise_heading, sections_from_pairs, split_abstract
from peerlit_tui.text import clean_block, match_key


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


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Background and aims", "background"),
        ("BACKGROUND & AIMS", "background"),
        ("Background/objectives", "background"),
        ("Aims and objectives", "objective"),
        ("Objective and methods", "objective"),
        ("Aim of the study", "purpose"),
        ("Material and methods", "methods"),
        ("Patients and methods", "methods"),
        ("Study design", "methods"),
        ("Setting", "methods"),
        ("Participants", "methods"),
        ("Main outcome measures", "methods"),
        ("Main results", "results"),
        ("Principal findings", "findings"),
        ("Discussion", "conclusions"),
        ("Implications for practice", "implications"),
    ],
)
def test_medical_heading_spellings(text: str, key: str) -> None:
    found = recognise_heading(text, inline=True)
    assert found is not None and found[0] == key


def test_ambiguous_design_label_has_no_key() -> None:
    # "Design" is the study design in medical abstracts but Emerald's
    # Design/methodology/approach elsewhere; it stays a heading without a key.
    sections = split_abstract("DESIGN: A trial. SETTING: Two wards. RESULTS: Fewer falls.")
    assert [(s.heading, s.key) for s in sections] == [
        ("Design", ""),
        ("Setting", "methods"),
        ("Results", "results"),
    ]


def test_long_unstructured_abstract_is_cleaned_into_one_section() -> None:
    text = "We studied  peer support:\tratios 1:2 and 2:3 - or more.\x07 " * 5
    (section,) = split_abstract(text)
    assert section.heading == ""
    assert "  " not in section.text and "\t" not in section.text and "\x07" not in section.text


def test_padded_lone_heading_is_still_read_as_a_heading() -> None:
    assert [(s.heading, s.key) for s in split_abstract(" " * 80 + "Results" + " " * 80)] == [
        ("Results", "results")
    ]


_LABELS = st.sampled_from(
    ["Background", "BACKGROUND", "Purpose", "Methods", "Setting", "Aims and objectives",
     "Design/methodology/approach", "Originality/value", "Value", "Results", "Findings",
     "Conclusions", "Purpose of this paper", "Trial registration", "DESIGN", "Note", "x"]
)  # fmt: skip
_SEPARATORS = st.sampled_from([": ", ":", " - ", " \u2013 ", "\u2014", "\t-\t", "\u00a0-\u00a0",
                               " \u0096 ", "  :  ", "-", " ? "])  # fmt: skip
_PROSE = st.sampled_from(
    ["We did things", "Rates rose (p < 0.05)", "e.g. peer support", "It works!", "[1] and more",
     "a" * 70, "Many people took part in the study for a long time"]
)  # fmt: skip
_ENDS = st.sampled_from([". ", "! ", ") ", "] ", "? ", " ", ".", "\n", ".   "])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_LABELS, _SEPARATORS, _PROSE, _ENDS), min_size=1, max_size=5))
def test_pre_check_never_hides_a_structure_the_splitters_would_find(
    parts: list[tuple[str, str, str, str]],
) -> None:
    text = "".join(label + sep + prose + end for label, sep, prose, end in parts)
    checked = split_abstract(text)
    original = sections._may_be_structured
    sections._may_be_structured = lambda _text: True
    try:
        unchecked = split_abstract(text)
    finally:
        sections._may_be_structured = original
    assert checked == unchecked


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["a", "B", " ", "  ", "\t", "\n", "\r", "\x07", "\x1b[1m", "\x96", "\u00a0",
             "\u202e", "\u2028", "\u200b", "é", ":", "-", "."]
        ),
        min_size=1,
    )
)  # fmt: skip
def test_fast_unstructured_cleaning_matches_clean_block(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert sections._clean_unstructured(text) == clean_block(text)


# -- headings without a colon ------------------------------------------------------


def _keys(text: str) -> list[str]:
    return [s.key for s in split_abstract(text)]


def test_bmj_capitals_without_colons() -> None:
    text = (
        "OBJECTIVE To assess peer support. DESIGN Randomised trial. SETTING Three services. "
        "MAIN OUTCOME MEASURES Depression at 12 months. RESULTS 40 of 120 improved. "
        "CONCLUSIONS It helps. TRIAL REGISTRATION ISRCTN 123."
    )
    found = split_abstract(text)
    assert [s.heading for s in found] == [
        "Objective", "Design", "Setting", "Main outcome measures", "Results", "Conclusions",
        "Trial registration",
    ]  # fmt: skip
    assert _keys(text) == ["objective", "", "methods", "methods", "results", "conclusions", ""]
    assert found[4].text == "40 of 120 improved."


def test_emerald_headings_glued_to_their_text() -> None:
    text = (
        "PurposeThe aim of this paper is to review peer work.Design/methodology/approachThe "
        "authors surveyed 30 services.FindingsPeer roles vary.Originality/valueA first map."
    )
    found = split_abstract(text)
    assert [s.key for s in found] == ["purpose", "design", "findings", "originality"]
    assert found[0].text == "The aim of this paper is to review peer work."
    assert found[1].text == "The authors surveyed 30 services."


def test_medical_headings_glued_and_period_style() -> None:
    glued = "BackgroundClinical guidelines vary. MethodsWe compared 12. ResultsFew agree."
    assert _keys(glued) == ["background", "methods", "results"]
    period = "Purpose. To map services. Methods. A survey. Results. Most exist. Conclusion. Good."
    assert _keys(period) == ["purpose", "methods", "results", "conclusions"]


def test_inline_headings_that_were_line_only_or_unknown() -> None:
    text = (
        "Introduction: Peers help. Aims: To test it. Method: A trial. Hypothesis: none. "
        "Results: Yes. Conclusion: Good. Level of Evidence: II. Clinical Relevance: high."
    )
    assert [s.heading for s in split_abstract(text)] == [
        "Introduction", "Aims", "Method", "Hypothesis", "Results", "Conclusion",
        "Level of Evidence", "Clinical Relevance",
    ]  # fmt: skip
    review = "Introduction: Drugs. Areas covered: Trials since 2000. Expert opinion: Promising."
    assert _keys(review) == ["background", "methods", "conclusions"]


@pytest.mark.parametrize(
    "text",
    [
        "Background noise was measured. Results were mixed in the first year of the trial.",
        "Purpose. That is what the staff lacked. Methods of care varied.",  # one at the start
        "RESULTS OF A SURVEY Of peer workers. CONCLUSIONS DRAWN By the staff.",
        "We studied peers. OBJECTIVE Data. RESULTS Mixed.",  # not at the start
        "Results. The peers helped. Background. It was a ward.",  # out of order
        "MethodsWe are told: ResultsFirst matter most, BackgroundMusic too.",
        "ObjectiveTo be read as one word",
    ],
)
def test_prose_with_heading_words_is_not_split(text: str) -> None:
    found = split_abstract(text)
    assert len(found) == 1 and found[0].heading == ""


# -- a labelled sample of real abstracts -------------------------------------------

LABELLED = Path(__file__).parents[1] / "fixtures" / "sections" / "labelled_abstracts.json"
SHARED = Path(__file__).parents[2] / ".." / "shared" / "data"


def test_labelled_sample_precision_and_recall() -> None:
    fixture = json.loads(LABELLED.read_text(encoding="utf-8"))
    source = SHARED / fixture["source"]
    if not source.exists():
        pytest.skip(f"shared corpus not found: {source}")
    csv.field_size_limit(1 << 30)
    with gzip.open(source, "rt", encoding="utf-8", newline="") as handle:
        wanted = {item["record_id"] for item in fixture["items"]}
        abstracts = {
            row["record_id"]: row["abstract"]
            for row in csv.DictReader(handle)
            if row["record_id"] in wanted
        }
    exact = split = structured = wrongly_split = 0
    per_style: dict[str, list[int]] = {}
    for item in fixture["items"]:
        found = [match_key(s.heading) for s in split_abstract(abstracts[item["record_id"]])]
        got = [h for h in found if h]
        want = [match_key(h) for h in item["headings"]]
        style = per_style.setdefault(item["style"], [0, 0])
        style[1] += 1
        style[0] += got == want
        structured += bool(want)
        split += bool(got)
        exact += bool(got) and got == want
        wrongly_split += bool(got) and not want
    precision, recall = exact / split, exact / structured
    print(
        f"\nstructured abstracts, {len(fixture['items'])} labelled: precision {precision:.3f}, "
        f"recall {recall:.3f}, unstructured split {wrongly_split}; exact per style: "
        + ", ".join(f"{k} {a}/{b}" for k, (a, b) in per_style.items())
    )
    assert wrongly_split == 0  # an unstructured abstract is never split
    assert precision >= 0.9 and recall >= 0.9
