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
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from peerlit_tui.authors import split_author_list
from peerlit_tui.importers.base import FileFormatError, Format, Parsed, SourceFile
from peerlit_tui.model import ImportIssue, Record, Section
from peerlit_tui.sections import recognise_heading, split_abstract
from peerlit_tui.text import clean_line, fold, shorten

_SNIFF_BYTES = 20_000

#: Emerald content-type labels (folded) mapped to record types.
_CONTENT_TYPES: dict[str, str] = {
    "article": "article",
    "earlycite article": "article",
    "journal article": "article",
    "research article": "article",
    "review": "review",
    "literature review": "review",
    "book part": "book part",
    "chapter": "chapter",
    "book chapter": "chapter",
    "case study": "case study",
    "teaching case": "case study",
    "book": "book",
    "conference paper": "conference paper",
    "report": "report",
    "book review": "other",
    "editorial": "other",
}

_PUBLICATION_DATE = re.compile(r"^publication date\s*:\s*(?P<value>.*)$", re.IGNORECASE)
_RANGE_LINE = re.compile(
    r"^(?:showing\s+)?\d[\d,]*\s*[\u2013\u2014-]\s*\d[\d,]*\s+of\s+(?:over\s+)?\d[\d,]*\s*(?:results?)?$",
    re.IGNORECASE,
)
_COUNT_LINE = re.compile(r"^\d{1,3}(?:[,\u00a0 ]?\d{3})*$")
_LABELLED = re.compile(r"^(?P<label>[A-Za-z][A-Za-z ]{1,20}?)\s*:\s*(?P<value>.*)$")
_DOI_LINE = re.compile(r"^(?:https?://)?(?:dx\.)?(?:doi\.org/|doi\s*:?\s*)?10\.\d{4,9}/\S+$", re.I)
_ALNUM = re.compile(r"[^\W_]")
_DIGIT = re.compile(r"\d")
_NON_DIGIT = re.compile(r"\D")
_NAME_SEPARATORS = re.compile(r",|;|\s+and\s+|\s*&\s*", re.IGNORECASE)
_KEYWORD_SEPARATORS = re.compile(r"\s*[;,]\s*")
_VOLUME_PART = re.compile(
    r"^(?P<volume>[^\s,]+)?"
    r"(?:\s*,?\s*(?:no|iss|issue)\.?\s*(?P<issue>[^\s,]+))?"
    r"(?:\s*,?\s*pp?\.\s*(?P<pages>.+))?$",
    re.IGNORECASE,
)
_PAGES_ONLY = re.compile(r"^(?P<journal>.*?),?\s+pp?\.\s*(?P<pages>\S+)\s*$", re.IGNORECASE)
_PAGE_DASH = re.compile(r"\s*[\u2010-\u2015-]\s*")
_DATE = re.compile(r"^(?:(?P<day>\d{1,2})\s+)?(?:(?P<month>[A-Za-z]+)\.?,?\s+)?(?P<year>\d{4})$")
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}

# Block headings of a result, in the order Emerald prints them.
_BLOCKS = {"abstract": 0, "details": 1, "keywords": 2}
# Labelled lines of the Details block and the record field each fills.
_DETAIL_FIELDS = {
    "type": "type_detail",
    "issn": "issn",
    "eissn": "issn",
    "print issn": "issn",
    "online issn": "issn",
    "isbn": "isbn",
    "eisbn": "isbn",
    "print isbn": "isbn",
    "online isbn": "isbn",
    "doi": "doi",
    "publisher": "publisher",
}
# How far above a Publication date line the content-type line may be (title lines).
_HEAD_WINDOW = 6
# Lines longer than this are never keywords or type labels.
_LONG_LINE = 300

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


@dataclass(slots=True)
class _Line:
    """One stripped line with its 1-based number and its classification."""

    number: int
    text: str
    kind: str  # "blank", "page", "date", "block", "type", "text"


