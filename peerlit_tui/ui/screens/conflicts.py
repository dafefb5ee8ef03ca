"""The conflicts view: records the reviewers disagree on, their decisions side by side, resolved.

A table lists the unresolved conflicts (and, on a key, the pending records: some
but not all reviewers decided), one row per record with each reviewer's decision
and reason; below it the highlighted record's title and every reviewer's decision
and full reason in columns. Keys resolve the highlighted record: include at once,
exclude after picking one of the project's exclusion reasons (as the main screen's
exclude does), maybe after typing a reason (the reviewers' and the project's
reasons are offered as completions). A resolution is one journal change, undone by
the normal undo, here or on the main screen; the table follows at once.

In blind mode the view lists nothing (`services.team` refuses, `BlindError`) and
says why, so no reviewer sees another's decisions before the lead turns it off.

Everything shown that came from people (titles, names, reasons) is built as
`Content` or Rich `Text` objects and cleaned of control characters, never parsed
as markup. The view gets what it does as `TeamActions`; it imports no service.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import DataTable, Input, Static
from textual.worker import Worker, WorkerState

from peerlit_tui.ui.bindings import bindings_for, keymap_of
from peerlit_tui.ui.keys import key_label
from peerlit_tui.ui.text_render import SafeInput, safe_content, safe_line
from peerlit_tui.ui.widgets.tag_controls import ReasonPicker

#: Theme-independent styles of each decision in the table and the columns.
DECISION_STYLES = {"include": "green", "exclude": "red", "maybe": "yellow"}
#: Most cells given to each reviewer's column of the table (the title takes the rest).
REVIEWER_CELLS = 30


@dataclass(frozen=True, slots=True)
class Vote:
    """One reviewer's decision on a record.

    Attributes:
        reviewer: The reviewer's name.
        decision: "include", "exclude", "maybe" or "undecided" (not screened yet).
        reason: Their reason ("" for none).
    """

    reviewer: str
    decision: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ConflictRow:
    """A record to resolve.

    Attributes:
        record_id: The record.
        title: Its title ("" when it has none).
        state: "conflict" (reviewers disagree) or "pending" (not all decided).
        votes: Every reviewer's vote, in reviewer order.
    """

    record_id: str
    title: str
    state: str
    votes: tuple[Vote, ...]


@dataclass(frozen=True, slots=True)
class ConflictList:
    """What the view shows.

    Attributes:
        rows: The records to resolve.
        reviewers: Every reviewer, in column order.
        blind: Why nothing is listed (blind mode), "" otherwise.
        more: Pending records left out of `rows` (a long list is cut).
    """

    rows: tuple[ConflictRow, ...] = ()
    reviewers: tuple[str, ...] = ()
    blind: str = ""
    more: int = 0


@dataclass(frozen=True, slots=True)
class TeamActions:
    """What the view can do, handed down by the main screen's team controller.

    Attributes:
        load: The list (with pending records when True); runs in a worker thread.
        resolve: Records a resolution (id, decision, reason); True when saved.
        undo: The normal undo of the newest change; True when one was undone.
        reasons: The project's exclusion reasons.
    """

    load: Callable[[bool], ConflictList]
    resolve: Callable[[str, str, str], bool]
    undo: Callable[[], bool]
    reasons: Callable[[], list[str]]


def vote_text(vote: Vote, width: int | None = None) -> Text:
    """A vote as one styled line ("exclude: wrong population"), cut to `width` cells."""
    decision = vote.decision if vote.decision != "undecided" else "not yet"
    text = Text(decision, style=DECISION_STYLES.get(vote.decision, "dim"), end="")
    if vote.reason:
        text.append(": " + safe_line(vote.reason))
    if width is not None:
        text.truncate(width, overflow="ellipsis")
    return text


def detail_renderable(row: ConflictRow) -> Table:
    """The highlighted record: its title, then every reviewer's decision and reason in columns."""
    grid = Table(box=None, expand=True, show_header=True, padding=(0, 1), header_style="bold")
    for vote in row.votes:
        grid.add_column(Text(safe_line(vote.reviewer), end=""), ratio=1, overflow="fold")
    cells: list[Text] = []
    for vote in row.votes:
        decision = vote.decision if vote.decision != "undecided" else "not decided yet"
        cell = Text(decision, style="bold " + DECISION_STYLES.get(vote.decision, "dim"), end="")
        cell.append("\n" + (safe_line(vote.reason) or "(no reason)"),
                    style="" if vote.reason else "dim")  # fmt: skip
        cells.append(cell)
    grid.add_row(*cells)
    outer = Table.grid(expand=True)
    outer.add_column()
    title = safe_line(row.title) or "(untitled)"
    outer.add_row(Text(title, style="bold", end=""))
    outer.add_row(Text(f"{row.record_id} · {row.state}", style="dim", end=""))
    outer.add_row(grid)
    return outer


