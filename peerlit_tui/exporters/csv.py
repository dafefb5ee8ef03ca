"""CSV export: one row per record, one column per record field and per annotation.

Columns, in order: `id`, `type`, `type_detail`, `title`, `title_derived`,
`authors` ("; "-joined), `year`, `date`, `journal`, `volume`, `issue`, `pages`,
`issn`, `isbn`, `doi`, `url`, `keywords` ("; "-joined), `language`, `publisher`,
`abstract` (the whole abstract as "Heading: text" paragraphs), one
`abstract_<key>` column per canonical section (`abstract_purpose`,
`abstract_findings`, …), `teaser`, `listing_count`, `databases` (where the record
was found, "; "-joined), then the annotations `tags`, `decision`, `reason`,
`rating`, `read`, `note`, and `included`: 1 for include, 0 for exclude, empty
otherwise, the label column ASReview reads (maybe and undecided are unlabelled).
A title peerlit derived from the abstract is left out of `title` (with
`title_derived` "true"), so a tool that reads the file does not take it for the
work's title; the abstract is there in full.

The file is UTF-8 with a byte-order mark and CRLF row ends (RFC 4180): Excel needs
the mark to read UTF-8, and pandas (`read_csv`) and Python's csv module with
`encoding="utf-8-sig"` skip it. Cells holding line breaks are quoted. A text cell
that a spreadsheet would run as a formula (opening with =, +, -, @) gets a leading
apostrophe; peerlit removes it again on import.
"""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING, TextIO

from peerlit_tui.exporters.common import author_text, database_names
from peerlit_tui.exporters.markers import encode_tags, protect_cell
from peerlit_tui.sections import SECTION_KEYS

if TYPE_CHECKING:
    from peerlit_tui.annotation import Annotation
    from peerlit_tui.model import Record

#: Columns holding one section of a structured abstract.
SECTION_COLUMNS = tuple(f"abstract_{key}" for key in SECTION_KEYS)
#: Every column, in order.
COLUMNS = (
    "id", "type", "type_detail", "title", "title_derived", "authors", "year", "date",
    "journal", "volume", "issue", "pages", "issn", "isbn", "doi", "url", "keywords",
    "language", "publisher", "abstract", *SECTION_COLUMNS, "teaser", "listing_count",
    "databases", "tags", "decision", "reason", "rating", "read", "note", "included",
)  # fmt: skip
#: ASReview's label values by decision.
INCLUDED = {"include": 1, "exclude": 0}


def row(record: Record, annotation: Annotation) -> list[str | int]:
    """The cells of one record, in `COLUMNS` order."""
    sections: dict[str, list[str]] = {}
    for section in record.abstract:
        if section.key:
            sections.setdefault(section.key, []).append(section.text)
    text = [
        record.id,
        record.type,
        record.type_detail,
        "" if record.title_derived else record.title,
        "true" if record.title_derived else "",
        "; ".join(author_text(a) for a in record.authors),
    ]
    cells: list[str | int] = [protect_cell(t) for t in text]
    cells.append(record.year if record.year is not None else "")
    cells.extend(
        protect_cell(t)
        for t in (
            record.date, record.journal, record.volume, record.issue, record.pages,
            record.issn, record.isbn, record.doi, record.url, "; ".join(record.keywords),
            record.language, record.publisher, record.abstract_text,
            *("\n\n".join(sections.get(key, ())) for key in SECTION_KEYS),
            record.teaser,
        )
    )  # fmt: skip
    cells.append(record.listing_count if record.listing_count is not None else "")
    cells.append(protect_cell("; ".join(database_names(record))))
    cells.append(protect_cell(encode_tags(annotation.tags)))
    cells.append("" if annotation.decision == "undecided" else annotation.decision)
    cells.append(protect_cell(annotation.reason))
    cells.append(annotation.rating or "")
    cells.append("" if annotation.read == "unread" else annotation.read)
    cells.append(protect_cell(annotation.note))
    cells.append(INCLUDED.get(annotation.decision, ""))
    return cells


class CsvWriter:
    """Writes the header, then one row per record.

    Args:
        stream: Where to write (a file opened with `newline=""`).
    """

    def __init__(self, stream: TextIO) -> None:
        stream.write("\ufeff")
        self._writer = csv.writer(stream, lineterminator="\r\n")
        self._writer.writerow(COLUMNS)

    def write(self, record: Record, annotation: Annotation) -> None:
        """Write one row."""
        self._writer.writerow(row(record, annotation))

    def close(self) -> None:
        """Nothing closes a CSV file."""


def open_writer(stream: TextIO, *, tags_in_keywords: bool = True) -> CsvWriter:
    """Start a CSV export on `stream` (tags always stay apart from keywords here)."""
    return CsvWriter(stream)