@dataclass(slots=True)
class _Draft:
    """A record being assembled from the lines of one result."""

    start: int
    content_type: str = ""
    title_lines: list[str] = field(default_factory=list)
    date_line: _Line | None = None
    head: list[list[_Line]] = field(default_factory=list)
    abstract: list[str] = field(default_factory=list)
    abstract_line: int = 0
    details: list[_Line] = field(default_factory=list)
    keywords: list[_Line] = field(default_factory=list)
    blocks: set[str] = field(default_factory=set)


def _classify(number: int, raw: str) -> _Line:
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
            elif fold(text) in _CONTENT_TYPES:
                kind = "type"
    if kind == "text" and text[:16].lower() == "publication date":
        if _PUBLICATION_DATE.match(text):
            kind = "date"
    return _Line(number, text, kind)


def _is_barrier(line: _Line) -> bool:
    """True for lines that cannot sit between a content-type line and its date."""
    if line.kind in ("page", "date", "block"):
        return True
    if line.kind == "text":
        if _COUNT_LINE.match(line.text) or len(line.text) > _LONG_LINE:
            return True
        labelled = _LABELLED.match(line.text)
        return bool(labelled and fold(labelled.group("label")) in _DETAIL_FIELDS)
    return False


def _looks_like_label(text: str) -> bool:
    """A short line that could be an unfamiliar content-type label."""
    return len(text) <= 40 and len(text.split()) <= 4 and not text.endswith((".", "…", ":", "?"))


def _find_start(lines: list[_Line], date_index: int, floor: int) -> int:
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


def _orphan_cut(lines: list[_Line], begin: int, end: int) -> int:
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


def _paragraphs(lines: list[_Line]) -> list[list[_Line]]:
    out: list[list[_Line]] = []
    current: list[_Line] = []
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


def _fill_body(draft: _Draft, lines: list[_Line]) -> None:
    """Distribute the lines after the publication date over the draft's blocks."""
    state = "head"
    head: list[_Line] = []
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


def _join_paragraphs(texts: list[str]) -> str:
    """Join stripped lines into paragraphs: lines joined by spaces, blank lines kept as breaks."""
    paragraphs: list[str] = []
    current: list[str] = []
    for text in texts:
        if text:
            current.append(text)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)


def _abstract_sections(texts: list[str]) -> list[Section]:
    """Split the lines of an Abstract block at heading lines ("Purpose", "Findings", ...).

    Splitting here, on lines the page already separated, is much cheaper than
    re-scanning joined text; abstracts without heading lines go to
    `split_abstract`, which also knows inline headings ("Purpose – ...").
    """
    marks: list[tuple[int, str, str]] = []
    for index, text in enumerate(texts):
        if text and len(text) <= 45:
            label = text.rstrip(":").strip()
            found = recognise_heading(label)
            if found:
                marks.append((index, found[0], label.capitalize() if label.isupper() else label))
    first_text = next((i for i, text in enumerate(texts) if text), -1)
    if not marks or (len(marks) == 1 and marks[0][0] != first_text):
        return split_abstract("\n".join(texts))
    sections: list[Section] = []
    preface = _join_paragraphs(texts[: marks[0][0]])
    if preface:
        sections.append(Section(heading="", text=preface, key=""))
    for n, (index, key, heading) in enumerate(marks):
        stop = marks[n + 1][0] if n + 1 < len(marks) else len(texts)
        body = _join_paragraphs(texts[index + 1 : stop])
        if body:
            sections.append(Section(heading=heading, text=body, key=key))
    return sections


def _looks_like_authors(text: str) -> bool:
    cleaned = clean_line(text)
    if not cleaned or len(cleaned) > 1000 or cleaned.endswith(("…", "...")):
        return False
    if cleaned.endswith(".") and len(cleaned.rsplit(" ", 1)[-1]) > 4:
        return False
    names = [n.strip() for n in _NAME_SEPARATORS.split(cleaned)]
    return all(n and len(n) <= 60 and len(n.split()) <= 6 for n in names) and not _DIGIT.search(
        cleaned
    )


