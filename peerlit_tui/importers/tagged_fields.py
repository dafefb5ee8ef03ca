"""Field helpers shared by the tagged-text importers (RIS, MEDLINE, Web of Science, ProQuest).

These formats write the same kinds of values in similar loose ways: dates such as
"2012/06/15/", "2016 May 28", "SEP" or "20151207"; serial numbers such as
"03064530 (ISSN)", "2325-9671 (electronic)" or "0894-9867, 0894-9867"; DOIs hidden
in link-resolver URLs ("...&id=doi:10.4103%2F2303-9027.138783&atitle=..."). The
helpers here turn them into the plain forms `Record` holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote

#: Month names and abbreviations (first three letters, lower case) to month numbers.
MONTHS: dict[str, int] = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip

_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_COMPACT_DATE = re.compile(r"^(1[5-9]\d\d|20\d\d)(0[1-9]|1[0-2])([0-3]\d)$")
_NUMERIC_DATE = re.compile(r"^(\d{4})(?:[/.-](\d{1,2}))?(?:[/.-](\d{1,2}))?(?!\d)")
_TOKENS = re.compile(r"[A-Za-z]+|\d+")
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_SERIAL_JUNK = re.compile(r"[\s-]")
_ISSN = re.compile(r"\d{7}[\dX]")
_ISBN = re.compile(r"\d{9}[\dX]|\d{13}")
_SERIAL_SPLIT = re.compile(r"[,;]")
_DOI_IN_TEXT = re.compile(r"10\.\d{4,9}/[^\s\"'<>&#?]+")


def _plausible_year(value: int) -> bool:
    return 1500 <= value <= 2100


def parse_date(text: str) -> tuple[int | None, int | None, int | None]:
    """Read year, month and day from a loosely written date.

    Understands numeric forms ("2012/06/15/", "2012///", "1948/07//", "2019-05-03",
    "20151207") and worded ones ("2016 May 28", "Mar 15", "SEP", "Nov-Dec 2015",
    "15 June 2014"). Parts that are absent or implausible are None, so "10 15"
    gives (None, None, None) rather than a wrong year.

    Args:
        text: The date as the source wrote it.

    Returns:
        (year, month, day), each possibly None.
    """
    text = text.strip()
    if not text:
        return None, None, None
    compact = _COMPACT_DATE.match(text)
    if compact:
        c_year, c_month, c_day = (int(g) for g in compact.groups())
        return c_year, c_month, c_day if 1 <= c_day <= _DAYS_IN_MONTH[c_month - 1] else None
    numeric = _NUMERIC_DATE.match(text)
    if numeric and numeric.group(2) and _plausible_year(int(numeric.group(1))):
        n_year, n_month = int(numeric.group(1)), int(numeric.group(2))
        n_day = int(numeric.group(3)) if numeric.group(3) else None
        if not 1 <= n_month <= 12:
            return n_year, None, None
        if n_day is not None and not 1 <= n_day <= _DAYS_IN_MONTH[n_month - 1]:
            n_day = None
        return n_year, n_month, n_day
    year_found: int | None = None
    month_found: int | None = None
    small: list[int] = []
    for token in _TOKENS.findall(text):
        if token.isdigit():
            number = int(token)
            if len(token) == 4 and _plausible_year(number):
                year_found = year_found or number
            elif len(token) <= 2:
                small.append(number)
        elif month_found is None and len(token) >= 3:
            month_found = MONTHS.get(token[:3].lower())
    day_found: int | None = None
    if month_found is not None and len(small) == 1:
        if 1 <= small[0] <= _DAYS_IN_MONTH[month_found - 1]:
            day_found = small[0]
    return year_found, month_found, day_found


def iso_date(year: int | None, month: int | None = None, day: int | None = None) -> str:
    """Format date parts as ISO text, as precise as the parts allow.

    Args:
        year: Year, or None.
        month: Month 1-12, or None.
        day: Day of month, or None (ignored without a month).

    Returns:
        "YYYY-MM-DD", "YYYY-MM", "YYYY", or "" without a year.
    """
    if year is None:
        return ""
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def combine_dates(main: str, detail: str = "") -> tuple[str, int | None]:
    """Build an ISO date from a year field and an optional finer date field.

    RIS writes "PY  - 2011" with "DA  - Jun"; Web of Science writes "PY 2002" with
    "PD AUG 15". The finer field supplies month and day when its year (if it has
    one) agrees with the main field.

    Args:
        main: The year (or full date) field.
        detail: The month/day field, possibly empty.

    Returns:
        (ISO date or "", year or None).
    """
    year, month, day = parse_date(main) if main else (None, None, None)
    if detail:
        d_year, d_month, d_day = parse_date(detail)
        if year is None:
            year = d_year
        if month is None and d_month is not None and (d_year is None or d_year == year):
            month, day = d_month, d_day
    return iso_date(year, month, day), year


def split_serials(values: Iterable[str]) -> tuple[list[str], list[str]]:
    """Sort serial-number fields into ISSNs and ISBNs.

    "03064530 (ISSN)" becomes "0306-4530"; a 10- or 13-digit number is an ISBN and
    is kept as written. Values that are neither are kept as ISSNs as written, so
    nothing the source said is dropped. Duplicates are removed.

    Args:
        values: Raw field values; each may hold several numbers separated by "," or ";".

    Returns:
        (issns, isbns) in source order.
    """
    issns: list[str] = []
    isbns: list[str] = []
    for value in values:
        for piece in _SERIAL_SPLIT.split(value):
            label = piece.lower()
            plain = _PARENTHESES.sub("", piece).strip()
            if not plain:
                continue
            compact = _SERIAL_JUNK.sub("", plain).upper()
            if _ISSN.fullmatch(compact):
                found, target = f"{compact[:4]}-{compact[4:]}", issns
            elif _ISBN.fullmatch(compact) or "isbn" in label:
                found, target = plain, isbns
            else:
                found, target = plain, issns
            if found not in target:
                target.append(found)
    return issns, isbns


def find_doi(texts: Iterable[str]) -> str:
    """Find the first DOI inside free text or URLs (percent-encoded ones too).

    Args:
        texts: Candidate texts in order of trust.

    Returns:
        The DOI as found (not normalised), or "".
    """
    for text in texts:
        if "10." not in text:
            continue
        if "%" in text:
            text = unquote(text)
        found = _DOI_IN_TEXT.search(text)
        if found:
            return found.group(0).rstrip(".,;)]}")
    return ""


def unique(values: Iterable[str]) -> list[str]:
    """Return the non-blank values stripped, without repeats, in first-seen order."""
    seen: set[str] = set()
    out = []
    for value in values:
        value = value.strip()
        if value and value not in seen:
            seen.add(value)
            out.append(value)
    return out


def page_range(start: str, end: str) -> str:
    """Join start and end pages into "start-end".

    A start that is already a range, a missing or equal end, and Ovid's "No" /
    "Specified" (from "No Pagination Specified") are handled.

    Args:
        start: First page as written.
        end: Last page as written.

    Returns:
        The page range, or "".
    """
    start, end = start.strip(), end.strip()
    if start.lower() == "no" and end.lower() == "specified":
        return ""
    if not end or end == start or "-" in start:
        return start
    if not start:
        return end
    return f"{start}-{end}"
