"""Each reviewer's screening decision per record, and the final decision derived from them.

Decisions and exclusion reasons are kept per reviewer; tags, notes, ratings and
read status stay shared by the team (one value per record). `AnnotationIndex`
owns one `TeamDecisions` and, after every change, writes the record's *final*
decision (`peerlit_tui.screening_decisions.final_decision`) into the record's
`Annotation`, so every reader of `Annotation.decision` (PRISMA counts, exports,
queries, progress) sees final decisions. A record in conflict or still pending
reads as "undecided" there and is listed in `conflicts` or `pending`.

Journal changes to "decision" and "reason" name their reviewer in the change
(`{"id": ..., "field": "decision", "reviewer": "alice", ...}`); a change without
one (written before reviewers existed) belongs to the *earlier reviewer*, kept
under the key "" and shown under a name the service chooses. A resolution is
kept under the reserved key `RESOLUTION`.

The assigned reviewers of every record are the reviewers who have screened any
record. When that set changes (a second reviewer's first decision), every
record's final decision is derived again: one pass over the decided records,
once per new reviewer. Every other change touches one record only.

Inner mappings are replaced, never changed in place, so a checkpoint copies the
whole state with one `dict` copy.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from peerlit_tui.screening_decisions import (
    CONFLICT,
    PENDING,
    RESOLUTION,
    UNDECIDED,
    final_decision,
    screened,
)
from peerlit_tui.storage.checkpoint_files import atomic_write

#: The fields kept per reviewer.
TEAM_FIELDS: Final = frozenset({"decision", "reason"})
#: The key of the decisions made before reviewers were recorded.
EARLIER: Final = ""

#: reviewer key -> (decision, reason)
Votes = Mapping[str, tuple[str, str]]


def team_key(reviewer: Any) -> str:
    """The key a change's reviewer is kept under ("" for a change without one)."""
    return reviewer if isinstance(reviewer, str) and reviewer else EARLIER


class TeamDecisions:
    """Per-reviewer decisions of every record, with conflict and pending sets.

    Attributes:
        by_record: record id -> reviewer key -> (decision, reason); only records
            with at least one decision or reason.
        counts: reviewer key -> records that reviewer screened (resolutions aside).
        conflicts: Records whose reviewers disagree and that are not resolved.
        pending: Records some but not all assigned reviewers screened, unresolved.
    """

    def __init__(self) -> None:
        self.by_record: dict[str, dict[str, tuple[str, str]]] = {}
        self.counts: dict[str, int] = {}
        self.conflicts: set[str] = set()
        self.pending: set[str] = set()

    def assigned(self) -> frozenset[str]:
        """The reviewers every record is expected to be screened by."""
        return frozenset(r for r, n in self.counts.items() if n > 0)

    def get(self, record_id: str, reviewer: str) -> tuple[str, str]:
        """(decision, reason) of one reviewer on one record."""
        return self.by_record.get(record_id, {}).get(reviewer, (UNDECIDED, ""))

    def current(self, record_id: str, reviewer: str, field: str) -> str:
        """The value of "decision" or "reason" of one reviewer on one record."""
        decision, reason = self.get(record_id, reviewer)
        return decision if field == "decision" else reason

    def set(self, record_id: str, reviewer: str, field: str, value: str) -> bool:
        """Set one reviewer's decision or reason; True when the assigned reviewers changed."""
        votes = self.by_record.get(record_id, {})
        old = votes.get(reviewer, (UNDECIDED, ""))
        new = (value, old[1]) if field == "decision" else (old[0], value)
        if new == old:
            return False
        updated = dict(votes)
        if new == (UNDECIDED, ""):
            updated.pop(reviewer, None)
        else:
            updated[reviewer] = new
        if updated:
            self.by_record[record_id] = updated
        else:
            self.by_record.pop(record_id, None)
        if reviewer == RESOLUTION or screened(old[0]) == screened(new[0]):
            return False
        before = self.counts.get(reviewer, 0)
        after = before + (1 if screened(new[0]) else -1)
        self.counts[reviewer] = after
        if after <= 0:
            del self.counts[reviewer]
        return (before > 0) != (after > 0)

    def load(self, record_id: str, votes: dict[str, tuple[str, str]]) -> None:
        """Add one record's decisions read from a checkpoint (before `final`)."""
        if not votes:
            return
        self.by_record[record_id] = votes
        for reviewer, (decision, _) in votes.items():
            if reviewer != RESOLUTION and screened(decision):
                self.counts[reviewer] = self.counts.get(reviewer, 0) + 1

    def final(self, record_id: str, assigned: frozenset[str] | None = None) -> tuple[str, str]:
        """The record's final (decision, reason), keeping `conflicts` and `pending` in step.

        Conflicting and pending records give ("undecided", "").
        """
        votes = self.by_record.get(record_id)
        self.conflicts.discard(record_id)
        self.pending.discard(record_id)
        if not votes:
            return UNDECIDED, ""
        resolved = votes.get(RESOLUTION, (UNDECIDED, ""))
        decisions = {r: d for r, (d, _) in votes.items() if r != RESOLUTION}
        state = final_decision(
            decisions, self.assigned() if assigned is None else assigned, resolved[0]
        )
        if state == CONFLICT:
            self.conflicts.add(record_id)
            return UNDECIDED, ""
        if state == PENDING:
            self.pending.add(record_id)
            return UNDECIDED, ""
        if state == UNDECIDED:
            return UNDECIDED, ""
        if screened(resolved[0]) and state == resolved[0] and set(decisions.values()) != {state}:
            return state, resolved[1]
        reasons = [why for r, (d, why) in sorted(votes.items()) if d == state and why]
        return state, reasons[0] if reasons else ""

    def decisions_json(self, record_id: str) -> dict[str, dict[str, str]]:
        """Reviewer key -> {"decision", "reason"} of one record (the checkpoint's shape)."""
        return {
            r: {"decision": d, "reason": why}
            for r, (d, why) in sorted(self.by_record.get(record_id, {}).items())
        }


