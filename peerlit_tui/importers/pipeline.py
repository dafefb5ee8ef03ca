"""Reading one export file end to end: decode, sniff, parse, clean, identify.

Every importer's output passes through `finalise_record`, so cleaning (control
characters, whitespace), derived titles, DOI normalisation and ids are done the
same way for every format. Nothing here raises for bad input: a file that cannot
be read becomes a `FileResult` with an `error`, a bad record becomes an issue.
"""

from __future__ import annotations

import gc
import operator
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from peerlit_tui.identity import normalise_doi, record_id
from peerlit_tui.importers.base import FileFormatError, Format, Parsed, SourceFile
from peerlit_tui.importers.encoding import DecompressionError
from peerlit_tui.importers.registry import format_labels, get_format, sniff
from peerlit_tui.model import RECORD_TYPES, Author, ImportIssue, Provenance, Record, Section
from peerlit_tui.text import (
    clean_block,
    clean_line,
    fold,
    is_printable,
    shorten,
    strip_controls,
)

#: Length of a derived title before it is cut with an ellipsis.
DERIVED_TITLE_WIDTH = 110

_SENTENCE_END = re.compile(r"(?<=[a-z0-9)\]\"”’'])[.!?](?=\s+[A-Z“\"‘'(]|\s*$)")
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")


@dataclass(slots=True)
class FileResult:
    """The outcome of reading one file.

    Attributes:
        path: The file.
        format: Name of the format used ("" when none was recognised).
        encoding: Detected encoding ("" when the file could not be read).
        records: Records read, cleaned and identified, in file order.
        issues: Skipped records and warnings, each naming its line.
        error: Why the whole file could not be read, or None.
    """

    path: Path
    format: str = ""
    encoding: str = ""
    records: list[Record] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)
    error: str | None = None

    @property
    def skipped(self) -> list[ImportIssue]:
        """Issues that dropped a record."""
        return [i for i in self.issues if i.skipped]


