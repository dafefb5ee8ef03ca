"""The duplicates view: likely duplicate pairs side by side, to link or keep apart.

The pairs are the links the library holds for the shown records (found by the
importers: same DOI, or same title, year and first author). `L` confirms a pair
(it stays linked, counted once in PRISMA), `U` keeps both records apart (unlinked;
later imports do not link them again). Records are never deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Static

from peerlit_tui.ui.bindings import bindings_for, keymap_of
from peerlit_tui.ui.keys import key_label
from peerlit_tui.ui.text_render import safe_content, safe_line

if TYPE_CHECKING:
    from peerlit_tui.model import Record
    from peerlit_tui.services.library import Library

#: Characters of each abstract shown.
ABSTRACT_CHARS = 600


@dataclass(frozen=True, slots=True)
class DuplicatePair:
    """Two records the library links as likely duplicates.

    Attributes:
        first: One record's id (a shown record).
        second: The other's id.
        reason: Why they were linked ("same DOI", …).
        status: The link's state ("linked", "unlinked", …).
    """

    first: str
    second: str
    reason: str
    status: str


def pairs_among(library: Library, ids: Sequence[str]) -> list[DuplicatePair]:
    """The duplicate links of the given records, each pair once (run it in a worker)."""
    seen: set[frozenset[str]] = set()
    pairs: list[DuplicatePair] = []
    for record_id in ids:
        for link in library.duplicates_of(record_id):
            key = frozenset((record_id, link["id"]))
            if key not in seen:
                seen.add(key)
                pairs.append(DuplicatePair(record_id, link["id"], link.get("reason", ""),
                                           link.get("status", "")))  # fmt: skip
    return pairs


def record_content(record: Record | None, record_id: str) -> Content:
    """One side of a pair: title, authors, year, journal, DOI, the abstract's start."""
    if record is None:
        return safe_content(f"{record_id}: not in the library", "dim")
    authors = "; ".join(a.name or a.family for a in record.authors[:6])
    abstract = " ".join(s.text for s in record.abstract) or record.teaser
    if len(abstract) > ABSTRACT_CHARS:
        abstract = abstract[:ABSTRACT_CHARS] + "…"
    lines = [
        safe_content(safe_line(record.title) or "(untitled)", "bold"),
        safe_content(safe_line(authors), "dim"),
        safe_content(
            " · ".join(
                p for p in (str(record.year or ""), safe_line(record.journal), record.doi) if p
            )
        ),
        safe_content(f"id {record.id}", "dim"),
        Content(""),
        safe_content(abstract),
    ]
    return Content("\n").join(lines)


class DuplicatesScreen(ModalScreen[bool]):
    """Review duplicate pairs; dismisses with True when a link changed.

    Args:
        library: The library (records and links).
        pairs: The pairs to review.
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("duplicates")
    """Dialog keys (`ui.keys`, context "duplicates")."""

    DEFAULT_CSS = """
    DuplicatesScreen {
        align: center middle;
        & > #dup-dialog {
            width: 100%;
            height: 100%;
            max-height: 40;
            border: round $primary;
            background: $surface;
            padding: 0 1;
        }
        & #dup-head { height: 1; text-style: bold; }
        & #dup-sides { height: 1fr; }
        & .dup-side { width: 1fr; padding: 0 1; border-right: vkey $panel; }
        & #dup-help { height: 1; color: $text-muted; }
    }
    """

    def __init__(self, library: Library, pairs: Sequence[DuplicatePair]) -> None:
        super().__init__()
        self._library = library
        self.pairs = list(pairs)
        """The pairs reviewed."""
        self.position = 0
        """The pair shown."""
        self._changed = False

    def compose(self) -> Iterable[Widget]:
        """A heading, the two records side by side, and the keys."""
        keymap = keymap_of(self)
        keys = " · ".join(
            f"{key_label(k, keymap)} {w}"
            for k, w in (("duplicates.link", "link"), ("duplicates.unlink", "keep both"),
                         ("duplicates.next", "next"), ("duplicates.close", "close"))
        )  # fmt: skip
        with Vertical(id="dup-dialog") as dialog:
            dialog.border_title = "Likely duplicates"
            yield Static(id="dup-head")
            with Horizontal(id="dup-sides"):
                with VerticalScroll(classes="dup-side"):
                    yield Static(id="dup-first")
                with VerticalScroll(classes="dup-side"):
                    yield Static(id="dup-second")
            yield Static(Content(keys), id="dup-help")

    def on_mount(self) -> None:
        """Show the first pair."""
        self._show()

    def _show(self) -> None:
        head = self.query_one("#dup-head", Static)
        if not self.pairs:
            head.update(Content("No likely duplicates among the shown records."))
            return
        pair = self.pairs[self.position]
        head.update(
            safe_content(
                f"Pair {self.position + 1} of {len(self.pairs)} · {pair.reason} · {pair.status}"
            )
        )
        for widget_id, record_id in (("#dup-first", pair.first), ("#dup-second", pair.second)):
            record = self._library.get(record_id)
            self.query_one(widget_id, Static).update(record_content(record, record_id))

    def action_next_pair(self) -> None:
        """Show the next pair."""
        if self.pairs:
            self.position = min(len(self.pairs) - 1, self.position + 1)
            self._show()

    def action_previous_pair(self) -> None:
        """Show the previous pair."""
        if self.pairs:
            self.position = max(0, self.position - 1)
            self._show()

    def _set(self, link: bool) -> None:
        if not self.pairs:
            return
        pair = self.pairs[self.position]
        try:
            change = self._library.link if link else self._library.unlink
            changed = change(pair.first, pair.second)
        except (OSError, ValueError) as error:
            self.notify(f"The link was not changed: {error}", severity="error", markup=False)
            return
        self._changed = self._changed or changed
        status = "linked by user" if link else "unlinked"
        self.pairs[self.position] = DuplicatePair(pair.first, pair.second, pair.reason, status)
        what = "linked" if link else "kept both: unlinked"
        self.notify(f"{what} {pair.first} · {pair.second}", markup=False)
        self.action_next_pair()

    def action_link(self) -> None:
        """Link the pair as duplicates."""
        self._set(True)

    def action_unlink(self) -> None:
        """Keep both: unlink the pair."""
        self._set(False)

    def action_close(self) -> None:
        """Close, saying whether a link changed."""
        self.dismiss(self._changed)
