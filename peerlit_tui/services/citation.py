"""One record as text to paste elsewhere: its DOI, an APA-like citation, a BibTeX or RIS entry.

Nothing here knows about terminals or clipboards. BibTeX and RIS entries come from
the exporters, so a pasted entry is exactly what an export of that one record
holds — without the user's annotations (tags, notes and decisions are the
reviewer's own, not part of a reference). Every result has escape sequences and
control characters removed: the text ends up in a clipboard, and from there in
another program or terminal.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

from peerlit_tui.text import clean_line, strip_controls

if TYPE_CHECKING:
    from peerlit_tui.model import Author, Record

#: A hyphen (or BibTeX's double hyphen) between page numbers; APA writes an en dash.
_PAGE_RANGE = re.compile(r"(?<=\w)\s*-{1,2}\s*(?=\w)")
#: The DOI resolver links are built on.
DOI_RESOLVER = "https://doi.org/"
#: APA lists up to this many authors before "… last author".
APA_MAX_AUTHORS = 20


def doi_text(record: Record) -> str:
    """The record's DOI as plain text ("10.1000/xyz"), or "" when it has none."""
    return clean_line(record.doi)


def link_for(record: Record) -> str:
    """The address to open for a record: its DOI through the resolver, else its URL.

    Returns:
        An http(s) address, or "" when the record has neither (or its URL uses
        another scheme, which is not opened from untrusted data).
    """
    doi = doi_text(record)
    if doi:
        return DOI_RESOLVER + doi
    url = clean_line(record.url)
    if url.lower().startswith(("https://", "http://")):
        return url
    return ""


def _initials(given: str) -> str:
    parts = given.replace(".", " ").replace("-", " -").split()
    out: list[str] = []
    for part in parts:
        if part.startswith("-") and len(part) > 1:
            out.append(f"-{part[1]}.")
        elif part[:1].isalpha():
            out.append(f"{part[0]}.")
    return " ".join(out).replace(" -", "-")


#: Lower-case name particles ("van der Berg", "ten Dijk", "de la Cruz"). Exports that
#: write "Berg, Jan van der" leave them after the given names; APA puts them before
#: the surname and makes no initials of them.
PARTICLES = frozenset(
    "van der den de del della dei di da das dos du la le les ten ter te von vom zu zur "
    "'t van't op het in d' l' y e".split()
)


def _split_particles(given: str) -> tuple[str, str]:
    """(given names, particles that trail them): "Jan van der" -> ("Jan", "van der")."""
    words = given.split()
    cut = len(words)
    while cut > 1 and words[cut - 1] in PARTICLES:
        cut -= 1
    return " ".join(words[:cut]), " ".join(words[cut:])


def _apa_name(author: Author) -> str:
    family = clean_line(author.family)
    if not family:
        return clean_line(author.name)
    given, particles = _split_particles(clean_line(author.given))
    if particles:
        family = f"{particles} {family}"
    initials = _initials(given)
    return f"{family}, {initials}" if initials else family


def _apa_authors(authors: list[Author]) -> str:
    names = [n for n in (_apa_name(a) for a in authors) if n]
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    if len(names) > APA_MAX_AUTHORS:
        return ", ".join(names[: APA_MAX_AUTHORS - 1]) + ", … " + names[-1]
    return ", ".join(names[:-1]) + ", & " + names[-1]


def apa_citation(record: Record) -> str:
    """An APA-like reference on one line.

    "Family, G. G., & Other, A. (2024). Title. Journal, 12(3), 45–67.
    https://doi.org/10.1000/xyz" — with the parts the record lacks left out
    ("n.d." for an unknown year).

    Args:
        record: The record.

    Returns:
        The citation, without control characters.
    """
    authors = _apa_authors(record.authors)
    year = str(record.year) if record.year else "n.d."
    title = clean_line(record.title).rstrip(".")
    parts: list[str] = []
    parts.append(f"{authors.rstrip('.')}. ({year})." if authors else f"({year}).")
    if title:
        parts.append(f"{title}.")
    journal = clean_line(record.journal)
    if journal:
        where = journal
        volume, issue, pages = (clean_line(x) for x in (record.volume, record.issue, record.pages))
        if volume:
            where += f", {volume}"
            if issue:
                where += f"({issue})"
        elif issue:
            where += f", ({issue})"
        if pages:
            where += f", {_PAGE_RANGE.sub('–', pages)}"
        parts.append(f"{where}.")
    link = link_for(record)
    if link:
        parts.append(link)
    return " ".join(parts)


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    if isinstance(value, dict):
        return {k: _cleaned(v) for k, v in value.items()}
    return value


def _one_entry(record: Record, format_name: str) -> str:
    from peerlit_tui.annotation import Annotation
    from peerlit_tui.exporters import export
    from peerlit_tui.model import Record

    # Imported records are cleaned already; a record from elsewhere is cleaned here
    # field by field, so a whole escape sequence goes (not only its ESC byte) before
    # the writers derive keys from the names.
    clean = Record.from_dict(_cleaned(record.to_dict()))
    clean.sources = record.sources
    stream = io.StringIO()
    export([(clean, Annotation(record.id))], format_name, stream, tags_in_keywords=False)
    return strip_controls(stream.getvalue()).strip() + "\n"


def bibtex_entry(record: Record) -> str:
    """The record's BibTeX entry, as `peerlit export --format bibtex` writes it."""
    return _one_entry(record, "bibtex")


def ris_entry(record: Record) -> str:
    """The record's RIS entry (TY … ER), as `peerlit export --format ris` writes it."""
    return _one_entry(record, "ris")


#: What can be copied, by name: (label shown to people, function making the text).
CLIP_KINDS = {
    "doi": ("DOI", doi_text),
    "citation": ("citation", apa_citation),
    "bibtex": ("BibTeX entry", bibtex_entry),
    "ris": ("RIS entry", ris_entry),
}
