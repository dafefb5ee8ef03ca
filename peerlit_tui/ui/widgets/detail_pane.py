"""The detail pane: one record's metadata and its abstract as collapsible sections.

Updating the pane is on the hot path of browsing (it follows the list cursor), so it
is built for cheap swaps:

* the pane keeps a pool of section widgets (`detail_sections.AbstractSection`)
  mounted and updates them in place; a record with more sections than any before it
  grows the pool, one with fewer hides the rest;
* a section is a focusable heading line plus one `Static` body whose `display` is
  toggled, which costs about a third of Textual's `Collapsible` per swap; heading and
  body sit directly in the pane, as a container per section would add an arrange pass;
* metadata is one `Static` of `Content` (built in `detail_content`), not a grid of labels;
* with `show_why` on, a line under the metadata says why the relevance ranking puts the
  record where it is (`why`, a callable the ranking controller sets), and its terms are
  marked in the title, keywords and abstract like include-words.

Which sections are collapsed is remembered by section key across records, so a
reader who only wants Findings collapses the others once and sees only Findings.

Keys: Enter/Space on a focused heading (or `z` anywhere in the pane) toggles a
section, `-` collapses all, `+` expands all, `}`/`{` move between sections (Tab
works too), and the arrows, `j`/`k`, PgUp/PgDn and Home/End scroll.

This module holds the pane itself: the section pool, its keys and the collapsed
state; the section widgets and the text building live in the modules named above.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import ClassVar

from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from peerlit_tui.highlight import Highlight
from peerlit_tui.model import Record, Section
from peerlit_tui.ui.bindings import bindings_for
from peerlit_tui.ui.text_render import highlighted_content, safe_content, safe_line
from peerlit_tui.ui.widgets.detail_content import (
    HIGHLIGHT,
    LABEL_WIDTH,
    MAX_AUTHORS_SHOWN,
    RankWhy,
    compact_meta_content,
    marked_content,
    meta_content,
    title_content,
    why_content,
)
from peerlit_tui.ui.widgets.detail_sections import (
    COLLAPSED_MARK,
    EXPANDED_MARK,
    AbstractSection,
    SectionBody,
    section_key,
)

__all__ = [
    "COLLAPSED_MARK",
    "EXPANDED_MARK",
    "HIGHLIGHT",
    "LABEL_WIDTH",
    "MAX_AUTHORS_SHOWN",
    "AbstractSection",
    "DetailPane",
    "SectionBody",
    "marked_content",
    "section_key",
]


class DetailPane(VerticalScroll):
    """Metadata and the abstract of one record, with collapsible abstract sections.

    Args:
        collapsed: Section keys to start collapsed (for instance restored from settings).
        id: Widget id.
        classes: CSS classes.
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("detail")
    """Section and scrolling keys (`ui.keys`); arrows, PgUp/PgDn and Home/End scroll."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "detail-pane--highlight",
        "detail-pane--include-word",
        "detail-pane--exclude-word",
        "detail-pane--label",
        "detail-pane--title",
        "detail-pane--derived",
        "detail-pane--muted",
        "detail-pane--rank-word",
    }
    """Styles of query matches, include- and exclude-words, field labels, the title,
    the derived-title mark and secondary text."""

    DEFAULT_CSS = """
    DetailPane {
        height: 1fr;
        padding: 0 1;
        & > #detail-title { width: 1fr; height: auto; }
        & > #detail-meta { width: 1fr; height: auto; margin-top: 1; }
        &.-compact > #detail-meta { margin-top: 0; }
        & > #detail-why { width: 1fr; height: auto; }
        & > #detail-no-abstract { margin-top: 1; }
        & .detail-pane--highlight { background: $warning-muted; color: $text; text-style: bold; }
        & .detail-pane--include-word { color: $text-success; text-style: bold underline; }
        & .detail-pane--exclude-word { color: $text-error; text-style: bold underline; }
        & .detail-pane--label { color: $text-muted; }
        & .detail-pane--title { text-style: bold; color: $text; }
        & .detail-pane--derived { text-style: italic; color: $text-muted; }
        & .detail-pane--muted { color: $text-muted; }
        & .detail-pane--rank-word { color: $text-primary; text-style: bold underline; }
    }
    """
    """Intrinsic look; layout within the screen belongs to the app stylesheet."""

    class CollapsedChanged(Message):
        """The set of collapsed section keys changed (for saving it between runs)."""

        def __init__(self, keys: frozenset[str]) -> None:
            self.keys = keys
            """Keys of the sections now collapsed."""
            super().__init__()

    def __init__(
        self,
        *,
        collapsed: Iterable[str] = (),
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._collapsed_keys: set[str] = set(collapsed)
        self._title = Static(id="detail-title")
        self._meta = Static(id="detail-meta")
        self._why_line = Static(id="detail-why")
        self._no_abstract = Static(
            safe_content("No abstract.", ".detail-pane--muted"), id="detail-no-abstract"
        )
        self._sections: list[AbstractSection] = []
        self._record: Record | None = None
        self._words: Sequence[Highlight] = ()
        self._ranked: re.Pattern[str] | None = None
        self.compact = False
        """Screening mode: the metadata folded into one line, the abstract right below."""
        self.more_key = "v"
        """Label of the key that shows every field (named in the folded line)."""
        self.show_why = False
        """Show why the relevance ranking puts the record where it is (a key toggles it)."""
        self.why: Callable[[Record], RankWhy | None] | None = None
        """Says why a record ranks where it does (set by the ranking controller)."""

    # -- public API ---------------------------------------------------------------

    @property
    def record(self) -> Record | None:
        """The record shown, or None."""
        return self._record

    @property
    def collapsed_keys(self) -> frozenset[str]:
        """Keys of the sections the reader has collapsed."""
        return frozenset(self._collapsed_keys)

    @property
    def section_widgets(self) -> list[AbstractSection]:
        """The section widgets showing the current record's sections, in order."""
        count = len(self._record.abstract) if self._record is not None else 0
        return self._sections[:count]

    def compose(self) -> Iterable[Static]:
        """Yield the title and metadata block; section widgets are mounted on demand."""
        yield self._title
        yield self._meta
        yield self._why_line
        yield self._no_abstract

    def on_mount(self) -> None:
        """Start with the empty state unless a record was given before mounting."""
        if self._record is None:
            self.show_record(None)

    def show_record(
        self,
        record: Record | None,
        *,
        duplicates: Sequence[dict[str, str]] | None = None,
        highlights: Sequence[re.Pattern[str]] = (),
        words: Sequence[Highlight] = (),
    ) -> None:
        """Show `record`, updating the mounted widgets in place.

        Args:
            record: The record, or None to show an empty pane.
            duplicates: Links to likely duplicates (`Library.duplicates_of`).
            highlights: Compiled patterns of the active query's terms.
            words: The project's include- and exclude-words, marked in the title,
                keywords and abstract (query terms are drawn over them).
        """
        self._words = words
        same_record = (
            record is not None and self._record is not None and record.id == self._record.id
        )
        self._record = record
        if record is None:
            self._title.update(safe_content("No record selected.", ".detail-pane--muted"))
            self._meta.display = False
            self._why_line.display = False
            self._no_abstract.display = False
            self._show_sections([], highlights)
            return
        why = self.why(record) if self.show_why and self.why is not None else None
        ranked = why.pattern if why is not None else None
        self._ranked = ranked
        self._title.update(title_content(record, highlights, self._words, ranked))
        if self.compact:
            meta = compact_meta_content(record, duplicates or (), self.more_key)
        else:
            meta = meta_content(record, duplicates or (), highlights, self._words, ranked)
        self._meta.update(meta)
        self._why_line.display = why is not None
        if why is not None:
            self._why_line.update(why_content(why))
        self.set_class(self.compact, "-compact")
        self._meta.display = True
        self._no_abstract.display = not record.abstract
        self._show_sections(record.abstract, highlights)
        if not same_record:
            # A refresh of the same record (after an annotation change) keeps the reader's place.
            self.scroll_home(animate=False, immediate=True)

    def _show_sections(
        self, sections: Sequence[Section], highlights: Sequence[re.Pattern[str]]
    ) -> None:
        while len(self._sections) < len(sections):
            widget = AbstractSection()
            self._sections.append(widget)
            self.mount(widget, widget.body)
        for widget, section in zip(self._sections, sections, strict=False):
            key = section_key(section)
            label = highlighted_content(
                safe_line(section.heading) or "Abstract", highlights, HIGHLIGHT
            )
            body = marked_content(section.text, highlights, self._words, ranked=self._ranked)
            widget.show(key, label, body, collapsed=key in self._collapsed_keys)
            widget.set_visible(True)
        for widget in self._sections[len(sections) :]:
            if widget.display:
                if widget.has_focus:
                    self.focus()
                widget.set_visible(False)

    # -- actions ------------------------------------------------------------------

    def on_abstract_section_toggle_requested(
        self, message: AbstractSection.ToggleRequested
    ) -> None:
        """Flip one section and remember its state by key."""
        message.stop()
        self._set_collapsed(message.section, not message.section.collapsed)

    def _set_collapsed(self, widget: AbstractSection, collapsed: bool) -> None:
        if collapsed:
            self._collapsed_keys.add(widget.key)
        else:
            self._collapsed_keys.discard(widget.key)
        # Sections sharing a key (two untitled parts) move together, as they are stored.
        for other in self.section_widgets:
            if other.key == widget.key:
                other.set_collapsed(collapsed)
        self.post_message(self.CollapsedChanged(self.collapsed_keys))

    def _current_section(self) -> AbstractSection | None:
        """The focused section, else the first one in view, else the first one."""
        sections = self.section_widgets
        for widget in sections:
            if widget.has_focus:
                return widget
        top = self.scroll_offset.y
        for widget in sections:
            if widget.virtual_region.bottom > top:
                return widget
        return sections[0] if sections else None

    def action_toggle_section(self) -> None:
        """Collapse or expand the focused (or topmost visible) section."""
        widget = self._current_section()
        if widget is not None:
            self._set_collapsed(widget, not widget.collapsed)

    def action_collapse_all(self) -> None:
        """Collapse every section of the record, remembering each key."""
        self._set_all(True)

    def action_expand_all(self) -> None:
        """Expand every section and forget all collapsed keys."""
        self._set_all(False)
        self._collapsed_keys.clear()
        self.post_message(self.CollapsedChanged(self.collapsed_keys))

    def _set_all(self, collapsed: bool) -> None:
        for widget in self.section_widgets:
            if collapsed:
                self._collapsed_keys.add(widget.key)
            widget.set_collapsed(collapsed)
        if collapsed:
            self.post_message(self.CollapsedChanged(self.collapsed_keys))

    def action_next_section(self) -> None:
        """Focus the next section heading."""
        self._move_section(1)

    def action_previous_section(self) -> None:
        """Focus the previous section heading."""
        self._move_section(-1)

    def _move_section(self, step: int) -> None:
        sections = self.section_widgets
        if not sections:
            return
        current = next((i for i, w in enumerate(sections) if w.has_focus), None)
        if current is None:
            target = 0 if step > 0 else len(sections) - 1
        else:
            target = max(0, min(len(sections) - 1, current + step))
        widget = sections[target]
        widget.focus(scroll_visible=False)
        # After the next layout: a record shown a moment ago may not be laid out yet, and a
        # scroll computed now would land on the previous record's positions.
        self.scroll_to_widget(widget, animate=False, top=True, immediate=True)
        self.call_after_refresh(self.scroll_to_widget, widget, animate=False, top=True)
