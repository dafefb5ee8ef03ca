r"""BibTeX export, written with bibtexparser 2's writer one entry at a time.

Entry types follow the record type (article, book, incollection, inproceedings,
techreport, phdthesis, misc). Fields: author ("Family, Given and …", an
organisation in braces), title, journal / booktitle / series, year (and a
BibLaTeX `date` when the month or day is known), volume, number, pages (with
"--"), issn, isbn, publisher, doi, url, language, keywords, abstract ("Heading:
text" paragraphs), and the annotations: tags added to `keywords`, the note in
`note`, and `peerlit-id`, `peerlit-decision`, `peerlit-reason`, `peerlit-rating`,
`peerlit-read`, `peerlit-tags`.

Values are UTF-8 with LaTeX's special characters escaped (`\%`, `\&`, `\{`,
`\textbackslash{}`, ...), so any text, however hostile, stays inside its field.
Citation keys are FirstauthorYEARfirstword ("Gray2024purpose"), made unique with
a letter suffix ("Gray2024purposea") within the file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

from peerlit_tui.exporters.common import page_parts
from peerlit_tui.exporters.markers import BIBTEX_FIELDS, encode_tags, latex_escape
from peerlit_tui.text import fold

if TYPE_CHECKING:
    from peerlit_tui.annotation import Annotation
    from peerlit_tui.model import Author, Record

#: Record types -> BibTeX entry types.
ENTRY_TYPES = {
    "article": "article", "review": "article", "case study": "article", "book": "book",
    "book part": "incollection", "chapter": "incollection",
    "conference paper": "inproceedings", "report": "techreport", "thesis": "phdthesis",
}  # fmt: skip
_CONTAINER = {"incollection": "booktitle", "inproceedings": "booktitle", "book": "series"}

_NOT_KEY_WORDS = frozenset(
    "a an the of on in for and to with from at by is are was were this that its".split()
)
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")
_NEEDS_GROUP = re.compile(r",|\band\b", re.IGNORECASE)


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isascii())


def citation_key_base(record: Record) -> str:
    """FirstauthorYEARfirstword, ASCII letters and digits only ("Gray2024purpose").

    The first word is the first title word that is not a short function word.

    Args:
        record: The record.

    Returns:
        The key before it is made unique; "ref" when the record has none of the parts.
    """
    author = ""
    if record.authors:
        first = record.authors[0]
        words = _ASCII_WORD.findall(_ascii(first.family or first.name))
        author = "".join(w[:1].upper() + w[1:] for w in words)
    year = str(record.year) if record.year else ""
    word = ""
    for candidate in _ASCII_WORD.findall(_ascii(record.title)):
        if candidate.lower() not in _NOT_KEY_WORDS:
            word = candidate.lower()
            break
    return (author + year + word) or "ref"


def _suffixes() -> Iterator[str]:
    """a, b, …, z, aa, ab, … for keys that are taken."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    yield from letters
    for first in letters:
        for second in letters:
            yield first + second
    number = 1
    while True:
        yield f"n{number}"
        number += 1


def bibtex_name(author: Author) -> str:
    """One author for the `author` field: "Family, Given", or an organisation in braces."""
    family = latex_escape(author.family or author.name)
    if not author.given:
        return "{" + latex_escape(author.name) + "}"
    if _NEEDS_GROUP.search(author.family):
        family = "{" + family + "}"
    return f"{family}, {latex_escape(author.given)}"


def _url(text: str) -> str:
    # URLs and DOIs keep `%`, `_` and `~` as they are (percent-encoding, not LaTeX).
    return text.replace("{", "\\{").replace("}", "\\}")


def entry_fields(
    record: Record, annotation: Annotation, *, tags_in_keywords: bool = True
) -> list[tuple[str, str]]:
    """The (field, raw value without braces) pairs of one entry, in writing order.

    Args:
        record: The record.
        annotation: Its annotation (blank when it has none).
        tags_in_keywords: Add the tags to `keywords` after the record's keywords.

    Returns:
        Field names and LaTeX-escaped values.
    """
    entry_type = ENTRY_TYPES.get(record.type, "misc")
    pairs: list[tuple[str, str]] = []

    def add(name: str, value: str, *, escape: bool = True) -> None:
        if value:
            pairs.append((name, latex_escape(value) if escape else value))

    if record.authors:
        add("author", " and ".join(bibtex_name(a) for a in record.authors), escape=False)
    add("title", record.title)
    add(_CONTAINER.get(entry_type, "journal"), record.journal)
    add("year", str(record.year) if record.year else "")
    if len(record.date) > 4:
        add("date", record.date)
    add("volume", record.volume)
    add("number", record.issue)
    first, last = page_parts(record.pages)
    add("pages", f"{first}--{last}" if last else first)
    add("issn", record.issn)
    add("isbn", record.isbn)
    add("publisher", record.publisher)
    add("doi", _url(record.doi), escape=False)
    add("url", _url(record.url), escape=False)
    add("language", record.language)
    keywords = list(record.keywords)
    if tags_in_keywords:
        known = {fold(k) for k in keywords}
        keywords += [t for t in annotation.tags if fold(t) not in known]
    add("keywords", ", ".join(keywords))
    add("abstract", record.abstract_text)
    add(BIBTEX_FIELDS["note"], annotation.note)
    add(BIBTEX_FIELDS["id"], record.id)
    if annotation.decision != "undecided":
        add(BIBTEX_FIELDS["decision"], annotation.decision)
    add(BIBTEX_FIELDS["reason"], annotation.reason)
    if annotation.rating:
        add(BIBTEX_FIELDS["rating"], str(annotation.rating))
    if annotation.read != "unread":
        add(BIBTEX_FIELDS["read"], annotation.read)
    if annotation.tags:
        add(BIBTEX_FIELDS["tags"], encode_tags(annotation.tags))
    return pairs


class BibtexWriter:
    """Writes BibTeX entries to a stream, keeping citation keys unique.

    Args:
        stream: Where to write.
        tags_in_keywords: Add tags to `keywords` as well.
    """

    def __init__(self, stream: TextIO, *, tags_in_keywords: bool = True) -> None:
        from bibtexparser.writer import BibtexFormat  # deferred: only BibTeX pays for it

        self._stream = stream
        self._tags_in_keywords = tags_in_keywords
        self._used: set[str] = set()
        self._format = BibtexFormat()  # type: ignore[no-untyped-call]
        self._format.indent = "  "
        self._format.block_separator = "\n"

    def _key(self, record: Record) -> str:
        base = citation_key_base(record)
        key = base
        if key.lower() in self._used:
            key = next(base + s for s in _suffixes() if (base + s).lower() not in self._used)
        self._used.add(key.lower())
        return key

    def write(self, record: Record, annotation: Annotation) -> None:
        """Write one entry."""
        from bibtexparser.entrypoint import write_string
        from bibtexparser.library import Library
        from bibtexparser.model import Entry, Field

        pairs = entry_fields(record, annotation, tags_in_keywords=self._tags_in_keywords)
        fields: list[Any] = [Field(name, "{" + value + "}") for name, value in pairs]
        entry = Entry(ENTRY_TYPES.get(record.type, "misc"), self._key(record), fields)
        text = write_string(Library([entry]), unparse_stack=[], bibtex_format=self._format)
        self._stream.write(text + "\n")

    def close(self) -> None:
        """Nothing closes a BibTeX file."""


def open_writer(stream: TextIO, *, tags_in_keywords: bool = True) -> BibtexWriter:
    """Start a BibTeX export on `stream`; tags go to the keywords too unless told not to."""
    return BibtexWriter(stream, tags_in_keywords=tags_in_keywords)
