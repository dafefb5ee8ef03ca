"""Plain-text rendering of one record for `peerlit show`."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from typing import Any

from peerlit_tui.model import Record

_WIDTH = 88
#: Width of the label column; a longer label (an imported field's name) pushes its
#: value right, but a space always separates the two ("Listing count 1600").
_LABEL = 13


def _field(label: str, value: object) -> Iterator[str]:
    if value in (None, "", [], {}):
        return
    text = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    yield from textwrap.wrap(
        text,
        _WIDTH,
        initial_indent=f"{label:<{_LABEL}} ",
        subsequent_indent=" " * (_LABEL + 1),
        # DOIs, URLs and "ahead-of-print" stay whole, so they can be copied.
        break_on_hyphens=False,
        break_long_words=False,
    ) or [label]


def _container(record: Record) -> str:
    parts = [record.journal]
    if record.volume:
        parts.append(f"vol. {record.volume}")
    if record.issue:
        parts.append(f"no. {record.issue}")
    if record.pages:
        parts.append(f"pp. {record.pages}")
    return ", ".join(p for p in parts if p)


def format_record(
    record: Record, duplicates: list[dict[str, str]], annotations: dict[str, Any]
) -> Iterator[str]:
    """Yield the lines of a record's full text display, sections in order."""
    title = record.title + (
        "  (derived title: the source has none)" if record.title_derived else ""
    )
    yield from _field("Title", title)
    yield from _field("Id", record.id)
    yield from _field("Type", f"{record.type} ({record.type_detail})" if record.type_detail
                      else record.type)  # fmt: skip
    yield from _field("Authors", "; ".join(a.name for a in record.authors))
    yield from _field("Date", record.date or (str(record.year) if record.year else ""))
    yield from _field("Source", _container(record))
    for label, value in (
        ("ISSN", record.issn), ("ISBN", record.isbn), ("DOI", record.doi), ("URL", record.url),
        ("Language", record.language), ("Publisher", record.publisher),
        ("Keywords", record.keywords), ("Listing count", record.listing_count),
    ):  # fmt: skip
        yield from _field(label, value)
    if record.teaser:
        yield from _field("Teaser", record.teaser)
    for key, value in sorted(record.extra.items()):
        yield from _field(key, value)
    for source in record.sources:
        where = f"{source.file}:{source.line}" if source.line else source.file
        yield from _field("Imported", f"{source.imported_at} {source.format} "
                          f"{source.database or '-'} {where}")  # fmt: skip
    for dup in duplicates:
        yield from _field("Duplicate", f"{dup['id']} ({dup['status']}: {dup['reason']})")
    # Only what the user actually set: an unannotated record shows no annotation lines.
    blank = {"decision": "undecided", "read": "unread", "rating": 0}
    for key in ("decision", "reason", "rating", "read", "tags", "note"):
        value = annotations.get(key)
        if value != blank.get(key):
            yield from _field(key.capitalize(), value)
    if record.abstract:
        yield ""
        yield "Abstract"
    for section in record.abstract:
        yield ""
        if section.heading:
            yield f"  {section.heading}"
        for paragraph in section.text.split("\n\n"):
            yield from textwrap.wrap(paragraph, _WIDTH, initial_indent="    ",
                                     subsequent_indent="    ")  # fmt: skip
