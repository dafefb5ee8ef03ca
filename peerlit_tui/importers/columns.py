"""Column headers of tabular exports (CSV, TSV, XLSX) and building records from rows.

Every database names its columns differently: Scopus writes "Source title" and
"Author Keywords", Zotero "Publication Title" and "Abstract Note", Web of Science
two-letter tags ("TI", "SO"), ASReview "primary_title" or "label_included" (the
table of spellings is `peerlit_tui.importers.column_aliases`). Headers
are compared after `text.match_key` (case, spaces, underscores and punctuation
ignored), so "Abstract ", "abstract" and "ABSTRACT" are one column. A `ColumnPlan`
is built once from the header and then turns each row into a `Record`.

A header with no title or no author column is not read silently: the plan
carries a notice naming the columns it has ("no title column among: A, B, C; use
--map title=COLUMN"), which the importers report as a file-level warning, and
`--map FIELD=COLUMN` (`peerlit_tui.importers.column_map`) takes precedence over
the table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import cast
from urllib.parse import unquote

from peerlit_tui.authors import list_items
from peerlit_tui.importers.base import FileFormatError
from peerlit_tui.importers.cell_values import (
    abstract_sections,
    find_year,
    parse_date,
    parse_embase_source,
    record_type,
    split_authors,
    split_keywords,
    split_run_together_names,
)
from peerlit_tui.importers.column_aliases import FIELD_ALIASES
from peerlit_tui.importers.column_map import current_map
from peerlit_tui.model import Record
from peerlit_tui.text import match_key

__all__ = [
    "EXTRA_VALUE_LIMIT",
    "FIELD_ALIASES",
    "ColumnPlan",
    "describe_row",
    "has_record_columns",
    "header_key",
    "row_is_blank",
]

# Fields read from one column only; other columns with an alias of the field are
# kept in `extra` under their own header (a file with "record_id" and "id").
_ONE_COLUMN = frozenset({"record_id", "accession_number", "label_included"})
# Fields whose cells are all combined rather than the first non-empty one used.
_MERGED = frozenset({"keywords", "issn", "isbn", "notes"})
# Web of Science tab-delimited headers are two-letter tags; there "ID" means
# Keywords Plus rather than an identifier.
_WOS_TAGS = frozenset({"PT", "AU", "AF", "TI", "SO", "UT", "PY", "AB", "DI", "DE", "VL", "BP"})
# Columns too bulky or too noisy to keep in `extra` even when short.
_NOT_KEPT = frozenset({"references", "cr", "citedreferences", "affiliations", "c1", "rp",
                       "authorswithaffiliations", "correspondenceaddress"})  # fmt: skip
#: Longest cell kept in `extra` for a column peerlit has no field for.
EXTRA_VALUE_LIMIT = 300
# Database names some exports write into a "Source" column.
_DATABASE_NAMES = {match_key(n): n for n in ("Scopus", "Web of Science", "PubMed", "Embase")}
# EPPI-Reviewer's ShortTitle: "Brownstein (2024)", "Smith et al. (2019a)".
_SHORT_AUTHOR = re.compile(r"^\s*([^()\d]+?)(?:\s+et al\.?)?\s*\(\d{4}[a-z]?\)\s*$")
_OPENURL_DOI = re.compile(r"[?&]id=doi:([^&\s]+)")
# pandas writes integer columns with missing values as floats: "10024335.0".
_NUMERIC_ID = re.compile(r"^-?\d+\.0$")
# Header names of the columns a record needs one of: title, abstract or DOI.
_IDENTIFYING = frozenset(
    alias
    for name, aliases in FIELD_ALIASES
    if name in ("title", "abstract", "doi")
    for alias in aliases
)


#: Fetches some cells of a row as a tuple.
_Picker = Callable[[Sequence[str]], tuple[str, ...]]


def _picker(indices: tuple[int, ...]) -> _Picker:
    """Return a function fetching the cells at `indices` of a row, as a tuple."""
    if len(indices) > 1:
        return cast(_Picker, itemgetter(*indices))
    if indices:
        index = indices[0]
        return lambda values: (values[index],)
    return lambda values: ()


def header_key(name: str) -> str:
    """Reduce a column header to the form used for matching ("Source title" -> "sourcetitle")."""
    return match_key(name)


def _detect_database(keys: set[str], wos: bool) -> str:
    if wos:
        return "Web of Science"
    if any(k.startswith("emtree") for k in keys):
        return "Embase"
    if "eid" in keys or (
        "sourcetitle" in keys and keys & {"authorkeywords", "indexkeywords", "link"}
    ):
        return "Scopus"
    if {"pmid", "citation"} <= keys and keys & {"firstauthor", "journalbook"}:
        return "PubMed"
    if "dimensionsurl" in keys:
        return "Dimensions"
    if "lensid" in keys:
        return "Lens.org"
    if {"ip", "is", "jn"} <= keys:
        return "Ovid"
    if "centralid" in keys:
        return "Cochrane Library"
    if "covidence" in keys:
        return "Covidence"
    if "itemdoi" in keys and "contenttype" in keys:
        return "Springer Link"
    if "authorshipsauthordisplayname" in keys or "idsopenalex" in keys:
        return "OpenAlex"
    return ""


def _shown(names: Sequence[str], limit: int = 12) -> str:
    """Header names for a message: "A, B, C and 4 more"."""
    filled = [n for n in names if n]
    more = f" and {len(filled) - limit} more" if len(filled) > limit else ""
    return ", ".join(filled[:limit]) + more


def _user_columns(
    keys: list[str], names: tuple[str, ...], notices: list[str]
) -> dict[str, tuple[int, ...]]:
    """The columns `--map FIELD=COLUMN` names, with a notice for each not in the header."""
    out: dict[str, tuple[int, ...]] = {}
    for name, column in current_map().items():
        wanted = header_key(column)
        found = tuple(i for i, k in enumerate(keys) if k == wanted)
        if found:
            out[name] = found[:1]
        else:
            notices.append(f"--map {name}={column}: no such column among: {_shown(names)}; ignored")
    return out


def _missing_notices(columns: dict[str, tuple[int, ...]], names: tuple[str, ...]) -> list[str]:
    """Say which of title and authors no column holds, naming the columns there are."""
    out = []
    for name in ("title", "authors"):
        if not columns.get(name):
            out.append(f"no {name} column among: {_shown(names)}; use --map {name}=COLUMN")
    return out


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    """Which columns of a header hold which record field.

    Attributes:
        header: Column names as the file wrote them.
        columns: Field name -> column indices, best first.
        unmapped: (header name, index) of columns kept in `extra` when short.
        database: Database the header identifies ("Scopus", "Web of Science",
            "Embase", ...), or "".
        notices: File-level warnings: fields no column holds (title, authors) and
            `--map` choices that name no column; each names the columns there are.
        run_together_authors: Author cells run names together with no separator
            (Springer Link: "Andy SmithTom Weber").
    """

    header: tuple[str, ...]
    columns: dict[str, tuple[int, ...]]
    unmapped: tuple[tuple[str, int], ...]
    database: str
    notices: tuple[str, ...] = ()
    run_together_authors: bool = False
    # The same mapping prepared for the row loop: fields held by one column are
    # fetched together by one C-level getter; the rest are looped over.
    _one_names: tuple[str, ...] = field(default=(), repr=False)
    _pick_one: _Picker = field(default=lambda values: (), repr=False)
    _several: tuple[tuple[str, tuple[int, ...]], ...] = field(default=(), repr=False)
    _merged: tuple[tuple[str, tuple[int, ...]], ...] = field(default=(), repr=False)
    _pick_unmapped: _Picker = field(default=lambda values: (), repr=False)

    @classmethod
    def from_header(cls, header: Sequence[str]) -> ColumnPlan:
        """Map a header row onto record fields.

        Args:
            header: Column names in file order.

        Returns:
            The plan.

        Raises:
            FileFormatError: When no column holds a title, an abstract or a DOI.
        """
        names = tuple(str(h).strip() for h in header)
        keys = [header_key(n) for n in names]
        ovid = "IP" in names and "IS" in names
        wos = not ovid and sum(1 for n in names if n in _WOS_TAGS) >= 4
        notices: list[str] = []
        columns = _user_columns(keys, names, notices)
        used: set[int] = {i for found in columns.values() for i in found}
        for name, aliases in FIELD_ALIASES:
            if name in columns:
                continue
            if wos and name == "keywords":
                aliases = (*aliases, "id")
            elif wos and name == "record_id":
                aliases = tuple(a for a in aliases if a != "id")
            elif ovid and name in ("issue", "issn"):
                # Ovid tags: IP is the issue and IS the ISSN (in WoS, IS is the issue).
                aliases = ("ip",) if name == "issue" else (*aliases, "is")
            found = [i for alias in aliases for i, k in enumerate(keys) if k == alias]
            found = [i for i in dict.fromkeys(found) if i not in used]
            if name in _ONE_COLUMN:
                found = found[:1]
            if found:
                columns[name] = tuple(found)
                used.update(found)
        if not any(columns.get(f) for f in ("title", "abstract", "doi")):
            raise FileFormatError(
                f"no title, abstract or DOI column among: {_shown(names)}; use --map title=COLUMN",
                line=1,
            )
        if not columns.get("authors") and "shorttitle" in keys:
            # EPPI-Reviewer reports name a record "Brownstein (2024)" and have no
            # author column: the first author's surname is all there is.
            index = keys.index("shorttitle")
            if index not in used:
                columns["short_author"] = (index,)
                used.add(index)
        notices += _missing_notices(
            {**columns, "authors": columns.get("authors") or columns.get("short_author", ())},
            names,
        )
        unmapped = tuple(
            (name, i)
            for i, (name, key) in enumerate(zip(names, keys, strict=True))
            if i not in used and key and key not in _NOT_KEPT
        )
        one = {f: idx[0] for f, idx in columns.items() if f not in _MERGED and len(idx) == 1}
        database = _detect_database(set(keys), wos)
        return cls(
            names,
            columns,
            unmapped,
            database,
            tuple(notices),
            database == "Springer Link",
            tuple(one),
            _picker(tuple(one.values())),
            tuple((f, i) for f, i in columns.items() if f not in _MERGED and f not in one),
            tuple((f, i) for f, i in columns.items() if f in _MERGED),
            _picker(tuple(i for _, i in unmapped)),
        )

    def build(self, values: Sequence[str]) -> tuple[Record, list[str]]:
        """Turn one row into a record.

        Args:
            values: The row's cells as text; missing trailing cells count as empty.

        Returns:
            The record and warnings about values that could not be read (a year
            such as "19xx"); the record is built regardless.
        """
        if len(values) < len(self.header):
            values = [*values, *([""] * (len(self.header) - len(values)))]
        cell = dict(zip(self._one_names, map(str.strip, self._pick_one(values)), strict=True))
        for name, indices in self._several:
            for index in indices:
                value = values[index].strip()
                if value:
                    cell[name] = value
                    break
        cells: dict[str, list[str]] = {}
        for name, indices in self._merged:
            found = [v for v in (values[i].strip() for i in indices) if v]
            if found:
                cells[name] = found
        _unprotect(cell, cells)
        get = cell.get
        authors_text = get("authors", "")
        if self.run_together_authors and authors_text:
            authors_text = "; ".join(split_run_together_names(authors_text))
        elif not authors_text:
            short = _SHORT_AUTHOR.match(get("short_author", ""))
            authors_text = short.group(1) if short else ""
        record = Record(
            title=get("title", ""),
            authors=split_authors(authors_text),
            journal=get("journal", ""),
            volume=get("volume", ""),
            issue=get("issue", ""),
            language=get("language", ""),
            publisher=get("publisher", ""),
            abstract=abstract_sections(get("abstract", "")),
            issn=", ".join(cells.get("issn", ())),
            isbn=", ".join(cells.get("isbn", ())),
        )
        type_label = get("type")
        if type_label:
            record.type_detail = type_label
            record.type = record_type(type_label)
        warnings: list[str] = []
        _read_dates(record, cell, warnings)
        _read_source(record, cell)
        _read_pages(record, cell)
        _read_links(record, cell)
        for keywords in cells.get("keywords", ()):
            record.keywords.extend(split_keywords(keywords))
        self._read_extra(record, cell, cells, values)
        return record, warnings

    def _read_extra(
        self,
        record: Record,
        cell: dict[str, str],
        cells: dict[str, list[str]],
        values: Sequence[str],
    ) -> None:
        extra = record.extra
        for name in ("pmid", "record_id", "accession_number", "label_included"):
            value = cell.get(name)
            if value:
                extra[name] = value[:-2] if _NUMERIC_ID.match(value) else value
        if "notes" in cells:
            extra["notes"] = "\n\n".join(cells["notes"])
        if self.database:
            extra.setdefault("database", self.database)
        for (name, _), value in zip(self.unmapped, self._pick_unmapped(values), strict=True):
            value = value.strip()
            if value and len(value) <= EXTRA_VALUE_LIMIT and name not in extra:
                items = list_items(value) if value[0] == "[" else None
                extra[name] = "; ".join(items) if items is not None else value


def _unprotect(cell: dict[str, str], cells: dict[str, list[str]]) -> None:
    """Undo Excel's text protection: EBSCO writes `="19326203"` so a spreadsheet keeps zeros."""
    for name, value in cell.items():
        if value[:2] == '="' and value[-1:] == '"':
            cell[name] = value[2:-1]
    for name, found in cells.items():
        cells[name] = [v[2:-1] if v[:2] == '="' and v[-1:] == '"' else v for v in found]


