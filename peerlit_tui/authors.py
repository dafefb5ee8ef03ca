"""Author-name parsing: splitting author lists and names into family and given parts.

Sources write names in two orders. Reference formats (RIS `AU`, MEDLINE `FAU`, BibTeX
`author`) usually write "Surname, Given"; results pages and many CSVs write "Given
Surname" and join several names with commas and a final "and". Spreadsheet exports
add short forms ("Liu R.", "Van der Berg J. A."), comma-only lists of surname/given
pairs ("Alnaes, R., Torgersen, S."), Scopus author ids ("Yagai, Tsuyoshi
(7003612345)") and Python list literals ("['Marx, Karl', 'Lindgren, Astrid']"). The
parsers here keep the name as written and record which order it came in
(`Author.inverted`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from peerlit_tui.model import Author
from peerlit_tui.text import clean_line, strip_controls

# Surname particles that belong to the family name in "Given [particle] Surname".
_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le", "ter", "ten"}
)
# Name suffixes (compared after dropping dots) that are not given names: "Smith, Jr.".
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
# Words that mark a collective author ("UKPDS Group", "American Diabetes Association"),
# which has no family/given split; compared in lower case after dropping punctuation.
_GROUP_WORDS = frozenset(
    {
        "group", "groups", "consortium", "collaboration", "collaborative", "collaborators",
        "committee", "investigators", "trialists", "association", "society", "organization",
        "organisation", "institute", "council", "foundation", "agency", "department",
        "ministry", "commission", "federation", "alliance", "network", "registry",
        "university", "hospital", "study", "trial", "taskforce", "coordinators",
    }
)  # fmt: skip
# "R.", "D.G.", "JA", "J.-P.": a token made only of initials.
_INITIALS_TOKEN = re.compile(r"^(?:[A-Z]\.?-?){1,4}\.?$")
# "E J Reimer", "R. L. Whistler": initials tokens, then one more word.
_INITIALS_THEN_WORD = re.compile(r"^((?:[A-Z]\.?-?){1,4}\.?(?: +(?:[A-Z]\.?-?){1,4}\.?)*) +(\S+)$")
# Scopus "Author full names" append the author id: "Yagai, Tsuyoshi (7003612345)".
_AUTHOR_ID = re.compile(r"\s*\(\d{5,}\)\s*$")
_AND = re.compile(r"\s+and\s+|\s*&\s*", re.IGNORECASE)
_WORD_EDGES = ".,;:'\"()[]"


def list_items(text: str) -> list[str] | None:
    """Read a field holding a Python list literal, as ASReview and pandas write lists.

    Args:
        text: A value such as "['Marx, Karl', 'Lindgren, Astrid']".

    Returns:
        The non-blank items, or None when the value is not a list of strings.
    """
    if len(text) < 2 or text[0] != "[" or text[-1] != "]" or len(text) > 200_000:
        return None
    inner = text[1:-1].strip()
    if not inner:
        return []
    if inner[0] not in "'\"":
        return None
    import ast  # only list-valued cells need it; keeps importing this module cheap

    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [item for item in value if item.strip()]
    return None


def separated_items(text: str) -> list[str] | None:
    r"""Split a value that marks its own list: a Python list literal, semicolons or lines.

    Args:
        text: A field holding several values ("a; b", "a\nb", "['a', 'b']").

    Returns:
        The items (not stripped, possibly blank), or None when the value uses none
        of these separators and the caller has to look for weaker ones.
    """
    items = list_items(text)
    if items is not None:
        return items
    if ";" in text:
        return text.split(";")
    if "\n" in text:
        return text.split("\n")
    return None


def _is_suffix(token: str) -> bool:
    return token.lower().strip(". ") in _SUFFIXES


def _trailing_initials(tokens: list[str]) -> int:
    """Count the initials tokens at the end of a name ("Van der Berg J. A." -> 2)."""
    count = 0
    for token in reversed(tokens):
        if not _INITIALS_TOKEN.match(token):
            break
        count += 1
    return count


def _is_group(tokens: list[str]) -> bool:
    return len(tokens) > 1 and any(t.strip(_WORD_EDGES).lower() in _GROUP_WORDS for t in tokens)


def parse_name(raw: str) -> Author:
    """Parse one personal or group name in either order.

    "Gray, Benjamin Thomas", "Gray B.T." and "Van der Berg J. A." give the family
    name with the inverted flag set; "Benjamin Thomas Gray", "R. L. Whistler" and
    "Simon Lawton-Smith" give the last word (with particles such as "van der") as
    the family name. A Scopus author id ("(7003612345)") is dropped, and a group
    name ("UKPDS Study Group") is kept whole as the family name. Results are cached:
    the same names recur across the records of one file, and `Author` is immutable.

    Args:
        raw: The name as written in the source.

    Returns:
        The parsed author; `name` keeps the cleaned source spelling.
    """
    return _parse_name_cached(raw)


#: Tokens of one initial ("J", "J."): a set lookup answers `_INITIALS_TOKEN` for them.
_ONE_INITIAL = frozenset(chr(c) for c in range(65, 91)) | frozenset(
    chr(c) + "." for c in range(65, 91)
)


def _is_initials(token: str) -> bool:
    """`_INITIALS_TOKEN` as a test; initials are capitals, so other tokens fail at once."""
    return token in _ONE_INITIAL or (token.isupper() and _INITIALS_TOKEN.match(token) is not None)


def _parse_name_fast(raw: str) -> Author | None:
    """The common shapes of a name, read as the general rules read them; None for others.

    "Gray, Benjamin" (a comma, then a given name that is no suffix), "B T Gray" and
    "B. Gray" (initials, then a surname), "Benjamin Gray" / "Gray B" (two words)
    and "Benjamin T Gray" (natural order ending in a surname) make up nearly every
    name in real exports, and most names are unique, so the cache seldom helps.
    These shapes skip the general rules' regular expressions and per-word group
    test: a name of letters, dots, hyphens and spaces is a group only if one of its
    words between dots is a group word. Whatever else the rules look at (author
    ids, suffixes, group words, other punctuation) is left to them;
    `tests/importers/test_name_fast_path.py` checks that both agree on every name
    of the test exports.
    """
    name = clean_line(raw)  # has no edge, doubled or other white space
    if not name or name[-1] in ",;)" or name[0] in ",;":
        return None  # an author id or list punctuation: the general rules
    if "," in name:
        family, _, given = name.partition(",")
        given = given.strip()
        if given and given.lower().strip(". ") not in _SUFFIXES:
            return Author(name, family.strip(), given, True)
        return None
    if not name.replace(" ", "").replace(".", "").replace("-", "").isalpha():
        return None
    tokens = name.split(" ")
    if len(tokens) < 2 or not _GROUP_WORDS.isdisjoint(name.lower().replace(".", " ").split()):
        return None
    surname = tokens[-1]
    for token in tokens[:-1]:
        if not _is_initials(token):
            break
    else:
        # "E J Reimer", "R. L. Whistler": initials, then the surname.
        if _is_initials(surname) or surname.lower().strip(". ") in _SUFFIXES:
            return None
        return Author(name, surname, " ".join(tokens[:-1]), False)
    if len(tokens) == 2:
        # "Nazzaro P" (short inverted form) or "Paolo Nazzaro" (natural order).
        if _is_initials(surname):
            return Author(name, tokens[0], surname, True)
        if surname.lower().strip(". ") not in _SUFFIXES:
            return Author(name, surname, tokens[0], False)
    elif not _is_initials(surname) and surname.lower().strip(". ") not in _SUFFIXES:
        # "Jay N Cohn", "Ludwig van Beethoven": natural order, particles kept with the surname.
        start = len(tokens) - 1
        while start > 1 and tokens[start - 1].lower() in _PARTICLES:
            start -= 1
        return Author(name, " ".join(tokens[start:]), " ".join(tokens[:start]), False)
    return None


@lru_cache(maxsize=16_384)
def _parse_name_cached(raw: str) -> Author:
    fast = _parse_name_fast(raw)
    return fast if fast is not None else _parse_name_general(raw)


def _parse_name_general(raw: str) -> Author:
    """`parse_name` by the general rules, for every shape of name."""
    name = clean_line(raw)
    if name.endswith(")"):
        name = _AUTHOR_ID.sub("", name)
    name = name.strip(" ,;")
    if not name:
        return Author(name="")
    if "," in name:
        family, _, given = name.partition(",")
        given = given.strip()
        family = family.strip()
        if given and not _is_suffix(given):
            return Author(name=name, family=family, given=given, inverted=True)
        if " " in family:
            # "John Smith, Jr.": a natural-order name with a suffix.
            head = _parse_name_cached(family)
            return Author(name=name, family=head.family, given=head.given, inverted=head.inverted)
        # "Smith, Jr." is not "Surname, Given": keep the whole as family name.
        return Author(name=name, family=name, given="", inverted=True)
    tokens = name.split()
    if len(tokens) == 1 or _is_group(tokens):
        return Author(name=name, family=name, given="", inverted=False)
    natural = _INITIALS_THEN_WORD.match(name)
    if natural:
        # "E J Reimer", "R. L. Whistler": initials, then the surname.
        surname = natural.group(2)
        if not _INITIALS_TOKEN.match(surname) and not _is_suffix(surname):
            return Author(name=name, family=surname, given=natural.group(1), inverted=False)
    if len(tokens) == 2 and not _INITIALS_TOKEN.match(tokens[0]):
        # "Nazzaro P" (short inverted form) or "Paolo Nazzaro" (natural order).
        if _INITIALS_TOKEN.match(tokens[1]):
            return Author(name=name, family=tokens[0], given=tokens[1], inverted=True)
        if not _is_suffix(tokens[1]):
            return Author(name=name, family=tokens[1], given=tokens[0], inverted=False)
    initials = _trailing_initials(tokens)
    if initials == len(tokens) and "." not in tokens[0] and len(tokens[0]) > 1:
        # "GRAY B T": an upper-case surname short enough to read as initials.
        initials -= 1
    if 0 < initials < len(tokens):
        # "Quintanilla Dieck L.", "Nides M A": a surname of any length, then initials.
        cut = len(tokens) - initials
        return Author(
            name=name, family=" ".join(tokens[:cut]), given=" ".join(tokens[cut:]), inverted=True
        )
    while len(tokens) > 1 and _is_suffix(tokens[-1]):
        tokens = tokens[:-1]
    start = len(tokens) - 1
    while start > 1 and tokens[start - 1].lower() in _PARTICLES:
        start -= 1
    return Author(
        name=name, family=" ".join(tokens[start:]), given=" ".join(tokens[:start]), inverted=False
    )


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
        and not _is_group(tokens)
    )


def _could_be_given(piece: str) -> bool:
    tokens = piece.split()
    return (
        0 < len(tokens) <= 4
        and (tokens[0][0].isupper() or all(_INITIALS_TOKEN.match(t) for t in tokens))
        and not _is_group(tokens)
    )


def _comma_names(text: str, *, pairs_expected: bool = False) -> list[str]:
    """Split a comma-only author list into names.

    "Liu R., Adler D.G." holds one name per piece; "Alnaes, R., Torgersen, S." and
    "Chiu, Kenny, Clark, David M." hold surname/given pairs. Pairs are assumed when
    pieces alternate surname-like and given-like text and there is evidence for it:
    initials in the given parts, or mostly single-word surnames (a list of natural
    "Given Surname" names has at least two words in nearly every piece).
    """
    pieces: list[str] = []
    for piece in (p.strip() for p in text.split(",")):
        if pieces and _is_suffix(piece):
            # "Flakes, Johnny H., III": the suffix belongs to the name before it.
            pieces[-1] = f"{pieces[-1]}, {piece}"
        elif piece:
            pieces.append(piece)
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


def _names_around_and(text: str) -> list[str]:
    """Split a list that joins its last name with "and" or "&"."""
    parts = [p for p in _AND.split(text) if p.strip()]
    if len(parts) > 1 and all("," in p for p in parts):
        # "Gray, B. and Sisto, M.": every part holds inverted names.
        return [n for p in parts for n in _comma_names(p, pairs_expected=True)]
    if "," not in text and _is_group(text.split()):
        # "National Institute for Health and Care Excellence" is one name.
        return [text]
    # "Benjamin Thomas Gray, Matthew Sisto and Renee Conley": natural order.
    return [piece for part in parts for piece in part.split(",")]


def split_author_list(raw: str) -> list[Author]:
    """Split an author list into authors, whatever list style the source used.

    Handles "Smith, J.; Doe, A." (semicolons, or one name a line), "Benjamin
    Thomas Gray, Matthew Sisto and Renee Conley" (natural order with a final
    "and"), "Gray, B. and Sisto, M.", "Liu R., Adler D.G." (comma list of short
    inverted names), "Marx, Karl, Lindgren, Astrid" (comma-separated surname/given
    pairs), a single "Mahon, Daryl" and Python list literals.

    Args:
        raw: The author line as written.

    Returns:
        Authors in order; empty when the line holds no name.
    """
    # Escape sequences go first: their payload may hold the separators looked for here.
    text = strip_controls(raw).strip()
    if not text:
        return []
    items = separated_items(text)
    if items is None:
        items = _names_around_and(text) if _AND.search(text) else _comma_names(text)
    return names_to_authors(items)


def names_to_authors(names: list[str]) -> list[Author]:
    """Parse a list of names that a format already separated (one name per tag).

    Args:
        names: Names as written, one per element.

    Returns:
        Authors in order, blanks dropped.
    """
    return [a for a in map(_parse_name_cached, map(str.strip, names)) if a.name]
