"""Web of Science plain-text ("ISI tagged") exports: `FN`, `VR`, then `PT J` ... `ER`, and `EF`.

Each line is a two-character tag, a space and the value; a value continues on
lines indented by three spaces. List fields (AU, AF, CR, C1) put one item per
line; text fields (TI, AB, SO, ID) are wrapped. Records start at `PT` and end at
`ER`; the file ends with `EF`, whose absence suggests a cut-off download and is
reported. A tag glued to its value ("AUGilles, H") is read as the tag and
reported; other stray lines are reported and skipped while the record is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from peerlit_tui.authors import names_to_authors
from peerlit_tui.importers.base import Format, Parsed, SourceFile
from peerlit_tui.importers.tagged_fields import combine_dates, page_range, split_serials
from peerlit_tui.model import Author, ImportIssue, Record
from peerlit_tui.sections import split_abstract
from peerlit_tui.text import shorten

_SNIFF_CHARS = 20_000
_SNIFF_HEADER = re.compile(r"\A\s*FN [^\n]*\n\s*VR \d")
_SNIFF_RECORD = re.compile(r"^PT [A-Z]\s*$", re.MULTILINE)
_SNIFF_TAG = re.compile(r"^(?:AU|AF|TI|SO|DT|PY|UT|ER) ", re.MULTILINE)
_TAG = re.compile(r"[A-Z][A-Z0-9]")

#: Tags whose lines are separate items rather than one wrapped value.
_LIST_TAGS = frozenset({"AU", "AF", "BA", "BF", "CA", "GP", "BE", "CR", "C1", "RI", "OI", "EM"})

#: Tags that occur in Web of Science exports; a line starting with one of these
#: glued to its value is read as that tag.
_KNOWN_TAGS = frozenset(
    "FN VR PT AU AF BA BF CA GP BE TI SO SE BS LA DT CT CY CL SP HO DE ID AB C1 C3 RP EM RI "
    "OI FU FX CR NR TC Z9 U1 U2 PU PI PA SN EI BN J9 JI PD PY VL IS SI PN SU MA BP EP AR DI "
    "D2 EA EY PG P2 WC WE SC GA PM UT OA HP HC DA ER EF".split()
)

#: Document types (folded) mapped to record types, checked in order.
_DOCUMENT_TYPES: tuple[tuple[str, str], ...] = (
    ("review", "review"),
    ("proceedings paper", "conference paper"),
    ("meeting abstract", "conference paper"),
    ("book chapter", "chapter"),
    ("data paper", "dataset"),
    ("book", "book"),
)
_PUBLICATION_TYPES = {"J": "article", "B": "book", "S": "book", "C": "conference paper"}


def sniff(source: SourceFile) -> float:
    """Score how likely the text is a Web of Science tagged export."""
    head = source.text[:_SNIFF_CHARS].lstrip("\ufeff")
    if _SNIFF_HEADER.match(head):
        return 0.95
    if _SNIFF_RECORD.search(head) and len(_SNIFF_TAG.findall(head)) >= 4:
        return 0.85
    return 0.0


def _record_type(document_type: str, publication_type: str) -> str:
    folded = document_type.lower()
    for label, kind in _DOCUMENT_TYPES:
        if label in folded:
            return kind
    return _PUBLICATION_TYPES.get(publication_type.upper(), "other")


def _split_terms(text: str) -> list[str]:
    return [term.strip() for term in text.split(";") if term.strip()]


def _to_record(fields: dict[str, list[str]]) -> Record:
    """Map one record (tag -> lines) onto a `Record`."""

    def joined(tag: str) -> str:
        return " ".join(fields.get(tag, ())).strip()

    def first(tag: str) -> str:
        values = fields.get(tag)
        return values[0] if values else ""

    document_type = joined("DT")
    record = Record(
        type=_record_type(document_type, first("PT")),
        type_detail=document_type or first("PT"),
    )
    record.title = joined("TI")
    record.journal = joined("SO") or joined("SE")
    record.authors = names_to_authors(fields.get("AF") or fields.get("AU") or [])
    for group in fields.get("CA", []) + fields.get("GP", []):
        record.authors.append(Author(name=group, family=group))
    record.date, record.year = combine_dates(first("PY") or first("EY"), first("PD"))
    record.volume = first("VL")
    record.issue = first("IS")
    record.pages = page_range(first("BP"), first("EP")) or first("AR")
    issns, isbns = split_serials(fields.get("SN", []) + fields.get("EI", []) + fields.get("BN", []))
    record.issn, record.isbn = ", ".join(issns), ", ".join(isbns)
    record.doi = first("DI") or first("D2")
    record.keywords = _split_terms(joined("DE")) + _split_terms(joined("ID"))
    record.language = first("LA")
    record.abstract = split_abstract(joined("AB"))
    record.publisher = joined("PU")
    extra = record.extra
    for tag, key in (("UT", "accession"), ("PM", "pmid"), ("TC", "times_cited")):
        value = first(tag)
        if value:
            extra[key] = value
    return record


def _split_tag(line: str, number: int) -> tuple[str, str, ImportIssue | None]:
    """Split a non-continuation line into (tag, value, warning); tag "" for a stray line."""
    tag = line[:2]
    if line[2:3] in (" ", "") and _TAG.fullmatch(tag):
        return tag, line[3:].strip(), None
    if tag in _KNOWN_TAGS:
        message = f"line {number}: tag {tag} not followed by a space; read as {tag}"
        return tag, line[2:].strip(), ImportIssue(number, message, False)
    shown = shorten(line.strip(), 60)
    return (
        "",
        "",
        ImportIssue(number, f"line {number}: not a tagged line, ignored: {shown!r}", False),
    )


def _records(lines: list[str]) -> Iterator[Parsed]:
    """Yield a `Parsed` per record, then any file-level warning."""
    fields: dict[str, list[str]] | None = None  # None while between records
    issues: list[ImportIssue] = []
    start = 0
    current: list[str] = []
    current_is_list = False
    saw_header = saw_end_of_file = orphan_reported = False
    for index, line in enumerate(lines):
        if line[:3] == "   ":
            if fields is not None and current:
                value = line[3:].strip()
                if current_is_list:
                    current.append(value)
                else:
                    current[-1] = f"{current[-1]} {value}"
            continue
        if not line.strip():
            continue
        number = index + 1
        tag, value, warning = _split_tag(line, number)
        if fields is None:
            # Between records: FN/VR header, EF trailer, or a record that lost its PT.
            if tag == "PT":
                fields, issues, start, orphan_reported = {}, [], number, False
                if warning:
                    issues.append(warning)
                current, current_is_list = fields.setdefault(tag, []), False
                current.append(value)
            elif tag == "EF":
                saw_end_of_file = True
            elif tag == "FN":
                saw_header = True
            elif tag not in ("FN", "VR", "ER") and not orphan_reported:
                orphan_reported = True
                message = (
                    f"line {number}: tagged lines outside any record "
                    "(no PT line opens them) were skipped"
                )
                yield Parsed(number, None, [ImportIssue(number, message)])
            continue
        if warning:
            issues.append(warning)
        if tag in ("ER", "EF", "PT"):
            if tag != "ER":
                message = f"record starting at line {start} has no ER line before line {number}"
                issues.append(ImportIssue(start, message, False))
            yield Parsed(start, _to_record(fields), issues)
            fields, issues = None, []
            saw_end_of_file = tag == "EF"
            if tag == "PT":
                fields, start = {}, number
                current, current_is_list = fields.setdefault(tag, []), False
                current.append(value)
            continue
        if tag:
            current, current_is_list = fields.setdefault(tag, []), tag in _LIST_TAGS
            current.append(value)
    if fields is not None:
        message = f"record starting at line {start} is cut off: the file ends before its ER"
        issues.append(ImportIssue(start, message, False))
        yield Parsed(start, _to_record(fields), issues)
    if saw_header and not saw_end_of_file:
        # A full export (FN header) always ends with EF; a bare snippet need not.
        number = len(lines)
        while number > 1 and not lines[number - 1].strip():
            number -= 1
        message = "the file does not end with EF, so the export may be incomplete"
        yield Parsed(number, None, [ImportIssue(number, message, False)])


def parse(source: SourceFile) -> Iterator[Parsed]:
    """Yield one `Parsed` per Web of Science record, in file order."""
    text = source.text.replace("\ufeff", "") if "\ufeff" in source.text else source.text
    yield from _records(text.split("\n"))


FORMAT = Format(
    name="wos",
    label="Web of Science",
    extensions=("txt", "isi", "ciw"),
    sniff=sniff,
    parse=parse,
    database="Web of Science",
)
