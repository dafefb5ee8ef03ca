"""Reading the values of spreadsheet-like exports: author lists, keywords, dates, types.

CSV, TSV and XLSX exports put a whole field into one cell, so a cell holds a list
("Liu R., Adler D.G.", "Smith, J.; Doe, A.", "['Marx, Karl', 'Lindgren, Astrid']"),
a date in one of many spellings ("2014//", "25 Aug 2004", "1999.0"), or a citation
compressed into one string (Embase "Source"). The helpers here turn such cells into
record fields, leaving names to `peerlit_tui.authors` and abstracts to
`peerlit_tui.sections`; `peerlit_tui.importers.columns` decides which cell holds what.
"""

from __future__ import annotations

import re

from peerlit_tui.authors import names_to_authors, separated_items, split_author_list
from peerlit_tui.model import Author, Section
from peerlit_tui.sections import split_abstract
from peerlit_tui.text import match_key

_NULL_GIVEN = re.compile(r",\s*null\s*$", re.MULTILINE)
# "and" opening a continuation line of an author cell (abstrackr).
_AND_LINE = re.compile(r"\s*\n\s*(?:and|&)\s+", re.IGNORECASE)
# A lower-case letter directly followed by a capital: where run-together names meet.
_CASE_STEP = re.compile(r"[a-zà-ÿ](?=[A-ZÀ-Þ])")
# Surname beginnings followed by a capital inside one surname ("McDonald", "DeVries").
_SURNAME_PREFIXES = frozenset(
    {"mc", "mac", "de", "di", "da", "du", "la", "le", "van", "von", "fitz", "del", "della",
     "des", "der", "ten", "ter", "st"}
)  # fmt: skip
# A comma outside parentheses: Embase terms read "cyst (diagnosis, surgery), colon".
_COMMA_OUTSIDE_PARENS = re.compile(r",(?![^()]*\))")
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_NUMERIC_DATE = re.compile(r"^\s*(\d{4})(?:[-/.](\d{1,2})?(?:[-/.](\d{1,2}))?)?(?!\d)")
_WORD = re.compile(r"[A-Za-z]{3,}")
_DAY = re.compile(r"(?<!\d)(\d{1,2})(?!\d)")
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
# Embase: "Endoscopic Ultrasound (2014) 3:3 (152-160). Date of Publication: 2014".
_EMBASE_SOURCE = re.compile(
    r"^(?P<journal>.+?)\s+\((?P<year>\d{4})\)\s*(?P<volume>[^\s:(]+)?(?::(?P<issue>[^\s(]+))?"
    r"\s*(?:\((?P<pages>[^)]*)\))?\.?\s*(?:Date of Publication:\s*(?P<date>.*))?$"
)

#: Source document-type labels (reduced by `match_key`) mapped to `RECORD_TYPES`.
_TYPES: dict[str, str] = {
    **dict.fromkeys(
        ("article", "journalarticle", "jour", "ejour", "j", "articleinpress", "letter",
         "editorial", "note", "erratum", "shortsurvey", "magazinearticle", "mgzn",
         "newspaperarticle", "news", "abst", "meetingabstract", "journal", "originalarticle",
         "researcharticle", "comment", "correction"),
        "article",
    ),
    **dict.fromkeys(("review", "reviewarticle", "systematicreview", "metaanalysis"), "review"),
    **dict.fromkeys(("book", "b", "s", "editedbook", "edbook", "bookseries"), "book"),
    **dict.fromkeys(("booksection", "bookchapter", "chap", "chapter", "inbook"), "chapter"),
    **dict.fromkeys(("bookpart", "part"), "book part"),
    **dict.fromkeys(
        ("conferencepaper", "proceedingspaper", "cpaper", "conf", "c", "conferencereview",
         "inproceedings", "conferenceproceeding", "conferenceabstract"),
        "conference paper",
    ),
    **dict.fromkeys(("report", "rprt", "techreport", "governmentdocument", "govdoc"), "report"),
    **dict.fromkeys(("thesis", "thes", "dissertation", "phdthesis", "mastersthesis"), "thesis"),
    **dict.fromkeys(("dataset", "data", "datapaper"), "dataset"),
    **dict.fromkeys(("webpage", "elec", "blogpost", "website"), "webpage"),
    **dict.fromkeys(("preprint", "preprintarticle", "postedcontent"), "preprint"),
    **dict.fromkeys(("casestudy", "casereport"), "case study"),
}  # fmt: skip


def split_authors(text: str) -> list[Author]:
    r"""Split an author cell into authors (see `authors.split_author_list`).

    Besides what `split_author_list` reads, a cell may join names with " | "
    (OpenAlex) or put "and" at the start of each continuation line (abstrackr:
    "Longrich, N.R.\n and Pereda-Suberbiola, X.\n"), where a line break alone
    would leave "and" glued to the next name.

    Args:
        text: The cell.

    Returns:
        Authors in order; empty for a blank cell.
    """
    if "null" in text and _NULL_GIVEN.search(text):
        return _refworks_names(text)
    if "\n" in text and _AND_LINE.search(text):
        text = _AND_LINE.sub(" and ", text.strip())
    if "|" in text and ";" not in text:
        return names_to_authors(text.split("|"))
    return split_author_list(text)


