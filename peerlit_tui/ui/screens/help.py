"""The help screen: the keys grouped by what you are doing, and the query syntax.

Both pages are generated: the keys from the key table (`ui.keys`) with the user's
remapped keys, the activities in the table's order (moving, reading, deciding,
tagging, searching, …). Keys that only work in screening mode or in one pane say
so in words; no widget names and no ids (those are in the README's key tables).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import ClassVar

from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Static, TabbedContent, TabPane

from peerlit_tui.query_tree import FLAG_VALUES, SECTION_FIELDS
from peerlit_tui.ui.bindings import bindings_for
from peerlit_tui.ui.keys import CONTEXT_NAMES, MAIN_CONTEXTS, grouped, keys_label
from peerlit_tui.ui.text_render import safe_content, safe_line

#: Width of the key column.
KEY_WIDTH = 14

#: The query syntax page: (what you type, what it finds).
QUERY_SYNTAX: tuple[tuple[str, str], ...] = (
    ("peer support", "records with both words anywhere (title, authors, abstract, keywords…)"),
    ('"peer support"', "the exact phrase"),
    ("-review", "records without the word"),
    ("a OR b", "either word; group with ( ), e.g. (peer OR mutual) support"),
    ("recover*", "words starting with recover"),
    ("/recover(y|ies)/", "a regular expression"),
    ("title:recovery", "a word in one field: title, author, journal, keyword, doi, type"),
    ("year:2010..2020", "a range of years; also year:2012, year:>2015"),
    (
        "findings:software",
        "a word in one abstract section: " + ", ".join(SECTION_FIELDS[:6]) + ", …",
    ),
    ("decision:include", "annotations: decision, tag:NAME, rating:>=3, read:unread, note:WORD"),
    (
        "is:unscreened  has:note",
        "flags: has:" + "|".join(FLAG_VALUES["has"]) + "  is:" + "|".join(FLAG_VALUES["is"]),
    ),
)


def keys_content(keymap: Mapping[str, str]) -> Content:
    """The keys page: one block per activity, keys then what they do."""
    lines: list[Content] = []
    for group, rows in grouped(MAIN_CONTEXTS | {"app"}):
        if lines:
            lines.append(Content(""))
        lines.append(safe_content(group.capitalize(), "bold underline"))
        for row in rows:
            where = ""
            if row.context not in {"main", "app"}:
                where = f"  ({CONTEXT_NAMES[row.context]})"
            lines.append(
                Content.assemble(
                    (safe_line(keys_label(row.id, keymap)).ljust(KEY_WIDTH) + " ", "bold"),
                    safe_content(safe_line(row.help)),
                    (where, "dim"),
                )
            )
    return Content("\n").join(lines)


def query_content() -> Content:
    """The query syntax page: examples with what they find."""
    lines = [
        safe_content("Type in the filter (/); the list narrows as you type.", "bold"),
        Content(""),
    ]
    width = max(len(example) for example, _ in QUERY_SYNTAX) + 2
    for example, meaning in QUERY_SYNTAX:
        lines.append(Content.assemble((example.ljust(width), "bold"), meaning))
    lines += [
        Content(""),
        Content("Words are matched without regard to case or accents (kanel finds Känel)."),
        Content("A malformed query is explained under the filter; the list keeps its last result."),
    ]
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    """The keys by activity and the query syntax; Esc, q or ? closes it.

    Args:
        keymap: The user's keymap (the keys shown are the remapped ones).
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("help")
    """Keys that close the help (`ui.keys`, context "help")."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        & > TabbedContent {
            width: 100%;
            max-width: 110;
            height: 100%;
            max-height: 40;
            border: round $primary;
            background: $surface;
        }
        & .help-page { height: 1fr; padding: 0 1; }
        & .help-text { width: 1fr; height: auto; }
    }
    """
    """A centred, scrollable dialog with two pages."""

    def __init__(self, keymap: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self._keymap = dict(keymap or {})

    def compose(self) -> Iterable[Widget]:
        """Two pages: keys and query syntax."""
        with TabbedContent() as tabs:
            tabs.border_title = "Help  (Esc closes · Tab: keys / query syntax)"
            with TabPane("Keys", id="help-keys"), VerticalScroll(classes="help-page"):
                yield Static(keys_content(self._keymap), classes="help-text", id="help-text")
            with TabPane("Query syntax", id="help-query"), VerticalScroll(classes="help-page"):
                yield Static(query_content(), classes="help-text", id="help-query-text")

    def on_mount(self) -> None:
        """Focus the page so arrows and PgUp/PgDn scroll it."""
        self.query_one("#help-keys VerticalScroll", VerticalScroll).focus()

    def action_switch_page(self) -> None:
        """Show the other page."""
        tabs = self.query_one(TabbedContent)
        tabs.active = "help-query" if tabs.active == "help-keys" else "help-keys"
        self.query_one(f"#{tabs.active} VerticalScroll", VerticalScroll).focus()

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)
