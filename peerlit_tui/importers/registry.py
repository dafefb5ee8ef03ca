"""The list of import formats and content sniffing.

Formats are modules of this package exposing `FORMAT`; they are imported lazily, and
so is the table test sniffing uses, so that a command that imports no file (`peerlit
list`, `show`, `decide`) pays for no parser, openpyxl or bibtexparser.
"""

from __future__ import annotations

import importlib
import re
from functools import cache

from peerlit_tui.importers.base import Format, SourceFile

#: Module names of the import formats, in tie-break order (most specific first).
FORMAT_MODULES: tuple[str, ...] = (
    "xlsx",
    "endnote_xml",
    "pubmed_xml",
    "csljson",
    "medline",
    "ovid",
    "refer",
    "wos",
    "ris",
    "bibtex",
    "proquest",
    "emerald",
    "bibtxt",
    "csv_tsv",
)


#: Formats whose files are never a delimited table with a header row: they do not
#: compete for a file that is one (`is_known_table`).
NEVER_TABLES = frozenset(
    {"endnote_xml", "pubmed_xml", "csljson", "medline", "ovid", "refer", "wos", "ris",
     "bibtex", "proquest", "emerald", "bibtxt"}
)  # fmt: skip
#: The CSV/TSV score of a consistent table with known columns (its sniffer's best).
_TABLE_SCORE = 0.7
# The first line of a Markdown list of records (peerlit's export: "- **Title**") or of
# a Markdown document ("# Heading").
_MARKDOWN_START = re.compile(r"(?:[-*+] \*\*|#{1,6} \S)")
#: Suffixes of compressed files; the one before it names the format.
_COMPRESSED = frozenset({"gz", "bz2", "xz"})


@cache
def all_formats() -> tuple[Format, ...]:
    """Return every available format, skipping ones whose optional extra is missing."""
    out = []
    for module_name in FORMAT_MODULES:
        try:
            module = importlib.import_module(f"peerlit_tui.importers.{module_name}")
        except ImportError:
            continue
        out.append(module.FORMAT)
    return tuple(out)


def format_names() -> list[str]:
    """Names accepted by `--format`."""
    return [f.name for f in all_formats()]


def format_labels() -> str:
    """Every format the registry knows, by its human name, for messages ("RIS, BibTeX, ...")."""
    return ", ".join(f.label for f in all_formats())


def get_format(name: str) -> Format:
    """Look a format up by name.

    Args:
        name: A format name such as "ris" (case-insensitive; "bib" and "nbib" aliases work).

    Returns:
        The format.

    Raises:
        KeyError: For an unknown name; the message lists the known ones.
    """
    aliases = {
        "bib": "bibtex",
        "biblatex": "bibtex",
        "nbib": "medline",
        "pubmed": "medline",
        "csv": "csv_tsv",
        "tsv": "csv_tsv",
        "json": "csljson",
        "csl": "csljson",
        "endnote": "endnote_xml",
        "xml": "endnote_xml",
        "isi": "wos",
        "pubmedxml": "pubmed_xml",
        "enw": "refer",
        "endnote_tagged": "refer",
        "ovid_text": "ovid",
        "ciw": "wos",
    }
    wanted = aliases.get(name.lower(), name.lower())
    for fmt in all_formats():
        if fmt.name == wanted:
            return fmt
    raise KeyError(f"unknown format {name!r}; known formats: {', '.join(format_names())}")


def sniff(source: SourceFile) -> tuple[Format | None, float]:
    """Pick the format whose sniffer is most confident about this file.

    The file extension only breaks ties between equally confident sniffers, so a
    RIS file named `.txt` is still read as RIS.

    Args:
        source: The loaded file.

    Returns:
        (format, score), or (None, 0.0) when no sniffer recognises the content.
    """
    suffix = source.path.suffix.lower().lstrip(".")
    if suffix in _COMPRESSED:
        suffix = source.path.with_suffix("").suffix.lower().lstrip(".")
    if _MARKDOWN_START.match(source.text[:2000].lstrip("\ufeff \n")):
        # peerlit's Markdown export (and Markdown notes) is for reading: its quoted
        # notes and abstracts may hold any format's lines, so no importer claims it.
        return None, 0.0
    # A consistent table under a header of known columns is a table, whatever its
    # cells hold: a note with a line "TY  - JOUR" must not make a CSV export RIS.
    # (Imported here: the test needs the CSV parser, which opening a library must
    # not pay for.)
    from peerlit_tui.importers.table_shape import is_known_table

    table = is_known_table(source)
    best: Format | None = None
    best_score = 0.0
    for fmt in all_formats():
        if table and fmt.name in NEVER_TABLES:
            continue
        try:
            score = fmt.sniff(source)
        except Exception:  # a sniffer must never sink the import
            score = 0.0
        if table and fmt.name == "csv_tsv":
            score = max(score, _TABLE_SCORE)
        if suffix and suffix in fmt.extensions:
            score += 0.05
        if score > best_score:
            best, best_score = fmt, score
    if best_score < 0.3:
        return None, 0.0
    return best, best_score