def votes_from_doc(value: Any) -> dict[str, tuple[str, str]]:
    """Parse a checkpoint document's "decisions" object.

    Raises:
        ValueError: When it is not reviewer -> {"decision": ..., "reason": ...}.
    """
    if not isinstance(value, dict):
        raise ValueError("decisions must be an object keyed by reviewer")
    out: dict[str, tuple[str, str]] = {}
    for reviewer, vote in value.items():
        if not isinstance(vote, dict):
            raise ValueError(f"the decision of reviewer {reviewer!r} must be an object")
        decision, reason = vote.get("decision", UNDECIDED), vote.get("reason", "")
        if not (decision == UNDECIDED or screened(decision)) or not isinstance(reason, str):
            raise ValueError(f"invalid decision {decision!r} of reviewer {reviewer!r}")
        if (decision, reason) != (UNDECIDED, ""):
            out[str(reviewer)] = (decision, reason)
    return out


#: The file naming the reviewer of the decisions made before reviewers were recorded.
REVIEWERS_FILE: Final = "reviewers.json"


#: Blind modes: "auto" is on once a second reviewer has screened a record.
BLIND_MODES: Final[tuple[str, ...]] = ("auto", "on", "off")


def read_team_settings(folder: Path) -> dict[str, str]:
    """The team settings of a library ({"earlier": name, "blind": mode}); {} when none."""
    try:
        data = json.loads((folder / REVIEWERS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # missing, or cut short by a kill: as if unset
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str) and v}


def update_team_settings(folder: Path, *, sync: bool = True, **changes: str) -> dict[str, str]:
    """Change team settings (read again first; written atomically: old or new file)."""
    data = read_team_settings(folder)
    data.update(changes)
    payload = json.dumps(data, sort_keys=True).encode() + b"\n"
    atomic_write(folder / REVIEWERS_FILE, payload, sync=sync, lock=None)
    return data


def earlier_reviewer(folder: Path, default: str, *, write: bool, sync: bool = True) -> str:
    """The name of the earlier reviewer, fixed at the first open that needs one.

    Args:
        folder: The library folder.
        default: The name to fix when none is recorded yet (the login name).
        write: Record `default` when no name is recorded (False when read-only).
        sync: fsync the file.
    """
    name = read_team_settings(folder).get("earlier")
    if name:
        return name
    if write:
        update_team_settings(folder, sync=sync, earlier=default)
    return default


def set_earlier_reviewer(folder: Path, name: str, *, sync: bool = True) -> None:
    """Record `name` as the earlier reviewer."""
    update_team_settings(folder, sync=sync, earlier=name)


def blind_active(team: TeamDecisions, mode: str) -> bool:
    """True when reviewers must not see each other's decisions."""
    return mode == "on" or (mode != "off" and len(team.counts) >= 2)
