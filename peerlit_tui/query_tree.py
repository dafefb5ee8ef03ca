"""The query language's syntax tree, field tables, matching helpers and narrowing rules.

`peerlit_tui.query` parses text into these nodes; `peerlit_tui.services.search`
evaluates them. Everything here is pure data and functions over it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as _field
from functools import lru_cache
from typing import TYPE_CHECKING, TypeAlias, cast

from peerlit_tui.annotation import DECISIONS, MAX_RATING, READ_STATUSES
from peerlit_tui.sections import SECTION_KEYS
from peerlit_tui.text import fold

if TYPE_CHECKING:
    from peerlit_tui.timed_regex import TimedPattern

# -- fields ---------------------------------------------------------------------

#: Text fields held in the list columns (scanned in memory).
SHORT_FIELDS = ("title", "author", "journal", "keyword")
#: Structured-abstract section headings usable as fields (`findings:`, `methods:`).
SECTION_FIELDS = tuple(SECTION_KEYS)
#: Fields answered from the user's annotations rather than the records.
ANNOTATION_FIELDS = ("tag", "decision", "note", "read", "rating")
#: Every field whose value is free text (word, phrase or regular expression).
TEXT_FIELDS = (*SHORT_FIELDS, "abstract", "doi", "id", "type", "source", "tag", "note",
               *SECTION_FIELDS)  # fmt: skip
CHOICE_VALUES: dict[str, tuple[str, ...]] = {"decision": DECISIONS, "read": READ_STATUSES}
FLAG_VALUES: dict[str, tuple[str, ...]] = {
    "has": ("abstract", "doi", "note", "tags"),
    "is": ("duplicate", "derived", "screened", "unscreened", "conflict", "pending"),
}
#: Fields answered from each reviewer's decisions (`reviewer:alice`); with
#: `decision:alice=include` and `is:conflict` / `is:pending` they query team screening.
TEAM_FIELDS = ("reviewer",)
RANGE_LIMITS = {"rating": (0, MAX_RATING), "year": (0, 9999)}

FIELDS = (*TEXT_FIELDS, *CHOICE_VALUES, *FLAG_VALUES, *RANGE_LIMITS, *TEAM_FIELDS)

# -- syntax tree ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MatchAll:
    """The empty query: every record matches."""


@dataclass(frozen=True, slots=True)
class Text:
    """Folded text that must occur in a field (None: any text field).

    Attributes:
        field: Canonical field name, or None for a bare word or phrase.
        text: The folded value, whitespace collapsed to single spaces.
        raw: The value as typed (for messages and display).
        star: True when typed with a trailing `*`: in the full-text index the
            last word then always matches as a prefix, however short.
        phrase: True when it was quoted.
        position: Offset of the term in the query.
    """

    field: str | None
    text: str
    star: bool = False
    raw: str = _field(default="", compare=False)
    phrase: bool = _field(default=False, compare=False)
    position: int = _field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Regex:
    """A regular expression searched in a field (None: the short fields and abstract).

    Its pattern runs under a time limit (`peerlit_tui.timed_regex`), so no pattern
    can hang a search.
    """

    field: str | None
    source: str
    pattern: TimedPattern = _field(compare=False, hash=False)
    position: int = _field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Range:
    """An inclusive numeric range on `year` or `rating`; None is an open end."""

    field: str
    low: int | None
    high: int | None
    position: int = _field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Choice:
    """An annotation field that must have one value (`decision:include`, `read:unread`)."""

    field: str
    value: str
    position: int = _field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Flag:
    """A `has:` or `is:` property of a record."""

    kind: str
    value: str
    position: int = _field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Not:
    """Records not matching `child`."""

    child: Node


@dataclass(frozen=True, slots=True)
class And:
    """Records matching every child (two or more, never nested Ands)."""

    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """Records matching any child (two or more, never nested Ors)."""

    children: tuple[Node, ...]


Node: TypeAlias = MatchAll | Text | Regex | Range | Choice | Flag | Not | And | Or


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query.

    Attributes:
        text: The query as typed (control characters removed).
        root: Its syntax tree.
    """

    text: str
    root: Node

    @property
    def is_empty(self) -> bool:
        """True when the query matches every record."""
        return isinstance(self.root, MatchAll)

    def conjuncts(self) -> tuple[Node, ...]:
        """The top-level AND-ed parts of the query (empty for the empty query)."""
        return conjuncts(self.root)

    def uses_annotations(self) -> bool:
        """True when the result depends on annotations (tags, decisions, notes...)."""
        return uses_annotations(self.root)

    def terms_for_highlight(self) -> list[tuple[str | None, re.Pattern[str]]]:
        """Patterns of the positive terms, for highlighting matches in the UI.

        Returns:
            (field, pattern) pairs: field is a canonical field name ("title",
            "author", "abstract", "findings", ...) or None for terms that apply to
            every text field. Patterns are case-insensitive and, for words and
            phrases, accent-insensitive ("celik" highlights "Çelik").
        """
        out: list[tuple[str | None, re.Pattern[str]]] = []
        seen: set[tuple[str | None, str]] = set()

        def visit(node: Node) -> None:
            if isinstance(node, And | Or):
                for child in node.children:
                    visit(child)
            elif isinstance(node, Text) and node.text and node.field not in ("id", "type"):
                key = (node.field, "t:" + node.text)
                if key not in seen:
                    seen.add(key)
                    out.append((node.field, highlight_pattern(node.text)))
            elif isinstance(node, Regex) and (node.field, "r:" + node.source) not in seen:
                seen.add((node.field, "r:" + node.source))
                # A TimedPattern offers the `search`/`finditer` the renderer calls on
                # `re` patterns, each giving up quietly after a few milliseconds.
                out.append((node.field, cast("re.Pattern[str]", node.pattern)))

        visit(self.root)  # Not subtrees are skipped: their words are absent by definition.
        return out


