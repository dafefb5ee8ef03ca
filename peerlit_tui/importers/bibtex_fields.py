"""Mapping BibTeX fields onto `Record`: entry types, names, dates, pages, keywords.

Shared by the BibTeX importer and the citation-js "bibtxt" importer, whose values
are BibTeX values too. Input is one entry's fields with delimiters removed and
@string macros resolved, LaTeX still in place: names are split on the raw text,
because braces decide what "and" and "," mean ("{Barnes and Noble, Inc.}" is one
name), and only then decoded.
"""

from __future__ import annotations

import re

from peerlit_tui.importers.latex import decode_latex, decode_url
from peerlit_tui.model import Author, Record
from peerlit_tui.sections import split_abstract

#: BibTeX/BibLaTeX entry types -> record types; unknown types become "other".
ENTRY_TYPES: dict[str, str] = {
    "article": "article", "suppperiodical": "article",
    "book": "book", "mvbook": "book", "booklet": "book", "collection": "book",
    "mvcollection": "book", "proceedings": "book", "mvproceedings": "book",
    "reference": "book", "mvreference": "book",
    "inbook": "chapter", "incollection": "chapter", "inreference": "chapter",
    "bookinbook": "book part", "suppbook": "book part", "suppcollection": "book part",
    "inproceedings": "conference paper", "conference": "conference paper",
    "report": "report", "techreport": "report", "manual": "report",
    "thesis": "thesis", "phdthesis": "thesis", "mastersthesis": "thesis",
    "online": "webpage", "electronic": "webpage", "www": "webpage", "webpage": "webpage",
    "dataset": "dataset", "data": "dataset",
}  # fmt: skip

# Types that are a preprint when they name a preprint server, or a web page when
# they carry a URL and no container.
_LOOSE_TYPES = frozenset({"misc", "unpublished", "online", "electronic", "www"})
_SERVER_FIELDS = ("eprinttype", "archiveprefix", "howpublished", "publisher", "journal")
_PREPRINT_SERVER = re.compile(r"\b(?:arxiv|biorxiv|medrxiv|psyarxiv|ssrn|preprints?)\b", re.I)

# Source fields kept in `extra` under their own name.
_EXTRA_TEXT = (
    "note", "annote", "annotation", "editor", "edition", "series", "chapter", "address",
    "location", "howpublished", "organization", "type", "crossref", "eid",
)  # fmt: skip
_EXTRA_IDS = ("pmid", "pmcid", "eprint")

#: Every field `record_from_fields` reads; callers may drop the others unread.
FIELDS_READ = frozenset(
    {"title", "subtitle", "journal", "journaltitle", "booktitle", "date", "year", "month",
     "day", "doi", "url", "issue", "number", "keywords", "keyword", "abstract", "language",
     "langid", "publisher", "school", "institution", "author", "volume", "pages", "issn",
     "isbn", "arxivid", *_EXTRA_TEXT, *_EXTRA_IDS, *_SERVER_FIELDS}
)  # fmt: skip

