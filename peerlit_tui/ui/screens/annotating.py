"""Saving annotations: the tag panel's changes and the screening keys of the main screen.

`AnnotatingScreen` is the base of `MainScreen` and holds everything about
changing annotations, so the main screen module can stay about loading, filtering
and layout. Every change goes through the `AnnotationService` at once (its journal
makes it durable before the call returns), then the list line, the search index's
annotation snapshot and the tag panel are brought up to date.

Screening keys pressed outside the tag panel (in the list, the detail pane) act on
the record under the list cursor. They go through the tag panel, first brought up
to date with that record, so a key does exactly the same wherever it is pressed
(including asking for an exclusion reason), and never lands on the record the
panel showed a moment earlier.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.screen import Screen

from peerlit_tui.ui.app import TaskFailed
from peerlit_tui.ui.widgets.record_list import RecordList
from peerlit_tui.ui.widgets.status_line import StatusLine
from peerlit_tui.ui.widgets.tag_panel import TagPanel

if TYPE_CHECKING:
    from peerlit_tui.services.annotations import AnnotationService
    from peerlit_tui.services.search import SearchIndex
    from peerlit_tui.storage.annotation_history import Transaction
    from peerlit_tui.ui import Services


def screen_key(
    key: str, action: str, description: str, ident: str, tooltip: str, show: bool = True
) -> Binding:
    """A main-screen binding with the id `main.<ident>` (ids let users remap keys)."""
    return Binding(key, action, description, show=show, id=f"main.{ident}", tooltip=tooltip)


class AnnotatingScreen(Screen[None], inherit_bindings=False):
    """A screen with a record list, a tag panel and a status line that saves annotations.

    Subclasses set `services` and `index` once loaded and implement `show_current`.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        screen_key("i", "decide('include')", "Include", "include", "Decide: include this record"),
        screen_key("x", "exclude", "Exclude", "exclude", "Decide: exclude (then pick a reason)"),
        screen_key("m", "decide('maybe')", "Maybe", "maybe", "Decide: maybe, look again later"),
        screen_key("u", "decide('undecided')", "Undecided", "undecided", "Clear the decision",
                   False),
        *(
            screen_key(str(n), f"rate({n})", "Rate 0–5" if n == 0 else f"Rate {n}", f"rate_{n}",
                       "Clear the rating" if n == 0 else f"Rate this record {n} of 5", False)
            for n in range(6)
        ),
        screen_key("r", "cycle_read", "Read status", "cycle_read",
                   "Cycle unread → skimmed → read", False),
        screen_key("e", "edit_note", "Note", "edit_note", "Edit this record's note", False),
        screen_key("t", "add_tag", "Tag", "add_tag", "Type a tag to add to this record"),
        screen_key("ctrl+z", "undo", "Undo", "undo", "Undo the last annotation change"),
        screen_key("ctrl+y,ctrl+r", "redo", "Redo", "redo", "Redo the last undone change",
                   False),
    ]  # fmt: skip
    """
    | Key(s) | Description |
    | :- | :- |
    | i x m u | Include / exclude / maybe / undecided. |
    | 0–5, r, e, t | Rating, read status, note, add a tag. |
    | ctrl+z / ctrl+y | Undo / redo an annotation change. |
    """

    #: Actions that need a record under the cursor.
    RECORD_ACTIONS: ClassVar[frozenset[str]] = frozenset(
        {"decide", "exclude", "rate", "cycle_read", "edit_note", "add_tag", "focus_tags"}
    )

    def __init__(self) -> None:
        super().__init__()
        self.services: Services | None = None
        """The library's services, once loaded."""
        self.index: SearchIndex | None = None
        """The search index, once built."""
        self._tag_counts: dict[str, int] | None = None

    @property
    def record_list(self) -> RecordList:
        """The record list."""
        return self.query_one(RecordList)

    @property
    def tags(self) -> TagPanel:
        """The tag panel."""
        return self.query_one(TagPanel)

    @property
    def status(self) -> StatusLine:
        """The status line."""
        return self.query_one(StatusLine)

    def show_current(self, *, force: bool = False) -> None:
        """Show the record under the cursor in the panes that follow it."""
        raise NotImplementedError

    def show_annotation(self, record_id: str, title: str) -> None:
        """Show a record's annotation, the project's tags and reasons in the tag panel."""
        if self.services is None:
            return
        annotations = self.services.annotations
        if self._tag_counts is None:
            self._tag_counts = dict(annotations.tag_counts())
        self.tags.show_annotation(
            record_id,
            annotations.get(record_id),
            tag_counts=self._tag_counts,
            reasons=annotations.reasons(),
            record_title=title,
        )

    # -- changes from the tag panel ---------------------------------------------------

    @on(TagPanel.TagAdded)
    def _tag_added(self, m: TagPanel.TagAdded) -> None:
        self._annotate(lambda a: a.add_tags([m.record_id], [m.tag]))

    @on(TagPanel.TagRemoved)
    def _tag_removed(self, m: TagPanel.TagRemoved) -> None:
        self._annotate(lambda a: a.remove_tags([m.record_id], [m.tag]))

    @on(TagPanel.DecisionSet)
    def _decision_set(self, m: TagPanel.DecisionSet) -> None:
        if self._annotate(lambda a: a.set_decision([m.record_id], m.decision, m.reason)):
            self.decision_made(m.record_id, m.decision)

    def decision_made(self, record_id: str, decision: str) -> None:
        """Called after a decision was saved (screening mode moves on from here)."""

    @on(TagPanel.RatingSet)
    def _rating_set(self, m: TagPanel.RatingSet) -> None:
        self._annotate(lambda a: a.set_rating([m.record_id], m.rating))

    @on(TagPanel.ReadSet)
    def _read_set(self, m: TagPanel.ReadSet) -> None:
        self._annotate(lambda a: a.set_read([m.record_id], m.read))

    @on(TagPanel.NoteSaved)
    def _note_saved(self, m: TagPanel.NoteSaved) -> None:
        self._annotate(lambda a: a.set_note([m.record_id], m.note))

    def _annotate(self, change: Callable[[AnnotationService], Transaction | None]) -> bool:
        """Save one change at once and show it in the list and the panel.

        Returns:
            True unless the change was refused or could not be saved.
        """
        if self.services is None:
            return False
        try:
            transaction = change(self.services.annotations)
        except ValueError as error:  # a rejected value: say why, change nothing
            self.notify(str(error), severity="warning", markup=False)
            return False
        except OSError as error:
            self.post_message(TaskFailed("Saving the annotation", error))
            self.status.set_state("not saved")
            return False
        if transaction is not None:
            self.annotations_changed(transaction.record_ids)
            self.status.set_state(f"saved: {transaction.label}")
        return True

    def annotations_changed(self, record_ids: Sequence[str]) -> None:
        """Bring the index, the list lines and the panel up to date after a change."""
        self._tag_counts = None
        if self.index is not None:
            self.index.annotations_changed(record_ids)
        self.record_list.refresh_records(record_ids)
        current = self.record_list.current_id
        if current is not None and current in record_ids:
            self.show_current(force=True)

    # -- undo and redo ------------------------------------------------------------------

    def action_undo(self) -> None:
        """Undo the last annotation change."""
        self._history(undo=True)

    def action_redo(self) -> None:
        """Redo the last undone annotation change."""
        self._history(undo=False)

    def _history(self, *, undo: bool) -> None:
        if self.services is None:
            return
        annotations = self.services.annotations
        try:
            transaction = annotations.undo() if undo else annotations.redo()
        except (OSError, ValueError) as error:
            self.post_message(TaskFailed("Undo" if undo else "Redo", error))
            return
        if transaction is None:
            self.notify(f"Nothing to {'undo' if undo else 'redo'}.")
            return
        self.annotations_changed(transaction.record_ids)
        self.status.set_state(f"{'undone' if undo else 'redone'}: {transaction.label}")

    # -- screening keys outside the panel act through the (synchronised) panel -----------

    def panel_for_current(self) -> TagPanel | None:
        """The tag panel, showing the record under the list cursor (None without one)."""
        if self.services is None or self.record_list.current_id is None:
            return None
        if self.tags.record_id != self.record_list.current_id:
            self.show_current(force=True)
        return self.tags

    def action_decide(self, decision: str) -> None:
        """Set the decision of the record under the cursor."""
        if panel := self.panel_for_current():
            panel.decide(decision)

    def action_exclude(self) -> None:
        """Exclude the record under the cursor (asks for a reason when there are any)."""
        if panel := self.panel_for_current():
            panel.action_exclude()

    def action_rate(self, rating: int) -> None:
        """Rate the record under the cursor."""
        if panel := self.panel_for_current():
            panel.action_rate(rating)

    def action_cycle_read(self) -> None:
        """Cycle the read status of the record under the cursor."""
        if panel := self.panel_for_current():
            panel.action_cycle_read()

    def action_edit_note(self) -> None:
        """Edit the note of the record under the cursor."""
        if panel := self.panel_for_current():
            panel.action_edit_note()

    def action_add_tag(self) -> None:
        """Type a tag for the record under the cursor."""
        if panel := self.panel_for_current():
            panel.action_add_tag()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Dim the record keys while no record is under the cursor."""
        if action in self.RECORD_ACTIONS and self.record_list.current_id is None:
            return None
        return True
