"""Structured-abstract headings: recognising them and splitting abstracts into sections.

Emerald journals use seven headings (Purpose, Design/methodology/approach, Findings,
Research limitations/implications, Practical implications, Social implications,
Originality/value); medical databases use Background / Objective(s) / Methods /
Results / Conclusion(s), usually inline in one field ("BACKGROUND: ... METHODS: ...").
Exports write them in many ways: on their own line, followed by an en dash (or the
"?" / U+0096 a broken encoding left of it), in capitals, with a colon. Matching is
therefore done on a punctuation-free, case-folded form of the heading.

Some exports drop the separator: BMJ/PubMed capitals (`OBJECTIVE To… DESIGN…`),
"Purpose. …" with a period, and headings glued to their text (`BackgroundClinical…`,
Emerald abstracts via Crossref: `PurposeThe aim…`). Those are taken as headings only
as a series that opens the text and keeps the order abstracts use; precision comes
before recall, and an unstructured abstract is never split. A labelled sample of real
abstracts (`tests/fixtures/sections/`) measures both.
"""

from __future__ import annotations

import itertools
import re

from peerlit_tui.model import Section
from peerlit_tui.text import clean_block, is_printable, match_key

#: (canonical key, display heading, accepted spellings reduced by `match_key`). Medical
#: labels outside the seven Emerald headings follow the NLM structured-abstract
#: categories ("Setting", "Participants" and "Study design" are methods).
_HEADING_TABLE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "purpose",
        "Purpose",
        ("purpose", "purposes", "aim", "aims", "purposeofthispaper", "purposeobjectives",
         "purposeofthestudy", "purposeofstudy", "aimofthestudy", "aimsofthestudy", "aimofstudy",
         "aimofthisstudy"),
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
         "backgroundobjective", "rationale", "importance", "significance",
         "statementoftheproblem", "backgroundcontext", "rationaleaimsandobjectives"),
    ),
    (
        "objective",
        "Objective",
        ("objective", "objectives", "objectivesandmethods", "objectiveandmethods",
         "aimsandobjectives", "aimandobjectives", "studyobjective", "studyobjectives",
         "hypothesis", "hypotheses"),
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
         "dataextraction", "datacollectionandanalysis", "reviewmethods",
         "areascovered", "methodsdesign", "studiesreviewed", "evidenceacquisition",
         "eligibilitycriteria", "outcomemeasure", "mainmeasures", "studytype", "sample"),
    ),
    (
        "results",
        "Results",
        ("results", "result", "mainresults", "keyresults", "measurementsandmainresults",
         "measurementsandresults", "datasynthesis", "evidencesynthesis", "resultsanddiscussion"),
    ),
    (
        "conclusions",
        "Conclusions",
        ("conclusion", "conclusions", "conclusionsandrelevance", "interpretation", "discussion",
         "discussionandconclusions", "discussionandconclusion", "conclusionsandimplications",
         "conclusionssignificance", "expertopinion"),
    ),
)  # fmt: skip

_BY_SPELLING: dict[str, tuple[str, str]] = {
    spelling: (key, display) for key, display, spellings in _HEADING_TABLE for spelling in spellings
}
# Headings of end matter and other parts without a canonical section: recognised as
# headings (their text is not folded into the section before), with no search key.
_BY_SPELLING.update(
    (spelling, ("", display))
    for spelling, display in (
        ("trialregistration", "Trial registration"), ("studyregistration", "Study registration"),
        ("registration", "Registration"), ("funding", "Funding"),
        ("levelofevidence", "Level of evidence"), ("clinicalrelevance", "Clinical relevance"),
        ("clinicalimplications", "Clinical implications"),
        # The study design in medical abstracts, Emerald's Design/methodology/approach
        # elsewhere: a heading without a key.
        ("design", "Design"),
    )
)  # fmt: skip

#: Canonical keys usable as search fields, mapped to their display heading.
SECTION_KEYS: dict[str, str] = {key: display for key, display, _ in _HEADING_TABLE}

# Ambiguous one-word spellings ("value", "approach", "context") count as headings
# only on a line of their own, never inline inside running prose.
_LINE_ONLY = frozenset({"value", "approach", "context", "sample", "registration"})

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


