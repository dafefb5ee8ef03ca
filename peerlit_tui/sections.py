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

#: (canonical key, display heading, accepted spellings reduced by `match_key`). Medical
#: labels outside the seven Emerald headings follow the NLM structured-abstract
#: categories ("Setting", "Participants" and "Study design" are methods).
_HEADING_TABLE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "purpose",
        "Purpose",
        ("purpose", "purposes", "aim", "aims", "purposeofthispaper", "purposeofthestudy",
         "purposeofstudy", "aimofthestudy", "aimsofthestudy", "aimofstudy", "aimofthisstudy"),
    ),
    (
        "design",
        "Design/methodology/approach",
        ("designmethodologyapproach", "designmethodology", "methodologyapproach", "approach"),
    ),
    ("findings", "Findings", ("findings", "finding", "keyfindings", "mainfindings",
                              "principalfindings")),
    (
        "limitations",
        "Research limitations/implications",
        ("researchlimitationsimplications", "researchlimitations", "limitationsimplications",
         "limitations", "limitation", "researchimplications"),
    ),
    (
        "implications",
        "Practical implications",
        ("practicalimplications", "practicalimplication", "implicationsforpractice",
         "practiceimplications"),
    ),
    ("social", "Social implications", ("socialimplications", "socialimplication")),
    ("originality", "Originality/value", ("originalityvalue", "originality", "value")),
    (
        "background",
        "Background",
        ("background", "backgrounds", "context", "introduction", "backgroundandaims",
         "backgroundaims", "backgroundandaim", "backgroundandpurpose", "backgroundpurpose",
         "backgroundandobjectives", "backgroundandobjective", "backgroundobjectives",
         "backgroundobjective", "rationale", "importance"),
    ),
    (
        "objective",
        "Objective",
        ("objective", "objectives", "objectivesandmethods", "objectiveandmethods",
         "aimsandobjectives", "aimandobjectives", "studyobjective", "studyobjectives"),
    ),
    (
        "methods",
        "Methods",
        ("methods", "method", "methodology", "materialsandmethods", "materialandmethods",
         "methodsandmaterials", "patientsandmethods", "subjectsandmethods",
         "participantsandmethods", "methodsandresults", "designandmethods", "methodsdesign",
         "studydesign", "designofstudy", "designandsetting", "designsettingandparticipants",
         "designsettingparticipants", "setting", "settings", "participants", "patients",
         "subjects", "intervention", "interventions", "measurements", "mainoutcomemeasures",
         "mainoutcomemeasure", "mainoutcomesandmeasures", "outcomemeasures", "datasources",
         "searchstrategy", "searchmethods", "selectioncriteria", "studyselection",
         "dataextraction", "datacollectionandanalysis", "reviewmethods"),
    ),
    (
        "results",
        "Results",
        ("results", "result", "mainresults", "keyresults", "measurementsandmainresults",
         "measurementsandresults", "datasynthesis"),
    ),
    (
        "conclusions",
        "Conclusions",
        ("conclusion", "conclusions", "conclusionsandrelevance", "interpretation", "discussion",
         "discussionandconclusions", "discussionandconclusion", "conclusionsandimplications"),
    ),
)  # fmt: skip

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


# What can end an inline heading: a colon, or a dash with white space on both sides.
_SEPARATOR_CANDIDATE = re.compile(r"[:\u2013\u2014\u0096-]")
# The longest label `_INLINE` accepts, and what can stand right before one.
_LABEL_WINDOW = 61
_SENTENCE_ENDS = ".!?)]"


def _may_be_structured(text: str) -> bool:
    """Cheap test that `split_abstract` could find headings in the text.

    Heading lines need a line break or a text that is itself short. Inline headings
    need two separators (a colon or a spaced dash), one of them right after a known
    heading that starts the text or a sentence. Most abstracts fail that test early
    on single-character searches, and skipping the splitters for them is what keeps
    large files fast: the label pattern has to be tried at every position of the
    text. The test only ever says True too often, never too rarely.
    """
    if len(text) <= 60 or "\n" in text or "\r" in text:
        return True
    if (text[0].isspace() or text[-1].isspace()) and len(text.strip()) <= 60:
        return True
    # Every white-space character but the plain space is unprintable, so a text that
    # is printable can hold a spaced hyphen only as " - ".
    dash = (
        "\u2013" in text
        or "\u2014" in text
        or "\u0096" in text
        or ("-" in text and (" - " in text or not text.isprintable()))
    )
    if not dash and text.count(":") < 2:
        return False
    separators = []
    for found in _SEPARATOR_CANDIDATE.finditer(text):
        at = found.start()
        if text[at] == ":" or (
            0 < at < len(text) - 1 and text[at - 1].isspace() and text[at + 1].isspace()
        ):
            separators.append(at)
    if len(separators) < 2:
        return False
    for at in separators:
        end = at
        while end > 0 and text[end - 1].isspace():  # `_INLINE` allows space before the separator
            end -= 1
        segment = text[max(0, end - _LABEL_WINDOW) : end]
        cut = max(segment.rfind(ch) for ch in _SENTENCE_ENDS)
        if recognise_heading(segment[cut + 1 :].strip(), inline=True):
            return True
    return False


def _split_inline(text: str) -> list[Section] | None:
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


def _clean_unstructured(text: str) -> str:
    """`clean_block` for an abstract without headings, skipping the work when it is clean.

    Nearly every abstract is one printable line without doubled or edge spaces, which
    `clean_block` returns unchanged: printable text holds no control character, no
    line break and no white space but the plain space. Cleaning would otherwise be
    the costliest step of reading such an abstract.
    """
    if text.isprintable() and "  " not in text and text[0] != " " and text[-1] != " ":
        return text
    return clean_block(text)


def split_abstract(text: str) -> list[Section]:
    """Split an abstract into ordered sections.

    Headings on their own line are tried first (Emerald pages, Emerald CSV), then
    inline labels ("BACKGROUND: ..."). Inline splitting needs at least two labels,
    one of them a known heading, so prose like "Results: see below" stays whole.
    Abstracts that a cheap test shows to have neither are not handed to the splitters.

    Args:
        text: Raw abstract text (controls may still be present; it is cleaned here).

    Returns:
        Sections in source order; one section with an empty heading when the
        abstract is unstructured; an empty list when the text is blank.
    """
    if not text or text.isspace():
        return []
    normalised = text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
    if _may_be_structured(normalised):
        for splitter in (_split_on_heading_lines, _split_inline):
            sections = splitter(normalised)
            if sections:
                return sections
    body = _clean_unstructured(normalised)
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
