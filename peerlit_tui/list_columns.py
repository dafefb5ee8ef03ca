"""The list columns of a library: what the record list and the search scan.

Parallel lists rather than objects: 100,000 records load in one query and the
search scans one column at a time, which is several times faster than looking
attributes up on 100,000 objects. The record store fills it; the list, the search
and the app read it, so it lives here beside the model rather than in storage.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class ListColumns:
    """The list columns of every record, as parallel lists (one entry per record)."""

    rowids: list[int] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    title_derived: list[bool] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    first_authors: list[str] = field(default_factory=list)
    n_authors: list[int] = field(default_factory=list)
    years: list[int | None] = field(default_factory=list)
    journals: list[str] = field(default_factory=list)
    dois: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    has_abstract: list[bool] = field(default_factory=list)
    added: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def last_rowid(self) -> int:
        """The highest row number held (0 when empty): the point to load newer rows from."""
        return max(self.rowids) if self.rowids else 0

    def extend(self, other: ListColumns) -> None:
        """Append the rows of `other` (rows added since this was loaded) in place."""
        for name in self.__slots__:
            getattr(self, name).extend(getattr(other, name))
