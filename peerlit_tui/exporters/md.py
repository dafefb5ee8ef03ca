"""Markdown export: a readable list, one item per record, for notes, e-mails and reports.

Each record is a bullet with the title in bold and the year, then sub-bullets for
authors, journal (volume, issue, pages), DOI (a doi.org link) or URL, where it
was found, decision (with the exclusion reason), tags, rating and read status, the
note, and the abstract with one sub-bullet per section. Text from the records is
escaped so that it shows as written: Markdown and HTML in a title or note never
turn into markup or links.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TextIO
from urllib.parse import quote

from peerlit_tui.exporters.common import author_text, database_names

if TYPE_CHECKING:
    from peerlit_tui.annotation import Annotation
    from peerlit_tui.model import Record

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
_LIST_START = re.compile(r"^(\s*)([-+]|\d+[.)])(?=\s|$)", re.MULTILINE)
# Characters left as they are in link targets; everything else is percent-encoded.
_URL_SAFE = "/:;?&=%#.,-_~+!$'*@"


def escape(text: str) -> str:
    """Escape Markdown and HTML syntax so the text shows literally."""
    return _LIST_START.sub(r"\1\\\2", _SPECIAL.sub(r"\\\1", text))


def _link(url: str, label: str) -> str:
    return f"[{escape(label)}]({quote(url, safe=_URL_SAFE)})"


def _indented(text: str, indent: str) -> str:
    """Continuation lines of a multi-line value, indented to stay inside the bullet."""
    lines = escape(text).split("\n")
    return lines[0] + "".join(f"\n{indent}{line}" if line else "\n" for line in lines[1:])


def record_lines(record: Record, annotation: Annotation) -> list[str]:
    """The Markdown lines of one record (without the blank line after it)."""
    title = escape(record.title) or "(untitled)"
    year = f" ({record.year})" if record.year else ""
    lines = [f"- **{title}**{year}"]
    if record.authors:
        lines.append("  - Authors: " + escape("; ".join(author_text(a) for a in record.authors)))
    if record.journal:
        where = f"*{escape(record.journal)}*"
        if record.volume:
            where += " " + escape(record.volume)
        if record.issue:
            where += f"({escape(record.issue)})"
        if record.pages:
            where += ", " + escape(record.pages)
        lines.append("  - Journal: " + where)
    if record.doi:
        lines.append("  - DOI: " + _link("https://doi.org/" + record.doi, record.doi))
    elif record.url.startswith(("https://", "http://")):
        lines.append("  - URL: " + _link(record.url, record.url))
    databases = database_names(record)
    if databases:
        lines.append("  - Found in: " + escape(", ".join(databases)))
    if annotation.decision != "undecided":
        reason = f" ({escape(annotation.reason)})" if annotation.reason else ""
        lines.append(f"  - Decision: **{annotation.decision}**{reason}")
    if annotation.tags:
        lines.append("  - Tags: " + ", ".join(escape(t) for t in annotation.tags))
    if annotation.rating:
        lines.append(f"  - Rating: {'★' * annotation.rating}{'☆' * (5 - annotation.rating)}")
    if annotation.read != "unread":
        lines.append(f"  - Read: {annotation.read}")
    if annotation.note:
        lines.append("  - Note: " + _indented(annotation.note, "    "))
    if record.abstract:
        lines.append("  - Abstract:")
        for section in record.abstract:
            heading = f"**{escape(section.heading)}:** " if section.heading else ""
            lines.append(f"    - {heading}{_indented(section.text, '      ')}")
    return lines


class MarkdownWriter:
    """Writes one list item per record.

    Args:
        stream: Where to write.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, record: Record, annotation: Annotation) -> None:
        """Write one record."""
        self._stream.write("\n".join(record_lines(record, annotation)) + "\n\n")

    def close(self) -> None:
        """Nothing closes a Markdown list."""


def open_writer(stream: TextIO, *, tags_in_keywords: bool = True) -> MarkdownWriter:
    """Start a Markdown export on `stream` (tags always stay apart from keywords here)."""
    return MarkdownWriter(stream)