def _parse_date(raw: str) -> tuple[str, int | None]:
    """Parse "22 August 2024" to ("2024-08-22", 2024), "August 2024" to ("2024-08", 2024)."""
    match = _DATE.match(raw.strip())
    if match:
        year = int(match.group("year"))
        month_name = match.group("month")
        month = _MONTHS.get(month_name.lower()) if month_name else None
        if month_name and month is None:
            return "", None
        day = int(match.group("day")) if match.group("day") else None
        if month and day and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}", year
        if month and not day:
            return f"{year:04d}-{month:02d}", year
        if not month and not day:
            return f"{year:04d}", year
    return "", None


def _parse_source_line(record: Record, text: str) -> None:
    """Split "Journal, vol. 7 no. 2, pp. 12-19" into container, volume, issue, pages."""
    cut = text.lower().rfind(", vol.")
    if cut >= 0:
        record.journal = text[:cut].strip()
        parts = _VOLUME_PART.match(text[cut + len(", vol.") :].strip())
        if parts:
            record.volume = parts.group("volume") or ""
            record.issue = parts.group("issue") or ""
            record.pages = _normalise_pages(parts.group("pages") or "")
        return
    pages_only = _PAGES_ONLY.match(text)
    if pages_only:
        record.journal = pages_only.group("journal").strip()
        record.pages = _normalise_pages(pages_only.group("pages"))
        return
    record.journal = text


def _normalise_pages(raw: str) -> str:
    return _PAGE_DASH.sub("-", raw.strip().rstrip(".,"))


def _append(current: str, value: str) -> str:
    return f"{current}, {value}" if current else value


def _apply_details(record: Record, draft: _Draft) -> None:
    unlabelled: list[str] = []
    for line in draft.details:
        labelled = _LABELLED.match(line.text)
        label = fold(labelled.group("label")).strip() if labelled else ""
        if labelled and label in _DETAIL_FIELDS:
            target = _DETAIL_FIELDS[label]
            value = labelled.group("value").strip()
            if target in ("issn", "isbn"):
                setattr(record, target, _append(getattr(record, target), value))
            else:
                setattr(record, target, value)
        elif _DOI_LINE.match(line.text):
            record.doi = record.doi or line.text
        else:
            unlabelled.append(line.text)
    if unlabelled:
        _parse_source_line(record, unlabelled[0])
        if len(unlabelled) > 1:
            record.extra["details"] = "\n\n".join(unlabelled[1:])


def _apply_head(record: Record, draft: _Draft, issues: list[ImportIssue]) -> None:
    texts: list[tuple[int, str]] = []
    for paragraph in draft.head:
        text = " ".join(line.text for line in paragraph)
        number = paragraph[0].number
        if _COUNT_LINE.match(text):
            record.listing_count = int(_NON_DIGIT.sub("", text))
        elif not _ALNUM.search(text):
            issues.append(
                ImportIssue(number, f"line {number}: unreadable text ignored", skipped=False)
            )
        else:
            texts.append((number, text))
    if not texts:
        return
    if len(texts) == 1:
        if _looks_like_authors(texts[0][1]):
            record.authors = split_author_list(texts[0][1])
        else:
            record.teaser = texts[0][1]
        return
    first, middle = texts[0][1], texts[1:-1]
    if _looks_like_authors(first):
        record.authors = split_author_list(first)
    else:
        middle = texts[:-1]
    record.teaser = texts[-1][1]
    if middle:
        record.extra["listing_text"] = "\n\n".join(text for _, text in middle)


def _apply_keywords(record: Record, draft: _Draft, issues: list[ImportIssue]) -> None:
    for line in draft.keywords:
        text = line.text
        if text[:9].lower() == "keywords:":
            text = text.split(":", 1)[1]
        if not _ALNUM.search(text) or len(text) > _LONG_LINE:
            preview = shorten(clean_line(text), 40)
            issues.append(
                ImportIssue(
                    line.number,
                    f"line {line.number}: text between records ignored ({preview!r})",
                    skipped=False,
                )
            )
            continue
        record.keywords.extend(k for k in _KEYWORD_SEPARATORS.split(text) if k.strip())


