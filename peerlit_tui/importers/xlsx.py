"""Excel workbooks (.xlsx): the first sheet read as a table with a header row.

Reading needs openpyxl, an optional extra (`pip install 'peerlit-tui[xlsx]'`); it
is imported only when a workbook is parsed, so this module always imports and the
format is always listed. Columns are mapped exactly as for CSV files
(`peerlit_tui.importers.columns`). Record lines are spreadsheet row numbers.

The sheet's declared dimension is not trusted: some exports declare ~87,000
formatted but empty rows, others fewer rows than they hold. Rows are read until
the data ends, or after a long run of empty rows.

Rows before the header are passed over when they hold at most two filled cells:
a sheet title ("_baseline"), Embase's "SEARCH QUERY" line and dashed line.
"""

from __future__ import annotations

import io
import itertools
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

from peerlit_tui.importers.base import FileFormatError, Format, Parsed, SourceFile
from peerlit_tui.importers.columns import ColumnPlan, describe_row, has_record_columns
from peerlit_tui.importers.encoding import MAX_EXPANDED_BYTES, MAX_EXPANSION, MIN_EXPANDED_LIMIT
from peerlit_tui.model import ImportIssue

#: Rows looked at for title rows above the header.
TITLE_ROWS = 20
#: Consecutive empty rows after which the rest of a sheet is taken to be empty.
EMPTY_RUN_LIMIT = 1_000
_MISSING_EXTRA = (
    "reading .xlsx files needs the optional 'xlsx' extra: pip install 'peerlit-tui[xlsx]'"
)


def sniff(source: SourceFile) -> float:
    """Score a file as an Excel workbook: a zip archive holding xl/workbook.xml."""
    if source.data[:4] != b"PK\x03\x04":
        return 0.0
    try:
        with zipfile.ZipFile(io.BytesIO(source.data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0.0
    return 0.95 if "xl/workbook.xml" in names else 0.0


def cell_text(value: Any) -> str:
    """Turn a cell value into the text a CSV export would hold.

    Args:
        value: What openpyxl returned: str, int, float, bool, date, datetime or None.

    Returns:
        The value as text: whole floats without ".0", dates as ISO dates.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def check_expansion(data: bytes) -> None:
    """Refuse a workbook whose parts expand far beyond its size (a zip bomb).

    The same limits as for compressed files (`peerlit_tui.importers.encoding`).
    The sizes a zip declares are binding: Python's zipfile never yields more than
    the declared size of a member, so summing them bounds what openpyxl can read.

    Raises:
        FileFormatError: When the parts declare more than the limits allow.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            declared = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileFormatError(f"not a readable Excel workbook: {exc}") from None
    allowed = min(MAX_EXPANDED_BYTES, MIN_EXPANDED_LIMIT + MAX_EXPANSION * len(data))
    if declared > allowed:
        raise FileFormatError(
            f"this workbook expands to {declared // (1024 * 1024)} MB, more than "
            f"{MAX_EXPANSION} times its size (or over {MAX_EXPANDED_BYTES // (1024 * 1024)} MB): "
            "refused as a possible zip bomb"
        )


def _rows(source: SourceFile) -> Iterator[tuple[int, list[str]]]:
    """Yield (row number, cell texts) of the first sheet's non-empty rows."""
    try:
        from openpyxl import load_workbook
    except ImportError:
        raise FileFormatError(_MISSING_EXTRA) from None
    check_expansion(source.data)
    try:
        workbook = load_workbook(io.BytesIO(source.data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged archives
        raise FileFormatError(f"not a readable Excel workbook: {exc}") from None
    try:
        if not workbook.worksheets:
            raise FileFormatError("the workbook has no worksheet")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        empty_run = 0
        for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            cells = [cell_text(v) for v in values]
            if not any(c.strip() for c in cells):
                empty_run += 1
                if empty_run >= EMPTY_RUN_LIMIT:
                    return
                continue
            empty_run = 0
            yield number, cells
    finally:
        workbook.close()


def parse(source: SourceFile) -> Iterator[Parsed]:
    """Read every non-empty row of the first sheet after the header as a record.

    Raises:
        FileFormatError: When openpyxl is missing, the workbook cannot be read, or
            the header has no title, abstract or DOI column.
    """
    rows = _rows(source)
    first = next(rows, None)
    if first is None:
        raise FileFormatError("the first sheet is empty")
    header_row, header = first
    ahead: list[tuple[int, list[str]]] = []
    if not has_record_columns([c for c in header if c.strip()]):
        # Title rows above the header: look a few rows down for a header that
        # names record columns, passing over rows of at most two filled cells.
        candidate = first
        while len([c for c in candidate[1] if c.strip()]) <= 2 and len(ahead) < TITLE_ROWS:
            following = next(rows, None)
            if following is None:
                break
            ahead.append(following)
            if has_record_columns([c for c in following[1] if c.strip()]):
                header_row, header = following
                ahead = []
                break
            candidate = following
    rows = itertools.chain(ahead, rows)
    while header and not header[-1].strip():
        header.pop()  # formatted but unnamed trailing columns
    try:
        plan = ColumnPlan.from_header(header)
    except FileFormatError as exc:
        raise FileFormatError(str(exc), line=header_row) from None
    if plan.notices:
        yield Parsed(header_row, None, [ImportIssue(header_row, n, False) for n in plan.notices])
    for number, cells in rows:
        record, warnings = plan.build(cells[: len(header)])
        if not (record.title or record.abstract or record.doi):
            message = f"row has no title, abstract or DOI{describe_row(record)}; skipped"
            yield Parsed(number, None, [ImportIssue(number, message)])
            continue
        yield Parsed(number, record, [ImportIssue(number, m, skipped=False) for m in warnings])


FORMAT = Format(
    name="xlsx",
    label="Excel workbook",
    extensions=("xlsx",),
    sniff=sniff,
    parse=parse,
    database="",
)