def conjuncts(node: Node) -> tuple[Node, ...]:
    """The AND-ed parts of a tree: an And's children, nothing for MatchAll, else itself."""
    if isinstance(node, MatchAll):
        return ()
    if isinstance(node, And):
        return node.children
    return (node,)


def uses_annotations(node: Node) -> bool:
    """True when evaluating `node` reads annotations."""
    if isinstance(node, Text | Regex | Range | Choice):
        return node.field in ANNOTATION_FIELDS or node.field in TEAM_FIELDS
    if isinstance(node, Flag):
        return node.value in ("note", "tags", "screened", "unscreened", "conflict", "pending")
    if isinstance(node, Not):
        return uses_annotations(node.child)
    if isinstance(node, And | Or):
        return any(uses_annotations(c) for c in node.children)
    return False


# -- folding helpers shared with the evaluator ----------------------------------

_SPACES = re.compile(r"\s+")
_TOKEN = re.compile(r"[^\W_]+")


def fold_value(text: str) -> str:
    """Fold a typed value the way record text is folded, collapsing whitespace."""
    return _SPACES.sub(" ", fold(text)).strip()


def index_tokens(text: str) -> list[str]:
    """Split folded text into the tokens the full-text index uses (letters and digits)."""
    return _TOKEN.findall(text)


@lru_cache(maxsize=1)
def _accent_classes() -> dict[str, str]:
    # Every Latin letter that folds to a plain ASCII letter, grouped by that letter,
    # so a folded term can be highlighted in the original accented text.
    groups: dict[str, set[str]] = {}
    for cp in range(0xC0, 0x250):
        ch = chr(cp)
        base = fold(ch)
        if len(base) == 1 and base.isascii() and base.isalpha() and ch.isalpha():
            # Only one-character case forms: "İ".lower() is "i" plus a combining dot.
            forms = (c for c in (ch, ch.lower(), ch.upper()) if len(c) == 1)
            groups.setdefault(base, set()).update(forms)
    return {base: "".join(sorted(chars)) for base, chars in groups.items()}


def highlight_pattern(folded: str) -> re.Pattern[str]:
    """A case- and accent-insensitive pattern finding `folded` in original text.

    Args:
        folded: A folded term ("celik", "peer support").

    Returns:
        A compiled pattern: each letter also matches its accented forms (and a
        following combining accent), each space matches any run of whitespace.
    """
    classes = _accent_classes()
    parts = []
    for ch in folded:
        if ch == " ":
            parts.append(r"\s+")
        elif ch in classes:
            parts.append(f"[{re.escape(ch)}{re.escape(classes[ch])}][\u0300-\u036f]*")
        else:
            parts.append(re.escape(ch))
    return re.compile("".join(parts), re.IGNORECASE)


