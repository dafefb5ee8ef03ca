"""Ovid plain-text exports (MEDLINE, Embase, PsycINFO, ERIC): "<1>" records of field blocks.

Ovid's "Export → Text" writes a header (database, search strategy), then each
record as a number in angle brackets on a line of its own ("<1>") followed by
field blocks: a field name at the start of a line ("Title", "Authors Full Name",
"Year of Publication") and its values on the following lines, indented. A field
with several values (authors, subject headings) has one value per line.

The field names differ a little between databases; `_FIELDS` maps the ones met
in MEDLINE, Embase, APA PsycInfo and ERIC exports onto record fields. Fields
peerlit has no place for are kept in `extra` when short.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from peerlit_tui.authors import names_to_authors
from peerlit_tui.importers.base import Format, Parsed, SourceFile
from peerlit_tui.importers.cell_values import record_type
from peerlit_tui.importers.medline import language_name
from peerlit_tui.importers.tagged_fields import combine_dates, find_doi, split_serials, unique
from peerlit_tui.model import Record
from peerlit_tui.sections import split_abstract
from peerlit_tui.text import match_key

_RECORD_START = re.compile(r"^<(\d+)\.?\s*>\s*$", re.MULTILINE)
# The tagged variant (Ovid's "Citavi" / "Reprint/Medlars" export): "TI  - value".
_TAGGED = re.compile(r"^([A-Z][A-Z0-9]{1,3}) {0,3}- ?(.*)$")
#: Ovid field tags -> the field names (reduced) of the labelled export.
_TAG_NAMES = {
    "TI": "title", "AU": "authors", "FA": "authorsfullname", "SO": "source",
    "JN": "journalname", "YR": "yearofpublication", "DP": "dateofpublication",
    "DO": "digitalobjectidentifier", "AB": "abstract", "MH": "keywordheading",
    "KW": "keywords", "ID": "keywords", "IS": "issn", "IB": "isbn", "LG": "language",
    "PT": "publicationtype", "UI": "uniqueidentifier", "AN": "accessionnumber",
    "VO": "volume", "IP": "issue", "PG": "page", "PB": "publisher", "UR": "url",
    "XL": "url", "DB": "database",
}  # fmt: skip
_SNIFF_TAGGED = re.compile(r"^(?:VN  - Ovid|DB  - |UI  - |YR  - )", re.MULTILINE)
_DATABASE = re.compile(r"^Database:\s*(.+?)\s*(?:<.*)?$", re.MULTILINE)
# "Journal of X. 12(3):100-110, 2019 Mar." -> volume, issue, pages.
_SOURCE_PARTS = re.compile(r"(?:Vol\.\s*)?(\d+)\s*(?:\(([^)]+)\))?\s*(?::|pp?\.\s*)\s*([\w-]+)")
_VOLUME_ISSUE = re.compile(r"\.\s+(\d+)\s*\(([^)]+)\)")
_EXTRA_LIMIT = 300
# "Holstiege, Jakob 1": the affiliation numbers after a name.
_AFFILIATION_REFS = re.compile(r"\s+\d+(?:\s*,\s*\d+)*$")
# Fields whose values Ovid may put on one line separated by ";".
_LISTS = frozenset({"authors", "authors_full", "keywords"})

#: Ovid field names (reduced by `match_key`) -> record field, best first per field.
_FIELDS: dict[str, str] = {
    "title": "title", "originaltitle": "title_original",
    "authorsfullname": "authors_full", "authors": "authors", "author": "authors",
    "journalname": "journal", "journaltitle": "journal", "source": "source",
    "yearofpublication": "year", "publicationyear": "year", "year": "year",
    "dateofpublication": "date", "publicationdate": "date",
    "digitalobjectidentifier": "doi", "doi": "doi", "doinumber": "doi",
    "abstract": "abstract",
    "keywordheading": "keywords", "keywords": "keywords", "authorkeywords": "keywords",
    "meshsubjectheadings": "keywords", "subjectheadings": "keywords",
    "emtreeheadings": "keywords", "emtreeheading": "keywords", "descriptors": "keywords",
    "majorsubjectheadings": "keywords",
    "issn": "serial", "issnprint": "serial", "issnelectronic": "serial", "isbn": "serial",
    "volume": "volume", "issue": "issue", "page": "pages", "pages": "pages",
    "pagination": "pages", "language": "language", "publicationtype": "type",
    "documenttype": "type",
    "uniqueidentifier": "pmid", "pubmedid": "pmid", "accessionnumber": "accession",
    "publisher": "publisher", "url": "url", "linktotheovidfulltextorcitation": "ovid_link",
    "database": "database",
}  # fmt: skip


def sniff(source: SourceFile) -> float:
    """Score a text as an Ovid text export: "<1>" lines followed by known field names."""
    head = source.text[:20_000]
    start = _RECORD_START.search(head)
    if start is None:
        return 0.0
    names = [
        line for line in head[start.end() :].split("\n")[:60] if line and not line[0].isspace()
    ]
    known = sum(1 for line in names if match_key(line) in _FIELDS)
    if known < 2:
        known = len(_SNIFF_TAGGED.findall(head[start.end() : start.end() + 5000]))
    return 0.9 if known >= 2 else 0.0


def _fields(lines: list[str]) -> dict[str, list[str]]:
    """Field name (reduced) -> values, one per indented line; wrapped abstracts are joined."""
    fields: dict[str, list[str]] = {}
    current: list[str] | None = None
    name = ""
    tagged = False
    for line in lines:
        if not line.strip():
            continue
        found = _TAGGED.match(line) if not line[0].isspace() else None
        if found and (tagged or found.group(1) in _TAG_NAMES or not fields):
            # Tagged lines: "TI  - value", continuation lines indented.
            tagged = True
            name = _TAG_NAMES.get(found.group(1), found.group(1).lower())
            current = fields.setdefault(name, [])
            current.append(found.group(2).strip())
            continue
        if tagged and current:
            current[-1] = f"{current[-1]} {line.strip()}".strip()
            continue
        if not line[0].isspace():
            name = match_key(line)
            current = fields.setdefault(name, [])
            continue
        if current is not None:
            current.append(line.strip())
    if "abstract" in fields:
        fields["abstract"] = [" ".join(fields["abstract"])]
    if "title" in fields:
        fields["title"] = [" ".join(fields["title"])]
    return fields


def _source_parts(record: Record, source: str) -> None:
    """Fill volume, issue and pages from an Ovid "Source" citation when they are missing."""
    found = _SOURCE_PARTS.search(source)
    if found:
        record.volume = record.volume or found.group(1)
        record.issue = record.issue or (found.group(2) or "")
        record.pages = record.pages or found.group(3)
    else:
        # "Nature Communications. 15(1) (no pagination), 2024.": volume and issue only.
        volume_issue = _VOLUME_ISSUE.search(source)
        if volume_issue:
            record.volume = record.volume or volume_issue.group(1)
            record.issue = record.issue or volume_issue.group(2)
    if not record.journal:
        record.journal = source.split(".")[0].strip()


def _to_record(fields: dict[str, list[str]], database: str) -> Record:
    by_field: dict[str, list[str]] = {}
    extra: dict[str, str] = {}
    for name, values in fields.items():
        target = _FIELDS.get(name)
        if target in _LISTS:
            items = [i.strip() for v in values for i in v.split(";")]
            by_field.setdefault(target, []).extend(
                i.rstrip(".") if target == "keywords" else i for i in items if i
            )
        elif target:
            by_field.setdefault(target, []).extend(
                v.rstrip(".") if target == "language" else v for v in values if v
            )
        elif values and len("; ".join(values)) <= _EXTRA_LIMIT:
            extra[name] = "; ".join(values)

    def first(name: str) -> str:
        values = by_field.get(name, [])
        return values[0] if values else ""

    database = first("database") or database
    record = Record(title=first("title") or first("title_original"))
    names = by_field.get("authors_full") or by_field.get("authors", [])
    record.authors = names_to_authors([_AFFILIATION_REFS.sub("", n) for n in names])
    record.journal = first("journal")
    record.volume, record.issue, record.pages = first("volume"), first("issue"), first("pages")
    source = first("source")
    if source:
        _source_parts(record, source)
    record.date, record.year = combine_dates(first("year") or first("date"), first("date"))
    if record.year is None and source:
        record.date, record.year = combine_dates(source)
    doi_values = by_field.get("doi", [])
    record.doi = find_doi(doi_values) or (doi_values[0] if doi_values else "")
    record.abstract = split_abstract(first("abstract"))
    record.keywords = unique(
        k.lstrip("*").split("/")[0].strip() for k in by_field.get("keywords", [])
    )
    issns, isbns = split_serials(by_field.get("serial", []))
    record.issn, record.isbn = ", ".join(issns), ", ".join(isbns)
    record.language = language_name(first("language"))
    record.publisher, record.url = first("publisher"), first("url") or first("ovid_link")
    type_label = first("type")
    if type_label:
        # "Review:  PDF Only.", "Journal: Article": the kind comes before the colon.
        record.type_detail, record.type = type_label, record_type(type_label.split(":")[0])
    if first("pmid") and database and "medline" not in database.lower():
        # Outside MEDLINE, Ovid's unique identifier is the database's own accession number.
        by_field.setdefault("accession", []).insert(0, by_field.pop("pmid")[0])
    extra.pop("vn", None)  # "Ovid Technologies" on every record
    for name in ("pmid", "accession"):
        if first(name):
            record.extra[name] = first(name)
    if database:
        record.extra["database"] = database
    record.extra.update({k: v for k, v in extra.items() if k not in record.extra})
    return record


def parse(source: SourceFile) -> Iterator[Parsed]:
    """Yield one `Parsed` per "<n>" record; the header before the first is passed over."""
    text = source.text.lstrip("\ufeff")
    database_line = _DATABASE.search(text[:5000])
    database = database_line.group(1) if database_line else "Ovid"
    starts = list(_RECORD_START.finditer(text))
    line, counted = 1, 0
    for n, start in enumerate(starts):
        end = starts[n + 1].start() if n + 1 < len(starts) else len(text)
        line += text.count("\n", counted, start.start())
        counted = start.start()
        fields = _fields(text[start.end() : end].split("\n"))
        if fields:
            yield Parsed(line, _to_record(fields, database))


FORMAT = Format(
    name="ovid",
    label="Ovid text",
    extensions=("txt", "ovd"),
    sniff=sniff,
    parse=parse,
    database="Ovid",
)
