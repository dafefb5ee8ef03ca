"""ProQuest plain-text exports ("Report Information from ProQuest").

The export opens with a report header and a table of contents, then one block
per document between lines of underscores:

    Document 1 of 100

    Entrenchment and the Kripke-Wittgenstein paradox      <- display title
    Author: Dorst, Chris
    http://search.proquest.com/docview/1548716365          <- document link
    Abstract: Surprisingly little attention ...
    Links: ...
    Title: Entrenchment and the Kripke-Wittgenstein paradox
    Publication year: 2014
    ...

Fields are "Label: value" paragraphs separated by blank lines; a paragraph without
a known label continues the field before it (multi-paragraph abstracts, second
links). Labels are matched against ProQuest's own vocabulary so that an abstract
paragraph beginning "Methods:" is not taken for a field. A trailing
"Bibliography" section repeats the documents in another citation style and is
ignored. Gaps in the "Document N of M" numbering are reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from peerlit_tui.authors import parse_name, split_author_list
from peerlit_tui.importers.base import FileFormatError, Format, Parsed, SourceFile
from peerlit_tui.importers.tagged_fields import combine_dates, split_serials, unique
from peerlit_tui.model import Author, ImportIssue, Record
from peerlit_tui.sections import split_abstract

_SNIFF_CHARS = 20_000
_DOCUMENT = re.compile(r"^Document (\d+) of (\d+)[ \t]*$", re.MULTILINE)
_SEPARATOR = re.compile(r"^_{10,}[ \t]*$", re.MULTILINE)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_LABEL = re.compile(r"([A-Za-z][A-Za-z0-9 /&(),.'-]{0,50}?):(?:[ \t]+|\n|$)")

#: ProQuest field labels (lower case) recognised anywhere, even inside prose fields.
_KNOWN_LABELS = frozenset(
    label.strip()
    for label in """title|author|authors|editor|publication title|publication info|publication year|
    publication date|year|volume|issue|pages|first page|last page|number of pages|publisher|
    place of publication|country of publication|publication subject|issn|e-issn|isbn|e-isbn|
    doi|source type|language|language of publication|document type|document feature|
    proquest document id|document url|copyright|last updated|database|abstract|
    abstract (english)|translated abstract|links|full text|subject|subjects|mesh subject|
    major subject|minor subject|identifier / keyword|keywords|location|company / organization|
    people|classification|advisor|committee member|degree|degree date|department|
    dissertation/thesis number|school code|source|university location|
    university/institution|section|accession number|update|publication note|
    source attribution|conference title|conference date|conference location|notes|
    supplement|sponsor|methodology|population|age group|tests & measures|
    grant information|corporate author|series|credit|illustration|dateline|coden|
    journal abbreviation|contact us at|citation style""".replace("\n", "").split("|")
)
# Fields whose text may contain "Word: ..." paragraphs of its own.
_PROSE_FIELDS = frozenset({"abstract", "abstract (english)", "translated abstract", "full text"})

#: Document/source types (lower case, substring) mapped to record types, in order.
_TYPES: tuple[tuple[str, str], ...] = (
    ("dissertation", "thesis"),
    ("thesis", "thesis"),
    ("literature review", "review"),
    ("systematic review", "review"),
    ("review", "review"),
    ("case study", "case study"),
    ("conference", "conference paper"),
    ("book chapter", "chapter"),
    ("chapter", "chapter"),
    ("book", "book"),
    ("report", "report"),
    ("working paper", "report"),
    ("dataset", "dataset"),
    ("journal article", "article"),
    ("article", "article"),
    ("scholarly journals", "article"),
    ("trade journals", "article"),
    ("magazines", "article"),
    ("newspapers", "article"),
)


def sniff(source: SourceFile) -> float:
    """Score how likely the text is a ProQuest plain-text export."""
    head = source.text[:_SNIFF_CHARS]
    if "Report Information from ProQuest" in head:
        return 0.95
    if _DOCUMENT.search(head) and (
        "ProQuest document ID:" in head or ("Source type:" in head and "Document type:" in head)
    ):
        return 0.85
    return 0.0


def _authors(text: str) -> list[Author]:
    """ProQuest writes "Surname, Given; Surname, Given" (or a single inverted name)."""
    text = " ".join(text.split())
    if ";" in text:
        return [a for a in (parse_name(part) for part in text.split(";")) if a.name]
    pieces = [p.strip() for p in text.split(",") if p.strip()]
    if len(pieces) >= 4 and len(pieces) % 2 == 0 and all(len(p.split()) <= 3 for p in pieces):
        # "Kotzen, Matt, Roberts, John": inverted names joined by commas.
        pairs = [f"{pieces[i]}, {pieces[i + 1]}" for i in range(0, len(pieces), 2)]
        return [parse_name(pair) for pair in pairs]
    return split_author_list(text)


def _terms(text: str) -> list[str]:
    text = " ".join(text.split())
    separator = ";" if ";" in text else ","
    return [t.strip() for t in text.split(separator) if t.strip()]


def _record_type(*labels: str) -> str:
    for label in labels:
        folded = label.lower()
        if not folded:
            continue
        for needle, kind in _TYPES:
            if needle in folded:
                return kind
    return "other"


def _fields(block: str) -> tuple[dict[str, str], list[str]]:
    """Split a document block into labelled fields and the unlabelled lead paragraphs."""
    fields: dict[str, str] = {}
    lead: list[str] = []
    current = ""
    for paragraph in _PARAGRAPH_BREAK.split(block):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        match = _LABEL.match(paragraph)
        label = match.group(1).strip().lower() if match else ""
        if match and (label in _KNOWN_LABELS or (current and current not in _PROSE_FIELDS)):
            current = label
            value = paragraph[match.end() :].strip()
            fields[label] = f"{fields[label]}\n\n{value}" if label in fields else value
        elif current and not (paragraph.startswith("http") and current != "links"):
            fields[current] = f"{fields[current]}\n\n{paragraph}"
        else:
            lead.append(paragraph)
    return fields, lead


def _to_record(fields: dict[str, str], lead: list[str]) -> Record:
    """Map one document's fields onto a `Record`."""
    get = fields.get
    document_type = get("document type", "")
    record = Record(
        type=_record_type(document_type, get("source type", "")),
        type_detail=document_type or get("source type", ""),
    )
    links = [p for p in lead if p.startswith("http")]
    titles = [p for p in lead if not p.startswith("http")]
    record.title = get("title") or (titles[0] if titles else "")
    record.authors = _authors(get("author") or get("authors") or "")
    record.journal = get("publication title", "")
    year_text = get("publication year") or get("year") or get("degree date") or ""
    record.date, record.year = combine_dates(year_text, get("publication date", ""))
    record.volume = get("volume", "")
    record.issue = get("issue", "")
    record.pages = get("pages") or get("first page") or ""
    issns, isbns = split_serials(
        [get("issn", ""), get("e-issn", ""), get("isbn", ""), get("e-isbn", "")]
    )
    record.issn, record.isbn = ", ".join(issns), ", ".join(isbns)
    record.doi = get("doi", "")
    record.url = get("document url") or (links[0] if links else "")
    keywords = _terms(get("identifier / keyword", "")) + _terms(get("subject", ""))
    keywords += _terms(get("mesh subject", ""))
    record.keywords = unique(keywords)
    record.language = get("language of publication") or get("language") or ""
    record.abstract = split_abstract(get("abstract") or get("abstract (english)") or "")
    record.publisher = get("publisher") or get("university/institution") or ""
    for label, key in (
        ("proquest document id", "accession"),
        ("database", "database"),
        ("degree", "degree"),
        ("publication info", "publication_info"),
    ):
        if get(label):
            record.extra[key] = fields[label]
    return record


