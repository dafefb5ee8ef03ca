"""The detail pane and the annotation panel following the list cursor.

They follow 50 ms after the cursor stops (longer after a query change: while someone
types, each keystroke's search gets the CPU), so holding ↓ costs only the list's
two-line repaint per row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.timer import Timer

    from peerlit_tui.highlight import Highlight
    from peerlit_tui.ui.session import Services
    from peerlit_tui.ui.widgets.detail_pane import DetailPane
    from peerlit_tui.ui.widgets.record_list import RecordList
    from peerlit_tui.ui.widgets.tag_panel import TagPanel

#: Seconds the cursor must rest before the detail pane and tag panel follow it.
DETAIL_DELAY = 0.05
#: After a query change the panes wait longer.
QUERY_DETAIL_DELAY = 0.25


class RecordPanes:
    """Keeps the detail pane and the annotation panel on the record under the cursor.

    Args:
        record_list: The list whose cursor they follow.
        detail: The detail pane.
        tags: The annotation panel.
        services: The services getter (None until loaded).
        set_timer: Starts a one-shot timer (`Widget.set_timer`).
        highlights: The active query's compiled term patterns.
        words: The project's include/exclude-words.
    """

    def __init__(
        self,
        *,
        record_list: RecordList,
        detail: DetailPane,
        tags: TagPanel,
        services: Callable[[], Services | None],
        set_timer: Callable[[float, Callable[[], None]], Timer],
        highlights: Callable[[], Sequence[Any]],
        words: Callable[[], Sequence[Highlight]],
    ) -> None:
        self._list = record_list
        self._detail = detail
        self._tags = tags
        self._services = services
        self._set_timer = set_timer
        self._highlights = highlights
        self._words = words
        self._timer: Timer | None = None
        self._query_pending = False
        self._shown_id: str | None = None
        self._tag_counts: dict[str, int] | None = None

    @property
    def shown_id(self) -> str | None:
        """The record the panes show."""
        return self._shown_id

    @property
    def pending(self) -> bool:
        """True while the panes are yet to follow the cursor."""
        return self._timer is not None

    def forget(self) -> None:
        """A new library or changed tags: nothing shown is current any more."""
        self._shown_id = None
        self._tag_counts = None

    def tags_changed(self) -> None:
        """Tag counts must be read again."""
        self._tag_counts = None

    def cursor_moved(self, record_id: str | None) -> None:
        """Follow a cursor move (unless a query's longer pending update covers it)."""
        if record_id != self._shown_id and not self._query_pending:
            self.schedule()

    def after_query(self) -> None:
        """Follow the record a filter landed on, once typing pauses."""
        self.schedule(force=True, delay=QUERY_DETAIL_DELAY)
        self._query_pending = True

    def schedule(self, *, force: bool = False, delay: float = DETAIL_DELAY) -> None:
        """Show the current record after `delay` seconds."""
        if self._timer is not None:
            self._timer.stop()
        self._timer = self._set_timer(delay, lambda: self.show(force=force))

    def show(self, *, force: bool = False) -> None:
        """Show the record under the cursor now."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._query_pending = False
        services = self._services()
        record_id = self._list.current_id
        if services is None or (record_id == self._shown_id and not force):
            return
        self._shown_id = record_id
        record = services.library.get(record_id) if record_id is not None else None
        if record is None:
            self._detail.show_record(None)
            self._tags.show_annotation(None, None, tag_counts={}, reasons=[])
            return
        self._detail.show_record(
            record,
            duplicates=services.library.duplicates_of(record.id),
            highlights=self._highlights(),
            words=self._words(),
        )
        annotations = services.annotations
        if self._tag_counts is None:
            self._tag_counts = dict(annotations.tag_counts())
        self._tags.show_annotation(
            record.id,
            annotations.get(record.id),
            tag_counts=self._tag_counts,
            reasons=annotations.reasons(),
            record_title=record.title,
        )

    def panel_for_current(self) -> TagPanel | None:
        """The annotation panel, showing the record under the cursor (None without one)."""
        if self._services() is None or self._list.current_id is None:
            return None
        if self._tags.record_id != self._list.current_id:
            self.show(force=True)
        return self._tags
