"""CSL-JSON: the citation format of Zotero, Pandoc, citeproc and the DOI resolvers.

A file is an array of items, a single item object, or an object wrapping the
array as `{"items": [...]}`. Items of an array are decoded one at a time, so each
gets its own start line, and an error half-way through keeps the items before it.
Values are loosely typed in the wild (numbers where strings are expected, lists
where a string is), so every field is read through `_text`.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any

from peerlit_tui.authors import parse_name
from peerlit_tui.importers.base import FileFormatError, Format, Parsed, SourceFile
from peerlit_tui.model import Author, ImportIssue, Record
from peerlit_tui.sections import split_abstract

#: CSL item types -> record types; unknown types become "other".
CSL_TYPES: dict[str, str] = {
    "article-journal": "article", "article-magazine": "article",
    "article-newspaper": "article", "review": "article", "review-book": "article",
    # CSL 1.0.2 defines "article" as a work not published in a journal: preprints
    # and working papers (Zotero exports its preprints so).
    "article": "preprint", "posted-content": "preprint",
    "book": "book", "classic": "book", "periodical": "book",
    "chapter": "chapter", "entry-dictionary": "book part", "entry-encyclopedia": "book part",
    "paper-conference": "conference paper", "speech": "conference paper",
    "report": "report", "thesis": "thesis",
    "webpage": "webpage", "post": "webpage", "post-weblog": "webpage",
    "dataset": "dataset",
}  # fmt: skip

# Markers of CSL in the opening text: the sniffer needs two of them.
_CSL_MARKERS = re.compile(
    r'"(?:date-parts|container-title|issued|citation-key|family|given|DOI|URL|ISSN|'
    r'type"\s*:\s*"(?:article-journal|book|chapter|paper-conference|report|thesis|webpage))"'
)
# An array of objects (or an empty one) or an object: what CSL-JSON files open with.
_JSON_START = re.compile(r"\s*(?:\[\s*\{|\[\s*\]\s*$|\{\s*[\"}])")
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_TAG = re.compile(r"<[^>]{0,200}>")
_BLOCK_END = re.compile(r"</(?:jats:)?(?:p|sec|div|list-item)>|<br\s*/?>", re.IGNORECASE)
_HEADING = re.compile(r"<(?:jats:)?title>(.*?)</(?:jats:)?title>", re.IGNORECASE | re.DOTALL)
_ISO_DATE = re.compile(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_KEYWORD_SPLIT = re.compile(r"\s*[;,]\s*")


def sniff(source: SourceFile) -> float:
    """Score how likely the file is CSL-JSON.

    Args:
        source: The loaded file.

    Returns:
        0.9 for JSON holding CSL field names, 0.3 for other JSON that opens with
        an array or object (read as CSL when nothing else claims it), else 0.
    """
    head = source.text[:20000]
    if not _JSON_START.match(head):
        return 0.0
    markers = {m.group(0) for m in _CSL_MARKERS.finditer(head)}
    return 0.9 if len(markers) >= 2 else 0.3


def _text(value: Any) -> str:
    """Any JSON value as text: numbers written out, the first of a list, else ""."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, list):
        return next((t for t in map(_text, value) if t), "")
    return ""


def _texts(value: Any) -> list[str]:
    """A string or a list of strings (ISSN, ISBN) as a list."""
    if isinstance(value, list):
        return [t for t in map(_text, value) if t]
    text = _text(value)
    return [text] if text else []


def _strip_markup(text: str) -> str:
    """Remove HTML/JATS tags, keeping paragraph breaks and section headings on own lines."""
    if "<" not in text:
        return html.unescape(text) if "&" in text else text
    text = _HEADING.sub(lambda m: f"\n\n{m.group(1).strip()}\n", text)
    text = _BLOCK_END.sub("\n\n", text)
    text = html.unescape(_TAG.sub("", text)).strip()
    # Crossref opens most JATS abstracts with a bare "Abstract" heading.
    if text[:8].lower() == "abstract" and text[8:9] in ("\n", ""):
        text = text[8:]
    return text


# Words that mark a `literal` name as an organisation rather than a person.
_ORGANISATION = re.compile(
    r"\b(?:organi[sz]ation|institut\w*|universit\w*|consortium|group|association|society|"
    r"committee|council|agency|department|ministry|foundation|collaboration|cent(?:er|re)|"
    r"network|team|office|board|inc|ltd|company|corporation|project|commission|federation)\b",
    re.IGNORECASE,
)