def parse(source: SourceFile) -> Iterator[Parsed]:
    """Yield one `Parsed` per ProQuest document, in file order."""
    text = source.text
    headers = list(_DOCUMENT.finditer(text))
    if not headers:
        raise FileFormatError("no 'Document N of M' lines: not a ProQuest text export")
    separators = [m.start() for m in _SEPARATOR.finditer(text)]
    line, counted = 1, 0
    expected = 1
    separator_index = 0
    for n, header in enumerate(headers):
        line += text.count("\n", counted, header.start())
        counted = header.start()
        number, total = int(header.group(1)), int(header.group(2))
        issues: list[ImportIssue] = []
        if number > expected:
            missing = f"{expected}" if number == expected + 1 else f"{expected} to {number - 1}"
            message = f"line {line}: document {missing} of {total} missing before document {number}"
            issues.append(ImportIssue(line, message, False))
        expected = number + 1
        end = headers[n + 1].start() if n + 1 < len(headers) else len(text)
        while separator_index < len(separators) and separators[separator_index] < header.end():
            separator_index += 1
        if separator_index < len(separators):
            end = min(end, separators[separator_index])
        fields, lead = _fields(text[header.end() : end])
        if not fields:
            message = f"document {number} at line {line} has no 'Label: value' fields; skipped"
            yield Parsed(line, None, [*issues, ImportIssue(line, message)])
            continue
        yield Parsed(line, _to_record(fields, lead), issues)
    last_total = int(headers[-1].group(2))
    if expected <= last_total:
        line += text.count("\n", counted)
        message = f"the file ends after document {expected - 1} of {last_total}"
        yield Parsed(line, None, [ImportIssue(line, message, False)])


FORMAT = Format(
    name="proquest",
    label="ProQuest",
    extensions=("txt",),
    sniff=sniff,
    parse=parse,
    database="ProQuest",
)
