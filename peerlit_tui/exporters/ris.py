"""RIS export, written with rispy's writer one record at a time.

Fields: TY (from the record type), TI, AU (one per author), PY and DA, T2 (journal
or book), VL, IS, SP/EP, SN (ISSNs and ISBNs), DO, UR, KW, LA, PB, AB, M3
("Review" for reviews, which is how Scopus marks them), ID (the peerlit record id)
and N1. The abstract is written as "Heading: text" paragraphs on continuation
lines, which peerlit splits into the same sections again. Annotations: tags are
added to KW after the record's own keywords (reference managers show them as
tags), and every annotation field gets an N1 line (see
`peerlit_tui.exporters.markers`), which is how a re-import tells tags from keywords.

A continuation line that would read as a tag line ("ER  - …" opening an abstract
paragraph) is indented by one space, which no reader keeps, so no text can end a
record early or inject one.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, TextIO

from peerlit_tui.exporters.common import author_text, page_parts
from peerlit_tui.exporters.markers import ris_notes
from peerlit_tui.text import fold

if TYPE_CHECKING:
    from peerlit_tui.annotation import Annotation
    from peerlit_tui.model import Record

#: Record types -> RIS reference types.
RIS_TYPES = {
    "article": "JOUR", "review": "JOUR", "case study": "JOUR", "book": "BOOK",
    "book part": "CHAP", "chapter": "CHAP", "conference paper": "CPAPER", "report": "RPRT",
    "thesis": "THES", "dataset": "DATA", "webpage": "ELEC", "preprint": "UNPB", "other": "GEN",
}  # fmt: skip

_LIST_TAGS = ["AU", "KW", "N1", "UR"]
# A line a RIS reader would take for a tag line (with the spacing peerlit tolerates).
_TAG_LIKE = re.compile(r"^([A-Z][A-Z0-9][ \t]*-)", re.MULTILINE)


def _lines(text: str) -> str:
    """Multi-line text made safe for continuation lines."""
    return _TAG_LIKE.sub(r" \1", text) if "\n" in text else text


def ris_fields(
    record: Record, annotation: Annotation, *, tags_in_keywords: bool = True
) -> dict[str, Any]:
    """The rispy field mapping of one record, in writing order.

    Args:
        record: The record.
        annotation: Its annotation (blank when it has none).
        tags_in_keywords: Add the tags to KW after the record's keywords.

    Returns:
        rispy keys ("title", "authors", ...) -> values.
    """
    out: dict[str, Any] = {"type_of_reference": RIS_TYPES.get(record.type, "GEN")}
    if record.title and not record.title_derived:  # a derived title is not the work's
        out["title"] = record.title
    if record.authors:
        out["authors"] = [author_text(a) for a in record.authors]
    if record.year:
        out["year"] = str(record.year)
    if len(record.date) > 4:
        out["date"] = record.date.replace("-", "/") + "/"
    if record.journal:
        out["secondary_title"] = record.journal
    if record.volume:
        out["volume"] = record.volume
    if record.issue:
        out["number"] = record.issue
    first, last = page_parts(record.pages)
    if first:
        out["start_page"] = first
    if last:
        out["end_page"] = last
    serials = ", ".join(s for s in (record.issn, record.isbn) if s)
    if serials:
        out["issn"] = serials
    if record.doi:
        out["doi"] = record.doi
    if record.url:
        out["urls"] = [record.url]
    keywords = list(record.keywords)
    if tags_in_keywords:
        known = {fold(k) for k in keywords}
        keywords += [t for t in annotation.tags if fold(t) not in known]
    if keywords:
        out["keywords"] = keywords
    if record.language:
        out["language"] = record.language
    if record.publisher:
        out["publisher"] = record.publisher
    if record.type == "review":
        out["type_of_work"] = "Review"
    if record.abstract:
        out["abstract"] = _lines(record.abstract_text)
    out["id"] = record.id
    notes = ris_notes(record.id, annotation)
    if notes:
        out["notes"] = notes
    return out


class RisWriter:
    """Writes RIS records to a stream.

    Args:
        stream: Where to write.
        tags_in_keywords: Add tags to KW as well.
    """

    def __init__(self, stream: TextIO, *, tags_in_keywords: bool = True) -> None:
        import rispy  # deferred: only RIS exports pay for it

        class _Writer(rispy.RisWriter):  # type: ignore[misc]
            # rispy numbers each record ("1.") by its place in the list it is given;
            # records are given one at a time here, so the numbers would all be 1.
            def set_header(self, count: int) -> str:
                return ""

        self._stream = stream
        self._tags_in_keywords = tags_in_keywords
        self._writer = _Writer(list_tags=_LIST_TAGS)

    def write(self, record: Record, annotation: Annotation) -> None:
        """Write one record."""
        self._writer.format_lines(
            self._stream, [ris_fields(record, annotation, tags_in_keywords=self._tags_in_keywords)]
        )
        self._stream.write("\n")

    def close(self) -> None:
        """Nothing closes a RIS file."""


def open_writer(stream: TextIO, *, tags_in_keywords: bool = True) -> RisWriter:
    """Start a RIS export on `stream`; tags go to the keywords too unless told not to."""
    return RisWriter(stream, tags_in_keywords=tags_in_keywords)
