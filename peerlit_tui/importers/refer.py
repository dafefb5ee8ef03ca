"""EndNote tagged / Refer exports (`.enw`): "%0 Journal Article", "%A Smith, J.", "%T …".

Each line is "%" and one character naming the field, a space and the value; a
line without a tag continues the value before it. A record starts at its `%0`
(reference type) line; files without `%0` lines are split at blank lines. Fields
read: %A authors (one per line), %E editors, %T title, %J or %B journal/book,
%D year, %8 date, %V volume, %N issue, %P pages, %R DOI, %X abstract, %K keywords
(one per line, or "a; b; c"), %U URL, %@ ISSN/ISBN, %I publisher, %G language,
%M accession number, %Z notes, %9 type of work, %F label.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from peerlit_tui.authors import names_to_authors
from peerlit_tui.importers.base import Format, Parsed, SourceFile
from peerlit_tui.importers.endnote_xml import REF_TYPES
from peerlit_tui.importers.tagged_fields import combine_dates, find_doi, split_serials, unique
from peerlit_tui.model import ImportIssue, Record
from peerlit_tui.sections import split_abstract
from peerlit_tui.text import shorten

_TAG_LINE = re.compile(r"^%([0-9A-Za-z@!#$&()*+^~>\]|?]) ?(.*)$")
_SNIFF_TYPE = re.compile(r"^%0 \S", re.MULTILINE)
_SNIFF_FIELD = re.compile(r"^%[ATDJK] \S", re.MULTILINE)
_KEYWORD_SPLIT = re.compile(r"\s*[;\n]\s*")
# Extra fields kept by name.
_EXTRA = {"M": "accession", "Z": "notes", "9": "work_type", "F": "label", "C": "place"}


def sniff(source: SourceFile) -> float:
    """Score a text as Refer / EndNote tagged: "%0 Type" lines and "%A"/"%T" fields."""
    head = source.text[:20_000].lstrip("\ufeff \n")
    if not head.startswith("%"):
        return 0.0
    types, fields = len(_SNIFF_TYPE.findall(head)), len(_SNIFF_FIELD.findall(head))
    if types and fields:
        return 0.9
    return 0.6 if fields >= 3 else 0.0


def _to_record(fields: dict[str, list[str]]) -> Record:
    def first(*tags: str) -> str:
        for tag in tags:
            for value in fields.get(tag, ()):
                if value:
                    return value
        return ""

    type_name = first("0")
    record = Record(type=REF_TYPES.get(type_name.lower(), "other"), type_detail=type_name)
    record.title = first("T")
    record.journal = first("J", "B")
    record.authors = names_to_authors(fields.get("A", []) or fields.get("E", []))
    if fields.get("A") and fields.get("E"):
        record.extra["editor"] = "; ".join(fields["E"])
    record.date, record.year = combine_dates(first("D"), first("8"))
    record.volume, record.issue, record.pages = first("V"), first("N"), first("P")
    issns, isbns = split_serials(fields.get("@", []))
    record.issn, record.isbn = ", ".join(issns), ", ".join(isbns)
    urls = fields.get("U", [])
    record.doi = find_doi([first("R")]) or first("R") or find_doi(urls)
    record.url = urls[0].split()[0] if urls else ""
    keywords = [k for value in fields.get("K", []) for k in _KEYWORD_SPLIT.split(value)]
    record.keywords = unique(k for k in keywords if k)
    record.abstract = split_abstract(first("X"))
    record.publisher, record.language = first("I"), first("G")
    for tag, name in _EXTRA.items():
        values = [v for v in fields.get(tag, ()) if v]
        if values:
            record.extra[name] = "\n\n".join(values)
    return record


def _read_block(lines: list[str], first_line: int) -> Parsed | None:
    fields: dict[str, list[str]] = {}
    issues: list[ImportIssue] = []
    current: list[str] | None = None
    for offset, line in enumerate(lines):
        tagged = _TAG_LINE.match(line)
        if tagged:
            tag, value = tagged.groups()
            current = fields.setdefault(tag, [])
            current.append(value.strip())
        elif current is not None and line.strip():
            # Keywords and authors are one per line; other values wrap.
            current[-1] = f"{current[-1]}\n{line.strip()}" if current[-1] else line.strip()
        elif line.strip():
            number = first_line + offset
            message = f"line {number}: not a %-tagged line, ignored: {shorten(line.strip(), 60)!r}"
            issues.append(ImportIssue(number, message, False))
    if not fields:
        return Parsed(first_line, None, issues) if issues else None
    return Parsed(first_line, _to_record(fields), issues)


def _blocks(text: str) -> Iterator[tuple[int, list[str]]]:
    lines = text.split("\n")
    has_types = any(line.startswith("%0 ") for line in lines)
    start, block = 1, list[str]()
    for number, line in enumerate(lines, 1):
        boundary = line.startswith("%0 ") if has_types else not line.strip()
        if boundary and any(b.strip() for b in block):
            yield start, block
            block = []
        if not block:
            start = number
        if line.strip() or block:
            block.append(line)
    if any(b.strip() for b in block):
        yield start, block


def parse(source: SourceFile) -> Iterator[Parsed]:
    """Yield one `Parsed` per record, in file order."""
    text = source.text.lstrip("\ufeff")
    for first_line, lines in _blocks(text):
        while lines and not lines[0].strip():
            lines.pop(0)
            first_line += 1
        parsed = _read_block(lines, first_line)
        if parsed is not None:
            yield parsed


FORMAT = Format(
    name="refer",
    label="EndNote tagged / Refer",
    extensions=("enw", "refer", "txt"),
    sniff=sniff,
    parse=parse,
    database="",
)
