"""The list of import formats and content sniffing.

Formats are modules of this package exposing `FORMAT`; they are imported lazily so
that `peerlit list` does not pay for openpyxl or bibtexparser.
"""

from __future__ import annotations

import importlib
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
    if suffix == "gz":
        suffix = source.path.with_suffix("").suffix.lower().lstrip(".")
    best: Format | None = None
    best_score = 0.0
    for fmt in all_formats():
        try:
            score = fmt.sniff(source)
        except Exception:  # a sniffer must never sink the import
            score = 0.0
        if suffix and suffix in fmt.extensions:
            score += 0.05
        if score > best_score:
            best, best_score = fmt, score
    if best_score < 0.3:
        return None, 0.0
    return best, best_score
