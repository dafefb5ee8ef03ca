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


def valid_issn(text: str) -> bool:
    """True for an ISSN whose check digit is right ("0028-0836"; "X" stands for 10)."""
    digits = text.replace("-", "").upper()
    if len(digits) != 8 or not digits[:7].isdigit() or digits[7] not in "0123456789X":
        return False
    total = sum(int(d) * w for d, w in zip(digits[:7], range(8, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return digits[7] == ("X" if check == 10 else str(check))


def valid_isbn(text: str) -> bool:
    """True for an ISBN-10 or ISBN-13 whose check digit is right (hyphens and spaces allowed)."""
    digits = text.replace("-", "").replace(" ", "").upper()
    if len(digits) == 13 and digits.isdigit():
        total = sum(int(d) * (3 if n % 2 else 1) for n, d in enumerate(digits))
        return total % 10 == 0
    if len(digits) == 10 and digits[:9].isdigit() and digits[9] in "0123456789X":
        values = [int(d) for d in digits[:9]] + [10 if digits[9] == "X" else int(digits[9])]
        return sum(v * w for v, w in zip(values, range(10, 0, -1), strict=True)) % 11 == 0
    return False
