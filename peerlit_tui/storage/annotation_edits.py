"""Edits computed on the fresh state under the lock: tag renames and decisions.

These are the `build` functions of the service's bulk transactions; they read the
index the store hands them (after other processes' entries were read) and return
the field values to set.
"""

from __future__ import annotations

from typing import Any

from peerlit_tui.annotation import EXCLUDE, tag_key, validate_decision
from peerlit_tui.storage.annotation_conflicts import Conflict, guarded
from peerlit_tui.storage.annotation_history import Edit
from peerlit_tui.storage.annotation_index import REASONS_FIELD, UNDECIDED, AnnotationIndex
from peerlit_tui.storage.journal import utc_now
from peerlit_tui.text import fold


def retag_edits(
    index: AnnotationIndex, source: str, target: str | None, *, merge: bool
) -> list[Edit]:
    """The edits that rename tag `source` to `target` (None deletes it) on every holder.

    Args:
        index: The current state.
        source: The tag to change (any spelling).
        target: The new spelling, or None to remove the tag.
        merge: `target` must already exist; its current display spelling is used.

    Raises:
        ValueError: When no record holds `source`, or (merging) `target`.
    """
    old_key = tag_key(source)
    new_key = tag_key(target) if target is not None else ""
    holders = index.tag_ids.get(old_key)
    if not holders:
        raise ValueError(f"no record has the tag {source!r}")
    spelling = target
    if merge:
        spelling = index.display(new_key)
        if spelling is None:
            raise ValueError(f"no record has the tag {target!r}; use rename instead")
    # A respelling must reach every holder of the key, which `holders` is.
    edits = []
    for rid in sorted(holders):
        tags: list[str] = []
        seen: set[str] = set()
        for tag in index.current(rid, "tags"):
            key = index.key(tag)
            if key == old_key or (spelling is not None and key == new_key):
                if spelling is None or new_key in seen:
                    continue
                tag, key = spelling, new_key
            if key not in seen:
                seen.add(key)
                tags.append(tag)
        edits.append(Edit(rid, "tags", tuple(tags)))
    return edits


def decision_edits(
    index: AnnotationIndex,
    targets: list[str],
    value: str,
    reason: str | None,
    *,
    add_reason: bool,
    expected: Any,
    conflicts: list[Conflict],
    reviewer: str = "",
) -> list[Edit]:
    """The edits that set one reviewer's decision (and reason) on records.

    Args:
        index: The current state.
        targets: Record ids.
        value: The decision, validated.
        reason: For "exclude": the reason ("" clears it, None keeps the record's).
        add_reason: Add a new reason to the project's list in the same transaction.
        expected: What the user saw (see `annotation_conflicts.guarded`).
        conflicts: Receives the records decided differently meanwhile (left as they are).
        reviewer: Whose decision it is ("" the earlier reviewer; `RESOLUTION` for a
            resolution).

    Raises:
        ValueError: For a reason not in the list without `add_reason`.
    """
    edits: list[Edit] = []
    text = reason
    if reason:
        known = {fold(r): r for r in index.reasons}
        if fold(reason) in known:
            text = known[fold(reason)]
        elif add_reason:
            edits.append(Edit(None, REASONS_FIELD, (*index.reasons, reason)))
        else:
            offered = ", ".join(repr(r) for r in index.reasons) or "none yet"
            raise ValueError(
                f"unknown exclusion reason {reason!r} (known reasons: {offered}); "
                "add it to the project's list first"
            )
    now = utc_now()
    for rid in targets:
        if guarded(index, rid, "decision", value, expected, conflicts, now, reviewer) is None:
            continue
        edits.append(Edit(rid, "decision", value, reviewer))
        if value != EXCLUDE:
            edits.append(Edit(rid, "reason", "", reviewer))
        elif text is not None:
            edits.append(Edit(rid, "reason", text, reviewer))
    return edits


def validate_decided(decision: str) -> str:
    """A decision other than "undecided" (undecided records are all the others)."""
    value = validate_decision(decision)
    if value == UNDECIDED:
        raise ValueError("undecided records are every record not in another decision")
    return value