def _author(value: Any) -> Author | None:
    if isinstance(value, str):
        author = parse_name(value)
        return author if author.name else None
    if not isinstance(value, dict):
        return None
    literal = _text(value.get("literal"))
    family = " ".join(
        p for p in (_text(value.get("non-dropping-particle")), _text(value.get("family"))) if p
    )
    given = " ".join(
        p for p in (_text(value.get("given")), _text(value.get("dropping-particle"))) if p
    )
    if not family:
        name = literal or given
        if not name:
            return None
        if _ORGANISATION.search(name) or len(name.split()) > 4:
            return Author(name=name, family=name, given="", inverted=False)
        # Some services (arXiv) put personal names in `literal`: "Arfon M Smith".
        return parse_name(name)
    suffix = _text(value.get("suffix"))
    name = ", ".join(p for p in (family, suffix, given) if p)
    return Author(name=name, family=family, given=given, inverted=True)


def _authors(value: Any) -> list[Author]:
    if not isinstance(value, list):
        value = [value] if value else []
    return [a for a in map(_author, value) if a is not None]


def _date(value: Any) -> tuple[str, int | None]:
    """Read a CSL date: date-parts (possibly empty, null or over-long), raw or literal."""
    if isinstance(value, dict):
        parts = value.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list):
            numbers = []
            for part in parts[0][:3]:
                text = _text(part).strip()
                if not text.isdigit():
                    break
                numbers.append(int(text))
            if numbers and 0 < numbers[0] < 10000:
                year = numbers[0]
                out = f"{year:04d}"
                if len(numbers) > 1 and 1 <= numbers[1] <= 12:
                    out += f"-{numbers[1]:02d}"
                    if len(numbers) > 2 and 1 <= numbers[2] <= 31:
                        out += f"-{numbers[2]:02d}"
                return out, year
        value = value.get("raw") or value.get("literal")
    found = _ISO_DATE.match(_text(value))
    if not found:
        return "", None
    year_text, month, day = found.group(1), found.group(2), found.group(3)
    out = year_text
    if month and 1 <= int(month) <= 12:
        out += f"-{int(month):02d}"
        if day and 1 <= int(day) <= 31:
            out += f"-{int(day):02d}"
    return out, int(year_text)


# Item fields kept in `extra`, under these names.
_EXTRA = (
    ("PMID", "pmid"), ("PMCID", "pmcid"), ("note", "note"), ("source", "source"),
    ("publisher-place", "publisher_place"), ("collection-title", "series"),
    ("number", "number"), ("genre", "genre"), ("edition", "edition"),
    ("event-title", "event"), ("archive", "archive"), ("call-number", "call_number"),
)  # fmt: skip


def record_from_item(item: dict[str, Any]) -> Record:
    """Build a record from one CSL-JSON item.

    Args:
        item: The decoded JSON object.

    Returns:
        The record; strings are left for the import pipeline to clean.
    """
    csl_type = _text(item.get("type"))
    title = _strip_markup(_text(item.get("title")))
    subtitle = _text(item.get("subtitle"))
    if title and subtitle:
        title = f"{title}: {_strip_markup(subtitle)}"
    date, year = _date(item.get("issued"))
    if not date:
        for other in ("published-print", "published-online", "original-date"):
            date, year = _date(item.get(other))
            if date:
                break
    keywords: Any = item.get("keyword")
    if isinstance(keywords, str):
        keywords = _KEYWORD_SPLIT.split(keywords)
    abstract = _strip_markup(_text(item.get("abstract")))
    extra: dict[str, str] = {}
    citekey = _text(item.get("citation-key")) or _text(item.get("id"))
    if citekey:
        extra["citekey"] = citekey
    for field, name in _EXTRA:
        value = _text(item.get(field))
        if value:
            extra[name] = value
    editors = _authors(item.get("editor"))
    if editors:
        extra["editor"] = "; ".join(a.name for a in editors)
    return Record(
        type=CSL_TYPES.get(csl_type, "other"),
        type_detail=csl_type,
        title=title,
        authors=_authors(item.get("author")),
        date=date,
        year=year,
        journal=_strip_markup(_text(item.get("container-title"))),
        volume=_text(item.get("volume")),
        issue=_text(item.get("issue")),
        pages=_text(item.get("page")) or _text(item.get("page-first")),
        issn=", ".join(_texts(item.get("ISSN"))),
        isbn=", ".join(_texts(item.get("ISBN"))),
        doi=_text(item.get("DOI")),
        url=_text(item.get("URL")),
        keywords=_texts(keywords),
        language=_text(item.get("language")),
        abstract=split_abstract(abstract) if abstract else [],
        publisher=_text(item.get("publisher")),
        extra=extra,
    )


