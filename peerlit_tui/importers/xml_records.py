"""Reading records out of large XML exports safely, one element at a time.

EndNote XML and PubMed XML exports hold thousands of records. The file is fed to
expat in chunks; only the inside of each record element is built into an
ElementTree, which is yielded and forgotten, so memory stays flat and the line
where each record starts is known.

Safety: entity declarations are refused (they are what "billion laughs"
expansion needs), parameter entities and external entities are never read, and
a document type declaration is refused unless the format needs one (PubMed
writes `<!DOCTYPE PubmedArticleSet PUBLIC … "…pubmed_240101.dtd">`); even then
one with an internal subset is refused, and the external DTD is never fetched.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from xml.parsers import expat

from peerlit_tui.importers.base import FileFormatError

_CHUNK = 1 << 16


class _Refused(Exception):
    """The document declares something that is refused."""


def iter_elements(
    text: str,
    tags: frozenset[str],
    *,
    refused: str,
    external_doctype: bool = False,
) -> Iterator[tuple[int, ET.Element]]:
    """Parse XML text, yielding each element named in `tags` with its start line.

    Args:
        text: The document.
        tags: Names of the record elements (outermost match wins).
        refused: Message for a refused declaration (names the format).
        external_doctype: Allow a DOCTYPE that only names an external DTD.

    Yields:
        (line, element) for each record, in document order.

    Raises:
        FileFormatError: For malformed XML (after the records before it) or a
            refused declaration.
    """
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    ready: list[tuple[int, ET.Element]] = []
    builder: ET.TreeBuilder | None = None
    record_line = 0
    nesting = 0

    def refuse(*_args: object) -> None:
        raise _Refused

    def doctype(_name: str, _system: str | None, _public: str | None, internal: int) -> None:
        if not external_doctype or internal:
            raise _Refused

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal builder, record_line, nesting
        if builder is None:
            if tag not in tags:
                return
            builder = ET.TreeBuilder()
            record_line = parser.CurrentLineNumber
        nesting += 1
        builder.start(tag, attributes)

    def end(tag: str) -> None:
        nonlocal builder, nesting
        if builder is None:
            return
        builder.end(tag)
        nesting -= 1
        if nesting == 0:
            ready.append((record_line, builder.close()))
            builder = None

    def data(content: str) -> None:
        if builder is not None:
            builder.data(content)

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = lambda *_args: 0  # never fetched: an error
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    position = 0
    while True:
        chunk = text[position : position + _CHUNK]
        position += _CHUNK
        try:
            parser.Parse(chunk, not chunk)
        except expat.ExpatError as exc:
            yield from ready
            message = expat.ErrorString(exc.code) if exc.code else str(exc)
            raise FileFormatError(
                f"malformed XML at column {exc.offset + 1}: {message}", line=exc.lineno
            ) from None
        except _Refused:
            raise FileFormatError(refused, line=parser.CurrentLineNumber) from None
        yield from ready
        ready.clear()
        if not chunk:
            return


def element_text(element: ET.Element | None) -> str:
    """The whole text of an element, inline markup (`<i>`, `<sup>`) included, stripped."""
    if element is None:
        return ""
    return "".join(element.itertext()).strip()
