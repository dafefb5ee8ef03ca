"""Structured-abstract headings: recognising them and splitting abstracts into sections.

Emerald journals use seven headings (Purpose, Design/methodology/approach, Findings,
Research limitations/implications, Practical implications, Social implications,
Originality/value); medical databases use Background / Objective(s) / Methods /
Results / Conclusion(s), usually inline in one field ("BACKGROUND: ... METHODS: ...").
Exports write them in many ways: on their own line, followed by an en dash (or the
"?" / U+0096 a broken encoding left of it), in capitals, with a colon. Matching is
therefore done on a punctuation-free, case-folded form of the heading.
"""

from __future__ import annotations

import re

from peerlit_tui.model import Section
from peerlit_tui.text import clean_block, match_key

#: (canonical key, display heading, accepted spellings reduced by `match_key`).
_HEADING_TABLE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("purpose", "Purpose", ("purpose", "purposes", "aim", "aims", "purposeofthispaper")),
    (
        "design",
        "Design/methodology/approach",
        ("designmethodologyapproach", "designmethodology", "methodologyapproach", "approach"),
    ),
    ("findings", "Findings", ("findings", "finding")),
    (
        "limitations",
        "Research limitations/implications",
        (
            "researchlimitationsimplications",
            "researchlimitations",
            "limitationsimplications",
            "limitations",
            "researchimplications",
        ),
    ),
    ("implications", "Practical implications", ("practicalimplications", "practicalimplication")),
    ("social", "Social implications", ("socialimplications", "socialimplication")),
    ("originality", "Originality/value", ("originalityvalue", "originality", "value")),
    ("background", "Background", ("background", "backgrounds", "context", "introduction")),
    ("objective", "Objective", ("objective", "objectives", "objectivesandmethods")),
    (
        "methods",
        "Methods",
        (
            "methods",
            "method",
            "methodology",
            "materialsandmethods",
            "methodsandresults",
            "designandmethods",
        ),
    ),
    ("results", "Results", ("results", "result")),
    (
        "conclusions",
        "Conclusions",
        ("conclusion", "conclusions", "conclusionsandrelevance", "interpretation"),
    ),
)

_BY_SPELLING: dict[str, tuple[str, str]] = {
    spelling: (key, display) for key, display, spellings in _HEADING_TABLE for spelling in spellings
}

#: Canonical keys usable as search fields, mapped to their display heading.
SECTION_KEYS: dict[str, str] = {key: display for key, display, _ in _HEADING_TABLE}

# Ambiguous one-word spellings ("value", "approach", "context") count as headings
# only on a line of their own, never inline inside running prose.
_LINE_ONLY = frozenset({"value", "approach", "context", "introduction", "aim", "method"})

# A separator that exports put between an own-line heading and its text: an en/em
# dash, a hyphen, U+0096 or the "?" left by a lost dash.
_LEADING_DASH = re.compile(r"^\s*(?:[\u2013\u2014\u0096-]|\?(?=\s))\s*")

# Inline heading: a label at the start of the text or after a sentence end,
# followed by a colon or a spaced dash ("BACKGROUND: ...", "Purpose – ...").
_INLINE = re.compile(
    r"(?:^|(?<=[.!?)\]])\s+|\n\s*)"
    r"(?P<label>[A-Za-z][A-Za-z /&,-]{2,60}?)"
    r"\s*(?::|\s[\u2013\u2014\u0096-]\s)\s*"
)


def recognise_heading(text: str, *, inline: bool = False) -> tuple[str, str] | None:
    """Recognise a structured-abstract heading.

    Args:
        text: Candidate heading text ("DESIGN/METHODOLOGY/APPROACH:", "Findings").
        inline: True when the candidate was found inside running text, where
            ambiguous one-word headings ("Value", "Approach") are not accepted.

    Returns:
        (canonical key, canonical display heading) or None when not a known heading.
    """
    spelling = match_key(text)
    if not spelling or len(spelling) > 40:
        return None
    if inline and spelling in _LINE_ONLY:
        return None
    return _BY_SPELLING.get(spelling)


