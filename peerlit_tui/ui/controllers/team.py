"""Team screening on the main screen: who you are, blind mode, and the conflicts view.

The status line names the reviewer whose decisions this app records ("reviewer:
alice") and says when blind mode is in effect (it turns on by itself once a second
reviewer has screened, so it is checked again every few seconds). The conflicts
key opens `ConflictsScreen`, handed `TeamActions` built here: the list comes from
`services.team` (which refuses in blind mode), a resolution is saved through the
screen's `Annotator` as one journal change (so the list, the counts and the panel
follow, and the normal undo takes it back), and Enter shows the record on the
main screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from peerlit_tui.services.reviewers import login_name
from peerlit_tui.services.team import (
    BlindError,
    conflicts,
    decisions_of,
    is_blind,
    pending_ids,
    resolve,
    reviewers,
)
from peerlit_tui.ui.screens.conflicts import (
    ConflictList,
    ConflictRow,
    ConflictsScreen,
    TeamActions,
    Vote,
)

if TYPE_CHECKING:
    from peerlit_tui.ui.controllers.annotating import Annotator
    from peerlit_tui.ui.session import Services
    from peerlit_tui.ui.widgets.status_line import StatusLine

#: The status line's part this controller fills ("reviewer: alice · blind").
REVIEWER_PART = "reviewer"
#: Seconds between checks of the reviewer and blind mode (another reviewer's first decision).
STATUS_SECONDS = 1.0
#: Pending records listed at most (a reviewer far ahead leaves thousands).
PENDING_LIMIT = 500
#: What the view says instead of the others' decisions while blind mode is on.
BLIND_TEXT = (
    "Reviewers do not see each other's decisions while blind mode is on, so the conflicts "
    "are not listed. Once everyone has screened, the project lead turns blind mode off "
    "(peerlit blind off) and the conflicts can be resolved here."
)


def conflict_list(services: Services, with_pending: bool) -> ConflictList:
    """The records to resolve, with every reviewer's vote and the record's title.

    Runs in a worker thread (a title is one record read each).

    Args:
        services: The open library.
        with_pending: List the pending records (some reviewers have not decided) too.

    Returns:
        The list, or one that only says why it is empty in blind mode.
    """
    annotations = services.annotations
    try:
        found = conflicts(annotations)
    except BlindError:
        return ConflictList(blind=BLIND_TEXT)
    names = tuple(r["name"] for r in reviewers(annotations))
    items = [(item["id"], item["decisions"], "conflict") for item in found]
    more = 0
    if with_pending:
        pending = sorted(pending_ids(annotations))
        more = max(0, len(pending) - PENDING_LIMIT)
        items += [(rid, decisions_of(annotations, rid), "pending")
                  for rid in pending[:PENDING_LIMIT]]  # fmt: skip
    rows: list[ConflictRow] = []
    for rid, votes, state in items:
        record = services.library.get(rid)
        votes_in_order = tuple(
            Vote(name, votes[name]["decision"], votes[name]["reason"])
            if name in votes
            else Vote(name, "undecided")
            for name in names
        )
        rows.append(ConflictRow(rid, record.title if record else "", state, votes_in_order))
    return ConflictList(tuple(rows), names, more=more)


@dataclass(slots=True)
class TeamParts:
    """What the team controller works with on the main screen.

    Attributes:
        status: The status line.
        services: The services getter (None until loaded).
        annotator: Saves changes and undoes them (the list and panel follow).
        push_screen: Pushes a screen with a callback for its result.
        open_record: Shows a record on the main screen; False when the filter hides it.
        notify: Shows a notification (text, severity).
    """

    status: StatusLine
    services: Callable[[], Services | None]
    annotator: Annotator
    push_screen: Callable[[Any, Callable[[Any], None]], None]
    open_record: Callable[[str], bool]
    notify: Callable[[str, str], None]


class TeamController:
    """The reviewer and blind mode in the status line; the conflicts view.

    Args:
        parts: What it works with.
    """

    def __init__(self, parts: TeamParts) -> None:
        self._p = parts
        self.shown: tuple[str, bool] | None = None
        """The (reviewer, blind) the status line shows."""

    @classmethod
    def of(cls, screen: Any) -> TeamController:
        """The controller of the main screen, its command registered and status kept.

        `screen` is the `MainScreen` (typed loosely: controllers sit below the
        screen and must not import it).

        The key table's "conflicts" row runs `run("conflicts")`, which the screen
        looks up on its `MainCommands`; this provides it there. The status line is
        filled once the screen runs and then every `STATUS_SECONDS`.
        """

        def open_record(record_id: str) -> bool:
            if not screen.record_list.move_to(record_id):
                return False
            screen.show_current(force=True)
            screen.record_list.focus()
            return True

        team = cls(
            TeamParts(
                status=screen.status,
                services=lambda: screen.services,
                annotator=screen.annotator,
                push_screen=lambda dialog, done: screen.app.push_screen(dialog, done),
                open_record=open_record,
                notify=lambda text, severity: screen.notify(text, severity=severity, markup=False),
            )
        )
        screen.commands.provide("conflicts", team.open_conflicts)
        screen.call_later(lambda: screen.set_interval(STATUS_SECONDS, team.show_status))
        return team

    def show_status(self) -> None:
        """Name the reviewer in the status line, and blind mode when it is in effect."""
        services = self._p.services()
        if services is None:
            return
        annotations = services.annotations
        team = len(reviewers(annotations)) > 1
        blind = is_blind(annotations)
        # One person screening under their login name need not be told who they are.
        named = team or blind or annotations.reviewer != login_name()
        now = (annotations.reviewer if named else "", blind)
        if now == self.shown:
            return
        self.shown = now
        self._p.status.set_extra(REVIEWER_PART, f"{now[0]} · blind" if blind else now[0])

    def actions(self, services: Services) -> TeamActions:
        """What the conflicts view does on this library."""
        return TeamActions(
            load=lambda pending: conflict_list(services, pending),
            resolve=self.resolve,
            undo=lambda: self._p.annotator.step(undo=True) is not None,
            reasons=services.annotations.reasons,
        )

    def resolve(self, record_id: str, decision: str, reason: str) -> bool:
        """Record a resolution (one journal change); True when it was saved."""
        saved = self._p.annotator.save(
            lambda a: resolve(a, record_id, decision, reason), what="Saving the resolution"
        )
        return saved is not None

    def open_conflicts(self, *, pending: bool = False) -> None:
        """Open the conflicts view; Enter there shows its record here."""
        services = self._p.services()
        if services is None:
            self._p.notify("The library is still loading.", "warning")
            return
        self.show_status()
        self._p.push_screen(ConflictsScreen(self.actions(services), pending=pending), self._closed)

    def _closed(self, record_id: str | None) -> None:
        if record_id and not self._p.open_record(record_id):
            self._p.notify(
                f"Record {record_id} is not among the records the filter shows: "
                "clear the filter, or type is:conflict, to see it.",
                "warning",
            )
