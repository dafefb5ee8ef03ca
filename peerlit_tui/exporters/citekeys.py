"""Citation keys that belong to the record, so every export of any subset agrees.

A key the record came with (BibTeX's entry key, CSL-JSON's `citation-key` or
`id`, i.e. a Better BibTeX key) is kept when it is a usable key. Otherwise the key
is built from the record alone: first author's surname, year, first title word and
four hex digits of the record id ("Gray2024purpose_3f9a"). The hash keeps the key
the same whatever else is exported, where a letter suffix ("…a", "…b") would
depend on the other records of the file. The BibTeX and CSL-JSON exports use the
same key, so one manuscript can cite either.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from peerlit_tui.model import Record

_NOT_KEY_WORDS = frozenset(
    "a an the of on in for and to with from at by is are was were this that its".split()
)
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")
# What BibTeX, biber and pandoc all accept in a key: no space, brace, comma, quote,
# "%", "#" or "\"; a leading letter keeps numbers and URLs (CSL ids) out.
_USABLE_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_:.+-]{1,79}")
#: Longest author and title-word parts of a built key (a 5,000-letter surname exists).
AUTHOR_CHARS, WORD_CHARS = 24, 20


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isascii())


def citation_key_base(record: Record) -> str:
    """FirstauthorYEARfirstword, ASCII letters and digits only ("Gray2024purpose").

    The first word is the first title word that is not a short function word; a
    title peerlit derived from the abstract gives none.

    Args:
        record: The record.

    Returns:
        The readable part of the key; "ref" when the record has none of the parts.
    """
    author = ""
    if record.authors:
        first = record.authors[0]
        words = _ASCII_WORD.findall(_ascii(first.family or first.name))
        author = "".join(w[:1].upper() + w[1:] for w in words)[:AUTHOR_CHARS]
    year = str(record.year) if record.year else ""
    word = ""
    title = "" if record.title_derived else record.title
    for candidate in _ASCII_WORD.findall(_ascii(title)):
        if candidate.lower() not in _NOT_KEY_WORDS:
            word = candidate.lower()[:WORD_CHARS]
            break
    return (author + year + word) or "ref"


def built_key(record: Record) -> str:
    """The key made from the record: `citation_key_base` + "_" + 4 hex digits of its id."""
    digest = hashlib.blake2s(record.id.encode("utf-8"), digest_size=2).hexdigest()
    return f"{citation_key_base(record)}_{digest}"


def imported_key(record: Record) -> str:
    """The key the record was imported with, if it can serve as a key; else ""."""
    key = record.extra.get("citekey", "").strip()
    return key if _USABLE_KEY.fullmatch(key) else ""


def _suffixes() -> Iterator[str]:
    """a, b, …, z, aa, ab, … for the rare key that is taken within one file."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    yield from letters
    for first in letters:
        for second in letters:
            yield first + second
    number = 1
    while True:
        yield f"n{number}"
        number += 1


class CitationKeys:
    """Hands out each record's key, unique within one export file.

    Keys compare case-insensitively (BibTeX does). Two records imported with the
    same key, or whose built keys collide, are the only case where the key of the
    later record depends on the file: it falls back to its built key, then to a
    letter suffix.
    """

    def __init__(self) -> None:
        self._used: set[str] = set()

    def key(self, record: Record) -> str:
        """The record's key in this file."""
        for candidate in (imported_key(record), built_key(record)):
            if candidate and candidate.lower() not in self._used:
                self._used.add(candidate.lower())
                return candidate
        base = built_key(record)
        key = next(base + s for s in _suffixes() if (base + s).lower() not in self._used)
        self._used.add(key.lower())
        return key
