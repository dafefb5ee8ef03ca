"""What every importer is given and what it gives back.

An importer is a module with a `FORMAT` object (`Format`): a name, a sniffing
function that scores a file's opening text, and a parser that yields `Parsed`
items, each a record or an issue. Importers do not clean text, derive titles or
assign ids: the pipeline (`peerlit_tui.importers.pipeline`) does that for all of
them in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from peerlit_tui.importers.encoding import decode_bytes, maybe_gunzip
from peerlit_tui.model import ImportIssue, Record


@dataclass(slots=True)
class SourceFile:
    """An export file read into memory.

    Attributes:
        path: Path of the file as given by the user.
        data: Raw bytes (gzip, bzip2 or xz compression already undone).
        text: Decoded text with line endings normalised to LF.
        encoding: Name of the detected encoding.
    """

    path: Path
    data: bytes
    text: str = ""
    encoding: str = ""

    @classmethod
    def read(cls, path: Path) -> SourceFile:
        """Read and decode a file.

        Args:
            path: File to read.

        Returns:
            The loaded source.

        Raises:
            OSError: When the file cannot be read.
            DecompressionError: When it is a damaged, truncated or bomb compressed file.
        """
        data = maybe_gunzip(path.read_bytes())
        return cls.from_bytes(path, data)

    @classmethod
    def from_bytes(cls, path: Path, data: bytes) -> SourceFile:
        """Build a source from bytes already in memory (tests, stdin).

        Args:
            path: Name to report in messages.
            data: File contents.

        Returns:
            The decoded source.
        """
        if data[:4] == b"PK\x03\x04":
            # Zip container (XLSX): binary, no text.
            return cls(path=path, data=data, text="", encoding="binary")
        text, encoding = decode_bytes(data)
        if "\r" in text:
            text = _lf_line_ends(text)
        return cls(path=path, data=data, text=text, encoding=encoding)


def _lf_line_ends(text: str) -> str:
    r"""CRLF and lone CR as LF.

    Replacing the pair "\r\n" in a large text costs several times a copy of it, so
    a text with a few CRs (stray ones inside fields) is cut at each of them instead.
    """
    pieces: list[str] = []
    start = 0
    at = text.find("\r")
    while at >= 0 and len(pieces) < 1000:
        pieces.append(text[start:at])
        start = at + 2 if text.startswith("\n", at + 1) else at + 1
        at = text.find("\r", start)
    if at >= 0:  # many CRs (a Windows file): one pass over the whole text is quicker
        return text.replace("\r\n", "\n").replace("\r", "\n")
    pieces.append(text[start:])
    return "\n".join(pieces)


@dataclass(slots=True)
class Parsed:
    """One item yielded by a parser: a record, or an issue, or both.

    Attributes:
        line: 1-based line (or spreadsheet row) where the record starts.
        record: The record read, or None when it was skipped.
        issues: Problems met in this record; a skipped record has at least one.
    """

    line: int
    record: Record | None = None
    issues: list[ImportIssue] = field(default_factory=list)


#: Scores how likely a file is in this format: 0 (no) to 1 (certain).
Sniffer = Callable[[SourceFile], float]
#: Reads all records of a file.
Parser = Callable[[SourceFile], Iterator[Parsed]]


@dataclass(frozen=True, slots=True)
class Format:
    """An import format.

    Attributes:
        name: Short name used by `--format` and in provenance ("ris").
        label: Human name ("RIS").
        extensions: File extensions typical of the format, used only to break ties.
        sniff: Content sniffer.
        parse: The parser.
        database: Default source-database name when the format implies one
            ("Emerald Insight", "PubMed", "Web of Science"), else "".
    """

    name: str
    label: str
    extensions: tuple[str, ...]
    sniff: Sniffer
    parse: Parser
    database: str = ""


class FileFormatError(Exception):
    """The file as a whole cannot be read in the chosen format.

    Raised by a parser when nothing in the file is usable (not a CSV header, not
    JSON, ...). The message names what was wrong; the pipeline adds the file.
    """

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line
