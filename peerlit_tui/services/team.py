"""Team screening on one library: reviewers, their decisions, conflicts, resolutions, agreement.

Each reviewer's decision and reason per record live in the annotation store
(`peerlit_tui.storage.annotation_team`); this module names them for people: the
decisions made before reviewers were recorded appear under the earlier reviewer's
name (`AnnotationService.earlier_reviewer`). A resolution is a journal change of
its own (one undo step) under the reserved key `RESOLUTION`; it decides a record
whose reviewers disagree, or do not all agree yet.

Tags, notes, ratings and read status stay shared by the whole team.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from peerlit_tui.annotation import validate_decision, validate_reason, validate_record_id
from peerlit_tui.screening_decisions import RESOLUTION, UNDECIDED, screened, validate_reviewer
from peerlit_tui.storage.annotation_history import Edit
from peerlit_tui.storage.annotation_team import (
    BLIND_MODES,
    EARLIER,
    blind_active,
    set_earlier_reviewer,
    update_team_settings,
)

if TYPE_CHECKING:
    from peerlit_tui.services.agreement import Agreement
    from peerlit_tui.services.annotations import AnnotationService
    from peerlit_tui.storage.annotation_history import Transaction
    from peerlit_tui.storage.annotation_index import AnnotationIndex


class BlindError(ValueError):
    """A request that blind mode does not allow."""


def _name(service: AnnotationService, key: str) -> str:
    return service.earlier_reviewer if key == EARLIER else key


def _key(service: AnnotationService, name: str) -> str:
    return EARLIER if name == service.earlier_reviewer else name


def is_blind(service: AnnotationService) -> bool:
    """True when this reviewer must not see the others' decisions (blind mode in effect)."""
    with service.store.index_lock:
        return blind_active(service.store.index.team, service.store.blind)


def blind_mode(service: AnnotationService) -> str:
    """The library's blind mode: "auto" (on once two reviewers screened), "on" or "off"."""
    return service.store.blind


def set_blind_mode(service: AnnotationService, mode: str) -> str:
    """Set the blind mode for every reviewer of the library (kept in the library folder).

    Raises:
        ValueError: For a mode other than "auto", "on" or "off".
    """
    if mode not in BLIND_MODES:
        raise ValueError(f"blind mode must be one of {', '.join(BLIND_MODES)}, not {mode!r}")
    service.store._check_writable()
    update_team_settings(service.store.folder, blind=mode)
    service.store.blind = mode
    return mode


def decisions_of(service: AnnotationService, record_id: str) -> dict[str, dict[str, str]]:
    """Reviewer name -> {"decision", "reason"} of one record (resolution left out).

    In blind mode an unresolved record shows only this reviewer's own decision.
    """
    with service.store.index_lock:
        votes = dict(service.store.index.team.by_record.get(record_id, {}))
    hidden = is_blind(service) and not screened(votes.get(RESOLUTION, (UNDECIDED, ""))[0])
    return {
        _name(service, r): {"decision": d, "reason": why}
        for r, (d, why) in sorted(votes.items())
        if r != RESOLUTION and not (hidden and r != service.reviewer_key)
    }


def resolution_of(service: AnnotationService, record_id: str) -> dict[str, str] | None:
    """The resolution of a record ({"decision", "reason"}), None when unresolved."""
    with service.store.index_lock:
        decision, reason = service.store.index.team.get(record_id, RESOLUTION)
    return {"decision": decision, "reason": reason} if screened(decision) else None


def reviewers(service: AnnotationService) -> list[dict[str, Any]]:
    """Every reviewer who screened a record: name and records screened, by name."""
    with service.store.index_lock:
        counts = dict(service.store.index.team.counts)
    return [
        {"name": _name(service, k), "screened": n}
        for k, n in sorted(counts.items(), key=lambda item: _name(service, item[0]))
    ]


def team_agreement(service: AnnotationService) -> Agreement:
    """Agreement of every pair of reviewers (see `services.agreement`)."""
    # Loaded here: a one-record command (`show`, `decide`) needs the team rules only.
    from peerlit_tui.services.agreement import agreement

    with service.store.index_lock:
        by_record = dict(service.store.index.team.by_record)
    table: dict[str, dict[str, str]] = {}
    for rid, votes in by_record.items():
        for key, (decision, _) in votes.items():
            if key != RESOLUTION and screened(decision):
                table.setdefault(_name(service, key), {})[rid] = decision
    return agreement(table)


