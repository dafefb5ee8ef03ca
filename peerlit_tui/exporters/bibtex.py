r"""BibTeX export, written with bibtexparser 2's writer one entry at a time.

Written for the next tool: every entry passes `biber --validate-datamodel` (the
biblatex data model) and classic BibTeX. Entry types follow the record type and
what the record holds: `@article` (with `journal`, which biber reads as
`journaltitle`) when there is a journal, `@incollection` for a chapter with a
book title and an editor, `@inbook` for one with a book title only (biblatex's
`@incollection` requires the editor), `@inproceedings` with a `booktitle`,
`@book`, `@techreport` / `@phdthesis` (publisher as institution / school), and
`@misc` (with `howpublished`) for anything whose container a type needs is
missing. Fields: author ("Family, Given and …", an organisation in braces),
title (left out when peerlit derived it from the abstract: no next tool should
take it for the title), journal / booktitle / series, year (and a BibLaTeX
`date` when the month or day is known), volume (an integer; "ahead-of-print" and
the like are dropped), number, pages (with "--"), one valid ISSN, one valid
ISBN, publisher (not on articles or miscellanea, which the data model does not
allow), doi, url, language, keywords, abstract ("Heading: text" paragraphs). An
annotated record also gets its annotations: tags added to `keywords`, the note
in `note`, and `peerlit-id`, `peerlit-decision`, `peerlit-reason`,
`peerlit-rating`, `peerlit-read`, `peerlit-tags` (private fields, which biber's
data-model check names as such and otherwise ignores).

Values are UTF-8 with LaTeX's special characters escaped (`\%`, `\&`,
`\textbackslash{}`, paired braces as `\{…\}`, a lone brace as
`\textbraceleft{}`), so any text, however hostile, stays inside its field for
parsers that count braces as BibTeX does.

Citation keys belong to the record, not to the export: a key the record was
imported with (a Better BibTeX or CSL-JSON key) is kept; otherwise the key is
FirstauthorYEARfirstword plus four hex digits of the record id
("Gray2024purpose_3f9a"), the same in every export of any subset. CSL-JSON
exports use the same key as the item `id`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, TextIO

from peerlit_tui.authors import parse_name
from peerlit_tui.exporters.citekeys import CitationKeys, citation_key_base
from peerlit_tui.exporters.common import page_parts, valid_isbn, valid_issn
from peerlit_tui.exporters.markers import BIBTEX_FIELDS, encode_tags, latex_escape
from peerlit_tui.text import fold

__all__ = ["BibtexWriter", "citation_key_base", "entry_fields", "entry_type", "open_writer"]

if TYPE_CHECKING:
    from peerlit_tui.annotation import Annotation
    from peerlit_tui.model import Author, Record

#: Record types -> BibTeX entry types.
ENTRY_TYPES = {
    "article": "article", "review": "article", "case study": "article", "book": "book",
    "book part": "incollection", "chapter": "incollection",
    "conference paper": "inproceedings", "report": "techreport", "thesis": "phdthesis",
}  # fmt: skip
_CONTAINER = {
    "incollection": "booktitle", "inbook": "booktitle", "inproceedings": "booktitle",
    "book": "series", "misc": "howpublished", "techreport": "", "phdthesis": "",
}  # fmt: skip

_NO_PUBLISHER = frozenset({"article", "misc"})
_LEADING_NUMBER = re.compile(r"\s*(\d+)(?![\d-])")
_NEEDS_GROUP = re.compile(r",|\band\b", re.IGNORECASE)
_SERIAL_SPLIT = re.compile(r"[,;\s]+")


def _issns(text: str) -> list[str]:
    return [n for n in _SERIAL_SPLIT.split(text) if n]


def _isbns(text: str) -> list[str]:
    # ISBNs are often written with spaces or hyphens inside: split only at , and ;
    return [n.strip() for n in re.split(r"[,;]", text) if n.strip()]


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


def _volume(volume: str) -> tuple[str, str]:
    """(volume as biblatex's integer, text to prefix to `number`).

    "12" stays; "12 Suppl 1" becomes ("12", "Suppl 1"); "ahead-of-print",
    "In press" and other volumes without a number are dropped.
    """
    found = _LEADING_NUMBER.match(volume)
    if found is None:
        return "", ""
    return found.group(1), volume[found.end() :].strip(" ,.;:()")


def entry_type(record: Record) -> str:
    """The BibTeX entry type: the record's, if the record has what that type needs."""
    kind = ENTRY_TYPES.get(record.type, "misc")
    if record.type in ("other", "preprint") and record.journal:
        kind = "article"
    if kind == "incollection" and not record.extra.get("editor"):
        kind = "inbook"
    if kind in ("article", "incollection", "inbook", "inproceedings") and not record.journal:
        kind = "misc"
    return kind


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
    entry_type_ = entry_type(record)
    pairs: list[tuple[str, str]] = []

    def add(name: str, value: str, *, escape: bool = True) -> None:
        if value:
            pairs.append((name, latex_escape(value) if escape else value))

    if record.authors:
        add("author", " and ".join(bibtex_name(a) for a in record.authors), escape=False)
    if entry_type_ in ("incollection", "inbook"):
        editors = [parse_name(n) for n in record.extra.get("editor", "").split("; ") if n]
        add("editor", " and ".join(bibtex_name(a) for a in editors), escape=False)
    if not record.title_derived:
        add("title", record.title)
    container = _CONTAINER.get(entry_type_, "journal")
    if container:
        add(container, record.journal)
    add("year", str(record.year) if record.year else "")
    if len(record.date) > 4:
        add("date", record.date)
    volume, volume_rest = _volume(record.volume)
    add("volume", volume)
    add("number", f"{volume_rest} {record.issue}".strip())
    first, last = page_parts(record.pages)
    add("pages", f"{first}--{last}" if last else first)
    add("issn", next((n for n in _issns(record.issn) if valid_issn(n)), ""))
    add("isbn", next((n for n in _isbns(record.isbn) if valid_isbn(n)), ""))
    if entry_type_ in ("techreport", "phdthesis"):
        add("institution" if entry_type_ == "techreport" else "school", record.publisher)
    elif entry_type_ not in _NO_PUBLISHER:
        add("publisher", record.publisher)
    add("doi", _url(record.doi), escape=False)
    add("url", _url(record.url), escape=False)
    add("language", record.language)
    keywords = list(record.keywords)
    annotated = not annotation.is_blank()
    if tags_in_keywords and annotated:
        known = {fold(k) for k in keywords}
        keywords += [t for t in annotation.tags if fold(t) not in known]
    add("keywords", ", ".join(keywords))
    add("abstract", record.abstract_text)
    if not annotated:
        return pairs
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
        self._keys = CitationKeys()
        self._format = BibtexFormat()  # type: ignore[no-untyped-call]
        self._format.indent = "  "
        self._format.block_separator = "\n"

    def write(self, record: Record, annotation: Annotation) -> None:
        """Write one entry."""
        from bibtexparser.entrypoint import write_string
        from bibtexparser.library import Library
        from bibtexparser.model import Entry, Field

        pairs = entry_fields(record, annotation, tags_in_keywords=self._tags_in_keywords)
        fields: list[Any] = [Field(name, "{" + value + "}") for name, value in pairs]
        entry = Entry(entry_type(record), self._keys.key(record), fields)
        text = write_string(Library([entry]), unparse_stack=[], bibtex_format=self._format)
        self._stream.write(text + "\n")

    def close(self) -> None:
        """Nothing closes a BibTeX file."""


def open_writer(stream: TextIO, *, tags_in_keywords: bool = True) -> BibtexWriter:
    """Start a BibTeX export on `stream`; tags go to the keywords too unless told not to."""
    return BibtexWriter(stream, tags_in_keywords=tags_in_keywords)