def fts_like_pattern(tokens: list[str], *, prefix: bool) -> re.Pattern[str]:
    """A pattern over folded text that follows the full-text index's matching rules.

    The tokens must follow each other as whole words; with `prefix`, the last one
    may continue ("peer supp" finds "peer supporters" but never "compeer support").
    """
    last = len(tokens) - 1
    body = r"[\W_]+".join(
        re.escape(t) + ("" if n == last and prefix else r"(?![^\W_])") for n, t in enumerate(tokens)
    )
    return re.compile(r"(?<![^\W_])" + body)


#: Shortest last word that the full-text index matches as a prefix without a `*`:
#: shorter prefixes ("p*", "pro*") match most abstracts and cost 60-400 ms at 100k.
INDEX_PREFIX_MIN = 4

#: Short function words that a bare word does not look up in abstracts: as whole
#: words they occur in nearly every abstract ("an" alone: 92,000 of 100,000).
INDEX_STOPWORDS = frozenset(
    "a al an and are as at be but by can did do et for had has he her his how if in is it "
    "its may no not of on one or our she so the to two vs was we who why yet".split()
)

#: Fields answered through the full-text index.
INDEX_FIELDS = frozenset((None, "abstract", *SECTION_FIELDS))


def index_mode(term: Text) -> str:
    """How a text term is matched in the full-text index (abstract and sections).

    Returns:
        "prefix" when the last word may continue (it has at least
        `INDEX_PREFIX_MIN` characters, or a `*` was typed), "exact" when every word
        must be whole, "none" when the index is not consulted (no letters or digits,
        or a bare one-character word or short function word, which would match
        nearly every abstract).
    """
    tokens = index_tokens(term.text)
    if not tokens:
        return "none"
    if term.star or len(tokens[-1]) >= INDEX_PREFIX_MIN:
        return "prefix"
    if (
        term.field is None
        and len(tokens) == 1
        and (len(tokens[0]) == 1 or tokens[0] in INDEX_STOPWORDS)
    ):
        return "none"
    return "exact"


# -- narrowing ------------------------------------------------------------------

#: Text fields matched as a substring of folded text (extending a value narrows).
_SUBSTRING_FIELDS = frozenset((*SHORT_FIELDS, "doi", "note", "source"))


def leaf_narrows(old: Node, new: Node) -> bool:
    """True when every record matching `new` is certain to match `old`."""
    if old == new:
        return True
    if isinstance(old, Text) and isinstance(new, Text) and old.field == new.field:
        if old.field in _SUBSTRING_FIELDS:
            return old.text in new.text
        if old.field in ("id", "type"):
            return new.text.startswith(old.text)
        if old.field in INDEX_FIELDS:
            # In the index only a prefix match stays a superset when the word grows
            # ("peer"* holds "peers"*); a whole-word match ("pro") does not ("prot"*).
            return new.text.startswith(old.text) and index_mode(old) == "prefix"
        return False
    if isinstance(old, Range) and isinstance(new, Range) and old.field == new.field:
        low_ok = old.low is None or (new.low is not None and new.low >= old.low)
        high_ok = old.high is None or (new.high is not None and new.high <= old.high)
        return low_ok and high_ok
    return False


def leaf_widens_by_index(old: Node, new: Node) -> bool:
    """True when `new` can match records `old` did not only through the full-text index.

    That is a word typed further whose short-field (substring) part narrows but
    whose index part changed ("pro" as a whole word → "prot" as a prefix). The
    records it adds are all among the index hits of `new`, so a search can refine
    the previous result and evaluate those hits alone, instead of everything.
    """
    return (
        isinstance(old, Text)
        and isinstance(new, Text)
        and old.field == new.field
        and old.field in INDEX_FIELDS
        and new.text.startswith(old.text)
    )


def narrows(old: Query, new: Query) -> bool:
    """True when `new` can only match a subset of what `old` matched.

    That is the case when each AND-ed part of the old query is kept, or replaced
    by a narrower one (a word typed further: "pee" → "peer", a tighter year
    range), and any other parts are added with AND. Changes inside NOT, OR or a
    regular expression are never treated as narrowing.

    Args:
        old: The previous query.
        new: The new query.

    Returns:
        True when filtering the previous result with `new` gives the same rows as
        filtering everything.
    """
    new_parts = new.conjuncts()
    return all(any(leaf_narrows(o, n) for n in new_parts) for o in old.conjuncts())