def _parsed(item: Any, line: int, index: int) -> Parsed:
    if not isinstance(item, dict):
        kind = type(item).__name__ if item is not None else "null"
        message = f"item {index + 1} is a JSON {kind}, not an object; skipped"
        return Parsed(line, None, [ImportIssue(line, message)])
    try:
        return Parsed(line, record_from_item(item))
    except Exception as exc:  # one odd item must not sink the file
        message = f"item {index + 1} could not be read ({type(exc).__name__}: {exc}); skipped"
        return Parsed(line, None, [ImportIssue(line, message)])


def _json_error(exc: json.JSONDecodeError) -> FileFormatError:
    return FileFormatError(f"invalid JSON at column {exc.colno}: {exc.msg}", line=exc.lineno)


def _skip_space(text: str, position: int) -> int:
    found = _WHITESPACE.match(text, position)
    return found.end() if found else position


def _value_problem(exc: Exception) -> str:
    """Why one JSON value could not be decoded, in words."""
    if isinstance(exc, RecursionError):
        return "is nested too deeply to read"
    return f"holds a value that cannot be read ({exc})"  # e.g. a number of 5,000 digits


def _value_end(text: str, position: int) -> int:
    """Where the JSON value at `position` ends, found without decoding it.

    Brackets are counted outside strings, iteratively, so a value nested a million
    levels deep is passed over instead of overflowing the stack.
    """
    depth = 0
    index = position
    size = len(text)
    while index < size:
        ch = text[index]
        if ch == '"':
            index += 1
            while index < size and text[index] != '"':
                index += 2 if text[index] == "\\" else 1
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
            if depth <= 0:
                return index + 1
        elif depth == 0 and ch in ",":
            return index
        index += 1
    return size


def _array_items(text: str, start: int) -> Iterator[tuple[Any, int, str]]:
    """Decode the elements of the top-level array one by one.

    Yields:
        (item, offset, problem): `problem` says why an element that is valid JSON
        but cannot be decoded (too deep, a number too long) was passed over ("" when
        the item was read).
    """
    decoder = json.JSONDecoder()
    position = _skip_space(text, start + 1)
    if text.startswith("]", position):
        return
    while True:
        problem = ""
        try:
            item, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise _json_error(exc) from None
        except (RecursionError, ValueError) as exc:
            item, end, problem = None, _value_end(text, position), _value_problem(exc)
        yield item, position, problem
        position = _skip_space(text, end)
        if text.startswith(",", position):
            position = _skip_space(text, position + 1)
            continue
        if text.startswith("]", position):
            return
        line = text.count("\n", 0, position) + 1
        column = position - text.rfind("\n", 0, position)
        raise FileFormatError(f"invalid JSON at column {column}: expected ',' or ']'", line=line)


def parse(source: SourceFile) -> Iterator[Parsed]:
    """Read every item of a CSL-JSON file.

    Args:
        source: The loaded file.

    Yields:
        One item per CSL item, in file order.

    Raises:
        FileFormatError: When the text is not JSON, or not an array or object.
    """
    text = source.text
    opening = _skip_space(text, 0)
    if text.startswith("[", opening):
        line = text.count("\n", 0, opening) + 1
        last = opening
        for index, (item, offset, problem) in enumerate(_array_items(text, opening)):
            line += text.count("\n", last, offset)
            last = offset
            if problem:
                message = f"item {index + 1} {problem}; skipped"
                yield Parsed(line, None, [ImportIssue(line, message)])
            else:
                yield _parsed(item, line, index)
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _json_error(exc) from None
    except (RecursionError, ValueError) as exc:
        raise FileFormatError(f"the JSON {_value_problem(exc)}") from None
    if not isinstance(data, dict):
        raise FileFormatError("the JSON holds neither a list of items nor an item")
    items = data.get("items")
    if isinstance(items, list):
        # Positions inside the wrapper are not tracked; records carry line 0.
        for index, item in enumerate(items):
            yield _parsed(item, 0, index)
        return
    yield _parsed(data, text.count("\n", 0, opening) + 1, 0)


FORMAT = Format(
    name="csljson",
    label="CSL-JSON",
    extensions=("json",),
    sniff=sniff,
    parse=parse,
    database="",
)
