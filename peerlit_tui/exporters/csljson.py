"""CSL-JSON export: an array of CSL items, written one item at a time.

Items follow CSL-JSON 1.0.2 as Zotero, Pandoc and citeproc read it: `id` and
`citation-key` (the record's citation key, the same as in a BibTeX export, see
`peerlit_tui.exporters.citekeys`), `type`, `title` (left out when peerlit derived
it from the abstract), `author` (family/given, or `literal` for an
organisation), `issued` (date-parts as precise as known), `container-title`,
`volume`, `issue`, `page`, `ISSN`, `ISBN`, `DOI`, `URL`, `keyword` (", "-joined),
`language`, `publisher`, `abstract` ("Heading: text" paragraphs). Annotations go
under `custom.peerlit` (`id`, the peerlit record id, then `tags`, `decision`,
`reason`, `rating`, `read`, `note`),
the schema's place for data of other programs, rather than in `note`, which
citation styles may print.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO

from peerlit_tui.exporters.citekeys import CitationKeys
from peerlit_tui.exporters.common import date_parts
from peerlit_tui.exporters.markers import CSL_CUSTOM_KEY, csl_custom

if TYPE_CHECKING:
    from peerlit_tui.annotation import Annotation
    from peerlit_tui.model import Author, Record

#: Record types -> CSL item types.
CSL_TYPES = {
    "article": "article-journal", "review": "article-journal", "case study": "article-journal",
    "book": "book", "book part": "chapter", "chapter": "chapter",
    "conference paper": "paper-conference", "report": "report", "thesis": "thesis",
    "dataset": "dataset", "webpage": "webpage", "preprint": "article", "other": "document",
}  # fmt: skip


def csl_name(author: Author) -> dict[str, str]:
    """One CSL name: family and given, or `literal` for a name without given names."""
    if author.given:
        return {"family": author.family, "given": author.given}
    return {"literal": author.name}


def csl_item(record: Record, annotation: Annotation, key: str = "") -> dict[str, Any]:
    """The CSL item of one record, with empty fields left out.

    Args:
        record: The record.
        annotation: Its annotation (blank when it has none).
        key: Its citation key (the item `id`); the record id when not given.

    Returns:
        A JSON-ready mapping.
    """
    item: dict[str, Any] = {"id": key or record.id}
    if key:
        item["citation-key"] = key
    item["type"] = CSL_TYPES.get(record.type, "document")
    text_fields = (
        ("title", "" if record.title_derived else record.title),
        ("container-title", record.journal),
        ("volume", record.volume),
        ("issue", record.issue),
        ("page", record.pages),
        ("ISSN", record.issn),
        ("ISBN", record.isbn),
        ("DOI", record.doi),
        ("URL", record.url),
        ("keyword", ", ".join(record.keywords)),
        ("language", record.language),
        ("publisher", record.publisher),
        ("abstract", record.abstract_text),
    )
    for name, value in text_fields:
        if value:
            item[name] = value
    if record.authors:
        item["author"] = [csl_name(a) for a in record.authors]
    parts = date_parts(record)
    if parts:
        item["issued"] = {"date-parts": [parts]}
    # The record id goes along even without annotations: the item id is the key.
    item["custom"] = {CSL_CUSTOM_KEY: {"id": record.id, **csl_custom(annotation)}}
    return item


class CslJsonWriter:
    """Writes a JSON array, one item at a time.

    Args:
        stream: Where to write.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._count = 0
        self._keys = CitationKeys()
        stream.write("[")

    def write(self, record: Record, annotation: Annotation) -> None:
        """Write one item."""
        item = csl_item(record, annotation, self._keys.key(record))
        text = json.dumps(item, ensure_ascii=False, indent=2)
        self._stream.write(("\n" if self._count == 0 else ",\n") + text)
        self._count += 1

    def close(self) -> None:
        """Close the array."""
        self._stream.write("\n]\n" if self._count else "]\n")


def open_writer(stream: TextIO, *, tags_in_keywords: bool = True) -> CslJsonWriter:
    """Start a CSL-JSON export on `stream` (tags always stay apart from keywords here)."""
    return CslJsonWriter(stream)