def _spaced_hyphen(text: str) -> bool:
    """Whether a hyphen in the text has white space on both sides (True may be too often).

    Abstracts hold a few hyphens, each found by a one-character search, which is
    several times quicker than a search for " - " through the whole text. A text
    with many hyphens gets the whole-text test: every white-space character but the
    plain space is unprintable, so a printable text can space a hyphen only as " - ".
    """
    at = text.find("-")
    for _ in range(8):
        if at < 0:
            return False
        if 0 < at < len(text) - 1 and text[at - 1].isspace() and text[at + 1].isspace():
            return True
        at = text.find("-", at + 1)
    return at >= 0 and (" - " in text or not is_printable(text))


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
    dash = "\u2013" in text or "\u2014" in text or "\u0096" in text or _spaced_hyphen(text)
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


# -- headings without a colon: capitals, "Heading." and glued ("PurposeThe") -----------

#: Where each section may stand in an abstract; unmarked headings must follow it.
_RANK = {
    "background": 0, "purpose": 0, "objective": 1, "design": 2, "methods": 2, "findings": 3,
    "results": 3, "limitations": 4, "implications": 4, "social": 4, "originality": 5,
    "conclusions": 5, "": 6,
}  # fmt: skip
# Spellings that stand elsewhere than their key says.
_RANK_BY_SPELLING = {
    "expertopinion": 5, "clinicalimplications": 5, "introduction": 0, "design": 2,
}  # fmt: skip
#: First words of every heading, to test the start of a text cheaply.
_FIRST_WORDS = frozenset(
    re.split(r"[^a-z]", display.lower())[0] for _k, display, _s in _HEADING_TABLE
) | frozenset(
    "introduction aim aims method methodology hypothesis study data main materials "
    "patients subjects participants setting settings design context rationale importance "
    "significance statement search selection evidence key principal areas expert "
    "summary objectives purposes conclusions conclusion results findings methods".split()
)
# The first word of a text: a run of capitals, or a capital and lower-case letters.
_LEAD_WORD = re.compile(r"\s*(?:Abstract\s*)?([A-Z]+(?![a-z])|[A-Z][a-z]+)")
_TITLE_WORDS = frozenset("OF AND THE FOR IN ON WITH FROM BY AT AS OR TO".split())
_CAPS_RUN = re.compile(r"(?:^|(?<=[.!?)\]])\s+)(?:ABSTRACT\s+)?((?:[A-Z][A-Z/&-]*,?(?: |$)){1,7})")
_PERIOD = re.compile(
    r"(?:^|(?<=[.!?)\]])\s+)(?:Abstract\s*)?([A-Z][A-Za-z /&,-]{2,50}?)\.\s+(?=[A-Z0-9])"
)
_GLUED_START = re.compile(r"^(?:Abstract)?|(?<=[.!?)\]])\s?(?=[A-Z])")
_GLUED_END = re.compile(r"(?<=[a-z])(?=[A-Z0-9])")


def _rank(spelling: str, key: str) -> int:
    return _RANK_BY_SPELLING.get(spelling, _RANK.get(key, 6))


def _plausible(marks: list[tuple[int, int, str, str]], text: str) -> bool:
    """Two headings or more, the first opening the text, in the order abstracts use."""
    if len(marks) < 2 or text[: marks[0][0]].strip() not in ("", "Abstract", "ABSTRACT"):
        return False
    ranks = [_rank(match_key(text[a:b]), key) for a, b, key, _ in marks]
    return all(x <= y for x, y in itertools.pairwise(ranks)) and len(set(ranks)) > 1


def _opening_end(text: str) -> int:
    """The last offset at which the first of a series of headings may start.

    `_plausible` wants the first heading to open the text: only white space and an
    optional "Abstract" may stand before it. Marks come in text order, so a finder
    that has found none by this offset can stop: its series would be refused anyway.
    """
    start = len(text) - len(text.lstrip())
    if text.startswith(("Abstract", "ABSTRACT"), start):
        rest = text[start + 8 :]
        return start + 8 + len(rest) - len(rest.lstrip())
    return start


