"""EndNote XML exports (`<xml><records><record>…`).

EndNote wraps the text of every field in `<style face=… font=… size=…>` elements,
sometimes several per field (a bold word inside a title), so field values are the
concatenated text of the whole element. The file is read with expat feeding an
ElementTree builder one record at a time, which keeps memory flat on large exports
and gives the line where each record starts. A parse error keeps the records read
before it.

Document type declarations are refused outright: EndNote never writes one, and
they are what entity-expansion attacks ("billion laughs") and external-entity
reads need.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from peerlit_tui.authors import names_to_authors
from peerlit_tui.importers.base import FileFormatError, Format, Parsed, SourceFile
from peerlit_tui.importers.xml_records import iter_elements
from peerlit_tui.model import ImportIssue, Record
from peerlit_tui.sections import split_abstract

#: EndNote reference-type names -> record types; unknown names become "other".
REF_TYPES: dict[str, str] = {
    "journal article": "article", "electronic article": "article",
    "magazine article": "article", "newspaper article": "article",
    "book": "book", "edited book": "book", "electronic book": "book",
    "book section": "chapter", "electronic book section": "chapter",
    "conference paper": "conference paper", "conference proceedings": "conference paper",
    "report": "report", "government document": "report",
    "thesis": "thesis", "web page": "webpage", "dataset": "dataset",
    "preprint": "preprint",
}  # fmt: skip

_REFUSED = (
    "the XML declares a document type or entities, which EndNote exports never do; "
    "refused for safety"
)
_DECLARATION = re.compile(r"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_SNIFF_RECORDS = re.compile(r"<xml>\s*<records>|<records>\s*<record>")
_SNIFF_ENDNOTE = re.compile(r"<ref-type\b|<source-app\b[^>]*EndNote|<rec-number>")
_ISSN = re.compile(r"^\d{4}-?\d{3}[\dXx]$")
_SEPARATORS = re.compile(r"\s*[;,\n\r]\s*|\s+(?=\d{4}-?\d{3}[\dXx]\b)")
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_KEYWORD_SPLIT = re.compile(r"\s*[;\n\r]\s*")
_NUMERIC_DATE = re.compile(r"(\d{4})[/-](\d{1,2})(?:[/-](\d{1,2}))?")
_MONTH_WORD = re.compile(r"\b([A-Za-z]{3})[a-z]*\.?(?:\s+(\d{1,2})\b)?")

# Plain fields kept in `extra`: element path -> name.
_EXTRA = (
    ("accession-num", "accession"), ("notes", "note"), ("research-notes", "research_notes"),
    ("label", "label"), ("work-type", "work_type"), ("remote-database-name", "database"),
    ("remote-database-provider", "database_provider"), ("pub-location", "publisher_place"),
    ("rec-number", "rec_number"), ("call-num", "call_number"), ("edition", "edition"),
    ("section", "section"), ("custom1", "custom1"), ("custom2", "custom2"),
    ("custom3", "custom3"), ("custom4", "custom4"), ("custom5", "custom5"),
    ("custom6", "custom6"), ("custom7", "custom7"),
)  # fmt: skip


def sniff(source: SourceFile) -> float:
    """Score how likely the file is an EndNote XML export.

    Args:
        source: The loaded file.

    Returns:
        0.95 with EndNote's own elements, 0.7 for the bare records structure, else 0.
    """
    head = source.text[:20000]
    if not head.lstrip().startswith("<") or not _SNIFF_RECORDS.search(head):
        return 0.0
    return 0.95 if _SNIFF_ENDNOTE.search(head) else 0.7


def _text(element: ET.Element | None) -> str:
    if element is None:
        return ""
    return "".join(element.itertext()).strip()


def _all(record: ET.Element, path: str) -> list[str]:
    return [t for t in (_text(e) for e in record.iterfind(path)) if t]


def _date(record: ET.Element) -> tuple[str, int | None]:
    """Year from dates/year, refined by a month (and day) in dates/pub-dates/date."""
    year_text = _text(record.find("dates/year"))
    found = _YEAR.search(year_text)
    pub_date = _text(record.find("dates/pub-dates/date"))
    if not found:
        found = _YEAR.search(pub_date)
        if not found:
            return "", None
    year = int(found.group(1))
    month = day = 0
    numeric = _NUMERIC_DATE.search(pub_date)
    if numeric and int(numeric.group(1)) == year:
        month, day = int(numeric.group(2)), int(numeric.group(3) or 0)
    else:
        word = _MONTH_WORD.search(pub_date)
        if word:
            month = _MONTHS.get(word.group(1).lower(), 0)
            day = int(word.group(2) or 0)
    if not 1 <= month <= 12:
        return f"{year:04d}", year
    if not 1 <= day <= 31:
        return f"{year:04d}-{month:02d}", year
    return f"{year:04d}-{month:02d}-{day:02d}", year


def _keywords(record: ET.Element) -> list[str]:
    """Keywords, one per `<keyword>`; one element holding "a; b; c" (or lines) is split."""
    out: list[str] = []
    for value in _all(record, "keywords/keyword"):
        out.extend(k.strip() for k in _KEYWORD_SPLIT.split(value) if k.strip())
    return out


def _identifiers(raw: str) -> tuple[str, str]:
    """Split EndNote's combined ISBN/ISSN field into (issn, isbn)."""
    parts = [p for p in _SEPARATORS.split(raw) if p]
    issn = [p for p in parts if _ISSN.match(p.split(" ")[0])]
    isbn = [p for p in parts if p not in issn]
    return ", ".join(issn), ", ".join(isbn)