def _read_dates(record: Record, cell: dict[str, str], warnings: list[str]) -> None:
    year_text = cell.get("year")
    if year_text:
        record.year = find_year(year_text)
        if record.year is None:
            warnings.append(f"year {year_text!r} is not a four-digit year; left empty")
    date_text = cell.get("date")
    if date_text:
        record.date = parse_date(date_text)
        if record.year is None and record.date:
            record.year = int(record.date[:4])
    if not record.date and record.year is not None:
        record.date = str(record.year)


def _read_source(record: Record, cell: dict[str, str]) -> None:
    # "Source" is an Embase citation, a database name (Scopus) or a journal.
    source = cell.get("source")
    if not source:
        return
    database = _DATABASE_NAMES.get(match_key(source))
    if database:
        record.extra["database"] = database
        return
    parts = parse_embase_source(source) if "(" in source else None
    if parts is None:
        record.journal = record.journal or source
        return
    record.journal = record.journal or parts["journal"]
    record.volume = record.volume or parts["volume"]
    record.issue = record.issue or parts["issue"]
    record.pages = record.pages or parts["pages"]
    if parts["date"] and (not record.date or record.date == str(record.year)):
        record.date = parts["date"]
    if record.year is None and parts["year"]:
        record.year = int(parts["year"])
        record.date = record.date or parts["year"]