def _opens_with(pattern: re.Pattern[str], text: str, opening: int) -> bool:
    """Whether `pattern` matches at an offset up to `opening`.

    When it does not, its first match in the text starts after `opening`, and so
    does the first mark built on it: a finder can return at once instead of
    scanning the whole abstract for headings that could not open it.
    """
    return any(pattern.match(text, at) for at in range(opening + 1))


def _caps_marks(text: str, opening: int) -> list[tuple[int, int, str, str]]:
    marks: list[tuple[int, int, str, str]] = []
    if not _opens_with(_CAPS_RUN, text, opening):
        return marks
    for run in _CAPS_RUN.finditer(text):
        if not marks and run.start(1) > opening:
            return marks
        words = run.group(1).split(" ")
        # Capitals running on with a function word ("RESULTS OF A SURVEY") are a title,
        # not a heading and its text; an acronym ("RESULTS HIV rates") is text.
        # The longest run of words that is a heading: "MAIN OUTCOME MEASURES" before "MAIN".
        for n in range(len(words), 0, -1):
            label = " ".join(words[:n]).strip(" ,")
            after = run.start(1) + len(" ".join(words[:n]))
            found = recognise_heading(label, inline=True) if len(label) >= 3 else None
            if found and len(words) > n and words[n].strip(",") in _TITLE_WORDS:
                break
            if found and after < len(text) and text[after : after + 2].strip()[:1].isupper():
                marks.append((run.start(1), run.start(1) + len(label), found[0], label))
                break
            if found and text[after : after + 1] == " " and text[after + 1 : after + 2].isdigit():
                marks.append((run.start(1), run.start(1) + len(label), found[0], label))
                break
    return marks


def _period_marks(text: str, opening: int) -> list[tuple[int, int, str, str]]:
    marks: list[tuple[int, int, str, str]] = []
    if not _opens_with(_PERIOD, text, opening):
        return marks
    for match in _PERIOD.finditer(text):
        if not marks and match.start(1) > opening:
            return marks
        found = recognise_heading(match.group(1), inline=True)
        if found:
            marks.append((match.start(1), match.end(1) + 1, found[0], match.group(1)))
    return marks


def _glued_marks(text: str, opening: int) -> list[tuple[int, int, str, str]]:
    marks: list[tuple[int, int, str, str]] = []
    for start in _GLUED_START.finditer(text):
        at = start.end()
        if not marks and at > opening:
            return marks
        for end in _GLUED_END.finditer(text, at, at + 45):
            found = recognise_heading(text[at : end.start()], inline=True)
            if found:
                marks.append((at, end.start(), found[0], text[at : end.start()]))
                break
    return marks


def _split_unmarked(text: str) -> list[Section] | None:
    """Headings without a separator: `OBJECTIVE To…`, `Purpose. The…`, `PurposeThe aim…`.

    Such words are headings only as a series: two known headings or more, the first
    opening the text, in the order abstracts use (background before methods before
    results before conclusions). An unstructured abstract almost never opens with a
    heading word, let alone follows it with a second in that order, so precision
    stays first.
    """
    lead = _LEAD_WORD.match(text)
    if lead is None or lead.group(1).lower() not in _FIRST_WORDS:
        return None
    opening = _opening_end(text)
    for finder in (_glued_marks, _caps_marks, _period_marks):
        marks = finder(text, opening)
        if _plausible(marks, text):
            break
    else:
        return None
    sections: list[Section] = []
    for n, (_start, end, key, label) in enumerate(marks):
        stop = marks[n + 1][0] if n + 1 < len(marks) else len(text)
        sections.append(_section(_display_for_label(label), key, text[end:stop]))
    return [s for s in sections if s.text]


def _clean_unstructured(text: str) -> str:
    """`clean_block` for an abstract without headings, skipping the work when it is clean.

    Nearly every abstract is one printable line without doubled or edge spaces, which
    `clean_block` returns unchanged: printable text holds no control character, no
    line break and no white space but the plain space. Cleaning would otherwise be
    the costliest step of reading such an abstract.
    """
    if is_printable(text) and "  " not in text and text[0] != " " and text[-1] != " ":
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
    sections = _split_unmarked(normalised)
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
