"""BibTeX and BibLaTeX (`.bib`) files, read with bibtexparser 2.

bibtexparser splits the file into blocks and reports the ones it cannot read
(with their line); everything after that is done here: @string substitution and
`#` concatenation, one level of `crossref` inheritance, LaTeX decoding of the
fields peerlit shows (see `peerlit_tui.importers.latex`), name splitting with
BibTeX's rules, and mapping entry types and fields onto `Record`.

Entries whose key repeats an earlier one, or that repeat a field, are still
imported (with a warning): in real exports they are distinct works that happen to
share a citation key, and dropping them would silently lose records.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterator
from typing import Any

from peerlit_tui.importers.base import FileFormatError, Format, Parsed, SourceFile
from peerlit_tui.importers.bibtex_fields import FIELDS_READ, record_from_fields
from peerlit_tui.model import ImportIssue

_BLOCK_START = re.compile(r"^[ \t]*@[ \t]*([A-Za-z]+)[ \t]*[{(]", re.MULTILINE)
_FIELD_LINE = re.compile(r"^\s*[A-Za-z][\w:.+-]*\s*=\s*[{\"\w]", re.MULTILINE)
_NOT_ENTRIES = frozenset({"string", "preamble", "comment"})
_RAW_HEAD = re.compile(r"@\s*([A-Za-z]+)\s*[{(]\s*([^,\s{}()=]*)")
_PIECE_START = re.compile(r"^[ \t]*@", re.MULTILINE)

#: An entry as read: start line, type, key, lower-cased field name -> value, warnings.
_Raw = tuple[int, str, str, dict[str, str], list[ImportIssue]]


def sniff(source: SourceFile) -> float:
    """Score how likely the file is BibTeX: `@type{key,` blocks with `field = value` lines.

    Entries that only start after many lines of other text (a ProQuest report
    with a BibTeX bibliography at its end) score lower, so the other format wins.

    Args:
        source: The loaded file.

    Returns:
        0.9 for entries with fields, 0.6 for entries alone, 0.4 for a file of
        only @string/@comment blocks or of entries after a long preamble, else 0.
    """
    head = source.text[:20000]
    blocks = list(_BLOCK_START.finditer(head))
    if not blocks:
        return 0.0
    if {m.group(1).lower() for m in blocks} <= _NOT_ENTRIES:
        return 0.4
    before = head[: blocks[0].start()].split("\n")
    if sum(1 for line in before if line.strip() and not line.lstrip().startswith("%")) > 20:
        return 0.4
    return 0.9 if _FIELD_LINE.search(head) else 0.6


def _split(text: str) -> list[tuple[int, Any]]:
    """Split the text into blocks, each with the 0-based line offset of its piece."""
    from bibtexparser.entrypoint import parse_string
    from bibtexparser.library import Library

    # bibtexparser logs every malformed block as a warning; with no logging set up
    # Python would print those on stderr, over the terminal UI. The issues list
    # reports them instead; an application that configures logging still gets them.
    library_log = logging.getLogger("bibtexparser")
    if not library_log.handlers:
        library_log.addHandler(logging.NullHandler())

    try:
        library = parse_string(text, parse_stack=[])
        return [(0, block) for block in library.blocks]
    except Exception:
        pass
    # bibtexparser gives up on the whole file when its splitter meets a state it
    # does not expect; reading block by block confines the damage to one block.
    # One shared library keeps @string definitions and duplicate-key checks working.
    library = Library()
    out: list[tuple[int, Any]] = []
    starts = [m.start() for m in _PIECE_START.finditer(text)] + [len(text)]
    line = text.count("\n", 0, starts[0])
    for begin, end in itertools.pairwise(starts):
        piece = text[begin:end]
        known = len(library.blocks)
        try:
            parse_string(piece, parse_stack=[], library=library)
            out.extend((line, block) for block in library.blocks[known:])
        except Exception as exc:
            out.append((line, _Unreadable(piece, exc)))
        line += piece.count("\n")
    return out


class _Unreadable:
    """A piece of the file bibtexparser could not split at all."""

    def __init__(self, raw: str, error: Exception) -> None:
        self.start_line = 0
        self.raw = raw
        self.error = error


def _strip_enclosing(value: str) -> str | None:
    """Return the value inside one pair of braces or quotes, or None if not enclosed."""
    if len(value) >= 2 and "#" not in value:
        if value[0] == "{" and value[-1] == "}":
            return value[1:-1]
        if value[0] == '"' and value[-1] == '"':
            return value[1:-1]
    return None


def _resolve(raw: str, strings: dict[str, str]) -> str:
    """Turn a raw field value into its text: delimiters removed, macros and `#` resolved."""
    value = raw.strip()
    inner = _strip_enclosing(value)
    if inner is not None:
        return inner
    if value.isdigit():
        return value
    parts: list[str] = []
    depth = 0
    quoted = False
    start = 0
    for index, char in enumerate(value):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            parts.append(value[start:index])
            start = index + 1
    parts.append(value[start:])
    out = []
    size = 0
    for part in parts:
        part = part.strip()
        if len(part) >= 2 and part[0] + part[-1] in ("{}", '""'):
            piece = part[1:-1]
        else:
            # An @string name (case-insensitive); an unknown name such as the
            # month macro `sep` is kept as written.
            piece = strings.get(part.lower(), part)
        size += len(piece)
        if size > MAX_EXPANDED_CHARS:
            # `#` doubles a value per @string: 490 bytes reach gigabytes in 13 steps.
            raise MacroTooLarge
        out.append(piece)
    return "".join(out)


#: Longest value an @string or a field may expand to, in characters.
MAX_EXPANDED_CHARS = 1_000_000
#: Most characters all @string values of one file may hold together.
MAX_STRINGS_CHARS = 16_000_000


class MacroTooLarge(ValueError):
    """A value whose @string macros expand beyond `MAX_EXPANDED_CHARS`."""


def _define(
    name: str, raw: str, strings: dict[str, str], used: list[int], line: int
) -> Parsed | None:
    """Define an @string; a warning instead when it expands too far (a macro bomb).

    Args:
        name: The macro name.
        raw: Its value as written.
        strings: The macros defined so far (updated).
        used: One counter: characters held by `strings` (updated).
        line: Where the @string is.
    """
    try:
        value = _resolve(raw, strings)
    except MacroTooLarge:
        value = None
    if value is None or used[0] + len(value) > MAX_STRINGS_CHARS:
        message = (
            f"@string{{{name}}} expands to more than {MAX_EXPANDED_CHARS:,} characters "
            f"(or all @strings to more than {MAX_STRINGS_CHARS:,}); left undefined"
        )
        return Parsed(line, None, [ImportIssue(line, message, skipped=False)])
    strings[name.lower()] = value
    used[0] += len(value)
    return None


def _block_name(raw: str) -> str:
    found = _RAW_HEAD.search(raw or "")
    if not found:
        return "block"
    kind, key = found.groups()
    return f"@{kind}{{{key}}}" if key else f"@{kind} entry"


def _failure_message(block: Any) -> str:
    error = block.error
    reason = getattr(error, "abort_reason", "") or str(error) or type(error).__name__
    reason = reason.strip().rstrip(".")
    return f"{_block_name(block.raw)} could not be read ({reason}); skipped"


def _fields(entry: Any, strings: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    fields: dict[str, str] = {}
    repeated: list[str] = []
    for field in entry.fields:
        name = field.key.lower()
        if name not in FIELDS_READ:
            # Mendeley's `file`, `mendeley-tags` and the like: not worth resolving.
            continue
        if name in fields:
            repeated.append(name)
            continue
        value = field.value
        # Inline fast path for the usual `{text}` value; see `_resolve`.
        if value[:1] == "{" and value[-1:] == "}" and "#" not in value:
            fields[name] = value[1:-1]
        else:
            try:
                fields[name] = _resolve(value, strings)
            except MacroTooLarge:
                repeated.append(f"!{name}")  # reported by the caller as too large
    return fields, repeated


def _read_blocks(text: str) -> Iterator[_Raw | Parsed]:
    """Yield entries as raw field dicts, and Parsed items for blocks that failed."""
    from bibtexparser.model import Entry, ParsingFailedBlock, String

    strings: dict[str, str] = {}
    used = [0]
    seen_keys: dict[str, int] = {}
    blocks = _split(text)
    # Blocks are taken off the list as they are read, so bibtexparser's objects
    # are freed while the (much smaller) field dicts are built.
    blocks.reverse()
    while blocks:
        offset, block = blocks.pop()
        line = offset + (block.start_line or 0) + 1
        issues: list[ImportIssue] = []
        if isinstance(block, ParsingFailedBlock | _Unreadable):
            recovered = getattr(block, "ignore_error_block", None)
            if isinstance(recovered, String):
                warning = _define(recovered.key, recovered.value, strings, used, line)
                if warning is not None:
                    yield warning
                continue
            if not isinstance(recovered, Entry):
                yield Parsed(line, None, [ImportIssue(line, _failure_message(block))])
                continue
            block = recovered
        if isinstance(block, String):
            warning = _define(block.key, block.value, strings, used, line)
            if warning is not None:
                yield warning
            continue
        if not isinstance(block, Entry):
            continue
        fields, repeated = _fields(block, strings)
        too_large = [name[1:] for name in repeated if name.startswith("!")]
        repeated = [name for name in repeated if not name.startswith("!")]
        if too_large:
            issues.append(
                ImportIssue(
                    line,
                    f"@{block.entry_type}{{{block.key}}}: {', '.join(too_large)} would expand "
                    f"to more than {MAX_EXPANDED_CHARS:,} characters; left empty",
                    skipped=False,
                )
            )
        if repeated:
            names = ", ".join(sorted(set(repeated)))
            issues.append(
                ImportIssue(
                    line,
                    f"@{block.entry_type}{{{block.key}}} repeats the field(s) "
                    f"{names}; the first value was kept",
                    skipped=False,
                )
            )
        key_folded = block.key.lower()
        if key_folded in seen_keys:
            issues.append(
                ImportIssue(
                    line,
                    f"citation key {block.key!r} was already used on line "
                    f"{seen_keys[key_folded]}; imported as a separate record",
                    skipped=False,
                )
            )
        else:
            seen_keys[key_folded] = line
        yield (line, block.entry_type.lower(), block.key, fields, issues)


# Fields a child entry never takes from its crossref parent: they describe the
# parent itself (its title becomes the child's booktitle instead).
_NOT_INHERITED = frozenset(
    {"title", "subtitle", "titleaddon", "shorttitle", "doi", "url", "abstract", "keywords",
     "note", "annote", "annotation", "file", "crossref", "xref", "ids", "pages", "eprint",
     "pmid", "pmcid"}
)  # fmt: skip


def _inherit(fields: dict[str, str], parent: dict[str, str]) -> None:
    if "booktitle" not in fields and "title" in parent:
        fields["booktitle"] = parent["title"]
    for name, value in parent.items():
        if name not in fields and name not in _NOT_INHERITED:
            fields[name] = value


def parse(source: SourceFile) -> Iterator[Parsed]:
    """Read every entry of a BibTeX/BibLaTeX file.

    Args:
        source: The loaded file.

    Yields:
        One item per entry in file order; blocks bibtexparser could not read are
        skipped with an issue naming their line.

    Raises:
        FileFormatError: When bibtexparser is not installed.
    """
    try:
        items = list(_read_blocks(source.text))
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise FileFormatError(f"BibTeX support needs bibtexparser 2: {exc}") from exc
    # Parents are copied before any child inherits, so inheritance is exactly one
    # level deep whatever the order of entries (and cycles cannot matter).
    by_key: dict[str, dict[str, str]] = {}
    if any(isinstance(item, tuple) and "crossref" in item[3] for item in items):
        for item in items:
            if isinstance(item, tuple):
                by_key.setdefault(item[2].lower(), dict(item[3]))
    for item in items:
        if isinstance(item, Parsed):
            yield item
            continue
        line, entry_type, key, fields, issues = item
        parent_key = fields.get("crossref", "").strip().lower()
        if parent_key:
            parent = by_key.get(parent_key)
            if parent is not None:
                _inherit(fields, parent)
        try:
            record = record_from_fields(entry_type, key, fields)
        except Exception as exc:  # a record that breaks the mapping must not sink the file
            message = (
                f"@{entry_type}{{{key}}} could not be read ({type(exc).__name__}: {exc}); skipped"
            )
            yield Parsed(line, None, [ImportIssue(line, message)])
            continue
        yield Parsed(line, record, issues)


FORMAT = Format(
    name="bibtex",
    label="BibTeX/BibLaTeX",
    extensions=("bib", "bibtex", "biblatex"),
    sniff=sniff,
    parse=parse,
    database="",
)
