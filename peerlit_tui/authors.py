"""Author-name parsing: splitting author lists and names into family and given parts.

Sources write names in two orders. Reference formats (RIS `AU`, MEDLINE `FAU`, BibTeX
`author`) usually write "Surname, Given"; results pages and many CSVs write "Given
Surname" and join several names with commas and a final "and". The parsers here keep
the name as written and record which order it came in (`Author.inverted`).
"""

from __future__ import annotations

import re

from peerlit_tui.model import Author
from peerlit_tui.text import clean_line

# Surname particles that belong to the family name in "Given [particle] Surname".
_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le", "ter", "ten"}
)
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_AND = re.compile(r"\s*(?:,\s*and\s+|\s+and\s+|\s*&\s*|;\s*)", re.IGNORECASE)
_INITIALS = re.compile(r"^(?:[A-Z]\.?-?){1,4}$")


def parse_name(raw: str) -> Author:
    """Parse one personal name in either order.

    "Gray, Benjamin Thomas" and "GRAY B T" give family "Gray"/"GRAY" with the
    inverted flag set; "Benjamin Thomas Gray" and "Simon Lawton-Smith" give the
    last word (with particles such as "van der") as the family name.

    Args:
        raw: The name as written in the source.

    Returns:
        The parsed author; `name` keeps the cleaned source spelling.
    """
    name = clean_line(raw).strip(" ,;")
    if not name:
        return Author(name="")
    if "," in name:
        family, _, given = name.partition(",")
        given = given.strip()
        if given.lower().strip(". ") in _SUFFIXES:
            # "Smith, Jr." is not "Surname, Given": keep the whole as family name.
            return Author(name=name, family=name, given="", inverted=True)
        return Author(name=name, family=family.strip(), given=given, inverted=True)
    words = name.split()
    if len(words) == 1:
        return Author(name=name, family=name, given="", inverted=False)
    # Web of Science / MEDLINE short form "Brevik I" or "Smith JA": trailing initials.
    if len(words) == 2 and _INITIALS.match(words[1]) and not _INITIALS.match(words[0]):
        return Author(name=name, family=words[0], given=words[1], inverted=True)
    while len(words) > 2 and words[-1].lower() in _SUFFIXES:
        words = words[:-1]
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in _PARTICLES:
        start -= 1
    return Author(
        name=name,
        family=" ".join(words[start:]),
        given=" ".join(words[:start]),
        inverted=False,
    )


def split_author_list(raw: str) -> list[Author]:
    """Split a list of names written in natural order: "A, B and C" or "A; B; C".

    A list of inverted names separated by semicolons ("Gray, B.; Sisto, M.") is
    recognised too, and so is a single inverted name ("Gray, Benjamin").

    Args:
        raw: The author line as written.

    Returns:
        Authors in order; empty when the line holds no name.
    """
    text = clean_line(raw)
    if not text:
        return []
    if ";" in text:
        return [parse_name(part) for part in text.split(";") if part.strip()]
    parts = [p for p in _AND.split(text) if p and p.strip()]
    names: list[str] = []
    for part in parts:
        pieces = [p.strip() for p in part.split(",") if p.strip()]
        # "Surname, Given" (two pieces whose second looks like given names or
        # initials) is one inverted name, not two names.
        if len(parts) == 1 and len(pieces) == 2 and len(pieces[0].split()) == 1:
            names.append(part)
        else:
            names.extend(pieces)
    return [parse_name(n) for n in names if n]


def names_to_authors(names: list[str]) -> list[Author]:
    """Parse a list of names that a format already separated (one name per tag).

    Args:
        names: Names as written, one per element.

    Returns:
        Authors in order, blanks dropped.
    """
    out = []
    for raw in names:
        author = parse_name(raw)
        if author.name:
            out.append(author)
    return out