def conflict_ids(service: AnnotationService) -> list[str]:
    """Ids of the records whose reviewers disagree and that nobody resolved, sorted."""
    with service.store.index_lock:
        return sorted(service.store.index.team.conflicts)


def pending_ids(service: AnnotationService) -> frozenset[str]:
    """Ids of the records some but not all reviewers screened (unresolved)."""
    with service.store.index_lock:
        return frozenset(service.store.index.team.pending)


def conflicts(service: AnnotationService) -> list[dict[str, Any]]:
    """Every unresolved conflict: record id and each reviewer's decision and reason.

    Raises:
        BlindError: In blind mode, which hides the others' decisions.
    """
    if is_blind(service):
        raise BlindError(
            "blind mode is on: reviewers do not see each other's decisions; "
            "turn it off (peerlit blind off) to list conflicts"
        )
    return [{"id": rid, "decisions": decisions_of(service, rid)} for rid in conflict_ids(service)]


def resolve(
    service: AnnotationService, record_id: str, decision: str, reason: str = ""
) -> Transaction | None:
    """Resolve a record: its final decision becomes `decision` unless all reviewers agree.

    Args:
        service: The open annotations.
        record_id: The record.
        decision: "include", "exclude" or "maybe"; "undecided" withdraws a resolution.
        reason: Why (free text, kept with the resolution).

    Raises:
        ValueError: For an unknown decision or an invalid reason.
    """
    rid, value = validate_record_id(record_id), validate_decision(decision)
    why = validate_reason(reason) if reason else ""

    def build(_: AnnotationIndex) -> list[Edit]:
        return [Edit(rid, "decision", value, RESOLUTION), Edit(rid, "reason", why, RESOLUTION)]

    label = f"resolve {rid} as {value}" + (f" ({why})" if why else "")
    return service.store.transact(label, build)


def rename_reviewer(service: AnnotationService, old: str, new: str) -> Transaction | None:
    """Give reviewer `old`'s decisions to `new` (one undo step).

    Renaming the earlier reviewer only changes the name its decisions show under
    (recorded in the library; not an undo step) and returns None.

    Raises:
        ValueError: For an invalid name, an unknown `old`, or a `new` who already
            screened records.
    """
    new = validate_reviewer(new)
    known = {r["name"] for r in reviewers(service)}
    if old not in known:
        raise ValueError(f"no reviewer {old!r} (reviewers: {', '.join(sorted(known)) or 'none'})")
    if new in known:
        raise ValueError(f"reviewer {new!r} already screened records; choose another name")
    source = _key(service, old)
    if source == EARLIER:
        service.store._check_writable()
        set_earlier_reviewer(service.store.folder, new)
        service.earlier_reviewer = new
        if service.reviewer == old:
            service.reviewer = new
        service.reviewer_key = _key(service, service.reviewer)
        service.store.viewer = service.reviewer_key
        return None

    def build(index: AnnotationIndex) -> list[Edit]:
        edits: list[Edit] = []
        for rid, votes in index.team.by_record.items():
            if source in votes:
                decision, reason = votes[source]
                edits += [
                    Edit(rid, "decision", UNDECIDED, source),
                    Edit(rid, "reason", "", source),
                    Edit(rid, "decision", decision, new),
                    Edit(rid, "reason", reason, new),
                ]
        return edits

    return service.store.transact(f"rename reviewer {old} to {new}", build)


def team_ids(
    service: AnnotationService,
) -> tuple[frozenset[str], frozenset[str], dict[str, set[str]], dict[str, set[str]]]:
    """What team queries read: conflicts, pending, records per reviewer and per vote.

    Returns:
        (conflict ids, pending ids, reviewer -> ids screened, "NAME=decision" -> ids).
    """
    blind = is_blind(service)
    with service.store.index_lock:
        team = service.store.index.team
        by_record = dict(team.by_record)
        conflict, pending = frozenset(team.conflicts), frozenset(team.pending)
    if blind:  # only this reviewer's own decisions; conflicts would tell the others'
        conflict = pending = frozenset()
        by_record = {
            r: {k: v for k, v in votes.items() if k == service.reviewer_key}
            for r, votes in by_record.items()
        }
    screened_by: dict[str, set[str]] = {}
    votes: dict[str, set[str]] = {}
    for rid, record_votes in by_record.items():
        for key, (decision, _) in record_votes.items():
            if key == RESOLUTION or not screened(decision):
                continue
            name = _name(service, key)
            screened_by.setdefault(name, set()).add(rid)
            votes.setdefault(f"{name}={decision}", set()).add(rid)
    return conflict, pending, screened_by, votes