def record_from_element(record: ET.Element) -> Record:
    """Build a record from one `<record>` element.

    Args:
        record: The element with its children.

    Returns:
        The record; strings are left for the import pipeline to clean.
    """
    ref_type = record.find("ref-type")
    type_name = ref_type.get("name", "") if ref_type is not None else ""
    date, year = _date(record)
    issn, isbn = _identifiers(_text(record.find("isbn")))
    doi_text = _text(record.find("electronic-resource-num"))
    urls = _all(record, "urls/related-urls/url") or _all(record, "urls/web-urls/url")
    abstract = _text(record.find("abstract"))
    extra = {name: _text(record.find(path)) for path, name in _EXTRA}
    authors = names_to_authors(_all(record, "contributors/authors/author"))
    editors = _all(record, "contributors/secondary-authors/author")
    if editors:
        extra["editor"] = "; ".join(editors)
    return Record(
        type=REF_TYPES.get(type_name.lower(), "other"),
        type_detail=type_name,
        title=_text(record.find("titles/title")),
        authors=authors,
        date=date,
        year=year,
        journal=_text(record.find("titles/secondary-title"))
        or _text(record.find("periodical/full-title")),
        volume=_text(record.find("volume")),
        issue=_text(record.find("number")),
        pages=_text(record.find("pages")),
        issn=issn,
        isbn=isbn,
        doi=doi_text.split()[0] if doi_text else "",
        url=urls[0].split()[0] if urls else "",
        keywords=_keywords(record),
        language=_text(record.find("language")),
        abstract=split_abstract(abstract) if abstract else [],
        publisher=_text(record.find("publisher")),
        extra={name: value for name, value in extra.items() if value},
    )


def _records(text: str) -> Iterator[tuple[int, ET.Element]]:
    """Each `<record>` element with its start line (see `xml_records.iter_elements`)."""
    return iter_elements(text, frozenset({"record"}), refused=_REFUSED)


def parse(source: SourceFile) -> Iterator[Parsed]:
    """Read every record of an EndNote XML export.

    Args:
        source: The loaded file.

    Yields:
        One item per `<record>`, in file order.

    Raises:
        FileFormatError: For a DOCTYPE or entity declaration, or malformed XML
            (after the records before the error were yielded).
    """
    text = source.text
    declaration = _DECLARATION.search(text)
    if declaration:
        raise FileFormatError(_REFUSED, line=text.count("\n", 0, declaration.start()) + 1)
    for line, element in _records(text):
        try:
            record = record_from_element(element)
        except Exception as exc:  # one odd record must not sink the file
            message = f"record could not be read ({type(exc).__name__}: {exc}); skipped"
            yield Parsed(line, None, [ImportIssue(line, message)])
            continue
        yield Parsed(line, record)


FORMAT = Format(
    name="endnote_xml",
    label="EndNote XML",
    extensions=("xml",),
    sniff=sniff,
    parse=parse,
    database="",
)
