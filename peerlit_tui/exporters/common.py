"""Field helpers shared by the exporters: names, pages, dates, abstracts, record types.

Every exporter writes the same record the same way where formats allow it, so a
record exported to any format and imported again gets back the fields its id is
made of (title, first author's surname, year, DOI) and its abstract sections.
"""

from __future__ import annotations

import re

from peerlit_tui.authors import parse_name
from peerlit_tui.model import Author, Record

_PAGE_RANGE = re.compile(r"^\s*([^-–—\s]+)\s*[-–—]+\s*([^-–—\s]+)\s*$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def author_text(author: Author) -> str:
    """An author's name as text that peerlit's importers split back into the same surname.

    The name is written as the source gave it when reading it again yields the same
    surname and given names ("Benjamin Thomas Gray"); otherwise as "Family, Given",
    the order every importer reads without guessing. A name with no given part
    (an organisation) is written as it is.

    Args:
        author: The author.

    Returns:
        The name to write.
    """
    name = author.name or author.family
    if not author.given:
        return name
    if author.inverted and name == f"{author.family}, {author.given}":
        return name  # "Family, Given" reads back as written, without parsing it again
    again = parse_name(name)
    if again.family == author.family and again.given == author.given:
        return name
    return f"{author.family}, {author.given}"


def page_parts(pages: str) -> tuple[str, str]:
    """Split a page range into (first, last); a single page or article number is (it, "").

    Args:
        pages: "12-19", "12–19", "e1234" or "".

    Returns:
        The first and last page.
    """
    found = _PAGE_RANGE.match(pages)
    if found:
        return found.group(1), found.group(2)
    return pages.strip(), ""


def date_parts(record: Record) -> list[int]:
    """The publication date as [year, month, day], as precise as the record knows it.

    Args:
        record: The record.

    Returns:
        One to three numbers, or [] when the year is unknown.
    """
    found = _DATE.match(record.date)
    if found:
        return [int(part) for part in found.groups() if part]
    return [record.year] if record.year else []


def database_names(record: Record) -> list[str]:
    """Distinct database names of a record's provenance, in import order."""
    return list(dict.fromkeys(s.database for s in record.sources if s.database))
