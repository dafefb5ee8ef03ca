"""Saving annotation changes, undo and redo, and what the status line says about them.

Every change goes through the `AnnotationService` at once (its journal makes it
durable before the call returns: an fsync on the UI thread, a deliberate choice
measured by `bench/annotation_bench.py`), then the screen is told which records
changed so the list line, the search index and the panel follow.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from peerlit_tui.ui.messages import TaskFailed
from peerlit_tui.ui.widgets.tag_panel import TagPanel

if TYPE_CHECKING:
    from textual.message import Message

    from peerlit_tui.services.annotations import AnnotationService, Transaction

#: A change to save: gets the service, returns the committed transaction (None: no-op).
Change = Callable[["AnnotationService"], "Transaction | None"]


def history_label(label: str) -> str:
    """A transaction label without the "undo: " / "redo: " the store puts in front."""
    for prefix in ("undo: ", "redo: "):
        while label.startswith(prefix):
            label = label[len(prefix) :]
    return label


class Annotator:
    """Saves changes and steps through history for one screen.

    Args:
        annotations: The annotations service getter (None until loaded).
        changed: Called with the ids of records whose annotations changed.
        say: Shows a short state in the status line.
        warn: Shows a warning notification.
        post: Posts a message to the screen (failures go to the app as `TaskFailed`).
        title_of: The title of a record id (for "undone: … — Title").
    """

    def __init__(
        self,
        *,
        annotations: Callable[[], AnnotationService | None],
        changed: Callable[[Sequence[str]], None],
        say: Callable[[str], None],
        warn: Callable[[str], None],
        post: Callable[[Message], object],
        title_of: Callable[[str], str],
    ) -> None:
        self._annotations = annotations
        self._changed = changed
        self._say = say
        self._warn = warn
        self._post = post
        self._title_of = title_of
        # The journal entry (action, txn) the user was warned about: a change made
        # in another window or by a command is undone only on a second press.
        self._confirmed: tuple[str, str] | None = None

    def save(self, change: Change, *, what: str = "Saving the annotation") -> Transaction | None:
        """Save one change at once and report it.

        Returns:
            The transaction, None when nothing changed or the change was refused.
        """
        annotations = self._annotations()
        if annotations is None:
            return None
        try:
            transaction = change(annotations)
        except ValueError as error:  # a rejected value: say why, change nothing
            self._warn(str(error))
            return None
        except OSError as error:
            self._post(TaskFailed(what, error))
            self._say("not saved")
            return None
        if transaction is not None:
            self._changed(transaction.record_ids)
            self._say(f"saved: {transaction.label}")
            # Another process changed the value while it was on screen: the newer
            # value was kept (a note keeps the typed text under it); say so.
            for conflict in transaction.conflicts:
                self._warn(conflict.describe())
        return transaction

    def save_panel_change(self, m: TagPanel.Changed) -> Transaction | None:
        """Save what the annotation panel reported (a tag, decision, rating, …)."""
        ids = [m.record_id]
        if isinstance(m, TagPanel.TagAdded):
            return self.save(lambda a: a.add_tags(ids, [m.tag]))
        if isinstance(m, TagPanel.TagRemoved):
            return self.save(lambda a: a.remove_tags(ids, [m.tag]))
        if isinstance(m, TagPanel.DecisionSet):
            return self.save(lambda a: a.set_decision(ids, m.decision, m.reason))
        if isinstance(m, TagPanel.RatingSet):
            return self.save(lambda a: a.set_rating(ids, m.rating))
        if isinstance(m, TagPanel.ReadSet):
            return self.save(lambda a: a.set_read(ids, m.read))
        if isinstance(m, TagPanel.NoteSaved):
            return self.save(lambda a: a.set_note(ids, m.note, expected=m.expected))
        return None

    def step(self, *, undo: bool) -> Transaction | None:
        """Undo (or redo) the newest change; says what it was and of which record.

        Returns:
            The transaction, so the screen can move the cursor to its record.
        """
        annotations = self._annotations()
        if annotations is None:
            return None
        verb = "undo" if undo else "redo"
        try:
            preview = annotations.peek_undo() if undo else annotations.peek_redo()
            if preview is not None and preview.made_elsewhere:
                key = (verb, preview.txn)
                if self._confirmed != key:
                    self._confirmed = key
                    self._warn(
                        f"The newest change was made elsewhere: {preview.describe()}. "
                        f"Press the key again to {verb} it."
                    )
                    return None
            self._confirmed = None
            expected = preview.txn if preview is not None else None
            if undo:
                transaction = annotations.undo(expected=expected)
            else:
                transaction = annotations.redo(expected=expected)
        except (OSError, ValueError) as error:
            self._post(TaskFailed(verb.capitalize(), error))
            return None
        if transaction is None:
            self._say(f"nothing to {verb}")
            return None
        self._changed(transaction.record_ids)
        label = history_label(transaction.label)
        ids = transaction.record_ids
        about = f" — {self._title_of(ids[0])}" if len(ids) == 1 else ""
        self._say(f"{'undone' if undo else 'redone'}: {label}{about}")
        return transaction
