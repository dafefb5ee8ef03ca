"""CSV and TSV exports: Scopus, Web of Science tab-delimited, Embase, Zotero, ASReview, ...

The delimiter is chosen by counting comma, semicolon and tab in the header line
(outside quotes) and checking that the next rows split into as many fields;
`csv.Sniffer` guesses wrongly on abstracts full of commas. Rows are read with the
`csv` module, whose line count names the line each row starts on. A row that spans
several lines but has the wrong number of fields may be an unbalanced quote that
swallowed the rows after it; those lines are then read again as rows of their own
instead of being lost. Which column holds which field is decided by
`peerlit_tui.importers.columns`.

Some exports open with a preamble before the header: Embase writes
`"SEARCH QUERY","…"`, a dashed line and blank lines (its Excel variant the same
with `;` and trailing empty cells). Lines of at most two filled cells before the
first line that names a title, abstract or DOI column are passed over.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from peerlit_tui.importers.base import FileFormatError, Format, Parsed, SourceFile
from peerlit_tui.importers.columns import (
    ColumnPlan,
    describe_row,
    has_record_columns,
    row_is_blank,
)
from peerlit_tui.model import ImportIssue

#: Characters of text the sniffer and the delimiter detection look at.
SAMPLE_CHARS = 20_000
# Candidate delimiters, in the order that wins a tie.
_DELIMITERS = ("\t", ";", ",")
# Abstracts of a few megabytes occur in real exports; the csv default is 128 KB.
_FIELD_LIMIT = 2**31 - 1
# Lines of a suspicious multi-line row examined for swallowed rows.
_SWALLOW_CHECK_LINES = 50
# Tagged formats: RIS "TY  - " and MEDLINE "PMID- " lines near the start, Web of
# Science "FN Clarivate ..." / "PT J" as the first line.
_TAGGED_LINE = re.compile(r"^[A-Z][A-Z0-9]{1,3} {0,3}- ")
_TAGGED_FIRST_LINE = re.compile(r"^(?:FN|VR|PT) ")


#: Lines looked at for a preamble before the header.
PREAMBLE_LINES = 30


def _loose_cells(line: str) -> list[str]:
    """The filled cells of one line, split on its most frequent delimiter."""
    delimiter = max(_DELIMITERS, key=lambda d: _count_outside_quotes(line, d))
    try:
        cells = next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return [line.strip()]
    return [c.strip() for c in cells if c.strip()]


def header_offset(text: str) -> int:
    """Where the header line starts when a preamble precedes it (0 when none does).

    Args:
        text: The file's text.

    Returns:
        The character offset of the header line.
    """
    position = 0
    for _ in range(PREAMBLE_LINES):
        end = text.find("\n", position)
        line = text[position : end if end >= 0 else len(text)]
        if line.strip():
            cells = _loose_cells(line)
            if len(cells) >= 2 and has_record_columns(cells):
                return position
            if len(cells) > 2:
                return 0  # a header of unknown columns, not a preamble
        if end < 0:
            return 0
        position = end + 1
    return 0


def _count_outside_quotes(line: str, char: str) -> int:
    count = 0
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == char and not quoted:
            count += 1
    return count


def _fits(row: list[str], width: int) -> bool:
    if len(row) == width:
        return True
    return len(row) > width and row_is_blank(row[width:])


def _sample_rows(sample: str, delimiter: str, truncated: bool) -> list[list[str]]:
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(sample, newline="\n"), delimiter=delimiter)
    try:
        for row in reader:
            if row and not row_is_blank(row):
                rows.append(row)
                if len(rows) > 8:
                    return rows[:8]
    except csv.Error:
        pass
    if truncated and len(rows) > 1:
        rows.pop()  # the last row may be cut in the middle by the sample's end
    return rows


def detect_delimiter(sample: str, *, truncated: bool = False) -> tuple[str, list[list[str]]]:
    """Choose the delimiter of a delimited text from its opening.

    Args:
        sample: The start of the text.
        truncated: True when the sample is cut from a longer text.

    Returns:
        The delimiter ("" when the header line holds none) and the first rows
        (header first) as split with it.
    """
    header_line = next((line for line in sample.split("\n") if line.strip()), "")
    counts = {d: _count_outside_quotes(header_line, d) for d in _DELIMITERS}
    candidates = sorted(
        (d for d in _DELIMITERS if counts[d]), key=lambda d: (-counts[d], _DELIMITERS.index(d))
    )
    best: tuple[str, list[list[str]]] = ("", [])
    best_fit = -1.0
    for delimiter in candidates:
        rows = _sample_rows(sample, delimiter, truncated)
        if not rows:
            continue
        data = rows[1:]
        width = len(rows[0])
        fit = sum(_fits(r, width) for r in data) / len(data) if data else 0.5
        if data and _fits(data[0], width) and fit == 1.0:
            return delimiter, rows
        if fit > best_fit:
            best, best_fit = (delimiter, rows), fit
    return best


def _plausible_header(header: list[str]) -> bool:
    names = [name.strip() for name in header]
    filled = [name for name in names if name]
    if len(filled) < 2 or len(filled) * 2 < len(names):
        return False
    if any(len(name) > 100 or name[0] in "<{[@%" for name in filled):
        return False
    # Column names are short labels; a "name" of several words ending a sentence
    # means the first line is prose.
    if any(len(name.split()) > 2 and name[-1] in ".!?" for name in filled):
        return False
    wordy = sum(1 for name in filled if len(name.split()) > 6)
    return wordy * 4 <= len(filled)


def _line_fit(sample: str, delimiter: str, width: int) -> float:
    """Share of the next physical lines with as many delimiters as the header.

    A second opinion for files whose opening rows the csv module merges (an
    unbalanced quote near the top).
    """
    lines = [line for line in sample.split("\n", 12)[1:11] if line.strip()]
    if not lines:
        return 0.0
    return sum(_count_outside_quotes(line, delimiter) == width - 1 for line in lines) / len(lines)


def sniff(source: SourceFile) -> float:
    """Score a text as a delimited table with a header row.

    A consistent table (two rows or more after the header) scores 0.5, 0.7 when
    its header names a title, abstract or DOI column; such a header keeps 0.4
    even when the rows after it are broken. Tagged
    formats, JSON, XML/HTML, BibTeX and prose score 0.
    """
    text = source.text[:SAMPLE_CHARS].lstrip("\ufeff")
    text = text[header_offset(text) :]
    stripped = text.lstrip()
    if not stripped or stripped[0] in "<{[@%" or _TAGGED_FIRST_LINE.match(stripped):
        return 0.0
    for line in stripped.split("\n", 12)[:12]:
        if _TAGGED_LINE.match(line):
            return 0.0
    delimiter, rows = detect_delimiter(text, truncated=len(source.text) > SAMPLE_CHARS)
    if not delimiter or not rows or not _plausible_header(rows[0]):
        return 0.0
    width = len(rows[0])
    known = has_record_columns(rows[0])
    data = rows[1:]
    fit = sum(_fits(r, width) for r in data) / len(data) if data else 0.0
    fit = max(fit, _line_fit(stripped, delimiter, width))
    if fit == 1.0:
        return 0.7 if known else 0.5 if len(data) >= 2 else 0.0
    if fit >= 0.5:
        return 0.6 if known else 0.4
    return 0.4 if known else 0.0


def _swallowed_rows(lines: list[str], width: int, delimiter: str) -> bool:
    """True when lines after the first of a row look like rows of their own."""
    for line in lines[1:_SWALLOW_CHECK_LINES]:
        fields = next(csv.reader([line], delimiter=delimiter), [])
        if len(fields) == width:
            return True
    return False


def _read_unquoted(line: str, delimiter: str) -> list[str]:
    """Split a line with an unbalanced quote as it stands, dropping the quote marks."""
    out = []
    for field in line.rstrip("\n").split(delimiter):
        field = field.strip()
        if field.startswith('"'):
            field = field[1:]
        if field.endswith('"'):
            field = field[:-1]
        out.append(field.replace('""', '"'))
    return out


def _row_problem(row: list[str], width: int) -> tuple[list[str], str]:
    if _fits(row, width):
        return row[:width], ""
    if len(row) > width:
        return row, f"row has {len(row)} fields but the header has {width}; extra fields ignored"
    return row, f"row has {len(row)} fields but the header has {width}; missing ones left empty"


def _repair_swallowing_row(
    stream: io.StringIO, row_start: int, row_lines: int, width: int, delimiter: str
) -> list[str] | None:
    """Re-read a multi-line row that an unbalanced quote may have merged with later rows.

    When the lines after the row's first line split into full rows on their own,
    the first line is read without quoting and the stream is moved back to the
    second line, so those rows are read normally. Otherwise the stream is left
    where it was and None is returned.
    """
    row_end = stream.tell()
    stream.seek(row_start)
    lines = [stream.readline() for _ in range(min(row_lines, _SWALLOW_CHECK_LINES))]
    if not _swallowed_rows(lines, width, delimiter):
        stream.seek(row_end)
        return None
    stream.seek(row_start + len(lines[0]))
    return _read_unquoted(lines[0], delimiter)


def parse(source: SourceFile) -> Iterator[Parsed]:
    """Read every row of a delimited export as a record.

    Args:
        source: The loaded file.

    Yields:
        One `Parsed` per data row, in file order; blank rows are passed over.

    Raises:
        FileFormatError: When the file has no header row or no title, abstract or
            DOI column.
    """
    text = source.text.lstrip("\ufeff")
    if not text.strip():
        raise FileFormatError("the file is empty")
    offset = header_offset(text[:SAMPLE_CHARS])
    preamble_lines = text.count("\n", 0, offset)
    text = text[offset:]
    truncated = len(text) > SAMPLE_CHARS
    delimiter = detect_delimiter(text[:SAMPLE_CHARS], truncated=truncated)[0] or ","
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    # StringIO positions are character offsets, which the repair of a broken row
    # relies on to re-read lines.
    stream = io.StringIO(text, newline="\n")
    reader = csv.reader(stream, delimiter=delimiter)
    header: list[str] | None = None
    for row in reader:
        if row and not row_is_blank(row):
            header = row
            break
    if header is None:
        raise FileFormatError("no header row found")
    header_line = reader.line_num + preamble_lines
    try:
        plan = ColumnPlan.from_header(header)
    except FileFormatError as exc:
        raise FileFormatError(str(exc), line=header_line) from None
    if plan.notices:
        yield Parsed(header_line, None, [ImportIssue(header_line, n, False) for n in plan.notices])
    width = len(header)
    reread = 0  # lines read twice after repairs, which reader.line_num counts twice
    while True:
        row_start = stream.tell()
        before = reader.line_num
        start = before - reread + 1 + preamble_lines
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Parsed(start, None, [ImportIssue(start, f"row could not be read: {exc}")])
            continue
        if not any(row) or (not row[0].strip() and row_is_blank(row)):
            continue
        problem = ""
        row_lines = reader.line_num - before
        if row_lines > 1 and not _fits(row, width):
            repaired = _repair_swallowing_row(stream, row_start, row_lines, width, delimiter)
            if repaired is not None:
                row = repaired
                reread += row_lines - 1
                problem = "unbalanced quote; the line was read as it stands"
        row, mismatch = _row_problem(row, width)
        problem = "; ".join(p for p in (problem, mismatch) if p)
        record, warnings = plan.build(row)
        if not (record.title or record.abstract or record.doi):
            reason = f"{problem}; " if problem else ""
            message = f"{reason}row has no title, abstract or DOI{describe_row(record)}; skipped"
            yield Parsed(start, None, [ImportIssue(start, message)])
            continue
        messages = [problem, *warnings] if problem else warnings
        yield Parsed(start, record, [ImportIssue(start, m, skipped=False) for m in messages])


FORMAT = Format(
    name="csv_tsv",
    label="CSV/TSV",
    extensions=("csv", "tsv", "tab", "txt"),
    sniff=sniff,
    parse=parse,
    database="",
)
