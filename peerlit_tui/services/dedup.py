"""Fuzzy near-duplicate detection: typos and subtitles link, distinct papers do not.

The exact duplicate key (normalised title, year, first author) misses a record whose
title has a typo, an extra subtitle or different punctuation in another export. This
step compares titles with rapidfuzz, but only against candidates that share a
*blocking key* with the new record, so an import into a 100,000-record library
makes a few comparisons per record instead of 100,000:

- the first three content words of the title (a typo late in the title, a subtitle),
- the last three content words (a typo early in the title),
- for titles of up to four content words, the first two and the last two as well,
- the three longest words, sorted (reordered or re-punctuated titles).

A pair links when the titles are at least 90 % similar (95 % when neither year nor
first author can be compared), the years are at most one apart (or the titles are
identical and long: a conference paper and its journal version), the first authors
agree, no content word was swapped for an unrelated one ("adults"/"children"), and
nothing marks them as different papers: other numbers or ordinals in the title
("Part 1"/"Part 2", "2019"/"2020", "thirteenth"/"sixteenth"), a notice word on one
side only (erratum, correction, reply, ...), a different DOI, or a different year of
a serial title (annual report, proceedings). Journal and first page break ties:
below the threshold (85 % up) both must agree for a link, and under 97 % a
different first page keeps two records apart.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, utils

from peerlit_tui.identity import STOPWORDS, surname_keys_agree, title_similarity, title_words
from peerlit_tui.text import match_key

if TYPE_CHECKING:
    from peerlit_tui.storage.records import RecordStore

#: The reason shown on links made by this step.
FUZZY_REASON = "similar title, year and first author"

#: A blocking key shared by more records than this is too common to tell anything.
MAX_BLOCK = 100

_NOTICE_WORDS = frozenset(
    "erratum errata corrigendum corrigenda correction corrections retraction retracted "
    "retracts reply replies response comment comments commentary addendum "
    "withdrawn expression concern".split()
)
_SERIAL_WORDS = frozenset(
    "annual report reports proceedings meeting congress symposium abstracts yearbook "
    "newsletter bulletin conference workshop".split()
)
_ROMAN = frozenset("i ii iii iv v vi vii viii ix x xi xii".split())
_PART_WORDS = frozenset("part parts vol volume section chapter phase study trial".split())
#: Words that a single letter names a part of ("part A"); after "study" or "trial" a
#: lone "a" starts the next phrase more often than it names a study.
_LETTER_PART_WORDS = frozenset("part parts vol volume section chapter phase".split())
_FIRST_PAGE = re.compile(r"\d+")
#: "2nd", "13th", "thirteenth", "sixteenth": the issue of a series, another paper.
_ORDINAL = re.compile(
    r"^(?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|"
    r"tenth|eleventh|twelfth|\w+teenth|\w+tieth)$"
)
_ORDINAL_ENDS = ("st", "nd", "rd", "th", "first", "second", "third", "fifth", "ninth", "twelfth")
#: An identical title of this many content words names one work whatever the years
#: (a conference paper and its journal version, a reprint).
IDENTICAL_TITLE_WORDS = 8


@dataclass(slots=True)
class Entry:
    """What the fuzzy step knows of one record."""

    id: str
    words: str
    year: int | None
    author: str
    journal: str
    doi: str
    pages: str | None = None
    _marks: frozenset[str] | None = None
    _keys: frozenset[str] | None = None

    @property
    def marks(self) -> frozenset[str]:
        """Numbers, ordinals, parts and notice words of the title (computed when asked)."""
        if self._marks is None:
            self._marks = _marks(self.words.split())
        return self._marks

    @property
    def serial(self) -> bool:
        """True for a serial title (annual report, proceedings): other years, other papers."""
        return not _SERIAL_WORDS.isdisjoint(self.words.split())


def _marks(words: list[str]) -> frozenset[str]:
    """Tokens that make two otherwise similar titles different papers."""
    marks = {w for w in words if w.isdigit() or w in _NOTICE_WORDS}
    # Most words are neither: the ordinal pattern runs only on words that can be one.
    marks |= {w for w in words if w.endswith(_ORDINAL_ENDS) and _ORDINAL.match(w)}
    for before, word in itertools.pairwise(words):
        if before in _PART_WORDS and (
            word in _ROMAN or (len(word) == 1 and before in _LETTER_PART_WORDS)
        ):
            marks.add(f"{before}:{word}")
    return frozenset(marks)


def make_entry(
    record_id: str,
    title: str,
    year: int | None,
    first_author: str,
    journal: str = "",
    doi: str = "",
    pages: str | None = None,
) -> Entry | None:
    """The entry of a record, or None when its title is too short to compare safely."""
    words = title_words(title)
    if len(words.replace(" ", "")) < 20:
        return None
    return Entry(
        id=record_id,
        words=words,
        year=year,
        author=match_key(first_author),
        journal=match_key(journal),
        doi=doi,
        pages=pages,
    )


def blocking_keys(entry: Entry) -> frozenset[str]:
    """The keys under which an entry is filed and looked up (computed once per entry)."""
    if entry._keys is None:
        entry._keys = frozenset(words_keys(entry.words))
    return entry._keys


def title_keys(title: str) -> set[str]:
    """The blocking keys of a title (none for a title too short to compare)."""
    words = title_words(title)
    return words_keys(words) if len(words.replace(" ", "")) >= 20 else set()


def words_keys(words: str) -> set[str]:
    """The blocking keys of a `title_words` string."""
    content = [w for w in words.split() if w not in STOPWORDS] or words.split()
    keys = {"p:" + " ".join(content[:3]), "s:" + " ".join(content[-3:])}
    if len(content) <= 4:
        # Two-word ends too, so a short title with a typo in one of three words is found.
        keys |= {"h:" + " ".join(content[:2]), "t:" + " ".join(content[-2:])}
    longest = sorted(content, key=lambda w: (-len(w), w))[:3]
    keys.add("l:" + " ".join(sorted(longest)))
    return keys


def _content_words(words: str) -> int:
    return sum(1 for w in words.split() if w not in STOPWORDS)


def _first_page(pages: str | None) -> str:
    if not pages:
        return ""
    found = _FIRST_PAGE.search(pages)
    return found.group(0).lstrip("0") if found else ""


def _substituted(a: str, b: str) -> bool:
    """True when a content word of one title was replaced by an unrelated word in the other.

    "adults" for "children" makes another paper even when the titles are 90 %
    alike; a typo ("insomina"), a spelling ("behavioral") or a split word
    ("health care") does not. Words present on one side only (a subtitle) do not count.
    """
    only_a = Counter(a.split()) - Counter(b.split())
    only_b = Counter(b.split()) - Counter(a.split())
    left = [w for w in only_a if w not in STOPWORDS]
    right = [w for w in only_b if w not in STOPWORDS]
    if not left or not right:
        return False

    def close(x: str, y: str) -> bool:
        return fuzz.ratio(x, y) >= 70 or (min(len(x), len(y)) >= 3 and (x in y or y in x))

    return any(not any(close(x, y) for y in right) for x in left) and any(
        not any(close(y, x) for x in left) for y in right
    )


def link_reason(
    a: Entry, b: Entry, pages_of: Callable[[Entry], str | None] | None = None
) -> str | None:
    """Why `a` and `b` are likely the same paper, or None when they are not.

    Args:
        a: One record's entry.
        b: The other's.
        pages_of: Loads an entry's pages when they are needed to break a tie.

    Returns:
        `FUZZY_REASON` for a likely duplicate, else None.
    """
    if a.doi and b.doi and a.doi != b.doi:
        return None
    if not surname_keys_agree(a.author, b.author):
        return None
    score = title_similarity(a.words, b.words)
    if score < 85:
        return None
    years_known = a.year is not None and b.year is not None
    if years_known and abs(a.year - b.year) > (0 if a.serial or b.serial else 1):  # type: ignore[operator]
        identical = a.words == b.words and not (a.serial or b.serial)
        if not identical or _content_words(a.words) < IDENTICAL_TITLE_WORDS:
            return None
    if a.marks != b.marks:
        return None
    if score < 100 and _substituted(a.words, b.words):
        return None
    comparable = years_known or bool(a.author and b.author)
    threshold = 90.0 if comparable else 95.0
    load = pages_of or (lambda entry: entry.pages)
    if score >= threshold:
        if score >= 97:
            return FUZZY_REASON
        # Similar but not identical titles on different first pages are two papers.
        first_a, first_b = _first_page(load(a)), _first_page(load(b))
        return None if first_a and first_b and first_a != first_b else FUZZY_REASON
    if not (a.journal and b.journal) or fuzz.ratio(a.journal, b.journal) < 85:
        return None
    # The uncertain band below the threshold: the same journal and first page decide.
    first_a, first_b = _first_page(load(a)), _first_page(load(b))
    return FUZZY_REASON if first_a and first_a == first_b else None


class NearDuplicateIndex:
    """Entries filed under their blocking keys, for incremental candidate lookup.

    Args:
        pages_of: Loads the pages of an entry whose pages were not given (stored
            records), only for the rare tie-break.
    """

    def __init__(self, pages_of: Callable[[str], str] | None = None) -> None:
        self._blocks: dict[str, list[Entry]] = {}
        self._pages_of = pages_of

    def __len__(self) -> int:
        return len({id(e) for block in self._blocks.values() for e in block})

    def add(self, entry: Entry) -> None:
        """File an entry under each of its blocking keys."""
        for key in blocking_keys(entry):
            self._blocks.setdefault(key, []).append(entry)

    def add_all(self, entries: Iterable[Entry | None]) -> None:
        """File many entries (None entries, too short to compare, are skipped)."""
        for entry in entries:
            if entry is not None:
                self.add(entry)

    def _pages(self, entry: Entry) -> str | None:
        if entry.pages is None and self._pages_of is not None:
            entry.pages = self._pages_of(entry.id)
        return entry.pages

    def matches(self, entry: Entry) -> list[tuple[str, str]]:
        """(other id, reason) of every filed entry that is likely the same paper."""
        candidates: dict[str, Entry] = {}
        for key in blocking_keys(entry):
            block = self._blocks.get(key, ())
            if len(block) <= MAX_BLOCK:
                candidates.update((other.id, other) for other in block)
        close = (c for c in candidates.values() if _close_enough(entry.words, c.words))
        return matches_among(entry, close, self._pages)


def _close_enough(a: str, b: str) -> bool:
    # 75 % alike, or one the start of the other (a subtitle): the only pairs that
    # `link_reason` can accept, checked in C before anything slower runs.
    if fuzz.ratio(a, b, score_cutoff=75):
        return True
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= 15 and long.startswith(short[: max(15, len(short) - 5)])


def may_match(processed: str, title: str) -> bool:
    """A cheap first look (C code only): can `title` be the same paper as a processed title?

    `processed` is `utils.default_process` of the new record's title. Lower-cased,
    punctuation-free titles that are not 75 % alike, nor one the start of the other
    (a subtitle), cannot pass `link_reason`, so their entries need not be built.
    """
    return _close_enough(processed, utils.default_process(title))


def matches_among(
    entry: Entry,
    candidates: Iterable[Entry],
    pages_of: Callable[[Entry], str | None] | None = None,
) -> list[tuple[str, str]]:
    """(other id, reason) of the candidates that are likely the same paper as `entry`."""
    found = []
    for other in candidates:
        if other.id != entry.id:
            reason = link_reason(entry, other, pages_of)
            if reason:
                found.append((other.id, reason))
    return found


class ImportDedup:
    """The fuzzy step of one import, inside its write transaction.

    Records added by this import are compared in memory (`NearDuplicateIndex`);
    records stored before it through the blocking keys kept in the store, one
    indexed lookup per new record, and only when the library held records. The
    keys of the new records are written once, by `finish`, before the commit.

    Args:
        store: The record store, with the import's transaction open.
    """

    def __init__(self, store: RecordStore) -> None:
        self.store = store
        self.stored_upto = store.max_rowid()
        self._index = NearDuplicateIndex()
        self._pending: list[tuple[str, int]] = []
        self._keyed_upto: int | None = None

    def _key_stored_rows(self) -> None:
        """File the keys of stored rows that have none (once per library, then incremental).

        A library from before the fuzzy step, or rows written without an import,
        are keyed here; afterwards each import keys its own rows in `finish`.
        """
        upto = self.store.dedup_keyed_upto()
        rows = [(rid, t) for rid, t in self.store.unkeyed_rows(upto) if rid <= self.stored_upto]
        self.store.add_dedup_keys((key, rid) for rid, title in rows for key in title_keys(title))
        self._keyed_upto = max(upto, self.stored_upto)

    def _pages_of(self, candidate: Entry) -> str | None:
        if candidate.pages is None:
            stored = self.store.get(candidate.id)
            candidate.pages = stored.pages if stored is not None else ""
        return candidate.pages

    def matches(self, entry: Entry | None, rowid: int) -> list[tuple[str, str]]:
        """(id, reason) of the records likely the same paper as one just inserted at `rowid`."""
        if self._keyed_upto is None:
            self._key_stored_rows()
        self._keyed_upto = max(self._keyed_upto or 0, rowid)
        if entry is None:
            return []
        keys = blocking_keys(entry)
        found = self._index.matches(entry)
        if self.stored_upto:
            processed = utils.default_process(entry.words)
            candidates = (
                make_entry(rid, title, year, author, journal, doi)
                for _row, rid, title, year, author, journal, doi in self.store.dedup_candidates(
                    keys, MAX_BLOCK
                )
                if may_match(processed, title)
            )
            found += matches_among(entry, (c for c in candidates if c), self._pages_of)
        self._index.add(entry)
        self._pending.extend((key, rowid) for key in keys)
        return found

    def finish(self) -> None:
        """Write the new records' keys and how far the store is keyed (before the commit)."""
        if self._keyed_upto is None:
            return
        self.store.add_dedup_keys(self._pending)
        self.store.set_dedup_keyed_upto(self._keyed_upto)
