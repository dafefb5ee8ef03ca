"""Safe builders of displayable text from untrusted strings, with query-term highlighting.

Imported titles, abstracts, tags and notes are data. Handing such a string to a widget
that parses markup lets a title like `[@click=app.quit]` run an action and `[/]` crash
the app, so every widget builds its text here: `rich.text.Text` and
`textual.content.Content` objects are constructed directly from the string and are
never parsed as markup.

Strings are cleaned at import, but this module strips control characters once more
(`peerlit_tui.text.strip_controls`): Rich and Textual drop only a handful of C0 bytes
and let ESC, C1 and bidi overrides through to the terminal, so anything unclean that
reaches the UI by another route (a note typed elsewhere, a hand-edited store) must not
be able to write the clipboard or clear the screen.

`SafeInput` is an `Input` whose value can never hold control characters: Textual's
`Input` inserts a terminal paste verbatim and would echo an escape sequence in it.

Highlighting applies a list of compiled patterns. Matching is done on the text and on
a length-preserving case- and accent-folded copy of it, so a pattern built from a
folded query term ("celik") also marks "Çelik". Patterns that match the empty string
add nothing, and the number of highlighted spans is capped so a pattern matching every
character of a 10,000-character word costs milliseconds, not seconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from rich.text import Text
from textual import events
from textual.content import Content, Span
from textual.widgets import Input

from peerlit_tui.text import fold, strip_controls

#: Highlight style understood by both Rich and Textual; widgets usually pass a
#: component class instead (".detail-pane--highlight") so the theme decides the look.
HIGHLIGHT_STYLE = "bold reverse"

#: Upper bound on highlighted spans per text. Beyond a few hundred the marks carry no
#: information, and each span costs a little at every render.
MAX_HIGHLIGHT_SPANS = 500


def safe_str(text: str | None) -> str:
    """Return `text` with escape sequences and control characters removed.

    Args:
        text: Untrusted text, possibly None.

    Returns:
        Text that a terminal will print, never interpret. Newlines and tabs are kept.
    """
    return strip_controls(text) if text else ""


def safe_line(text: str | None) -> str:
    """Return `text` cleaned and folded onto one line (newlines and tabs become spaces).

    Args:
        text: Untrusted text, possibly None.

    Returns:
        Single-line text safe to print.
    """
    cleaned = safe_str(text)
    if "\n" in cleaned or "\t" in cleaned:
        cleaned = cleaned.replace("\n", " ").replace("\t", " ")
    return cleaned


def safe_text(text: str | None, style: str = "") -> Text:
    """Build a Rich `Text` holding `text` literally.

    Args:
        text: Untrusted text.
        style: Rich style for the whole text (the caller's own, never data).

    Returns:
        A `Text`; square brackets in `text` stay literal.
    """
    return Text(safe_str(text), style=style, end="")


def safe_content(text: str | None, style: str = "") -> Content:
    """Build a Textual `Content` holding `text` literally.

    Args:
        text: Untrusted text.
        style: Style or component class (".name") for the whole text.

    Returns:
        A `Content`; square brackets in `text` stay literal.
    """
    plain = safe_str(text)
    if style and plain:
        return Content(plain, [Span(0, len(plain), style)])
    return Content(plain)


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """Fold one character, keeping its length at one so match offsets stay valid."""
    folded = fold(char)
    if len(folded) == 1:
        return folded
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char


def _folded_same_length(text: str) -> str:
    """A copy of `text`, case- and accent-folded character by character."""
    if text.isascii():
        return text.lower()
    return "".join(map(_fold_char, text))


def match_spans(
    text: str, patterns: Sequence[re.Pattern[str]], *, limit: int = MAX_HIGHLIGHT_SPANS
) -> list[tuple[int, int]]:
    """Find the character ranges of `text` that any of `patterns` matches.

    Args:
        text: The (already cleaned) text to search.
        patterns: Compiled patterns, typically from the active query.
        limit: Most ranges to return; matching stops once this many are found.

    Returns:
        Sorted, non-overlapping, non-empty (start, end) ranges.
    """
    if not text or not patterns:
        return []
    haystacks = [text]
    folded = _folded_same_length(text)
    if folded != text:
        haystacks.append(folded)
    found: list[tuple[int, int]] = []
    for pattern in patterns:
        for haystack in haystacks:
            for match in pattern.finditer(haystack):
                start, end = match.span()
                if end > start:
                    found.append((start, end))
                    if len(found) >= limit * 2:
                        break
    return _merge(found)[:limit]


def _merge(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge overlapping or touching ranges."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def highlighted(
    text: str | None,
    patterns: Sequence[re.Pattern[str]],
    style: str = HIGHLIGHT_STYLE,
    *,
    base_style: str = "",
) -> Text:
    """Build a Rich `Text` of `text` with the matches of `patterns` styled.

    Args:
        text: Untrusted text.
        patterns: Compiled patterns whose matches are highlighted.
        style: Rich style applied to matches.
        base_style: Rich style for the whole text.

    Returns:
        A `Text` holding `text` literally.
    """
    result = safe_text(text, base_style)
    for start, end in match_spans(result.plain, patterns):
        result.stylize(style, start, end)
    return result


def highlighted_content(
    text: str | None,
    patterns: Sequence[re.Pattern[str]],
    style: str = HIGHLIGHT_STYLE,
    *,
    base_style: str = "",
) -> Content:
    """Build a Textual `Content` of `text` with the matches of `patterns` styled.

    Args:
        text: Untrusted text.
        patterns: Compiled patterns whose matches are highlighted.
        style: Style or component class (".name") applied to matches.
        base_style: Style or component class for the whole text.

    Returns:
        A `Content` holding `text` literally.
    """
    plain = safe_str(text)
    spans: list[Span] = []
    if base_style and plain:
        spans.append(Span(0, len(plain), base_style))
    spans.extend(Span(start, end, style) for start, end in match_spans(plain, patterns))
    return Content(plain, spans)


def join_content(parts: Iterable[Content], separator: str = "\n") -> Content:
    """Join already-safe `Content` parts with a literal separator.

    Args:
        parts: Content built by the functions above.
        separator: Plain text placed between parts.

    Returns:
        One `Content`.
    """
    return Content(separator).join(parts)


class SafeInput(Input):
    """An `Input` that keeps control characters out of its value.

    Typed keys are always printable, but a terminal paste can carry escape
    sequences, and the value can be set from code. Pastes are cleaned before the
    base class inserts them (their first line, as `Input` does), and every value
    is cleaned on assignment.
    """

    def _on_paste(self, event: events.Paste) -> None:
        # Runs before Input's own handler, which then inserts the cleaned text.
        event.text = safe_str(event.text).lstrip("\n")

    def validate_value(self, value: str) -> str:
        """Clean a value however it is set.

        Args:
            value: The proposed value.

        Returns:
            The value without control characters, on one line.
        """
        return safe_line(value)