def _read_pages(record: Record, cell: dict[str, str]) -> None:
    pages = record.pages or cell.get("pages", "")
    if not pages:
        start = cell.get("page_start", "")
        end = cell.get("page_end", "")
        pages = f"{start}-{end}" if start and end and "-" not in start else start or end
    article_number = cell.get("article_number", "")
    if pages:
        if article_number:
            record.extra["article_number"] = article_number
    else:
        pages = article_number
    record.pages = pages


def _read_links(record: Record, cell: dict[str, str]) -> None:
    record.doi = cell.get("doi", "")
    url = cell.get("url", "")
    # Zotero joins several links with spaces; the first is the landing page.
    record.url = url.split()[0] if url else ""
    if not record.doi:
        openurl = cell.get("openurl", "")
        found = _OPENURL_DOI.search(openurl) if openurl else None
        if found:
            record.doi = unquote(found.group(1))


def has_record_columns(header: Sequence[str]) -> bool:
    """True when a header names a title, abstract or DOI column (used by sniffers).

    Args:
        header: Column names.

    Returns:
        Whether `ColumnPlan.from_header` would accept the header.
    """
    return any(header_key(str(name)) in _IDENTIFYING for name in header)


def row_is_blank(values: Sequence[str]) -> bool:
    """True when every cell of a row is empty or whitespace."""
    return not any(v.strip() for v in values)


def describe_row(record: Record) -> str:
    """Name a row by the identifiers it has, for messages about rows that are skipped.

    Args:
        record: The record built from the row.

    Returns:
        " (record_id 20, pmid 10075143)" or "" when the row has no identifier.
    """
    ids = [
        f"{k} {record.extra[k]}"
        for k in ("record_id", "pmid", "accession_number")
        if k in record.extra
    ]
    return f" ({', '.join(ids)})" if ids else ""
