"""Whether a text is evidently a delimited table: the structural test sniffing trusts first.

Content sniffers look for tell-tale lines (`TY  - `, `@article{`, `PMID- `), and
such lines can sit inside a CSV cell: a note or abstract that quotes a RIS record,
or peerlit's own CSV export of one. A file whose opening parses, quotes
respected, into a header that names record columns (title, abstract or DOI, as
`peerlit_tui.importers.columns` knows them) followed by rows of exactly as many
fields is a table whatever its cells hold, and `registry.sniff` lets only tabular
formats compete for it.
"""

from __future__ import annotations

import re

from peerlit_tui.importers.base import SourceFile
from peerlit_tui.importers.columns import has_record_columns, row_is_blank
from peerlit_tui.importers.csv_tsv import detect_delimiter, header_offset

#: Text sizes tried in turn: a first row with a long abstract needs a longer sample.
_SAMPLES = (20_000, 400_000)
#: Fewest data rows that make the structure evident (a one-row table is still a table).
_MIN_ROWS = 1
# A header cell that is itself a tagged line means the "header" is a tagged record.
_TAGGED_CELL = re.compile(r"^\s*(?:[A-Z][A-Z0-9]{1,3} {0,3}- |%[0-9A-Z] |@\w+\s*[{(])")


def is_known_table(source: SourceFile) -> bool:
    """True when the file opens as a consistent delimited table with record columns.

    Args:
        source: The loaded file.

    Returns:
        Whether the header names a title, abstract or DOI column and every sampled
        row after it has the header's number of fields (trailing empty cells
        allowed).
    """
    text = source.text
    if not text:
        return False
    for size in _SAMPLES:
        sample = text[:size].lstrip("\ufeff")
        sample = sample[header_offset(sample) :]
        head = sample.lstrip()
        if not head or head[0] in "<{[@%":
            return False
        truncated = len(text) > size
        delimiter, rows = detect_delimiter(sample, truncated=truncated)
        if not delimiter or not rows:
            return False
        header = rows[0]
        filled = [cell for cell in header if cell.strip()]
        if len(filled) < 2 or not has_record_columns(header):
            return False
        if any(_TAGGED_CELL.match(cell) for cell in filled):
            return False
        data = rows[1:]
        if len(data) >= _MIN_ROWS:
            width = len(header)
            return all(
                len(row) == width or (len(row) > width and row_is_blank(row[width:]))
                for row in data
            )
        if not truncated:
            return False  # a header alone: nothing shows the structure
    return False