def now_iso() -> str:
    """Current UTC time as an ISO-8601 string with seconds precision."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def derive_title(record: Record) -> str:
    """Build a display title for a record whose source has none.

    Uses the first sentence of the first abstract section, else the teaser, cut at a
    word boundary. The abstract is preferred because the teaser is itself a
    truncation that differs between listings, while the abstract is stable.

    Args:
        record: A record with an empty title.

    Returns:
        The derived title, or "" when the record has no text to derive from.
    """
    text = ""
    for section in record.abstract:
        if section.text:
            text = section.text
            break
    if not text:
        text = record.teaser.rstrip("…").rstrip(".").strip()
    if not text:
        return ""
    first_paragraph = text.split("\n\n", 1)[0]
    end = _SENTENCE_END.search(first_paragraph)
    sentence = first_paragraph[: end.start() + 1] if end else first_paragraph
    return shorten(sentence.strip(), DERIVED_TITLE_WIDTH)


def _clean_authors(authors: list[Author]) -> list[Author]:
    out = []
    for a in authors:
        name = clean_line(a.name)
        if name:
            out.append(
                Author(
                    name=name,
                    family=clean_line(a.family) or name,
                    given=clean_line(a.given),
                    inverted=a.inverted,
                )
            )
    return out


def _clean_keywords(keywords: list[str], *, clean: bool = True) -> list[str]:
    seen: set[str] = set()
    out = []
    for raw in keywords:
        word = (clean_line(raw) if clean else raw).strip(" ;,.")
        key = fold(word)
        if word and key not in seen:
            seen.add(key)
            out.append(word)
    return out


#: The one-line text fields of a record, cleaned with `clean_line`.
_LINE_FIELDS = (
    "type_detail", "title", "date", "journal", "volume", "issue", "pages", "issn",
    "isbn", "url", "language", "teaser", "publisher",
)  # fmt: skip


#: The values of `_LINE_FIELDS` of a record, as a tuple, read in one C call.
_line_values = operator.attrgetter(*_LINE_FIELDS)


def _all_tidy(record: Record) -> bool:
    """True when no string of the record needs cleaning: cleaning would return each as is.

    A string needs no cleaning when it is printable (no control character, no white
    space but the plain space) without doubled or edge spaces (`text._tidy`). Nearly
    every imported record is like that, and one test over all its non-empty strings
    joined by single spaces proves it at once: a doubled space inside a string, or an
    edge space beside a separator or at an end, shows as a doubled or edge space of
    the joined text, and single separators between non-empty strings never do.
    Empty strings are left out by `str.__len__`, which raises TypeError for a value
    that is not text. A "|" beside a space (searched for only when there is a "|")
    also sends the record the long way, as it always has: never wrong, since the
    long way gives the same result for clean strings.
    """
    parts = list(_line_values(record))
    parts.append(record.doi)
    for author in record.authors:
        parts += (author.name, author.family, author.given)
    parts += record.keywords
    for section in record.abstract:
        parts += (section.heading, section.text)
    for key, value in record.extra.items():
        parts += (key, value)
    try:
        joined = " ".join(filter(str.__len__, parts))
    except TypeError:  # a value that is not text: the long way reports it
        return False
    return (
        is_printable(joined)
        and "  " not in joined
        and joined[:1] != " "
        and joined[-1:] != " "
        and ("|" not in joined or (" |" not in joined and "| " not in joined))
    )


def _finish_tidy(record: Record) -> None:
    """What cleaning does to a record whose strings are all clean (`_all_tidy`).

    Only the steps that change more than the strings are left: blank authors,
    sections and extra fields dropped, an author without a family name filed under
    the whole name, keywords trimmed of list punctuation and de-duplicated.
    """
    authors = record.authors
    if any(not a.name or not a.family for a in authors):
        record.authors = [
            a if a.family else Author(a.name, family=a.name, given=a.given, inverted=a.inverted)
            for a in authors
            if a.name
        ]
    else:
        record.authors = list(authors)
    if record.keywords:
        record.keywords = _clean_keywords(record.keywords, clean=False)
    record.abstract = [s for s in record.abstract if s.text]
    record.extra = {key: value for key, value in record.extra.items() if value}


def _finish_untidy(record: Record) -> None:
    """Clean every string of a record (controls removed, white space collapsed)."""
    for name in _LINE_FIELDS:
        setattr(record, name, clean_line(getattr(record, name)))
    record.authors = _clean_authors(record.authors)
    record.keywords = _clean_keywords(record.keywords)
    sections = []
    for section in record.abstract:
        body = clean_block(section.text)
        if body:
            sections.append(
                Section(heading=clean_line(section.heading), text=body, key=section.key)
            )
    record.abstract = sections
    extra = {}
    for key, value in record.extra.items():
        cleaned = clean_block(value)
        if cleaned:
            extra[clean_line(key)] = cleaned
    record.extra = extra


def finalise_record(record: Record, provenance: Provenance) -> Record:
    """Clean every field, derive a title if needed, normalise the DOI and set the id.

    Args:
        record: A record as an importer built it.
        provenance: Where it came from.

    Returns:
        The same record object, finished.
    """
    if _all_tidy(record):
        _finish_tidy(record)
    else:
        _finish_untidy(record)
    record.type = record.type if record.type in RECORD_TYPES else "other"
    raw_doi = strip_controls(record.doi) if record.doi else ""
    record.doi = normalise_doi(raw_doi)
    if raw_doi and not record.doi:
        record.extra.setdefault("doi_as_given", clean_line(raw_doi))
    if record.year is None and record.date:
        found = _YEAR.search(record.date)
        record.year = int(found.group(1)) if found else None
    if not record.title:
        record.title = derive_title(record)
        record.title_derived = bool(record.title)
    record.sources = [provenance]
    record.id = record_id(record)
    return record


#: Longest line a file may have, in characters (64 MB). Exports hold single fields
#: of tens of megabytes at most; a longer line is refused before parsing starts.
MAX_LINE_CHARS = 64 * 1024 * 1024


def overlong_line(text: str, limit: int = MAX_LINE_CHARS) -> tuple[int, int] | None:
    """The first line longer than `limit` characters, as (line number, length), or None."""
    if len(text) <= limit:
        return None  # a text this short cannot hold such a line: nothing to scan
    start, number = 0, 1
    while True:
        end = text.find("\n", start)
        stop = len(text) if end < 0 else end
        if stop - start > limit:
            return number, stop - start
        if end < 0:
            return None
        start, number = end + 1, number + 1


#: Longest header row of a CSV/TSV file, in characters (256 KB: exports write a few
#: hundred columns at most, and matching names costs seconds per megabyte).
MAX_HEADER_CHARS = 256 * 1024


def _overlong_header(text: str) -> tuple[int, int] | None:
    """The header line of a table, as (line number, length), when over `MAX_HEADER_CHARS`."""
    if len(text) <= MAX_HEADER_CHARS:
        return None
    from peerlit_tui.importers.csv_tsv import header_offset

    start = header_offset(text[:20_000])
    while start < len(text) and text[start] == "\n":
        start += 1  # blank lines before the header
    end = text.find("\n", start)
    size = (len(text) if end < 0 else end) - start
    if size <= MAX_HEADER_CHARS:
        return None
    return text.count("\n", 0, start) + 1, size


def _check(parsed: Parsed, result: FileResult, provenance: Provenance) -> None:
    result.issues.extend(parsed.issues)
    record = parsed.record
    if record is None:
        return
    try:
        finalise_record(record, provenance)
    except Exception as exc:  # one odd record must not sink the file
        message = f"record could not be read ({type(exc).__name__}: {exc}); skipped"
        result.issues.append(ImportIssue(parsed.line, message))
        return
    if not record.title and not record.doi:
        result.issues.append(
            ImportIssue(parsed.line, "record has no title, abstract, teaser or DOI to identify it")
        )
        return
    result.records.append(record)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block, then restore its state.

    Importers allocate millions of small objects (records, authors, sections,
    strings) and create no reference cycles, yet every allocation counts toward the
    collector's thresholds, so it traverses the ever larger heap of records again
    and again: a quarter to a third of the time of reading a large file. Reference
    counting still frees everything that is no longer used while the collector is
    paused. The pause is process-wide (the collector is not per thread), so it is
    kept to the parse loop, and the collector is enabled again only if it was
    enabled before, so blocks may nest.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def choose_format(source: SourceFile, forced: str | None) -> Format:
    """Return the forced format, or the sniffed one.

    Raises:
        FileFormatError: When no format recognises the file.
        KeyError: When `forced` is not a format name.
    """
    if forced:
        return get_format(forced)
    fmt, _score = sniff(source)
    if fmt is None:
        raise FileFormatError(
            f"not a recognised export format (known: {format_labels()}); use --format to force one"
        )
    return fmt


def read_file(
    path: Path,
    *,
    format_name: str | None = None,
    database: str | None = None,
    imported_at: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> FileResult:
    """Read one export file into finished records.

    Args:
        path: File to read (gzip-compressed files are read transparently).
        format_name: Force a format instead of sniffing.
        database: Source database name for provenance; defaults to the format's.
        imported_at: Timestamp to record; defaults to now.
        on_progress: Called now and then with (line reached, total lines) while parsing.

    Returns:
        The result; `error` is set when nothing could be read.
    """
    result = FileResult(path=path)
    try:
        source = SourceFile.read(path)
    except DecompressionError as exc:
        result.error = str(exc)
        return result
    except OSError as exc:
        result.error = f"cannot read file: {exc.strerror or exc}"
        return result
    except MemoryError:
        result.error = "cannot read file: it does not fit in memory"
        return result
    except Exception as exc:  # whatever reading raises, the other files still import
        result.error = f"cannot read file: {exc or type(exc).__name__}"
        return result
    result.encoding = source.encoding
    if not source.data.strip():
        result.error = "the file is empty"
        return result
    long_line = overlong_line(source.text, MAX_LINE_CHARS)
    if long_line is not None:
        number, size = long_line
        result.error = (
            f"line {number} is {size:,} characters long, over the limit of "
            f"{MAX_LINE_CHARS:,} for one line: not an export peerlit can read"
        )
        return result
    try:
        fmt = choose_format(source, format_name)
    except (FileFormatError, KeyError) as exc:
        result.error = str(exc).strip("'\"")
        return result
    result.format = fmt.name
    header = _overlong_header(source.text) if fmt.name == "csv_tsv" else None
    if header is not None:
        number, size = header
        result.error = (
            f"line {number}, the header, is {size:,} characters long, over the limit of "
            f"{MAX_HEADER_CHARS:,} for a header row: not an export peerlit can read"
        )
        return result
    provenance = Provenance(
        # A name with undecodable bytes holds surrogates, which SQLite refuses.
        file=strip_controls(str(path.resolve())),
        format=fmt.name,
        database=database or fmt.database,
        imported_at=imported_at or now_iso(),
    )
    last_line = 0
    # Counting the lines is a pass over the whole text: only progress reports need it.
    total_lines = source.text.count("\n") + 1 if source.text and on_progress is not None else 0
    try:
        with gc_paused():
            for count, parsed in enumerate(fmt.parse(source), 1):
                last_line = parsed.line
                if on_progress is not None and count % 1000 == 0:
                    on_progress(last_line, total_lines)
                with_line = Provenance(
                    provenance.file, provenance.format, provenance.database,
                    provenance.imported_at, parsed.line,
                )  # fmt: skip
                _check(parsed, result, with_line)
    except FileFormatError as exc:
        if not result.records:
            result.error = str(exc) + (f" (line {exc.line})" if exc.line else "")
        else:
            result.issues.append(ImportIssue(exc.line or last_line, str(exc)))
    except Exception as exc:  # a parser bug must not sink the records already read
        message = f"reading stopped after line {last_line}: {type(exc).__name__}: {exc}"
        if result.records:
            result.issues.append(ImportIssue(last_line, message))
        else:
            result.error = message
    if not result.records and result.error is None:
        result.error = (
            "no records found"
            if not result.issues
            else f"no readable records ({len(result.skipped)} skipped)"
        )
    return result
