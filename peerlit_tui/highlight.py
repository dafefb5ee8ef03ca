"""Keyword highlighting: include-words and exclude-words compiled into search patterns.

Screeners keep two lists of words per project: words that suggest a record belongs
in the review (shown green) and words that suggest it does not (shown red). Each
list compiles here into one pattern that the UI's text renderer
(`peerlit_tui.ui.text_render.highlighted`) applies to titles, abstracts and
keywords. Nothing here knows about styles or widgets.

Matching rules, as in Rayyan:

* case- and accent-insensitive: "celik" marks "Çelik", "Randomi*ed" marks "RANDOMISED";
* whole words: "rat" does not mark "rather" or "separate";
* `*` stands for any run of letters and digits, so "child*" marks "child", "children"
  and "childhood", and "randomi*ed" marks "randomised" and "randomized";
* punctuation and spaces inside an entry match any run of spaces and punctuation, so
  "peer-led" also marks "peer led" and "peer–led".

A pattern is meant for both the text and its length-preserving folded copy (the
renderer tries both), so it is built from the folded entry and also from the
entry merely lower-cased, which catches letters whose folding changes length
("Straße" folds to "strasse").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal, cast

from peerlit_tui.text import clean_line, fold
from peerlit_tui.timed_regex import TimedPattern

WordKind = Literal["include", "exclude"]

#: The two kinds of highlighting words, in the order the UI lists them.
WORD_KINDS: Final[tuple[WordKind, ...]] = ("include", "exclude")
#: Longest accepted entry; longer ones are phrases no abstract repeats verbatim.
MAX_WORD_LENGTH: Final = 100
#: Most entries per list: a pattern with thousands of alternatives slows every render.
MAX_WORDS: Final = 1000

_WORD_CHAR = re.compile(r"[^\W_]")
# Separators inside an entry: anything but letters, digits and the wildcard.
_SEPARATOR = re.compile(r"[^\w*]+|_+")
_WILDCARD_RUN = re.compile(r"\*+")
# Text-side patterns: a letter or digit, a run of anything else, combining accents.
_LETTERS = r"[^\W_]*"
_GAP = r"[\W_]+"
_ACCENTS = "[\u0300-\u036f]*"


def validate_kind(kind: str) -> WordKind:
    """Check a word-list name.

    Args:
        kind: "include" or "exclude" (any case).

    Returns:
        The kind, lower-cased.

    Raises:
        ValueError: For any other name.
    """
    value = str(kind).strip().lower()
    if value == "include":
        return "include"
    if value == "exclude":
        return "exclude"
    raise ValueError(f"unknown word list {kind!r}: use 'include' or 'exclude'")


def clean_word(word: str) -> str:
    """Clean and check one highlighting entry as typed by a user.

    Args:
        word: A word, a phrase or a word with `*` wildcards.

    Returns:
        The entry on one line, surrounding spaces removed.

    Raises:
        ValueError: When the entry is empty, too long, not text, or has no letter or
            digit (a lone `*` would mark every word).
    """
    if not isinstance(word, str):
        raise ValueError(f"a highlighting word must be text, got {word!r}")
    text = clean_line(word)
    if not text:
        raise ValueError("a highlighting word cannot be empty")
    if len(text) > MAX_WORD_LENGTH:
        raise ValueError(f"highlighting word {text[:40]!r}… is longer than {MAX_WORD_LENGTH}")
    if not _WORD_CHAR.search(text.replace("*", "")):
        raise ValueError(f"highlighting word {text!r} needs at least one letter or digit")
    return text


def word_key(word: str) -> str:
    """The comparison key of an entry: two entries with the same key are the same word."""
    return " ".join(_tokens(fold(word)))


def unique_words(words: Iterable[str], *, limit: int | None = MAX_WORDS) -> list[str]:
    """Clean entries and drop repeats (by `word_key`), keeping the first spelling.

    Args:
        words: Entries as typed or stored.
        limit: Most entries allowed (None: no limit).

    Raises:
        ValueError: For an entry `clean_word` rejects, or more than `limit` entries.
    """
    seen: dict[str, str] = {}
    for word in words:
        clean = clean_word(word)
        seen.setdefault(word_key(clean), clean)
    if limit is not None and len(seen) > limit:
        raise ValueError(f"a highlighting list holds at most {limit} words")
    return list(seen.values())


def _tokens(text: str) -> list[str]:
    return [t for t in _SEPARATOR.split(text) if t]


def _token_source(token: str) -> str:
    parts = []
    for piece in _WILDCARD_RUN.split(token):
        # Each literal character may carry combining accents in decomposed text.
        parts.append("".join(re.escape(ch) + (_ACCENTS if ch.isalpha() else "") for ch in piece))
    return _LETTERS.join(parts)


def word_source(word: str) -> str | None:
    """The regular expression (without word boundaries) for one entry, or None if empty.

    Args:
        word: An entry; it is folded here.
    """
    sources = []
    for variant in dict.fromkeys((fold(word), word.lower())):
        tokens = _tokens(variant)
        if tokens:
            sources.append(_GAP.join(_token_source(t) for t in tokens))
    unique = list(dict.fromkeys(sources))
    if not unique:
        return None
    return unique[0] if len(unique) == 1 else "(?:" + "|".join(unique) + ")"


def compile_words(words: Iterable[str]) -> re.Pattern[str] | None:
    """Compile a list of entries into one whole-word, case-insensitive pattern.

    Longer entries come first in the alternation, so "peer support" marks the whole
    phrase rather than only "peer". Entries that are not valid words are skipped.
    Compiling a list of hundreds of words takes a noticeable fraction of a second,
    so the latest lists' patterns are kept.

    Args:
        words: Entries as stored.

    Returns:
        The pattern, or None when no entry is usable.
    """
    return _compile(tuple(words))


@lru_cache(maxsize=16)
def _compile(words: tuple[str, ...]) -> re.Pattern[str] | None:
    sources: list[str] = []
    for word in words:
        try:
            source = word_source(clean_word(word))
        except ValueError:
            continue
        if source:
            sources.append(source)
    if not sources:
        return None
    body = "|".join(sorted(dict.fromkeys(sources), key=len, reverse=True))
    # Several wildcards backtrack polynomially on a long word ("a*a*a*b" takes
    # seconds on 400 letters), so the pattern runs under a time limit: a text whose
    # marking would take too long is shown unmarked. TimedPattern offers the
    # `search`/`finditer` the renderer calls on `re` patterns.
    pattern = TimedPattern(rf"(?<![^\W_])(?:{body})(?![^\W_])", re.IGNORECASE)
    return cast("re.Pattern[str]", pattern)


@dataclass(frozen=True, slots=True)
class Highlight:
    """One kind of highlighting and the pattern finding its words.

    Attributes:
        kind: "include" (shown green) or "exclude" (shown red).
        pattern: Whole-word, case-insensitive pattern of every word of the list.
    """

    kind: WordKind
    pattern: re.Pattern[str]


def compile_highlights(
    include_words: Iterable[str], exclude_words: Iterable[str]
) -> list[Highlight]:
    """Compile both lists; a list with no usable word is left out.

    The UI applies each entry with `highlighted(text, [h.pattern], style_of(h.kind))`;
    where an include-word and an exclude-word overlap, whichever it applies last shows.

    Args:
        include_words: Words suggesting a record belongs in the review.
        exclude_words: Words suggesting it does not.

    Returns:
        At most two entries, include first.
    """
    found = []
    for kind, words in (("include", include_words), ("exclude", exclude_words)):
        pattern = compile_words(words)
        if pattern is not None:
            found.append(Highlight(validate_kind(kind), pattern))
    return found


def words_found(text: str, words: Sequence[str]) -> list[str]:
    """Which entries occur in `text` (used to list the matches of a record).

    Args:
        text: The text to look in (title, abstract, keywords).
        words: Entries as stored.

    Returns:
        The entries that match at least once, in list order.
    """
    folded = fold(text)
    out = []
    for word in words:
        pattern = compile_words([word])
        if pattern is not None and (pattern.search(text) or pattern.search(folded)):
            out.append(word)
    return out
