"""User-chosen columns for tabular imports: `peerlit import --map title=COLUMN`.

When a file names its columns in a way the alias table
(`peerlit_tui.importers.column_aliases`) does not know, the user says which column
holds which field. The choice is set for the duration of an import with
`mapped_columns`, and every tabular importer (CSV, TSV, XLSX) asks
`current_map` while it maps a header, so the option needs no parameter threaded
through the services that run an import. The setting is held in a context
variable: it applies to the code run inside the `with` block in the same thread
or task, and to nothing else.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from peerlit_tui.importers.column_aliases import MAPPABLE_FIELDS

_CURRENT: ContextVar[Mapping[str, str] | None] = ContextVar("peerlit_column_map", default=None)


class ColumnMapError(ValueError):
    """A `--map` option that is not of the form FIELD=COLUMN with a known field."""


def parse_map_options(options: Sequence[str]) -> dict[str, str]:
    """Read `--map FIELD=COLUMN` options.

    Args:
        options: The option values as typed ("title=Item Name", "authors=Creators").

    Returns:
        Field name -> column name as typed (compared to headers ignoring case,
        spaces and punctuation).

    Raises:
        ColumnMapError: For a value without "=", an empty column or an unknown field;
            the message lists the known fields.
    """
    out: dict[str, str] = {}
    for option in options:
        field, sep, column = option.partition("=")
        field, column = field.strip().lower(), column.strip()
        if not sep or not field or not column:
            raise ColumnMapError(f"--map {option!r}: expected FIELD=COLUMN, e.g. title=Name")
        if field not in MAPPABLE_FIELDS:
            raise ColumnMapError(
                f"--map {option!r}: unknown field {field!r}; fields: {', '.join(MAPPABLE_FIELDS)}"
            )
        out[field] = column
    return out


@contextmanager
def mapped_columns(mapping: Mapping[str, str] | None) -> Iterator[None]:
    """Apply a field -> column choice to the tabular imports run inside the block.

    Args:
        mapping: What `parse_map_options` returned; None or empty changes nothing.
    """
    token = _CURRENT.set(dict(mapping) if mapping else None)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def current_map() -> Mapping[str, str]:
    """The field -> column choice in force (empty outside `mapped_columns`)."""
    return _CURRENT.get() or {}
