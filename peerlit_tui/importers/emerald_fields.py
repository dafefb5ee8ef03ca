"""Fields of one Emerald Insight result: from its classified lines to a `Record`.

`peerlit_tui.importers.emerald` cuts a pasted results page into results and sorts
the lines of each into a `Draft` (content type, title, publication date, the
paragraphs between the date and the Abstract block, abstract lines, Details and
Keywords lines). `build_record` reads those parts: the author line and teaser, the
structured abstract, the source line ("Journal, vol. 7 no. 2, pp. 12-19"), the
labelled Details lines and the keywords, and reports what it could not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from peerlit_tui.authors import split_author_list
from peerlit_tui.importers.base import Parsed
from peerlit_tui.model import ImportIssue, Record, Section
from peerlit_tui.sections import recognise_heading, split_abstract
from peerlit_tui.text import clean_line, fold, shorten

#: Emerald content-type labels (folded) mapped to record types.
CONTENT_TYPES: dict[str, str] = {
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

#: A `Publication date:` line; `value` is the date as written.
PUBLICATION_DATE = re.compile(r"^publication date\s*:\s*(?P<value>.*)$", re.IGNORECASE)
#: An unlabelled count line ("1600", "1,600").
COUNT_LINE = re.compile(r"^\d{1,3}(?:[,\u00a0 ]?\d{3})*$")
#: A "Label: value" line such as "ISSN: 2042-8308".
LABELLED = re.compile(r"^(?P<label>[A-Za-z][A-Za-z ]{1,20}?)\s*:\s*(?P<value>.*)$")
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
_AHEAD_OF_PRINT = re.compile(r"^ahead[\s-]*of[\s-]*print$", re.IGNORECASE)
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

#: Labelled lines of the Details block and the record field each fills.
DETAIL_FIELDS = {
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
#: Lines longer than this are never keywords or type labels.
LONG_LINE = 300


@dataclass(slots=True)
class Line:
    """One stripped line with its 1-based number and its classification."""

    number: int
    text: str
    kind: str  # "blank", "page", "date", "block", "type", "text"


@dataclass(slots=True)
class Draft:
    """A record being assembled from the lines of one result."""

    start: int
    content_type: str = ""
    title_lines: list[str] = field(default_factory=list)
    date_line: Line | None = None
    head: list[list[Line]] = field(default_factory=list)
    abstract: list[str] = field(default_factory=list)
    abstract_line: int = 0
    details: list[Line] = field(default_factory=list)
    keywords: list[Line] = field(default_factory=list)
    blocks: set[str] = field(default_factory=set)


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
            record.volume = _numbering(parts.group("volume"))
            record.issue = _numbering(parts.group("issue"))
            record.pages = _normalise_pages(parts.group("pages") or "")
        return
    pages_only = _PAGES_ONLY.match(text)
    if pages_only:
        record.journal = pages_only.group("journal").strip()
        record.pages = _normalise_pages(pages_only.group("pages"))
        return
    record.journal = text


def _numbering(raw: str | None) -> str:
    """A volume or issue number; "" for Emerald's "ahead-of-print" placeholder.

    An article published online before it is assigned to an issue has
    "vol. ahead-of-print no. ahead-of-print": that says when, not which volume, and
    exported as a volume it would land in reference managers as one.
    """
    text = (raw or "").strip()
    return "" if _AHEAD_OF_PRINT.match(text) else text


def _normalise_pages(raw: str) -> str:
    return _PAGE_DASH.sub("-", raw.strip().rstrip(".,"))


def _append(current: str, value: str) -> str:
    return f"{current}, {value}" if current else value


def _apply_details(record: Record, draft: Draft) -> None:
    unlabelled: list[str] = []
    for line in draft.details:
        labelled = LABELLED.match(line.text)
        label = fold(labelled.group("label")).strip() if labelled else ""
        if labelled and label in DETAIL_FIELDS:
            target = DETAIL_FIELDS[label]
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


def _apply_head(record: Record, draft: Draft, issues: list[ImportIssue]) -> None:
    texts: list[tuple[int, str]] = []
    for paragraph in draft.head:
        text = " ".join(line.text for line in paragraph)
        number = paragraph[0].number
        if COUNT_LINE.match(text):
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


def _apply_keywords(record: Record, draft: Draft, issues: list[ImportIssue]) -> None:
    for line in draft.keywords:
        text = line.text
        if text[:9].lower() == "keywords:":
            text = text.split(":", 1)[1]
        if not _ALNUM.search(text) or len(text) > LONG_LINE:
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


def build_record(draft: Draft, *, last: bool, footer_after: bool) -> Parsed:
    """Turn a draft into a record, or into an issue when nothing identifies it."""
    issues: list[ImportIssue] = []
    label = draft.content_type
    record = Record(
        type=CONTENT_TYPES.get(fold(label), "other"),
        type_detail=label,
        title=" ".join(draft.title_lines),
    )
    if label:
        record.extra["content_type"] = label
    where = f"record at line {draft.start}" + (f" ({label!r})" if label else "")
    if draft.date_line is not None:
        value = PUBLICATION_DATE.match(draft.date_line.text)
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
