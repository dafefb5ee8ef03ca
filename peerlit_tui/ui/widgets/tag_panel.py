"""The tagging panel: tags, screening decision, rating, read status and note of one record.

The panel never calls a service. Every user change is posted as a past-tense message
(`TagPanel.TagAdded`, `DecisionSet`, ...); the screen that owns the panel saves it
through the annotations service and pushes the new state back with `show_annotation`.
The panel does not update itself optimistically, so what it shows is always what was
stored.

Keys (all remappable by binding id, see `TagPanel.BINDINGS`): `i` include, `x` exclude
(then `1`-`9` picks the exclusion reason, `0`/Enter on "no reason" excludes without
one, Esc cancels), `m` maybe, `u` undecided, `0`-`5` rating, `r` cycles the read status,
`e`/Enter edits the note, `t` focuses the add-tag field (Right or End accepts the
completion), `a` switches the tag list between this record's tags and all tags, and
Delete/Backspace on the tag list removes the highlighted tag. The input controls
live in `peerlit_tui.ui.widgets.tag_controls`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar

from textual import on
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from peerlit_tui.annotation import (
    EXCLUDE,
    MAX_RATING,
    READ_STATUSES,
    Annotation,
    tag_key,
    validate_tag,
)
from peerlit_tui.ui.bindings import bindings_for, keymap_of
from peerlit_tui.ui.keys import key_label
from peerlit_tui.ui.labels import DECISION_LABELS
from peerlit_tui.ui.messages import NoteEditRequested
from peerlit_tui.ui.text_render import safe_content, safe_line, safe_str
from peerlit_tui.ui.widgets.tag_controls import ReasonPicker, TagInput, TagList, TagSuggester

__all__ = ["DECISION_LABELS", "ReasonPicker", "TagInput", "TagList", "TagPanel", "TagSuggester"]

#: Lines of the note shown in the panel.
NOTE_PREVIEW_LINES = 3


class TagPanel(Vertical, can_focus=True):
    """Tags, decision, rating, read status and note of the highlighted record.

    Decision, rating, note and tag keys are the main screen's (they act on the record
    under the list cursor wherever the focus is); the panel binds only what is its own.
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("tags")
    """The panel's own keys (`ui.keys`, context "tags")."""

    DEFAULT_CSS = """
    TagPanel {
        height: auto;
        border: round $panel;
        border-title-color: $text-muted;
        padding: 0 1;
        &:focus-within { border: round $primary; }
        & > #tag-status { width: 1fr; height: auto; }
        & > #tag-list { height: auto; max-height: 6; border: none; padding: 0; }
        & > #tag-input { border: none; height: 1; padding: 0; }
        & > #tag-message { color: $text-warning; height: auto; }
        & > #reason-picker { height: auto; max-height: 8; border: tall $warning; }
        & > #note-preview { height: auto; max-height: 4; color: $text-muted; }
        &.-compact { border: none; padding: 0 1; height: 1; }
        &.-compact > #tag-list, &.-compact > #tag-input, &.-compact > #note-preview {
            display: none;
        }
        & .tag-panel--label { color: $text-muted; }
    }
    """
    """Intrinsic look; where the panel sits is decided by the app stylesheet."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"tag-panel--label"}
    """Style of the field labels in the status line."""

    class Changed(Message):
        """Base of the panel's change messages."""

        def __init__(self, record_id: str) -> None:
            self.record_id = record_id
            """The record the change is for."""
            super().__init__()

    class TagAdded(Changed):
        """The user added a tag."""

        def __init__(self, record_id: str, tag: str) -> None:
            super().__init__(record_id)
            self.tag = tag
            """The tag, cleaned and validated."""

    class TagRemoved(Changed):
        """The user removed a tag."""

        def __init__(self, record_id: str, tag: str) -> None:
            super().__init__(record_id)
            self.tag = tag
            """The tag as stored."""

    class DecisionSet(Changed):
        """The user made a screening decision."""

        def __init__(self, record_id: str, decision: str, reason: str | None) -> None:
            super().__init__(record_id)
            self.decision = decision
            """"include", "exclude", "maybe" or "undecided"."""
            self.reason = reason
            """Exclusion reason, or None."""

    class RatingSet(Changed):
        """The user rated the record."""

        def __init__(self, record_id: str, rating: int) -> None:
            super().__init__(record_id)
            self.rating = rating
            """0 (not rated) to 5."""

    class ReadSet(Changed):
        """The user changed the read status."""

        def __init__(self, record_id: str, read: str) -> None:
            super().__init__(record_id)
            self.read = read
            """"unread", "skimmed" or "read"."""

    class NoteSaved(Changed):
        """The user saved the note (possibly emptied)."""

        def __init__(self, record_id: str, note: str, expected: str | None = None) -> None:
            super().__init__(record_id)
            self.note = note
            """The note text as typed."""
            self.expected = expected
            """The note the editor opened with (None: no check for a newer note)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.border_title = "Annotations"
        self._record_id: str | None = None
        self._annotation: Annotation | None = None
        self._record_title = ""
        self._tag_counts: dict[str, int] = {}
        self._show_all = False
        self._list_tags: list[str] = []
        self._list_key: tuple[object, ...] | None = None
        self._suggester = TagSuggester()
        self._status = Static(id="tag-status")
        self._tag_list = TagList(id="tag-list")
        self._input = TagInput(
            placeholder="add tag…",
            suggester=self._suggester,
            id="tag-input",
        )
        self._message = Static(id="tag-message")
        self._picker = ReasonPicker()
        self._note = Static(id="note-preview")
        self._focus_before_picker: Widget | None = None
        self.compact = False
        """Screening mode: one line (decision, rating, read, tags), the rest hidden."""

    # -- public API ---------------------------------------------------------------

    @property
    def record_id(self) -> str | None:
        """The record whose annotation is shown."""
        return self._record_id

    @property
    def annotation(self) -> Annotation | None:
        """The annotation shown."""
        return self._annotation

    @property
    def listed_tags(self) -> list[str]:
        """Tags in the tag list, in display order."""
        return list(self._list_tags)

    def compose(self) -> Iterable[Widget]:
        """Yield the status line, tag list, add-tag field, reason picker and note preview."""
        yield self._status
        yield self._tag_list
        yield self._input
        yield self._message
        yield self._picker
        yield self._note

    def on_mount(self) -> None:
        """Paint the state given so far (empty unless shown before mounting)."""
        self._picker.display = False
        self._message.display = False
        self.show_annotation(
            self._record_id,
            self._annotation,
            tag_counts=self._tag_counts,
            reasons=self._picker.reasons,
            record_title=self._record_title,
        )

    def show_annotation(
        self,
        record_id: str | None,
        annotation: Annotation | None,
        *,
        tag_counts: Mapping[str, int],
        reasons: Sequence[str],
        record_title: str = "",
    ) -> None:
        """Show the annotation of one record.

        Args:
            record_id: The record, or None when no record is selected.
            annotation: Its annotation (None or blank when nothing is recorded).
            tag_counts: Every project tag with the number of records holding it.
            reasons: The project's exclusion reasons.
            record_title: Title shown in the note editor's header.
        """
        if record_id != self._record_id:
            self._hide_picker()
            self._set_message("")
        self._record_id = record_id
        self._annotation = annotation
        self._record_title = record_title
        self._tag_counts = dict(tag_counts)
        self._picker.set_reasons(reasons)
        tags = annotation.tags if annotation is not None else ()
        ordered = sorted(self._tag_counts, key=lambda t: (-self._tag_counts[t], tag_key(t)))
        self._suggester.set_tags(ordered, skip=tags)
        self._status.update(self._status_content())
        self._refresh_tag_list()
        self._note.update(self._note_content())
        self.set_class(record_id is None, "-empty")

    # -- rendering ----------------------------------------------------------------

    def set_compact(self, compact: bool) -> None:
        """Fold the panel into one line (screening mode) or show all of it."""
        self.compact = compact
        self.set_class(compact, "-compact")
        self._status.update(self._status_content())

    def _status_content(self) -> Content:
        if self._record_id is None:
            return safe_content("No record selected.", "dim")
        ann = self._annotation or Annotation(self._record_id)
        decision = DECISION_LABELS.get(ann.decision, ann.decision)
        reason = f" ({safe_line(ann.reason)})" if ann.reason else ""
        stars = "★" * ann.rating + "☆" * (MAX_RATING - ann.rating)
        label = ".tag-panel--label"
        if self.compact:
            tags = " ".join(f"#{safe_line(t)}" for t in ann.tags)
            note = "  ✎ note" if ann.note else ""
            return Content.assemble(
                (decision, "bold"), Content(reason), "  ", stars, "  ", ann.read, "  ",
                Content(tags), (note, label),
            )  # fmt: skip
        return Content.assemble(
            ("Decision ", label),
            (decision, "bold"),
            Content(reason),
            ("\nRating ", label),
            stars,
            ("   Read ", label),
            ann.read,
        )

    def _note_content(self) -> Content:
        if self._record_id is None:
            return Content()
        note = safe_str(self._annotation.note if self._annotation else "")
        if not note:
            key = key_label("main.edit_note", keymap_of(self))
            return safe_content(f"No note ({key} to write one).", "dim italic")
        lines = note.split("\n")
        preview = "\n".join(lines[:NOTE_PREVIEW_LINES])
        if len(lines) > NOTE_PREVIEW_LINES:
            preview += " …"
        return Content.assemble(("Note ", ".tag-panel--label"), safe_content(preview))

    def _refresh_tag_list(self) -> None:
        record_tags = list(self._annotation.tags) if self._annotation else []
        if self._show_all:
            have = {tag_key(t) for t in record_tags}
            tags = sorted(self._tag_counts, key=lambda t: (-self._tag_counts[t], tag_key(t)))
            key: tuple[object, ...] = ("all", tuple(tags), frozenset(have))
        else:
            have = set()
            tags = record_tags
            key = ("record", tuple(tags))
        key += (tuple(self._tag_counts.get(t, 0) for t in tags),)
        if key == self._list_key:
            return
        self._list_key = key
        self._list_tags = tags
        options = []
        for tag in tags:
            mark = "✓ " if tag_key(tag) in have else ("  " if self._show_all else "")
            count = self._tag_counts.get(tag, 0)
            options.append(
                Option(Content.assemble(mark, safe_content(tag), (f"  ({count})", "dim")))
            )
        if not options:
            add = key_label("main.add_tag", keymap_of(self))
            options.append(Option(safe_content(f"no tags ({add} to add)", "dim"), disabled=True))
        self._tag_list.set_options(options)
        self._tag_list.border_title = "All tags" if self._show_all else ""

    def _set_message(self, text: str) -> None:
        self._message.update(safe_content(text))
        self._message.display = bool(text)

    # -- posting changes -----------------------------------------------------------

    def decide(self, decision: str, reason: str | None = None) -> None:
        """Post a decision for the shown record.

        Args:
            decision: "include", "exclude", "maybe" or "undecided".
            reason: Exclusion reason, only meaningful with "exclude".
        """
        if self._record_id is None:
            return
        self.post_message(self.DecisionSet(self._record_id, decision, reason))

    def action_decide(self, decision: str) -> None:
        """Set the decision (bound to i, m, u)."""
        self.decide(decision)

    def action_exclude(self) -> None:
        """Exclude: ask for a reason when the project has any, else exclude at once."""
        if self._record_id is None:
            return
        if not self._picker.reasons:
            self.decide(EXCLUDE)
            return
        # Screening from the list: after the reason, the keys go back where they were.
        self._focus_before_picker = self.app.focused
        self._picker.display = True
        self._picker.highlighted = 0
        self._picker.focus()

    @on(ReasonPicker.Picked)
    def _reason_picked(self, event: ReasonPicker.Picked) -> None:
        event.stop()
        self._hide_picker()
        if not event.cancelled:
            self.decide(EXCLUDE, event.reason)

    def _hide_picker(self) -> None:
        if self._picker.display:
            had_focus = self._picker.has_focus
            self._picker.display = False
            previous, self._focus_before_picker = self._focus_before_picker, None
            if had_focus:
                if previous is not None and previous.is_attached and previous.display:
                    previous.focus()
                else:
                    self.focus()

    def action_rate(self, rating: int) -> None:
        """Post a rating (bound to 0-5)."""
        if self._record_id is not None and 0 <= rating <= MAX_RATING:
            self.post_message(self.RatingSet(self._record_id, rating))

    def action_cycle_read(self) -> None:
        """Post the next read status: unread → skimmed → read → unread."""
        if self._record_id is None:
            return
        current = self._annotation.read if self._annotation else READ_STATUSES[0]
        index = READ_STATUSES.index(current) if current in READ_STATUSES else -1
        self.post_message(
            self.ReadSet(self._record_id, READ_STATUSES[(index + 1) % len(READ_STATUSES)])
        )

    def action_edit_note(self) -> None:
        """Ask the screen to open the note editor (a widget does not push screens)."""
        if self._record_id is not None:
            self.post_message(NoteEditRequested(self._record_id))

    def note_edited(self, record_id: str, text: str | None, opened: str) -> None:
        """The editor closed: post a changed note as `NoteSaved`.

        Args:
            record_id: The record whose note was edited.
            text: The text saved in the editor, None when it was left unchanged.
            opened: The note the editor opened with: the save keeps a newer note
                written meanwhile by another process (and the typed text with it).
        """
        if record_id == self._record_id and text is not None and text != opened:
            self.post_message(self.NoteSaved(record_id, text, expected=opened))

    def action_add_tag(self) -> None:
        """Focus the add-tag field."""
        if self._record_id is not None:
            self._input.focus()

    def focus_tags(self) -> None:
        """Focus the tag list with its first tag highlighted, or the panel itself.

        From here Delete removes the highlighted tag at once (`T` then Delete).
        """
        if self._record_id is None:
            return
        if self._annotation is not None and self._annotation.tags and not self._show_all:
            self._tag_list.focus()
            if self._tag_list.highlighted is None:
                self._tag_list.highlighted = 0
            key = key_label("tags.remove", keymap_of(self))
            self._set_message(f"{key} removes the highlighted tag")
        else:
            self.focus()

    def start_removing(self) -> None:
        """Focus the tag list to remove a tag; say so when there is none."""
        if self._record_id is None:
            return
        if self._annotation is None or not self._annotation.tags:
            self._set_message("this record has no tags to remove")
            return
        self._show_all = False
        self._refresh_tag_list()
        self.focus_tags()

    def action_toggle_all_tags(self) -> None:
        """Switch the list between this record's tags and all project tags."""
        self._show_all = not self._show_all
        self._refresh_tag_list()

    @on(Input.Submitted, "#tag-input")
    def _tag_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._record_id is None:
            return
        typed = event.value
        if not typed.strip():
            self._input.action_leave()
            return
        try:
            tag = validate_tag(typed)
        except ValueError as error:
            self._set_message(str(error))
            return
        self._input.value = ""
        if self._annotation is not None and self._annotation.has_tag(tag):
            self._set_message(f"already tagged {tag}")
            return
        self._set_message("")
        self.post_message(self.TagAdded(self._record_id, tag))

    @on(TagList.RemoveRequested)
    def _remove_requested(self, event: TagList.RemoveRequested) -> None:
        event.stop()
        if self._record_id is None or not 0 <= event.index < len(self._list_tags):
            return
        tag = self._list_tags[event.index]
        if self._annotation is not None and self._annotation.has_tag(tag):
            stored = next(t for t in self._annotation.tags if tag_key(t) == tag_key(tag))
            self.post_message(self.TagRemoved(self._record_id, stored))

    @on(OptionList.OptionSelected, "#tag-list")
    def _tag_selected(self, event: OptionList.OptionSelected) -> None:
        """In the all-tags view Enter adds or removes the highlighted tag."""
        event.stop()
        if not self._show_all or self._record_id is None:
            return
        if not 0 <= event.option_index < len(self._list_tags):
            return
        tag = self._list_tags[event.option_index]
        if self._annotation is not None and self._annotation.has_tag(tag):
            stored = next(t for t in self._annotation.tags if tag_key(t) == tag_key(tag))
            self.post_message(self.TagRemoved(self._record_id, stored))
        else:
            self.post_message(self.TagAdded(self._record_id, tag))
