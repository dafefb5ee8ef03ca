"""The search query language: tokenizer, recursive-descent parser and syntax tree.

    peer support                words, all required, anywhere in the record's text
    "peer support"              a phrase
    -student  NOT student       exclusion
    peer OR mentor              either (OR binds looser than the implicit AND)
    (peer OR mentor) -student   grouping
    title:recovery  author:"van der"  year:2010..2020  rating:>=4  tag:include
    findings:"peer support"     inside one structured-abstract section
    /recover(y|ies)/  title:/^a/   regular expressions (Python syntax, case-insensitive)
    has:abstract  is:duplicate  is:unscreened  is:conflict|pending  reviewer:bob  decision:bob=maybe

Text is compared folded (`text.fold`); `decision:` alone is the final decision. The tree
(`query_tree`, re-exported) is evaluated by `services.search`. Typing in progress at the
end (`title:`, an open quote, a trailing `OR`) is tolerated; errors raise `QueryError`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from peerlit_tui.query_errors import QueryError, QueryTimeout
from peerlit_tui.query_tree import (
    ANNOTATION_FIELDS,
    CHOICE_VALUES,
    FIELDS,
    FLAG_VALUES,
    INDEX_FIELDS,
    INDEX_PREFIX_MIN,
    INDEX_STOPWORDS,
    RANGE_LIMITS,
    SECTION_FIELDS,
    SHORT_FIELDS,
    TEXT_FIELDS,
    And,
    Choice,
    Flag,
    MatchAll,
    Node,
    Not,
    Or,
    Query,
    Range,
    Regex,
    Text,
    conjuncts,
    fold_value,
    fts_like_pattern,
    highlight_pattern,
    index_mode,
    index_tokens,
    leaf_narrows,
    leaf_widens_by_index,
    narrows,
    uses_annotations,
)
from peerlit_tui.text import strip_controls

_ALIASES = {
    "authors": "author", "au": "author", "ti": "title", "keywords": "keyword", "kw": "keyword",
    "ab": "abstract", "tags": "tag", "notes": "note", "stars": "rating", "status": "read",
    "method": "methods", "methodology": "design", "result": "results", "conclusion": "conclusions",
    "objectives": "objective", "finding": "findings", "limitation": "limitations",
    "implication": "implications", "value": "originality", "database": "source", "file": "source",
}  # fmt: skip
_CHOICE_ALIASES = {
    "included": "include", "excluded": "exclude", "none": "undecided", "skim": "skimmed",
}  # fmt: skip


def canonical_field(name: str) -> str | None:
    """The canonical field for a typed field name (aliases resolved), or None."""
    lowered = name.lower()
    if lowered in FIELDS:
        return lowered
    return _ALIASES.get(lowered)


# -- tokenizer ------------------------------------------------------------------

_FIELD_PREFIX = re.compile(r"([A-Za-z_]+):")
_WORD_END = re.compile(r'[\s()"]')


@dataclass(slots=True)
class _Token:
    kind: str  # "(", ")", "OR", "AND", "NOT", "TERM"
    position: int
    field_name: str = ""  # as typed; "" for a bare term
    value_kind: str = ""  # "word", "phrase", "regex", "empty"
    value: str = ""
    value_position: int = 0


class _Tokenizer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.tokens: list[_Token] = []

    def run(self) -> list[_Token]:
        text = self.text
        while True:
            while self.pos < len(text) and text[self.pos].isspace():
                self.pos += 1
            if self.pos >= len(text):
                return self.tokens
            ch = text[self.pos]
            if ch in "()":
                self.tokens.append(_Token(ch, self.pos))
                self.pos += 1
            elif ch == "-":
                nxt = text[self.pos + 1] if self.pos + 1 < len(text) else " "
                if not nxt.isspace() and nxt != "-":
                    self.tokens.append(_Token("NOT", self.pos))
                self.pos += 1  # a lone dash (or a run of dashes) is punctuation, not a term
            else:
                self._term()

    def _term(self) -> None:
        text, start = self.text, self.pos
        match = _FIELD_PREFIX.match(text, start)
        if match and not text.startswith("//", match.end()):
            self.pos = match.end()
            token = _Token("TERM", start, field_name=match.group(1))
            if self.pos >= len(text) or text[self.pos].isspace():
                # "title: recovery" — the value is the next word, if there is one.
                probe = self.pos
                while probe < len(text) and text[probe].isspace():
                    probe += 1
                if probe >= len(text) or text[probe] in "()" or self._is_operator(probe):
                    token.value_kind, token.value_position = "empty", self.pos
                    self.tokens.append(token)
                    return
                self.pos = probe
            self._value(token)
            self.tokens.append(token)
            return
        if text[start] in '"/':
            token = _Token("TERM", start)
            self._value(token)
            self.tokens.append(token)
            return
        end = self._word_end(start)
        word = text[start:end]
        self.pos = end
        if word in ("OR", "AND", "NOT"):
            self.tokens.append(_Token(word, start))
        elif word == "|":
            self.tokens.append(_Token("OR", start))
        else:
            self.tokens.append(_Token("TERM", start, value_kind="word", value=word,
                                      value_position=start))  # fmt: skip

    def _is_operator(self, at: int) -> bool:
        end = self._word_end(at)
        return self.text[at:end] in ("OR", "AND", "NOT")

    def _word_end(self, start: int) -> int:
        found = _WORD_END.search(self.text, start)
        return found.start() if found else len(self.text)

    def _value(self, token: _Token) -> None:
        text, start = self.text, self.pos
        token.value_position = start
        if start >= len(text):
            token.value_kind = "empty"
            return
        ch = text[start]
        if ch == '"':
            close = text.find('"', start + 1)
            # An unclosed quote can only run to the end: the user is still typing it.
            end = len(text) if close < 0 else close
            token.value_kind, token.value = "phrase", text[start + 1 : end]
            self.pos = end + 1 if close >= 0 else end
        elif ch == "/":
            token.value_kind, token.value = "regex", self._regex_body(start)
        elif ch == "(":
            raise QueryError(
                f"a field cannot be applied to a group at {start} — "
                f"write ({token.field_name}:a OR {token.field_name}:b)",
                start,
            )
        else:
            end = self._word_end(start)
            token.value_kind, token.value = "word", text[start:end]
            self.pos = end

    def _regex_body(self, start: int) -> str:
        text = self.text
        out: list[str] = []
        i = start + 1
        while i < len(text):
            ch = text[i]
            if ch == "\\" and i + 1 < len(text):
                nxt = text[i + 1]
                out.append("/" if nxt == "/" else ch + nxt)
                i += 2
                continue
            if ch == "/":
                self.pos = i + 1
                return "".join(out)
            out.append(ch)
            i += 1
        self.pos = len(text)  # unclosed at the end: treat as closed (still typing)
        return "".join(out)


# -- parser ---------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str, tokens: list[_Token], *, complete: bool = False) -> None:
        self.text = text
        self.tokens = tokens
        self.index = 0
        # A complete query (command line, saved search) is not being typed: an empty
        # "purpose:" at its end is an error, not a value still to come.
        self.complete = complete

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def at_end(self) -> bool:
        return self.index >= len(self.tokens)

    def parse(self) -> Node:
        node = self.or_expr(depth=0)
        token = self.peek()
        if token is not None:  # only ")" can stop or_expr early
            raise QueryError(
                f"unexpected ')' at {token.position} — no '(' to close", token.position
            )
        return node

    def or_expr(self, depth: int) -> Node:
        parts: list[Node] = []
        first = self.and_expr(depth)
        if first is not None:
            parts.append(first)
        while (token := self.peek()) is not None and token.kind == "OR":
            self.index += 1
            if first is None and not parts:
                raise QueryError(f"OR at {token.position} needs a term before it", token.position)
            nxt = self.peek()
            if nxt is None:
                break  # trailing "OR": the user is about to type the alternative
            term = self.and_expr(depth)
            if term is None:
                raise QueryError(f"OR at {token.position} needs a term after it", token.position)
            parts.append(term)
        if not parts:
            return MatchAll()
        return _or(parts)

    def and_expr(self, depth: int) -> Node | None:
        parts: list[Node] = []
        while (token := self.peek()) is not None and token.kind not in ("OR", ")"):
            if token.kind == "AND":
                self.index += 1
                continue
            node = self.unary(depth)
            if node is not None:
                parts.append(node)
        if not parts:
            return None
        return _and(parts)

    def unary(self, depth: int) -> Node | None:
        token = self.peek()
        assert token is not None
        if token.kind == "NOT":
            self.index += 1
            nxt = self.peek()
            if nxt is None:
                return None  # trailing "NOT" / "-": still typing
            if nxt.kind in ("OR", ")", "AND"):
                raise QueryError(f"NOT at {token.position} needs a term after it", token.position)
            child = self.unary(depth)
            if child is None or isinstance(child, MatchAll):
                return None
            return child.child if isinstance(child, Not) else Not(child)
        if token.kind == "(":
            self.index += 1
            inner = self.or_expr(depth + 1)
            close = self.peek()
            if close is None or close.kind != ")":
                raise QueryError(f"unclosed parenthesis at {token.position}", token.position)
            self.index += 1
            if isinstance(inner, MatchAll):
                raise QueryError(f"empty parentheses at {token.position}", token.position)
            return inner
        self.index += 1
        return _make_term(token, is_last=self.at_end() and not self.complete)


def _and(parts: list[Node]) -> Node:
    flat: list[Node] = []
    for part in parts:
        flat.extend(part.children if isinstance(part, And) else (part,))
    return flat[0] if len(flat) == 1 else And(tuple(flat))


def _or(parts: list[Node]) -> Node:
    flat: list[Node] = []
    for part in parts:
        flat.extend(part.children if isinstance(part, Or) else (part,))
    return flat[0] if len(flat) == 1 else Or(tuple(flat))


# -- terms ----------------------------------------------------------------------


def _make_term(token: _Token, *, is_last: bool) -> Node | None:
    name = token.field_name
    pos = token.position
    if not name:
        return _text_or_regex(None, token)
    canonical = canonical_field(name)
    if canonical is None:
        close = difflib.get_close_matches(name.lower(), [*FIELDS, *_ALIASES], n=1, cutoff=0.6)
        hint = (
            f" — did you mean {canonical_field(close[0])}?"
            if close
            else f' — put it in quotes to search for "{name}:…" as text'
        )
        raise QueryError(f"unknown field '{name}' at {pos}{hint}", pos)
    if token.value_kind == "empty" or (token.value_kind != "regex" and not token.value.strip()):
        if is_last:
            return None  # "title:" at the end: the value is still being typed
        raise QueryError(f"{canonical}: at {pos} needs a value", pos)
    if canonical in TEXT_FIELDS:
        return _text_or_regex(canonical, token)
    if token.value_kind == "regex":
        raise QueryError(f"{canonical}: at {pos} does not take a regular expression", pos)
    value = token.value.strip()
    if canonical in RANGE_LIMITS:
        return _range(canonical, value, token.value_position, is_last=is_last)
    if canonical == "reviewer" or (canonical == "decision" and "=" in value):
        return _team_term(canonical, value, pos)
    if canonical in CHOICE_VALUES:
        return Choice(canonical, _choose(canonical, value, CHOICE_VALUES[canonical], pos), pos)
    return Flag(canonical, _choose(canonical, value, FLAG_VALUES[canonical], pos), pos)


def _team_term(name: str, value: str, pos: int) -> Choice:
    who, _, decision = value.partition("=")
    if not who:
        raise QueryError(f"{name}: at {pos} needs a reviewer name", pos)
    tail = "" if name == "reviewer" else "=" + _choose(name, decision, CHOICE_VALUES[name], pos)
    return Choice(name, who + tail, pos)


def _text_or_regex(field_name: str | None, token: _Token) -> Node | None:
    if token.value_kind == "regex":
        if not token.value:
            return None  # "/" or "//": nothing to search for yet
        # The `regex` package loads with the first pattern, not with every query.
        from peerlit_tui.timed_regex import RegexError, TimedPattern

        try:
            pattern = TimedPattern(token.value, re.IGNORECASE)
        except RegexError as exc:
            raise _regex_error(token, exc) from exc
        return Regex(field_name, token.value, pattern, token.position)
    raw = token.value
    star = token.value_kind == "word" and raw.endswith("*")
    if star:
        raw = raw.rstrip("*")
    if field_name == "doi":
        from peerlit_tui.identity import normalise_doi

        text = normalise_doi(raw) or fold_value(raw)
    else:
        text = fold_value(raw)
    if not text:
        return None
    return Text(field_name, text, star, raw, token.value_kind == "phrase", token.position)


def _regex_error(token: _Token, exc: Exception) -> QueryError:
    # `re` places an unclosed group at its opening, where the user has to look;
    # compiling only (no matching) cannot hang. Else the regex package's error
    # (which carries `pos` and `msg` like re.error; its stubs omit them).
    try:
        re.compile(token.value)
    except re.error as re_exc:
        exc = re_exc
    at = token.value_position + 1 + (getattr(exc, "pos", None) or 0)
    message = getattr(exc, "msg", None) or str(exc)
    return QueryError(f"invalid regex at {at}: {message}", at)


def _choose(name: str, value: str, options: tuple[str, ...], pos: int) -> str:
    lowered = _CHOICE_ALIASES.get(value.lower(), value.lower())
    if lowered in options:
        return lowered
    # A unique prefix is accepted, so `decision:inc` works while typing.
    found = [o for o in options if o.startswith(lowered)]
    if len(found) == 1:
        return found[0]
    listed = ", ".join(options[:-1]) + " or " + options[-1]
    raise QueryError(f"unknown {name}: value '{value}' at {pos} — use {listed}", pos)


_NUMBER = r"\d{1,4}"
_RANGE = re.compile(rf"^(?P<low>{_NUMBER})?(?:\.\.|-)(?P<high>{_NUMBER})?$")
_COMPARE = re.compile(rf"^(?P<op><=|>=|<|>|=)?(?P<n>{_NUMBER})$")


def _range(name: str, value: str, pos: int, *, is_last: bool) -> Range | None:
    hi_limit = RANGE_LIMITS[name][1]
    low: int | None
    high: int | None
    if match := _COMPARE.match(value):
        number = int(match.group("n"))
        op = match.group("op") or "="
        low, high = {
            "=": (number, number),
            "<": (None, number - 1),
            "<=": (None, number),
            ">": (number + 1, None),
            ">=": (number, None),
        }[op]
    elif match := _RANGE.match(value):
        low = int(match.group("low")) if match.group("low") else None
        high = int(match.group("high")) if match.group("high") else None
        if low is None and high is None:
            return None  # ".." alone
        if low is not None and high is not None and low > high:
            raise QueryError(f"bad {name} range '{value}' at {pos} — {low} is after {high}", pos)
    elif is_last and value in ("<", ">", "<=", ">=", "="):
        return None  # the number is still being typed
    else:
        example = "year:2012, year:2010..2020 or year:>2015" if name == "year" else "rating:>=4"
        raise QueryError(f"bad {name} range '{value}' at {pos} — write {example}", pos)
    if name == "rating" and any(int(n) > hi_limit for n in re.findall(r"\d+", value)):
        raise QueryError(f"rating at {pos} must be between 0 and 5", pos)
    return Range(name, low, high, pos)


def parse(text: str, *, complete: bool = False) -> Query:
    """Parse a query.

    Args:
        text: The query as typed. Terminal escape sequences and control characters
            are removed first (records never contain them, so they could only stop
            a term from matching, and the query text is shown back on screen).
        complete: The text is finished (not being typed in the filter bar), so a
            field without a value at its end ("purpose:") is an error.

    Returns:
        The parsed query (MatchAll root when it holds no term).

    Raises:
        QueryError: For a malformed query, naming the position.
    """
    if not text.isprintable():
        text = strip_controls(text).replace("\n", " ").replace("\t", " ")
    tokens = _Tokenizer(text).run()
    return Query(text, _Parser(text, tokens, complete=complete).parse())


__all__ = [
    "ANNOTATION_FIELDS", "CHOICE_VALUES", "FIELDS", "FLAG_VALUES", "INDEX_FIELDS",
    "INDEX_PREFIX_MIN", "INDEX_STOPWORDS", "RANGE_LIMITS", "SECTION_FIELDS", "SHORT_FIELDS",
    "TEXT_FIELDS", "And", "Choice", "Flag", "MatchAll", "Node", "Not", "Or", "Query",
    "QueryError", "QueryTimeout", "Range", "Regex", "Text", "canonical_field", "conjuncts",
    "fold_value", "fts_like_pattern", "highlight_pattern", "index_mode", "index_tokens",
    "leaf_narrows", "leaf_widens_by_index", "narrows", "parse", "uses_annotations",
]  # fmt: skip
