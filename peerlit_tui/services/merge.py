"""Merging a record met again (same id) into the stored one.

Re-importing an export, or importing the same paper from a second database, must
add nothing twice and lose nothing: the stored record keeps its values, blanks are
filled from the newcomer, a derived title gives way to a real one, keywords and
extra fields are united, and the richer abstract wins.
"""

from __future__ import annotations

from peerlit_tui.model import Record
from peerlit_tui.text import fold

_SCALARS = (
    "type_detail", "date", "journal", "volume", "issue", "pages", "issn", "isbn", "doi",
    "url", "language", "teaser", "publisher",
)  # fmt: skip


def _abstract_size(record: Record) -> tuple[int, int]:
    return (sum(1 for s in record.abstract if s.heading), len(record.abstract_text))


def merge_into(stored: Record, new: Record) -> bool:
    """Fold `new` into `stored` in place.

    Args:
        stored: The record already in the library.
        new: The same record as read again.

    Returns:
        True when `stored` changed and must be written back.
    """
    before = stored.to_dict()
    if stored.title_derived and new.title and not new.title_derived:
        stored.title, stored.title_derived = new.title, False
    elif not stored.title and new.title:
        stored.title, stored.title_derived = new.title, new.title_derived
    if stored.type == "other" and new.type != "other":
        stored.type = new.type
    for name in _SCALARS:
        if not getattr(stored, name) and getattr(new, name):
            setattr(stored, name, getattr(new, name))
    # A full date is better than a year alone.
    if len(new.date) > len(stored.date) and new.date[:4] == stored.date[:4]:
        stored.date = new.date
    if stored.year is None:
        stored.year = new.year
    if not stored.authors or (
        len(new.authors) > len(stored.authors) and not any(a.inverted for a in stored.authors)
    ):
        stored.authors = list(new.authors)
    if _abstract_size(new) > _abstract_size(stored):
        stored.abstract = list(new.abstract)
    if stored.listing_count is None:
        stored.listing_count = new.listing_count
    known = {fold(k) for k in stored.keywords}
    for keyword in new.keywords:
        if fold(keyword) not in known:
            stored.keywords.append(keyword)
            known.add(fold(keyword))
    for key, value in new.extra.items():
        stored.extra.setdefault(key, value)
    return stored.to_dict() != before
