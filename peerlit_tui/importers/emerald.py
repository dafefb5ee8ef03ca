"""Emerald Insight search-results pages copied from a browser as plain text.

Emerald offers no export of a results listing, so users select the page and paste
it into a file. Each result reads, one item per line (blank lines between):

    Article                                   <- content type
    [title line(s), when the copy kept them]
    Publication date: 22 August 2024
    Benjamin Thomas Gray, Matthew Sisto and Renee Conley
    The purpose of this service user narrative ... over the…   <- teaser
    1600                                      <- unlabelled count, optional
    Abstract
    Purpose / <text> / Design/methodology/approach / <text> ...
    Details
    Mental Health and Social Inclusion, vol. ahead-of-print no. ahead-of-print
    Type: Research Article
    ISSN: 2042-8308
    Keywords
    [keyword lines]

Pages start with "Search results" and a "1 – 10 of over 73000" line, which may
recur as a footer; several pages can be pasted one after another. The
`Publication date:` lines are the anchors: a record starts at the content-type
line just above one. A content-type line that heads a record-like block without a
publication date is reported, so a damaged paste never passes silently.

The content-type line is kept in `extra["content_type"]` and the Details `Type:`
value ("Research Article") in `type_detail`. Other `extra` keys: `listing_text`
(paragraphs between the authors and the teaser), `details` (unlabelled Details
lines after the source line) and `publication_date` (a date that could not be read).

This module cuts the page into results and sorts their lines into blocks;
`peerlit_tui.importers.emerald_fields` reads the fields from those blocks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from peerlit_tui.importers.base import FileFormatError, Format, Parsed, SourceFile
from peerlit_tui.importers.emerald_fields import (
    CONTENT_TYPES,
    COUNT_LINE,
    DETAIL_FIELDS,
    LABELLED,
    LONG_LINE,
    PUBLICATION_DATE,
    Draft,
    Line,
    build_record,
)
from peerlit_tui.model import ImportIssue
from peerlit_tui.text import fold

_RANGE_LINE = re.compile(
    r"^(?:showing\s+)?\d[\d,]*\s*[\u2013\u2014-]\s*\d[\d,]*\s+of\s+(?:over\s+)?\d[\d,]*\s*(?:results?)?$",
    re.IGNORECASE,
)

# Block headings of a result, in the order Emerald prints them.
_BLOCKS = {"abstract": 0, "details": 1, "keywords": 2}
# How far above a Publication date line the content-type line may be (title lines).
_HEAD_WINDOW = 6

_SNIFF_BYTES = 20_000
# First lines of RIS, MEDLINE, Web of Science and BibTeX records, which are never ours.
_OTHER_FORMATS = re.compile(r"^(?:TY  - |PMID- |FN |@\w+\s*\{)", re.MULTILINE)
_SNIFF_DATE = re.compile(r"^[ \t]*Publication date:", re.MULTILINE)
_SNIFF_BLOCK = re.compile(r"^[ \t]*(?:Abstract|Details|Keywords)[ \t]*$", re.MULTILINE)
_SNIFF_HEADER = re.compile(
    r"^[ \t]*(?:Search results"
    r"|\d[\d,]*\s*[\u2013\u2014-]\s*\d[\d,]*\s+of\s+(?:over\s+)?\d[\d,]*)[ \t]*$",
    re.MULTILINE,
)


def sniff(source: SourceFile) -> float:
    """Score how likely a text is a pasted Emerald results page.

    Args:
        source: The loaded file.

    Returns:
        0.9 for `Publication date:` lines with Abstract/Details/Keywords blocks,
        0.6 for publication dates alone, 0.4 for only a results-page header, else 0.
    """
    text = source.text[:_SNIFF_BYTES]
    if not text or _OTHER_FORMATS.search(text):
        return 0.0
    dates = len(_SNIFF_DATE.findall(text))
    if dates and _SNIFF_BLOCK.search(text):
        return 0.9
    if dates:
        return 0.6
    return 0.4 if _SNIFF_HEADER.search(text) else 0.0


def _classify(number: int, raw: str) -> Line:
    text = raw.strip()
    kind = "text"
    if not text:
        kind = "blank"
    elif len(text) <= 40:
        # Every structural line is short, so long paragraphs skip the tests below.
        first = text[0]
        if first.isdigit() or first in "Ss":
            if text == "Search results" or _RANGE_LINE.match(text):
                kind = "page"
        if kind == "text" and first.isupper():
            if text.rstrip(":").lower() in _BLOCKS:
                kind = "block"
            elif fold(text) in CONTENT_TYPES:
                kind = "type"
    if kind == "text" and text[:16].lower() == "publication date":
        if PUBLICATION_DATE.match(text):
            kind = "date"
    return Line(number, text, kind)


def _is_barrier(line: Line) -> bool:
    """True for lines that cannot sit between a content-type line and its date."""
    if line.kind in ("page", "date", "block"):
        return True
    if line.kind == "text":
        if COUNT_LINE.match(line.text) or len(line.text) > LONG_LINE:
            return True
        labelled = LABELLED.match(line.text)
        return bool(labelled and fold(labelled.group("label")) in DETAIL_FIELDS)
    return False


def _looks_like_label(text: str) -> bool:
    """A short line that could be an unfamiliar content-type label."""
    return len(text) <= 40 and len(text.split()) <= 4 and not text.endswith((".", "…", ":", "?"))


def _find_start(lines: list[Line], date_index: int, floor: int) -> int:
    """Index of the content-type line of the result whose date is at `date_index`.

    Returns `date_index` itself when no line above can be the label.
    """
    above: list[int] = []
    index = date_index - 1
    while index >= floor and len(above) < _HEAD_WINDOW:
        line = lines[index]
        if line.kind != "blank":
            if _is_barrier(line):
                break
            above.append(index)
        index -= 1
    for candidate in above:
        if lines[candidate].kind == "type":
            return candidate
    if above and _looks_like_label(lines[above[0]].text):
        return above[0]
    return date_index


def _orphan_cut(lines: list[Line], begin: int, end: int) -> int:
    """Where a record-like block without a publication date starts inside a body.

    A content-type line counts as such a start only when a block heading already
    seen in this body (or one before it in Emerald's order) follows it, or a
    teaser-like line ending in an ellipsis does; a keyword that happens to read
    "Case study" is followed by neither.

    Returns:
        The index of the orphan's content-type line, or `end` when there is none.
    """
    highest_seen = -1
    candidates: list[tuple[int, int]] = []  # (index, highest block order seen before it)
    for index in range(begin, end):
        line = lines[index]
        if line.kind == "block":
            highest_seen = max(highest_seen, _BLOCKS[line.text.rstrip(":").lower()])
        elif line.kind == "type" and highest_seen >= 0:
            candidates.append((index, highest_seen))
    if not candidates:
        return end
    # What follows each line, computed backwards once so that many candidates in
    # one body (a long keyword list) still cost linear time.
    later_order = [99] * (end - begin + 1)
    later_ellipsis = [False] * (end - begin + 1)
    for index in range(end - 1, begin - 1, -1):
        slot = index - begin
        line = lines[index]
        order = _BLOCKS[line.text.rstrip(":").lower()] if line.kind == "block" else 99
        later_order[slot] = min(order, later_order[slot + 1])
        later_ellipsis[slot] = later_ellipsis[slot + 1] or (
            line.kind == "text" and line.text.endswith(("…", "..."))
        )
    for index, seen in candidates:
        slot = index - begin + 1
        if later_order[slot] <= seen or (seen > 0 and later_ellipsis[slot]):
            return index
    return end


def _paragraphs(lines: list[Line]) -> list[list[Line]]:
    out: list[list[Line]] = []
    current: list[Line] = []
    for line in lines:
        if line.kind == "blank":
            if current:
                out.append(current)
                current = []
        else:
            current.append(line)
    if current:
        out.append(current)
    return out


def _fill_body(draft: Draft, lines: list[Line]) -> None:
    """Distribute the lines after the publication date over the draft's blocks."""
    state = "head"
    head: list[Line] = []
    for line in lines:
        if line.kind == "page":
            continue
        if line.kind == "block":
            state = line.text.rstrip(":").lower()
            draft.blocks.add(state)
            if state == "abstract" and not draft.abstract_line:
                draft.abstract_line = line.number
            continue
        if state != "abstract" and line.kind == "text" and line.text[:9].lower() == "keywords:":
            # "Keywords: a; b" on one line, as some copies render the block.
            state = "keywords"
            draft.blocks.add(state)
        if state == "head":
            head.append(line)
        elif state == "abstract":
            draft.abstract.append(line.text)
        elif state == "details":
            if line.kind != "blank":
                draft.details.append(line)
        elif line.kind != "blank":
            draft.keywords.append(line)
    draft.head = _paragraphs(head)


def parse(source: SourceFile) -> Iterator[Parsed]:
    """Read every result of a pasted Emerald Insight results page.

    Args:
        source: The loaded file.

    Yields:
        One `Parsed` per result, in page order.

    Raises:
        FileFormatError: When the text holds no `Publication date:` line at all.
    """
    lines = [_classify(n, raw) for n, raw in enumerate(source.text.split("\n"), start=1)]
    dates = [i for i, line in enumerate(lines) if line.kind == "date"]
    if not dates:
        raise FileFormatError(
            "no 'Publication date:' line found; this is not an Emerald Insight results page"
        )
    starts: list[tuple[int, int]] = []  # (start index, date index)
    floor = 0
    for date_index in dates:
        start = _find_start(lines, date_index, floor)
        starts.append((start, date_index))
        floor = date_index + 1
    yield from _leading_text(lines, starts[0][0])
    for n, (start, date_index) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        cut = _orphan_cut(lines, date_index + 1, end)
        draft = Draft(start=lines[start].number)
        if start < date_index:
            draft.content_type = lines[start].text
            draft.title_lines = [
                line.text for line in lines[start + 1 : date_index] if line.kind != "blank"
            ]
        draft.date_line = lines[date_index]
        _fill_body(draft, lines[date_index + 1 : cut])
        is_last = n + 1 == len(starts) and cut == end
        footer = any(line.kind == "page" for line in lines[date_index + 1 : end])
        yield build_record(draft, last=is_last, footer_after=footer)
        if cut < end:
            yield from _orphans(lines, cut, end)


def _orphans(lines: list[Line], begin: int, end: int) -> Iterator[Parsed]:
    """Read blocks that start at a content-type line but have no publication date."""
    while begin < end:
        cut = _orphan_cut(lines, begin + 1, end)
        draft = Draft(start=lines[begin].number, content_type=lines[begin].text)
        _fill_body(draft, lines[begin + 1 : cut])
        footer = any(line.kind == "page" for line in lines[begin + 1 : end])
        yield build_record(draft, last=False, footer_after=footer)
        begin = cut


def _leading_text(lines: list[Line], first_start: int) -> Iterator[Parsed]:
    """Report what stands before the first result other than the page header."""
    orphan = first_start
    for index in range(first_start):
        if lines[index].kind == "type" and any(
            r.kind == "block" or r.text.endswith(("…", "..."))
            for r in lines[index + 1 : first_start]
        ):
            orphan = index
            break
    stray = [line for line in lines[:orphan] if line.kind not in ("blank", "page")]
    if stray:
        first, last = stray[0].number, stray[-1].number
        span = f"line {first}" if first == last else f"lines {first}-{last}"
        yield Parsed(
            first,
            None,
            [ImportIssue(first, f"{span}: text before the first result ignored", skipped=False)],
        )
    if orphan < first_start:
        yield from _orphans(lines, orphan, first_start)


FORMAT = Format(
    name="emerald",
    label="Emerald Insight results page",
    extensions=("txt",),
    sniff=sniff,
    parse=parse,
    database="Emerald Insight",
)