def _section(heading: str, key: str, text: str) -> Section:
    body = clean_block(_LEADING_DASH.sub("", text, count=1)) if heading else clean_block(text)
    return Section(heading=heading, text=body, key=key)


def _split_on_heading_lines(text: str) -> list[Section] | None:
    lines = text.split("\n")
    marks: list[tuple[int, str, str]] = []
    for index, line in enumerate(lines):
        stripped = line.strip().rstrip(":").strip()
        if stripped and len(stripped) <= 45:
            found = recognise_heading(stripped)
            if found:
                marks.append((index, found[0], _display_for_label(stripped)))
    if not marks:
        return None
    first_text_line = next((i for i, line in enumerate(lines) if line.strip()), 0)
    if len(marks) < 2 and marks[0][0] != first_text_line:
        return None
    sections: list[Section] = []
    preface = "\n".join(lines[: marks[0][0]]).strip()
    if preface:
        sections.append(_section("", "", preface))
    for n, (index, key, display) in enumerate(marks):
        end = marks[n + 1][0] if n + 1 < len(marks) else len(lines)
        body = "\n".join(lines[index + 1 : end])
        sections.append(_section(display, key, body))
    return [s for s in sections if s.text or s.heading]


def _display_for_label(label: str) -> str:
    label = label.strip()
    return label.capitalize() if label.isupper() else label


# Cheap pre-check for inline splitting: a known heading word followed by a colon or a
# spaced dash. Most abstracts are unstructured, and this one C-level scan spares them
# the label regex, which has to try every position of the text.
_INLINE_HINT = re.compile(
    r"(?i)\b(?:background|objectives?|aims?|purpose|methods?|methodology|results?|findings|"
    r"conclusions?|design|originality|limitations|implications|context|interpretation)"
    r"\s*(?::|\s[\u2013\u2014\u0096-]\s)"
)


def _split_inline(text: str) -> list[Section] | None:
    if not _INLINE_HINT.search(text):
        return None
    matches = []
    known = 0
    for match in _INLINE.finditer(text):
        label = match.group("label").strip()
        found = recognise_heading(label, inline=True)
        if found:
            known += 1
            matches.append((match, found[0], _display_for_label(label)))
        elif label.isupper() and len(label) >= 4:
            # Capitalised labels such as "METHODS AND RESULTS" or "SETTING" are
            # headings in PubMed abstracts even though they are not in our table.
            matches.append((match, "", _display_for_label(label)))
    if known == 0 or len(matches) < 2:
        return None
    sections: list[Section] = []
    preface = text[: matches[0][0].start()].strip()
    if preface:
        sections.append(_section("", "", preface))
    for n, (match, key, display) in enumerate(matches):
        end = matches[n + 1][0].start() if n + 1 < len(matches) else len(text)
        sections.append(_section(display, key, text[match.end() : end]))
    return [s for s in sections if s.text]


def split_abstract(text: str) -> list[Section]:
    """Split an abstract into ordered sections.

    Headings on their own line are tried first (Emerald pages, Emerald CSV), then
    inline labels ("BACKGROUND: ..."). Inline splitting needs at least two labels,
    one of them a known heading, so prose like "Results: see below" stays whole.

    Args:
        text: Raw abstract text (controls may still be present; it is cleaned here).

    Returns:
        Sections in source order; one section with an empty heading when the
        abstract is unstructured; an empty list when the text is blank.
    """
    if not text or not text.strip():
        return []
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    for splitter in (_split_on_heading_lines, _split_inline):
        sections = splitter(normalised)
        if sections:
            return sections
    body = clean_block(normalised)
    return [Section(heading="", text=body, key="")] if body else []


def sections_from_pairs(pairs: list[tuple[str, str]]) -> list[Section]:
    """Build sections from (heading, text) pairs an importer already separated.

    Args:
        pairs: Headings and texts in order; a heading may be empty.

    Returns:
        Sections with canonical keys filled in and blank sections dropped.
    """
    out = []
    for heading, body in pairs:
        found = recognise_heading(heading) if heading else None
        key, display = found if found else ("", heading.strip())
        section = _section(display, key, body)
        if section.text:
            out.append(section)
    return out