_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_NAME_MARKS = re.compile(r"\\[{}]|[{}]|\s+and\s+", re.IGNORECASE)
_LABELLED_NAME = re.compile(r"\s*(?:given|family|prefix|suffix)\s*=", re.IGNORECASE)
_ISO_DATE = re.compile(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_PAGE_DASH = re.compile(r"\s*(?:-+|[\u2010-\u2015])\s*")
_KEYWORD_SPLIT = re.compile(r"\s*[;,]\s*")
_URL_MACRO = re.compile(r"\\url\s*\{([^{}]*)\}")
_DOI_IN_URL = re.compile(r"doi\.org/(10\.\S+)", re.IGNORECASE)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip


def _split_top(text: str, pattern: re.Pattern[str]) -> list[str]:
    """Split at matches of `pattern` that are outside braces."""
    parts: list[str] = []
    depth = 0
    start = 0
    for match in pattern.finditer(text):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(0, depth - 1)
        elif token[0] == "\\" or depth:
            continue
        else:
            parts.append(text[start : match.start()])
            start = match.end()
    parts.append(text[start:])
    return parts


_COMMA_MARKS = re.compile(r"\\[{}]|[{}]|,")
# A word opening with a macro: the macro name, then the letter it decorates, if any.
_MACRO_CASE = re.compile(r"\{?\\(?:([A-Za-z]+)|[^A-Za-z])\s*\{?\s*([A-Za-z])?")
_SPACE_MARKS = re.compile(r"\\[{}]|[{}]|\s+")


def split_names(raw: str) -> list[str]:
    """Split a BibTeX name list on "and" (any case) outside braces.

    Args:
        raw: The author or editor field, LaTeX still in place.

    Returns:
        One raw name per element; "others" (BibTeX's "et al.") is dropped. A list
        without "and" but with semicolons is split on the semicolons.
    """
    parts = _AND.split(raw) if "{" not in raw else _split_top(raw, _NAME_MARKS)
    if len(parts) == 1 and ";" in raw and "{" not in raw:
        # Not BibTeX, but common in converted exports: "Smith, J.; Doe, A.".
        parts = raw.split(";")
    out = []
    for part in parts:
        name = part.strip(" \t\n,")
        if name and name.lower() != "others":
            out.append(name)
    return out


def _is_lower_word(word: str) -> bool:
    # BibTeX treats a word in plain braces ("{van}") as caseless, and a word that
    # opens with a special character ("{\"u}ber", "{\v{S}}koda") by the letter
    # the accent decorates, or by the macro itself for letters such as \aa or \L.
    if word[0] == "{" and word[1:2] != "\\":
        return False
    if word[0] == "\\" or word[:2] == "{\\":
        macro = _MACRO_CASE.match(word)
        if macro:
            return (macro.group(2) or (macro.group(1) or "")[:1]).islower()
    letter = next((ch for ch in word if ch.isalpha()), "")
    return letter.islower()


def _labelled_name(raw: str) -> Author:
    parts: dict[str, str] = {}
    for piece in _split_top(raw, _COMMA_MARKS):
        label, _, value = piece.partition("=")
        parts[label.strip().lower()] = decode_latex(value).strip()
    family = " ".join(p for p in (parts.get("prefix", ""), parts.get("family", "")) if p)
    given = parts.get("given", "")
    name = f"{family}, {given}" if given else family
    return Author(name=name, family=family, given=given, inverted=True)


def bibtex_author(raw: str) -> Author | None:
    """Parse one BibTeX name: "von Last, First", "von Last, Jr, First" or "First von Last".

    Args:
        raw: One name as split by `split_names`, LaTeX still in place.

    Returns:
        The author with decoded parts, or None for an empty name.
    """
    if "=" in raw and _LABELLED_NAME.match(raw):
        return _labelled_name(raw)
    braced = "{" in raw
    sections = _split_top(raw, _COMMA_MARKS) if braced else raw.split(",")
    sections = [s.strip() for s in sections]
    while sections and not sections[-1]:
        sections.pop()
    if not sections:
        return None
    jr = ""
    if len(sections) >= 2:
        family = decode_latex(sections[0]).strip()
        given = decode_latex(sections[-1]).strip()
        if len(sections) >= 3:
            jr = decode_latex(sections[1]).strip()
        if not family:
            return None
        name = ", ".join(p for p in (family, jr, given) if p)
        return Author(name=name, family=family, given=given, inverted=True)
    words = _split_top(sections[0], _SPACE_MARKS) if braced else sections[0].split()
    words = [w for w in words if w]
    if not words:
        return None
    # BibTeX's rule: the surname starts at the first lower-case word ("van", "de")
    # short of the last word, else it is the last word alone.
    start = len(words) - 1
    for index in range(len(words) - 1):
        if _is_lower_word(words[index]):
            start = index
            break
    family = decode_latex(" ".join(words[start:])).strip()
    given = decode_latex(" ".join(words[:start])).strip()
    name = f"{given} {family}" if given else family
    return Author(name=name, family=family, given=given, inverted=False)


def bibtex_authors(raw: str) -> list[Author]:
    """Parse a whole BibTeX name list into authors, in order."""
    out = []
    for name in split_names(raw):
        author = bibtex_author(name)
        if author is not None and author.name:
            out.append(author)
    return out


def _month(raw: str) -> int:
    text = raw.strip().lower().rstrip(".")
    if text.isdigit():
        number = int(text)
        return number if 1 <= number <= 12 else 0
    return _MONTHS.get(text, 0) or _MONTHS.get(text[:3], 0)


def _iso(year: int, month: int = 0, day: int = 0) -> str:
    if not 1 <= month <= 12:
        return f"{year:04d}"
    if not 1 <= day <= 31:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def bibtex_date(fields: dict[str, str]) -> tuple[str, int | None]:
    """Work out the publication date from `date` (BibLaTeX) or `year`/`month`/`day`.

    A BibLaTeX range ("2016/2017", "2020-05-01/2020-05-03") gives its start.

    Args:
        fields: The entry's fields.

    Returns:
        (ISO date as precise as the source, year), or ("", None).
    """
    raw_date = fields.get("date", "")
    if raw_date:
        found = _ISO_DATE.match(raw_date.replace("{", "").replace("}", ""))
        if found:
            year = int(found.group(1))
            month = int(found.group(2) or 0)
            day = int(found.group(3) or 0)
            return _iso(year, month, day), year
    found = _YEAR.search(fields.get("year", ""))
    if not found:
        return "", None
    year = int(found.group(1))
    month = _month(fields.get("month", "").replace("{", "").replace("}", ""))
    day_text = fields.get("day", "").strip("{} ")
    day = int(day_text) if day_text.isdigit() else 0
    return _iso(year, month, day), year


def _record_type(entry_type: str, fields: dict[str, str], journal: str, url: str) -> str:
    if entry_type == "article":
        # "arXiv preprint arXiv:1234.5678" in the journal field is not a journal.
        return "preprint" if journal and _PREPRINT_SERVER.search(journal) else "article"
    if entry_type in _LOOSE_TYPES:
        server = " ".join(fields.get(name, "") for name in _SERVER_FIELDS)
        if _PREPRINT_SERVER.search(server):
            return "preprint"
        if url and not journal:
            return "webpage"
    return ENTRY_TYPES.get(entry_type, "other")


def _plain(value: str) -> str:
    return value.replace("{", "").replace("}", "").strip()


def record_from_fields(entry_type: str, key: str, fields: dict[str, str]) -> Record:
    """Build a record from one BibTeX entry.

    Args:
        entry_type: Lower-case entry type ("article", "inproceedings").
        key: The citation key, kept as `extra["citekey"]`.
        fields: Lower-case field names -> values (delimiters removed, LaTeX in place).

    Returns:
        The record; strings are left for the import pipeline to clean.
    """
    get = fields.get
    title = decode_latex(get("title", ""))
    subtitle = get("subtitle")
    if subtitle:
        title = f"{title.rstrip()}: {decode_latex(subtitle).strip()}"
    journal_raw = get("journal") or get("journaltitle") or get("booktitle") or ""
    journal = decode_latex(journal_raw)
    date, year = bibtex_date(fields)
    doi = decode_url(get("doi", ""))
    url = decode_url(get("url", ""))
    if not url:
        # BibTeX styles older than the `url` field put it in howpublished.
        linked = _URL_MACRO.search(get("howpublished", ""))
        url = decode_url(linked.group(1)) if linked else ""
    if not doi and url:
        in_url = _DOI_IN_URL.search(url)
        doi = in_url.group(1) if in_url else ""
    record_type = _record_type(entry_type, fields, journal, url)
    # `number` is an issue only in a periodical; elsewhere it numbers a report,
    # a patent or a volume in a series.
    periodical = record_type in ("article", "preprint")
    issue = get("issue") or (get("number", "") if periodical else "")
    keywords_raw = get("keywords") or get("keyword") or ""
    abstract = get("abstract")
    extra: dict[str, str] = {"citekey": key} if key else {}
    for name in _EXTRA_TEXT:
        value = get(name)
        if value:
            extra[name] = decode_latex(value)
    for name in _EXTRA_IDS:
        value = get(name)
        if value:
            extra[name] = decode_url(value)
    if "eprint" not in extra and get("arxivid"):
        # Mendeley writes the arXiv id twice, as eprint and as arxivId.
        extra["eprint"] = decode_url(fields["arxivid"])
    if get("publisher"):
        # Otherwise school or institution stands in as the publisher.
        for name in ("school", "institution"):
            if get(name):
                extra[name] = decode_latex(fields[name])
    if "year" in fields and year is None:
        extra["year"] = decode_latex(fields["year"])
    if not periodical and get("number"):
        extra["number"] = decode_latex(fields["number"])
    return Record(
        type=record_type,
        type_detail=entry_type,
        title=title,
        authors=bibtex_authors(get("author", "")),
        date=date,
        year=year,
        journal=journal,
        volume=decode_latex(get("volume", "")),
        issue=decode_latex(issue),
        pages=_PAGE_DASH.sub("-", _plain(get("pages", ""))),
        issn=_plain(get("issn", "")),
        isbn=_plain(get("isbn", "")),
        doi=doi,
        url=url,
        keywords=_KEYWORD_SPLIT.split(decode_latex(keywords_raw)) if keywords_raw else [],
        language=decode_latex(get("language") or get("langid") or ""),
        abstract=split_abstract(decode_latex(abstract)) if abstract else [],
        publisher=decode_latex(get("publisher") or get("school") or get("institution") or ""),
        extra=extra,
    )
