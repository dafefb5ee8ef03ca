"""RIS files (`TY  - JOUR` ... `ER  -`), read record by record with rispy.

rispy parses a whole text in one go and merges or drops what it cannot place, so
a damaged record could silently swallow its neighbours and nothing would say on
which line. The file is therefore cut into records first — a `TY  - ` line opens
one, an `ER  -` line closes it — and each record is read on its own, which also
gives every record its start line. Cutting uses whole-text regular expressions,
so the extra pass costs little. The lines of a record are read by `_fields`, an
inlined copy of what rispy's `RisParser.parse_lines` does with peerlit's options
(every tag kept as a list under its own name); rispy itself reads only the rare
record with a tag outside `A-Z` + `A-Z0-9`, so every record comes out as rispy
would make it at a fraction of rispy's per-line function calls.

Real exports bend the format in ways handled here: header text before the first
record ("Record #1 of 2", Ovid's "1."), lines after `ER` (Ovid's `NL` and "Link
to..." lines), tabs or odd spacing around the tag dash, untagged continuation
lines (abstract paragraphs, one keyword per line), a record missing its `ER`, a
file ending mid-record, and stray text after one-value tags such as `PY`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

from peerlit_tui.authors import names_to_authors
from peerlit_tui.importers.base import Format, Parsed, SourceFile
from peerlit_tui.importers.tagged_fields import (
    combine_dates,
    find_doi,
    page_range,
    split_serials,
)
from peerlit_tui.model import ImportIssue, Record
from peerlit_tui.sections import split_abstract
from peerlit_tui.text import shorten

_SNIFF_CHARS = 20_000

#: RIS reference types mapped to record types; unlisted types become "other".
_TYPES: dict[str, str] = {
    "JOUR": "article", "EJOUR": "article", "JFULL": "article", "INPR": "article",
    "MGZN": "article", "NEWS": "article",
    "BOOK": "book", "EBOOK": "book", "EDBOOK": "book",
    "CHAP": "chapter", "ECHAP": "chapter",
    "CONF": "conference paper", "CPAPER": "conference paper",
    "RPRT": "report", "GOVDOC": "report",
    "THES": "thesis",
    "ELEC": "webpage", "WEB": "webpage", "BLOG": "webpage",
    "DATA": "dataset", "DBASE": "dataset",
}  # fmt: skip

#: Words of spelled-out reference types ("Journal Article", "Book Section"), checked
#: in order, for exporters that write names instead of RIS codes.
_TYPE_WORDS: tuple[tuple[str, str], ...] = (
    ("review", "review"),
    ("section", "chapter"),
    ("chapter", "chapter"),
    ("conference", "conference paper"),
    ("proceeding", "conference paper"),
    ("thesis", "thesis"),
    ("dissertation", "thesis"),
    ("report", "report"),
    ("book", "book"),
    ("journal", "article"),
    ("article", "article"),
    ("web", "webpage"),
    ("data", "dataset"),
)

#: Document-type words (Scopus writes them in M3) that refine a journal record.
_WORK_TYPES = {"review": "review", "conference paper": "conference paper"}

# Tags whose single value cannot run over several lines: untagged text after one
# of them is not a continuation but debris, and is reported. (SN is not among
# them: EndNote writes a second ISSN on an untagged line.)
_ONE_LINE_TAGS = ("TY", "PY", "Y1", "DA", "VL", "IS", "SP", "EP", "DO", "LA", "ET", "NV", "AN")
_ONE_LINE_AFTER_TY = frozenset(_ONE_LINE_TAGS[1:])
# "\n" + tag as the literal start lets the regex engine skip quickly to line starts.
_BOUNDARY = re.compile(r"\n(TY|ER)  -")
# Tags that carry a record's substance: finding them outside any TY...ER block
# means a record lost its TY line.
_ORPHAN = re.compile(r"\n(?:TI|T1|AU|A1|AB|N2)  - \S")
# A tag line written with a tab or unusual spacing around the dash.
_ODD_TAG = re.compile(r"^([A-Z][A-Z0-9])(?!  - |  -$)([ \t]+)-([ \t]*)", re.MULTILINE)
# Tags common enough that one or three spaces before the dash still mark a tag
# ("UK - wide" in running text must stay text, so UK is not among them).
_SPACING_TOLERANT = frozenset(
    "TY ER TI T1 T2 AU A1 A2 AB N2 PY Y1 DA DO KW JO JF JA J2 VL IS SP EP SN UR N1 LA PB "
    "AN ID DB DP".split()
)
_RIS_START = re.compile(r"^TY[ \t]+-", re.MULTILINE)
_RIS_TAG = re.compile(r"^[A-Z][A-Z0-9]  - ", re.MULTILINE)
_ASREVIEW_LABEL = re.compile(r"ASReview_(relevant|irrelevant|not_seen)", re.IGNORECASE)
_DATABASE_HINTS = (
    ("scopus.com", "Scopus"),
    ("embase.com", "Embase"),
    ("ovid", "Ovid"),
    ("pubmed", "PubMed"),
    ("ncbi.nlm.nih.gov", "PubMed"),
    ("proquest.com", "ProQuest"),
    ("webofscience", "Web of Science"),
    ("webofknowledge", "Web of Science"),
    ("ebscohost", "EBSCOhost"),
)
_PROVIDER_NAMES = {"nlm": "PubMed"}
_NO_VALUES: list[str] = []


def _tag_names() -> dict[str | None, str]:
    """Key mapping for rispy that keeps every possible tag as its own key.

    rispy would rename tags ("AU" -> "authors") and file unknown ones apart; with
    every tag mapped to itself, records come back keyed by tag. Text before a
    record's first tag (rispy's tag None) is filed under "?". A plain dict (not a
    `__missing__` hook) keeps rispy's per-line lookups at C speed.
    """
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    names: dict[str | None, str] = {a + b: a + b for a in letters for b in letters + "0123456789"}
    names[None] = "?"
    return names


#: Tags `_fields` reads itself; a record with any other tag-like line goes to rispy.
_KNOWN_TAGS = frozenset(tag for tag in _tag_names() if tag is not None)


class _UnknownTag(Exception):
    """A tag-like line `_fields` leaves to rispy (its unknown-tag handling)."""


def _fields(lines: list[str]) -> dict[str, Any]:
    """Read one record's lines exactly as rispy's parser does with peerlit's options.

    `lines[0]` is the TY line. Every tag is a list tag, so repeated tags and
    untagged continuation lines are each appended as another value of the last
    tag; the value is the line from its 7th character on, stripped (rispy's
    `parse_line`); reading stops at the first ER line.

    Raises:
        KeyError: For untagged text before the first tag, as rispy raises.
        _UnknownTag: For a tag-like line rispy would file as an unknown tag.
    """
    fields: dict[str, Any] = {"TY": lines[0][6:].strip()}
    last: list[str] | None = None
    for line in itertools.islice(lines, 1, None):
        tag = line[:2]
        # A known tag passes rispy's tag-line test (capitals, a letter first) at once.
        if line[2:5] == "  -" and (tag in _KNOWN_TAGS or (tag.isupper() and tag[:1].isalpha())):
            if tag == "ER":
                break
            if tag not in _KNOWN_TAGS:
                raise _UnknownTag(tag)
            found = fields.get(tag)
            if found is None:
                last = fields[tag] = [line[6:].strip()]
            elif type(found) is list:
                found.append(line[6:].strip())
                last = found
            else:  # a second TY: rispy turns the first one's text into a list
                last = fields[tag] = [found, line[6:].strip()]
        elif last is None:
            raise KeyError("?")
        else:
            last.append(line.strip())
    return fields


def sniff(source: SourceFile) -> float:
    """Score how likely the text is RIS: a `TY  - ` line plus further RIS tag lines."""
    head = source.text[:_SNIFF_CHARS]
    if not _RIS_START.search(head):
        return 0.0
    tags = len(_RIS_TAG.findall(head))
    if "\nER  -" in head or tags >= 3:
        return 0.9
    return 0.5


def _normalise_tags(text: str) -> str:
    """Rewrite tag lines with tabs or odd spacing into the `XX  - value` form rispy reads."""

    def fix(match: re.Match[str]) -> str:
        tag, before, after = match.group(1), match.group(2), match.group(3)
        if "\t" in before or "\t" in after or tag in _SPACING_TOLERANT:
            return f"{tag}  - "
        return match.group(0)

    # Exporters are consistent within a file, so the opening shows whether the
    # (slow) whole-text rewrite is needed; a tab anywhere triggers it too.
    if "\t" not in text and _ODD_TAG.search(text, 0, _SNIFF_CHARS) is None:
        return text
    return _ODD_TAG.sub(fix, text)


def _debris(fields: dict[str, Any], chunk: str, start_line: int) -> list[ImportIssue]:
    """Warnings for untagged text after one-line tags such as PY (it is ignored)."""
    for tag in fields.keys() & _ONE_LINE_AFTER_TY:
        if len(fields[tag]) > 1:
            break
    else:
        if "?" not in fields:
            return []
    # Rare: a one-line tag holds several values (repeated tag or debris), or text
    # follows the TY line. Walk the record's lines to name the debris lines.
    issues = []
    last = ""
    for offset, line in enumerate(chunk.split("\n")):
        if line[2:5] == "  -" and line[:2].isupper() and line[:1].isalpha():  # as rispy
            last = line[:2]
        elif last in _ONE_LINE_TAGS and line.strip():
            shown = shorten(line.strip(), 60)
            message = (
                f"line {start_line + offset}: text without a tag after {last} ignored: {shown!r}"
            )
            issues.append(ImportIssue(start_line + offset, message, False))
    return issues


def _values(fields: dict[str, Any], tag: str) -> list[str]:
    value = fields.get(tag)
    if value is None:
        return _NO_VALUES
    return [value] if isinstance(value, str) else value


def _first(fields: dict[str, Any], *tags: str) -> str:
    """First non-blank line of the first tag that has one (rispy strips values)."""
    for tag in tags:
        values: list[str] | None = fields.get(tag)
        if values:
            for value in values:
                if value:
                    return value
    return ""


def _text(fields: dict[str, Any], *tags: str, sep: str = " ") -> str:
    """Whole multi-line value of the first tag that has text, lines joined by `sep`."""
    for tag in tags:
        values = fields.get(tag)
        if values and any(values):
            return sep.join(values).strip()
    return ""


def _database(fields: dict[str, Any], urls: list[str]) -> str:
    named = _first(fields, "DB")
    if named:
        return named
    provider = _first(fields, "DP")
    if provider:
        return _PROVIDER_NAMES.get(provider.lower(), provider)
    if _first(fields, "AN").upper().startswith("WOS:"):
        return "Web of Science"
    for url in urls:
        lowered = url.lower()
        for hint, name in _DATABASE_HINTS:
            if hint in lowered:
                return name
    return ""


def _keywords(fields: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for value in fields.get("KW") or _NO_VALUES:
        if ";" in value:
            out.extend(k.strip() for k in value.split(";"))
        elif value:
            out.append(value)
    return out


#: Tags `_fill_extra` reads: a record with none of them and no URL has no extra fields.
_EXTRA_TAGS = frozenset("N1 AN ID DB DP M3 C1 C2 C3 C4 C5 C6 C7 C8".split())
#: Tags `_to_record` reads beyond title, authors, dates, keywords and abstract.
_DETAIL_TAGS = frozenset("VL VO IS SP EP SN BN UR L2 L3 L4 M3 DO LA PB".split())


def _fill_extra(record: Record, fields: dict[str, Any], urls: list[str]) -> None:
    if not urls and fields.keys().isdisjoint(_EXTRA_TAGS):
        return  # the common case: nothing below would find a value
    extra = record.extra
    # One paragraph per note line: N1 lines are separate notes or list items
    # (reference lists, author lists), not a wrapped paragraph.
    notes = _text(fields, "N1", sep="\n\n")
    if notes:
        extra["notes"] = notes
        label = _ASREVIEW_LABEL.search(notes)
        if label:
            extra["asreview_label"] = label.group(1).lower()
    accession, ris_id = _first(fields, "AN"), _first(fields, "ID")
    if accession or ris_id:
        extra["accession"] = accession or ris_id
        if accession and ris_id and ris_id != accession:
            extra["ris_id"] = ris_id
    database = _database(fields, urls)
    if database:
        extra["database"] = database
    provider = _first(fields, "DP")
    if provider and provider != database:
        extra["database_provider"] = provider
    work_type = _first(fields, "M3")
    if work_type:
        extra["type_of_work"] = work_type
    for tag in ("C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8"):
        if tag in fields:
            custom = _text(fields, tag, sep="; ")
            if custom:
                extra["custom" + tag[1]] = custom


def _record_type(label: str) -> str:
    kind = _TYPES.get(label.upper())
    if kind is not None:
        return kind
    if len(label) > 6:  # a spelled-out name rather than an unknown code
        folded = label.lower()
        for word, kind in _TYPE_WORDS:
            if word in folded:
                return kind
    return "other"


def _names(fields: dict[str, Any]) -> list[str]:
    """Author lines: AU and A1, else editors (A2) and series editors (A3)."""
    names = _values(fields, "AU")
    if "A1" in fields:
        names = names + _values(fields, "A1")
    if not names:
        names = _values(fields, "A2") + _values(fields, "A3")
    return names


def _fill_details(record: Record, fields: dict[str, Any]) -> list[str]:
    """Volume, issue, pages, serials, URL, DOI, language, publisher; returns the links."""
    if fields.keys().isdisjoint(_DETAIL_TAGS):
        return _NO_VALUES
    record.volume = _first(fields, "VL", "VO")
    record.issue = _first(fields, "IS")
    record.pages = page_range(_first(fields, "SP"), _first(fields, "EP"))
    if "SN" in fields or "BN" in fields:
        issns, isbns = split_serials(_values(fields, "SN") + _values(fields, "BN"))
        record.issn, record.isbn = ", ".join(issns), ", ".join(isbns)
    urls = [u.strip() for v in _values(fields, "UR") for u in v.split(";") if u.strip()]
    links = [v for v in _values(fields, "L2") if v.startswith("http")]
    record.url = urls[0] if urls else links[0] if links else ""
    record.doi = _first(fields, "DO") or find_doi(
        urls + links + _values(fields, "L3") + _values(fields, "L4") + _values(fields, "M3")
    )
    record.language = _first(fields, "LA")
    record.publisher = _first(fields, "PB")
    return urls + links


def _to_record(fields: dict[str, Any]) -> Record:
    """Map one rispy record (tag -> list of line values) onto a `Record`."""
    label = str(fields.get("TY") or "").strip()
    kind = _record_type(label)
    if kind == "article" and "M3" in fields:
        kind = _WORK_TYPES.get(_first(fields, "M3").lower(), "article")
    record = Record(type=kind, type_detail=label)
    if kind == "book":
        record.title = _text(fields, "TI", "T1", "CT", "BT", "ST")
        record.journal = _text(fields, "T2", "T3")
    else:
        record.title = _text(fields, "TI", "T1", "CT", "ST")
        first = ("BT", "T2") if kind == "chapter" else ("T2",)
        record.journal = _text(fields, *first, "JF", "JO", "BT", "JA", "J2", "J1")
    record.authors = names_to_authors(_names(fields))
    main_date = _first(fields, "PY", "Y1")
    record.date, record.year = combine_dates(main_date, _first(fields, "DA"))
    if main_date and record.year is None:
        record.extra["year_as_given"] = main_date
    links = _fill_details(record, fields)
    record.keywords = _keywords(fields) if "KW" in fields else []
    record.abstract = split_abstract(_text(fields, "AB", "N2", sep="\n"))
    _fill_extra(record, fields, links)
    return record


def _orphan_issue(text: str, begin: int, end: int, end_line: int) -> ImportIssue | None:
    """Report substantive tag lines between records (a record whose TY line is lost).

    Args:
        text: The whole text.
        begin: Offset where the gap between records starts.
        end: Offset where it ends.
        end_line: Line number at offset `end`.
    """
    found = _ORPHAN.search(text, max(begin - 1, 0), end)
    if found is None:
        return None
    line = end_line - text.count("\n", found.start() + 1, end)
    message = (
        f"line {line}: tagged lines outside any record (no 'TY  - ' line opens them) were skipped"
    )
    return ImportIssue(line, message)


def _boundaries(text: str) -> Iterator[tuple[str, int]]:
    """(tag, offset of its line) for every TY and ER line, in order."""
    if text.startswith(("TY  -", "ER  -")):
        yield text[:2], 0
    for match in _BOUNDARY.finditer(text):
        yield match.group(1), match.start() + 1


def _records(text: str) -> Iterator[tuple[int, str, list[ImportIssue]]]:
    """Cut the text into records: (start line, record text or "", structural issues).

    A record runs from a TY line to the next ER line. A TY met before the ER
    closes the open record (with a warning); ER lines outside a record are
    ignored, and so is text between records unless it holds record content.
    """
    line, counted = 1, 0  # `line` is the line number at offset `counted`
    start, start_line, gap = -1, 0, 0
    for tag, offset in _boundaries(text):
        line += text.count("\n", counted, offset)
        counted = offset
        if tag == "TY":
            if start >= 0:
                message = f"record starting at line {start_line} has no ER line before line {line}"
                yield (
                    start_line,
                    text[start : offset - 1],
                    [ImportIssue(start_line, message, False)],
                )
            else:
                orphan = _orphan_issue(text, gap, offset, line)
                if orphan is not None:
                    yield orphan.line, "", [orphan]
            start, start_line = offset, line
        elif start >= 0:
            end = text.find("\n", offset)
            end = len(text) if end < 0 else end
            yield start_line, text[start:end], []
            start, gap = -1, end
    end_line = line + text.count("\n", counted)
    if start >= 0:
        message = f"record starting at line {start_line} is cut off: the file ends before its ER"
        yield start_line, text[start:], [ImportIssue(start_line, message, False)]
    else:
        orphan = _orphan_issue(text, gap, len(text), end_line)
        if orphan is not None:
            yield orphan.line, "", [orphan]


def parse(source: SourceFile) -> Iterator[Parsed]:
    """Yield one `Parsed` per RIS record, in file order."""
    import rispy  # deferred: only RIS imports pay for it

    names = _tag_names()
    # Every tag is a list tag: repeated tags and continuation lines each stay a
    # separate value, so the mapping can tell a keyword per line from a wrapped
    # abstract and keep only the first line of one-line tags.
    parser = rispy.RisParser(
        mapping=names,
        list_tags=frozenset(names.values()),
        delimiter_tags_mapping={},
        newline="\n",
    )
    text = source.text.replace("\ufeff", "") if "\ufeff" in source.text else source.text
    text = _normalise_tags(text)
    for start_line, chunk, issues in _records(text):
        if not chunk:
            yield Parsed(start_line, None, issues)
            continue
        lines = chunk.split("\n")
        if not lines[-1].startswith("ER  -"):
            lines.append("ER  -")  # rispy keeps a record only once it meets ER
        try:
            try:
                fields = _fields(lines)
            except _UnknownTag:
                fields = parser.parse_lines(iter(lines))[0]
            record = _to_record(fields)
        except Exception as exc:  # rispy or a value this code did not foresee
            message = f"record starting at line {start_line} could not be read: {exc}"
            yield Parsed(start_line, None, [*issues, ImportIssue(start_line, message)])
            continue
        issues.extend(_debris(fields, chunk, start_line))
        yield Parsed(start_line, record, issues)


FORMAT = Format(
    name="ris",
    label="RIS",
    extensions=("ris", "txt"),
    sniff=sniff,
    parse=parse,
    database="",
)