def _refworks_names(text: str) -> list[Author]:
    """RefWorks writes "Surname,Given" and a missing given name as "null".

    "van den Hoven,null" is a surname alone, so it is kept whole rather than
    read as given name "van" and surname "den Hoven".
    """
    out: list[Author] = []
    for item in text.split(";"):
        item = item.strip()
        surname = _NULL_GIVEN.sub("", item).strip()
        if not surname:
            continue
        if surname != item:
            out.append(Author(name=surname, family=surname, inverted=True))
        else:
            out.extend(names_to_authors([item]))
    return out


def split_run_together_names(text: str) -> list[str]:
    """Split names that a cell runs together with no separator at all.

    Springer Link CSVs write "Vivek K. PallipuramMohammad BhuiyanMelissa C. Smith":
    a name ends where a lower-case letter is directly followed by a capital.
    Capitals inside a surname do not split it when the part before them is a
    surname prefix ("McDonald", "MacArthur", "DeVries", "LaFleur", "VanDyke");
    "O'Brien" has no lower-to-upper step at all.

    Args:
        text: The cell.

    Returns:
        The names, in order.
    """
    names: list[str] = []
    start = 0
    for found in _CASE_STEP.finditer(text):
        cut = found.start() + 1
        word_start = max(text.rfind(" ", start, cut), text.rfind(".", start, cut)) + 1
        word = text[max(word_start, start) : cut]
        if word.lower() in _SURNAME_PREFIXES:
            continue
        names.append(text[start:cut].strip())
        start = cut
    names.append(text[start:].strip())
    return [name for name in names if name]


def split_keywords(text: str) -> list[str]:
    """Split a keyword cell on semicolons, else line breaks, else commas outside parentheses.

    Args:
        text: The cell.

    Returns:
        Keywords in order, blanks dropped.
    """
    items = separated_items(text)
    if items is None:
        items = text.split("|") if "|" in text else _COMMA_OUTSIDE_PARENS.split(text)
    return [item.strip() for item in items if item.strip()]


def find_year(text: str) -> int | None:
    """Return the first plausible four-digit year in a cell ("1999.0", "2014//")."""
    found = _YEAR.search(text)
    return int(found.group(1)) if found else None


def parse_date(text: str) -> str:
    """Turn a date cell into ISO text, as precise as the cell is.

    Args:
        text: "2016-01", "2014/05/03/", "2014//", "25 Aug 2004", "January 7, 2011", "JAN 2016".

    Returns:
        "YYYY-MM-DD", "YYYY-MM", "YYYY", or "" when the cell holds no year.
    """
    numeric = _NUMERIC_DATE.match(text)
    if numeric:
        year = int(numeric.group(1))
        month = int(numeric.group(2) or 0)
        day = int(numeric.group(3) or 0)
        if not 1 <= month <= 12:
            return str(year) if find_year(numeric.group(1)) else ""
        if 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
        return f"{year:04d}-{month:02d}"
    year_match = _YEAR.search(text)
    if not year_match:
        return ""
    year_text = year_match.group(1)
    month = 0
    for word in _WORD.findall(text):
        month = _MONTHS.get(word[:3].lower(), 0)
        if month:
            break
    if not month:
        return year_text
    rest = text[: year_match.start()] + " " + text[year_match.end() :]
    day_match = _DAY.search(rest)
    day = int(day_match.group(1)) if day_match else 0
    if 1 <= day <= 31:
        return f"{year_text}-{month:02d}-{day:02d}"
    return f"{year_text}-{month:02d}"


def record_type(label: str) -> str:
    """Map a source's document-type label onto `RECORD_TYPES` ("other" when unknown).

    Args:
        label: "Article", "journalArticle", "JOUR", "Article; Proceedings Paper", ...

    Returns:
        The normalised type.
    """
    first = label.split(";")[0]
    return _TYPES.get(match_key(first), "other")


def parse_embase_source(text: str) -> dict[str, str] | None:
    """Split an Embase "Source" citation into its parts.

    Args:
        text: "Endoscopic Ultrasound (2014) 3:3 (152-160). Date of Publication: 2014".

    Returns:
        journal, year, volume, issue, pages and date (each possibly ""), or None
        when the text is not such a citation.
    """
    found = _EMBASE_SOURCE.match(text.strip())
    if not found:
        return None
    parts = {key: (value or "").strip() for key, value in found.groupdict().items()}
    parts["date"] = parse_date(parts["date"]) if parts["date"] else ""
    return parts


def abstract_sections(text: str) -> list[Section]:
    """Split an abstract cell into sections (see `sections.split_abstract`).

    Args:
        text: The abstract cell.

    Returns:
        The sections; empty for a blank cell.
    """
    return split_abstract(text)