class ConflictsScreen(ModalScreen[str | None]):
    """Resolve the records the reviewers disagree on; dismisses with a record id to open.

    Args:
        actions: What the view does (load, resolve, undo, the project's reasons).
        pending: Start with the pending records listed too.
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("conflicts")
    """The view's keys (`ui.keys`, context "conflicts")."""

    DEFAULT_CSS = """
    ConflictsScreen {
        align: center middle;
        & > #conflicts-dialog {
            width: 100%;
            height: 100%;
            max-height: 40;
            border: round $primary;
            background: $surface;
            padding: 0 1;
        }
        & #conflicts-head { height: 1; text-style: bold; }
        & #conflicts-table { height: 1fr; min-height: 4; }
        & #conflicts-detail { height: auto; max-height: 8; border-top: hkey $panel; }
        &.-nothing #conflicts-detail { height: 1fr; max-height: 100%; border-top: none; }
        & #conflicts-reason { height: 1; border: none; padding: 0; display: none; }
        & #reason-picker { height: auto; max-height: 8; border: tall $warning; display: none; }
        & #conflicts-help { height: 1; color: $text-muted; }
    }
    """

    class _Loaded(Message):
        def __init__(self, found: ConflictList) -> None:
            super().__init__()
            self.found = found

    def __init__(self, actions: TeamActions, *, pending: bool = False) -> None:
        super().__init__()
        self._actions = actions
        self.pending = pending
        """True when pending records are listed beside the conflicts."""
        self.found = ConflictList()
        """The list shown (empty until loaded)."""
        self.loaded = False
        """True once the first list arrived."""
        self._maybe_for: str | None = None
        self._exclude_for: str | None = None
        self._last = ""

    # -- layout ------------------------------------------------------------------------

    def compose(self) -> Iterable[Widget]:
        """A heading, the table, the highlighted record, reason prompts and the keys."""
        keymap = keymap_of(self)
        resolve = "/".join(key_label(f"conflicts.{k}", keymap) for k in DECISION_STYLES)
        keys = f"{resolve} resolve · " + " · ".join(
            f"{key_label(k, keymap)} {w}"
            for k, w in (("conflicts.undo", "undo"), ("conflicts.open", "open"),
                         ("conflicts.pending", "pending"), ("conflicts.close", "close"))
        )  # fmt: skip
        with Vertical(id="conflicts-dialog") as dialog:
            dialog.border_title = "Conflicts between reviewers"
            yield Static(Content("Looking for conflicts…"), id="conflicts-head")
            table: DataTable[Text] = DataTable(id="conflicts-table", cursor_type="row",
                                               zebra_stripes=True)  # fmt: skip
            table.can_focus = False  # the view's keys (key table) move the cursor
            yield table
            with VerticalScroll(id="conflicts-detail"):
                yield Static(id="conflicts-record")
            yield ReasonPicker()
            yield SafeInput(placeholder="why maybe? Enter resolves, Esc cancels",
                            id="conflicts-reason")  # fmt: skip
            yield Static(Content(keys), id="conflicts-help")

    def on_mount(self) -> None:
        """Load the list in a worker."""
        self.reload()

    def on_resize(self) -> None:
        """Fit the columns to the new width."""
        if self.loaded:
            self._fill()

    @property
    def table(self) -> DataTable[Text]:
        """The table of records."""
        return self.query_one("#conflicts-table", DataTable)

    @property
    def prompting(self) -> bool:
        """True while the exclusion-reason list or the maybe-reason field is open."""
        return self._maybe_for is not None or self._exclude_for is not None

    @property
    def current(self) -> ConflictRow | None:
        """The highlighted record, or None."""
        rows = self.found.rows
        row = self.table.cursor_row
        return rows[row] if rows and 0 <= row < len(rows) else None

    # -- loading -----------------------------------------------------------------------

    def reload(self) -> None:
        """Read the list again (after an undo, or on the refresh key)."""
        self._load(self.pending)

    @work(thread=True, exclusive=True, group="conflicts", exit_on_error=False,
          description="Listing the conflicts")  # fmt: skip
    def _load(self, pending: bool) -> None:
        self.post_message(self._Loaded(self._actions.load(pending)))

    @on(_Loaded)
    def _loaded(self, message: _Loaded) -> None:
        keep = self.current.record_id if self.current is not None else None
        self.found = message.found
        self.loaded = True
        self._fill(keep)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Listing failed: say so instead of "Looking…" for ever."""
        if event.state == WorkerState.ERROR and event.worker.group == "conflicts":
            event.stop()
            self._head(f"The conflicts are not available: {event.worker.error}")

    def _head(self, text: str) -> None:
        self.query_one("#conflicts-head", Static).update(safe_content(text))

    def _fill(self, keep: str | None = None) -> None:
        """Show `found`: the table, the heading and the highlighted record."""
        found, table = self.found, self.table
        table.clear(columns=True)
        record = self.query_one("#conflicts-record", Static)
        self.set_class(bool(found.blind) or not found.rows, "-nothing")
        if found.blind:
            table.display = False
            self._head("Blind mode is on")
            record.update(safe_content(found.blind))
            return
        table.display = True
        conflicts = sum(r.state == "conflict" for r in found.rows)
        pending = len(found.rows) - conflicts + found.more
        head = f"{conflicts} conflict{'s' if conflicts != 1 else ''} to resolve"
        if self.pending:
            head += f" · {pending} pending"
        self._head(head + (f" · {self._last}" if self._last else ""))
        if not found.rows:
            table.display = False
            what = "conflicts or pending records" if self.pending else "conflicts"
            record.update(safe_content(f"No {what}: the reviewers agree on every record "
                                       "they all screened."))  # fmt: skip
            return
        width = max(40, table.size.width or self.size.width - 4)
        cells = max(12, min(REVIEWER_CELLS, (width - 34) // len(found.reviewers)))
        title_width = max(12, width - cells * len(found.reviewers) - 2 * (1 + len(found.reviewers)))
        table.add_column(Text("Title", end=""), width=title_width, key="title")
        for name in found.reviewers:
            table.add_column(Text(safe_line(name), end=""), width=cells)
        position = 0
        for n, row in enumerate(found.rows):
            by_name = {v.reviewer: v for v in row.votes}
            title = Text(safe_line(row.title) or "(untitled)", end="")
            if row.state == "pending":
                title.stylize("italic")
            title.truncate(title_width, overflow="ellipsis")
            votes = [vote_text(by_name.get(name, Vote(name, "undecided")), cells)
                     for name in found.reviewers]  # fmt: skip
            table.add_row(title, *votes, key=row.record_id)
            if row.record_id == keep:
                position = n
        if found.more:
            more = Text(f"… {found.more} more pending: query is:pending", style="dim", end="")
            table.add_row(more, *[Text("") for _ in found.reviewers])
        table.move_cursor(row=position)
        self._show_current()

    def _show_current(self) -> None:
        current = self.current
        record = self.query_one("#conflicts-record", Static)
        record.update(detail_renderable(current) if current is not None else Content(""))

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show_current()

    # -- keys --------------------------------------------------------------------------

    def action_next(self) -> None:
        """Highlight the next record."""
        if self.found.rows:
            self.table.move_cursor(row=min(len(self.found.rows) - 1, self.table.cursor_row + 1))

    def action_previous(self) -> None:
        """Highlight the previous record."""
        if self.found.rows:
            self.table.move_cursor(row=max(0, self.table.cursor_row - 1))

    def action_include(self) -> None:
        """Resolve the highlighted record as include."""
        if (row := self._target()) is not None:
            self._resolve(row, "include", "")

    def action_exclude(self) -> None:
        """Resolve as exclude, after picking one of the project's reasons (0: none)."""
        if (row := self._target()) is None:
            return
        reasons = self._actions.reasons()
        if not reasons:
            self._resolve(row, "exclude", "")
            return
        picker = self.query_one(ReasonPicker)
        picker.set_reasons(reasons)
        self._exclude_for = row.record_id
        picker.display = True
        picker.highlighted = 0
        picker.focus()

    @on(ReasonPicker.Picked)
    def _reason_picked(self, event: ReasonPicker.Picked) -> None:
        event.stop()
        picker = self.query_one(ReasonPicker)
        picker.display = False
        self.set_focus(None)
        record_id, self._exclude_for = self._exclude_for, None
        row = self._row(record_id)
        if not event.cancelled and row is not None:
            self._resolve(row, "exclude", event.reason or "")

    def action_maybe(self) -> None:
        """Resolve as maybe, after a reason typed (or picked from the suggestions)."""
        if (row := self._target()) is None:
            return
        offered = [v.reason for v in row.votes if v.reason] + self._actions.reasons()
        field_ = self.query_one("#conflicts-reason", SafeInput)
        field_.suggester = SuggestFromList(list(dict.fromkeys(offered)), case_sensitive=False)
        field_.value = ""
        field_.display = True
        self._maybe_for = row.record_id
        field_.focus()

    @on(Input.Submitted, "#conflicts-reason")
    def _maybe_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        row = self._row(self._maybe_for)
        self._close_reason()
        if row is not None:
            self._resolve(row, "maybe", event.value.strip())

    def _close_reason(self) -> None:
        field_ = self.query_one("#conflicts-reason", SafeInput)
        field_.display = False
        field_.value = ""
        self._maybe_for = None
        self.set_focus(None)

    def _target(self) -> ConflictRow | None:
        """The record a key resolves or opens: none while a reason is asked for."""
        return None if self.prompting else self.current

    def _row(self, record_id: str | None) -> ConflictRow | None:
        """The listed record `record_id`, or None."""
        return next((r for r in self.found.rows if r.record_id == record_id), None)

    def _resolve(self, row: ConflictRow, decision: str, reason: str) -> None:
        if not self._actions.resolve(row.record_id, decision, reason):
            return
        undo = key_label("conflicts.undo", keymap_of(self))
        self._last = f"resolved as {decision} ({undo} undoes)"
        index = self.found.rows.index(row)
        rows = self.found.rows[:index] + self.found.rows[index + 1 :]
        self.found = ConflictList(rows, self.found.reviewers, self.found.blind, self.found.more)
        self._fill(rows[min(index, len(rows) - 1)].record_id if rows else None)

    def action_undo(self) -> None:
        """Undo the newest change (a resolution comes back as a conflict)."""
        if not self.prompting and self._actions.undo():
            self._last = "undone"
            self.reload()

    def action_toggle_pending(self) -> None:
        """List the pending records too, or only the conflicts."""
        if self.prompting:
            return
        self.pending = not self.pending
        self.reload()

    def action_refresh(self) -> None:
        """Read the list again (another reviewer or window changed it)."""
        self.reload()

    def action_open(self) -> None:
        """Close and show the highlighted record in the main screen."""
        if (row := self._target()) is not None:
            self.dismiss(row.record_id)

    def action_close(self) -> None:
        """Close a reason prompt, or the view."""
        if self._maybe_for is not None:
            self._close_reason()
        elif self._exclude_for is not None:
            self._reason_picked(ReasonPicker.Picked(None, cancelled=True))
        else:
            self.dismiss(None)