def _build(draft: _Draft, *, last: bool, footer_after: bool) -> Parsed:
    """Turn a draft into a record, or into an issue when nothing identifies it."""
    issues: list[ImportIssue] = []
    label = draft.content_type
    record = Record(
        type=_CONTENT_TYPES.get(fold(label), "other"),
        type_detail=label,
        title=" ".join(draft.title_lines),
    )
    if label:
        record.extra["content_type"] = label
    where = f"record at line {draft.start}" + (f" ({label!r})" if label else "")
    if draft.date_line is not None:
        value = _PUBLICATION_DATE.match(draft.date_line.text)
        raw_date = value.group("value").strip() if value else ""
        record.date, record.year = _parse_date(raw_date)
        if not raw_date:
            number = draft.date_line.number
            issues.append(
                ImportIssue(number, f"line {number}: 'Publication date:' has no date", False)
            )
        elif not record.date:
            found = _YEAR.search(raw_date)
            record.date = found.group(1) if found else ""
            record.extra["publication_date"] = raw_date
            issues.append(
                ImportIssue(
                    draft.date_line.number,
                    f"line {draft.date_line.number}: publication date {raw_date!r} not understood",
                    skipped=False,
                )
            )
    _apply_head(record, draft, issues)
    record.abstract = _abstract_sections(draft.abstract)
    if "abstract" in draft.blocks and not record.abstract:
        issues.append(
            ImportIssue(
                draft.abstract_line,
                f"line {draft.abstract_line}: 'Abstract' heading has no text after it",
                skipped=False,
            )
        )
    _apply_details(record, draft)
    if record.type_detail == "" and label:
        record.type_detail = label
    _apply_keywords(record, draft, issues)
    if draft.date_line is None:
        if not record.abstract:
            issues.append(
                ImportIssue(
                    draft.start,
                    f"{where} has no 'Publication date:' line and no abstract; skipped",
                )
            )
            return Parsed(draft.start, None, issues)
        issues.append(
            ImportIssue(draft.start, f"{where} has no 'Publication date:' line", skipped=False)
        )
    if not (record.title or record.teaser or record.abstract or record.doi):
        issues.append(
            ImportIssue(
                draft.start,
                f"{where} has no title, teaser or abstract (the page may be cut off); skipped",
            )
        )
        return Parsed(draft.start, None, issues)
    if last and not footer_after and not draft.blocks & {"details", "keywords"}:
        issues.append(
            ImportIssue(
                draft.start,
                f"{where} ends without Details or a page footer; the page may be cut off",
                skipped=False,
            )
        )
    return Parsed(draft.start, record, issues)


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
        draft = _Draft(start=lines[start].number)
        if start < date_index:
            draft.content_type = lines[start].text
            draft.title_lines = [
                line.text for line in lines[start + 1 : date_index] if line.kind != "blank"
            ]
        draft.date_line = lines[date_index]
        _fill_body(draft, lines[date_index + 1 : cut])
        is_last = n + 1 == len(starts) and cut == end
        footer = any(line.kind == "page" for line in lines[date_index + 1 : end])
        yield _build(draft, last=is_last, footer_after=footer)
        if cut < end:
            yield from _orphans(lines, cut, end)


def _orphans(lines: list[_Line], begin: int, end: int) -> Iterator[Parsed]:
    """Read blocks that start at a content-type line but have no publication date."""
    while begin < end:
        cut = _orphan_cut(lines, begin + 1, end)
        draft = _Draft(start=lines[begin].number, content_type=lines[begin].text)
        _fill_body(draft, lines[begin + 1 : cut])
        footer = any(line.kind == "page" for line in lines[begin + 1 : end])
        yield _build(draft, last=False, footer_after=footer)
        begin = cut


def _leading_text(lines: list[_Line], first_start: int) -> Iterator[Parsed]:
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
