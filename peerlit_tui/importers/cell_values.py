"""Reading the values of spreadsheet-like exports: author lists, keywords, dates, types.

CSV, TSV and XLSX exports put a whole field into one cell, so a cell holds a list
("Liu R., Adler D.G.", "Smith, J.; Doe, A.", "['Marx, Karl', 'Lindgren, Astrid']"),
a date in one of many spellings ("2014//", "25 Aug 2004", "1999.0"), or a citation
compressed into one string (Embase "Source"). The helpers here turn such cells into
record fields; `peerlit_tui.importers.columns` decides which cell holds what.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache

from peerlit_tui.authors import parse_name, split_author_list
from peerlit_tui.model import Author, Section
from peerlit_tui.sections import recognise_heading, split_abstract
from peerlit_tui.text import match_key

# "R.", "D.G.", "JA", "J.-P.": a token made only of initials.
_INITIALS_TOKEN = re.compile(r"^(?:[A-Z]\.?-?){1,4}\.?$")
# "E J Reimer", "R. L. Whistler": initials tokens, then one more word.
_INITIALS_THEN_WORD = re.compile(r"^((?:[A-Z]\.?-?){1,4}\.?(?: +(?:[A-Z]\.?-?){1,4}\.?)*) +(\S+)$")
_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le"}
)
# Name suffixes that make "Smith, Jr." a surname rather than "Surname, Given".
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
# Scopus "Author full names" append the author id: "Yagai, Tsuyoshi (7003612345)".
_AUTHOR_ID = re.compile(r"\s*\(\d{5,}\)\s*$")
_AND = re.compile(r"\s+and\s+|\s*&\s*", re.IGNORECASE)
# A comma outside parentheses: Embase terms read "cyst (diagnosis, surgery), colon".
_COMMA_OUTSIDE_PARENS = re.compile(r",(?![^()]*\))")
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_NUMERIC_DATE = re.compile(r"^\s*(\d{4})(?:[-/.](\d{1,2})?(?:[-/.](\d{1,2}))?)?(?!\d)")
# What can separate an inline heading from its text: a colon or a spaced dash.
_SEPARATOR_CANDIDATE = re.compile(r"[:\u2013\u2014\x96-]")
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


def list_items(text: str) -> list[str] | None:
    """Read a cell holding a Python list literal, as ASReview and pandas write lists.

    Args:
        text: A cell such as "['Marx, Karl', 'Lindgren, Astrid']".

    Returns:
        The items, or None when the cell is not such a list.
    """
    if len(text) < 2 or text[0] != "[" or text[-1] != "]" or len(text) > 200_000:
        return None
    inner = text[1:-1].strip()
    if not inner:
        return []
    if inner[0] not in "'\"":
        return None
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [item for item in value if item.strip()]
    return None


def _tokens_are_initials(tokens: list[str]) -> bool:
    return bool(tokens) and all(_INITIALS_TOKEN.match(t) for t in tokens)


def _trailing_initials(tokens: list[str]) -> int:
    """Count the initials tokens at the end of a name ("Van der Berg J. A." -> 2)."""
    count = 0
    for token in reversed(tokens):
        if not _INITIALS_TOKEN.match(token):
            break
        count += 1
    return count


def parse_author(raw: str) -> Author:
    """Parse one author name as spreadsheet exports write it.

    Besides what `authors.parse_name` reads, this handles the Scopus/Embase short
    form with a multi-word surname ("Quintanilla Dieck L.", "Nides M A") and drops
    the author id Scopus appends to full names. Results are cached: the same
    names recur across the records of one review, and `Author` is immutable.

    Args:
        raw: One name.

    Returns:
        The parsed author.
    """
    return _parse_author_cached(raw.strip())


@lru_cache(maxsize=16_384)
def _parse_author_cached(raw: str) -> Author:
    # The common shapes are read here directly, with the same results as
    # `parse_name`, because a large CSV holds tens of thousands of distinct names
    # and `parse_name` cleans every one first; the rest is left to `parse_name`.
    name = (_AUTHOR_ID.sub("", raw) if raw.endswith(")") else raw).strip(" ,;")
    if "," in name:
        family, _, given = name.partition(",")
        given = given.strip()
        if given and given.lower().strip(". ") not in _SUFFIXES:
            return Author(name=name, family=family.strip(), given=given, inverted=True)
        return parse_name(name)
    natural = _INITIALS_THEN_WORD.match(name)
    if natural:
        # "E J Reimer", "R. L. Whistler": initials, then the surname.
        surname = natural.group(2)
        if not _INITIALS_TOKEN.match(surname) and surname.lower().strip(". ") not in _SUFFIXES:
            return Author(name=name, family=surname, given=natural.group(1), inverted=False)
    tokens = name.split()
    if len(tokens) == 2 and not _INITIALS_TOKEN.match(tokens[0]):
        # "Nazzaro P" (short inverted form) or "Paolo Nazzaro" (natural order).
        if _INITIALS_TOKEN.match(tokens[1]):
            return Author(name=name, family=tokens[0], given=tokens[1], inverted=True)
        if tokens[1].lower().strip(". ") not in _SUFFIXES:
            return Author(name=name, family=tokens[1], given=tokens[0], inverted=False)
    initials = _trailing_initials(tokens)
    if len(tokens) > 2 and 0 < initials < len(tokens):
        return Author(
            name=name,
            family=" ".join(tokens[: len(tokens) - initials]),
            given=" ".join(tokens[len(tokens) - initials :]),
            inverted=True,
        )
    return parse_name(name)


def _is_short_form(piece: str) -> bool:
    """True for "Liu R." / "Adler D.G.": a surname followed by initials."""
    tokens = piece.split()
    return len(tokens) >= 2 and 0 < _trailing_initials(tokens) < len(tokens)


def _could_be_surname(piece: str) -> bool:
    tokens = piece.split()
    return (
        0 < len(tokens) <= 4
        and not _INITIALS_TOKEN.match(tokens[0])
        and not _is_short_form(piece)
        and not any(ch.isdigit() for ch in piece)
    )


def _could_be_given(piece: str) -> bool:
    tokens = piece.split()
    return 0 < len(tokens) <= 4 and (tokens[0][0].isupper() or _tokens_are_initials(tokens))


def _comma_names(text: str, *, pairs_expected: bool = False) -> list[str]:
    """Split a comma-only author list into names.

    "Liu R., Adler D.G." holds one name per piece; "Alnaes, R., Torgersen, S." and
    "Chiu, Kenny, Clark, David M." hold surname/given pairs. Pairs are assumed when
    pieces alternate surname-like and given-like text and there is evidence for it:
    initials in the given parts, or mostly single-word surnames (a list of natural
    "Given Surname" names has at least two words in nearly every piece).
    """
    pieces = [p.strip() for p in text.split(",") if p.strip()]
    if len(pieces) < 2 or all(_is_short_form(p) for p in pieces):
        return pieces
    paired = len(pieces) - len(pieces) % 2  # an odd last piece stays a name of its own
    surnames = pieces[0:paired:2]
    givens = pieces[1:paired:2]
    if not all(_could_be_surname(s) for s in surnames) or not all(
        _could_be_given(g) for g in givens
    ):
        return pieces
    single_word = 2 * sum(
        len([t for t in s.split() if t.lower() not in _PARTICLES]) == 1 for s in surnames
    ) >= len(surnames)
    initials = any(_trailing_initials(g.split()) for g in givens)
    if not (pairs_expected or single_word or initials):
        return pieces
    names = [f"{s}, {g}" for s, g in zip(surnames, givens, strict=True)]
    return names + pieces[paired:]


def split_authors(text: str) -> list[Author]:
    """Split an author cell into authors, whatever list style the export used.

    Handles "Smith, J.; Doe, A." (semicolons), "Liu R., Adler D.G." (comma list of
    short inverted names), "Prenoveau, Jason, Craske, Michelle" (comma-separated
    surname/given pairs), "R. L. Whistler and W. C. Lake", "Gray, B. and Sisto, M."
    and Python list literals.

    Args:
        text: The cell.

    Returns:
        Authors in order; empty for a blank cell.
    """
    text = text.strip()
    if not text:
        return []
    items = list_items(text)
    if items is None:
        if ";" in text:
            items = text.split(";")
        elif "\n" in text:
            items = text.split("\n")
        elif _AND.search(text):
            parts = [p for p in _AND.split(text) if p.strip()]
            if len(parts) > 1 and all("," in p for p in parts):
                items = [n for p in parts for n in _comma_names(p, pairs_expected=True)]
            else:
                return split_author_list(text)
        else:
            items = _comma_names(text)
    authors = [_parse_author_cached(name) for name in (i.strip() for i in items) if name]
    return [a for a in authors if a.name]


def split_keywords(text: str) -> list[str]:
    """Split a keyword cell on semicolons, else line breaks, else commas outside parentheses.

    Args:
        text: The cell.

    Returns:
        Keywords in order, blanks dropped.
    """
    items = list_items(text)
    if items is None:
        if ";" in text:
            items = text.split(";")
        elif "\n" in text:
            items = text.split("\n")
        else:
            items = _COMMA_OUTSIDE_PARENS.split(text)
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


def _may_be_structured(text: str) -> bool:
    """Cheap test that `split_abstract` could find headings in a one-field abstract.

    Without line breaks the splitter needs two separators (a colon or a spaced
    dash), one of them right after a known heading that starts the text or a
    sentence. Most abstracts fail that test early, and skipping the splitter for
    them is what keeps large CSV files fast. The test only ever says True too
    often, never too rarely.
    """
    if len(text) <= 60 or "\n" in text or "\r" in text:
        return True
    # Single-character searches are far faster than substring or regex searches.
    dash = (
        "\u2013" in text
        or "\u2014" in text
        or "\x96" in text
        or " - " in text
        or (("\t" in text or not text.isascii()) and "-" in text)
    )
    if not dash and text.count(":") < 2:
        return False
    separators = []
    for found in _SEPARATOR_CANDIDATE.finditer(text):
        at = found.start()
        if text[at] == ":" or (
            0 < at < len(text) - 1 and text[at - 1].isspace() and text[at + 1].isspace()
        ):
            separators.append(at)
    if len(separators) < 2:
        return False
    for at in separators:
        segment = text[max(0, at - 62) : at]
        cut = max(segment.rfind(ch) for ch in ".!?)]")
        if recognise_heading(segment[cut + 1 :].strip(), inline=True):
            return True
    return False


def abstract_sections(text: str) -> list[Section]:
    """Split an abstract cell into sections (see `sections.split_abstract`).

    Unstructured abstracts become one section without calling the splitter; the
    import pipeline cleans the text either way.

    Args:
        text: The abstract cell.

    Returns:
        The sections; empty for a blank cell.
    """
    if not text or not text.strip():
        return []
    if _may_be_structured(text):
        return split_abstract(text)
    return [Section(heading="", text=text, key="")]
