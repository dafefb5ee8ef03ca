"""The in-memory state of the annotations store, and how journal entries change it.

`AnnotationIndex` answers every read: annotations by record id, record ids by tag,
tag counts and spellings, and the project's list of exclusion reasons. It is built
from a checkpoint and then brought up to date by replaying journal entries; the
store and `doctor` use the same replay, so they can never disagree on what a
journal means.

Journal entries carry absolute values ("tags became [...]"), never deltas, so
replaying an entry that a checkpoint already includes is harmless.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import replace
from typing import Any

from peerlit_tui.annotation import DECISIONS, RECORD_FIELDS, Annotation, tag_key
from peerlit_tui.screening_decisions import RESOLUTION
from peerlit_tui.storage.annotation_clock import (
    ZERO,
    Stamp,
    entry_stamp,
    field_key,
    stamps_from_doc,
)
from peerlit_tui.storage.annotation_merge import merged_tags
from peerlit_tui.storage.annotation_team import (
    TEAM_FIELDS,
    TeamDecisions,
    team_key,
    votes_from_doc,
)
from peerlit_tui.storage.annotation_values import (
    REASONS_FIELD,
    UNDECIDED,
    annotation_from_doc,
    checked_key,
    fast_annotation,
    normalise_value,
    paused_gc,
    plausible,
    to_jsonable,
)

Tags = tuple[str, ...]


def _old_tags(value: Any) -> Tags | None:
    try:
        found: Tags = normalise_value("tags", value)
    except ValueError:
        return None
    return found


__all__ = [
    "REASONS_FIELD",
    "UNDECIDED",
    "AnnotationIndex",
    "fast_annotation",
    "normalise_value",
    "paused_gc",
    "to_jsonable",
]

Warn = Callable[[str], None]


class AnnotationIndex:
    """Annotations by record id, plus the tag index and the project's reasons.

    Attributes:
        by_id: Every non-blank annotation, keyed by record id.
        tag_ids: Folded tag key -> ids of the records holding that tag.
        decided: Decision other than "undecided" -> ids of the records holding it,
            kept on every change so screening counts cost O(1) and progress over a
            subset costs O(decided records), never a scan of every annotation.
        reasons: The project's exclusion reasons, in the user's order.
        team: Each reviewer's decision and reason per record; the annotations'
            `decision` and `reason` are the final ones derived from it.
    """

    def __init__(self) -> None:
        self.by_id: dict[str, Annotation] = {}
        self.tag_ids: dict[str, set[str]] = {}
        self.decided: dict[str, set[str]] = {d: set() for d in DECISIONS if d != UNDECIDED}
        self.reasons: tuple[str, ...] = ()
        self.team = TeamDecisions()
        # record id -> field key -> stamp of the change that set the current value
        # (`annotation_clock`); kept for blank records too, so an older change read
        # later never brings a cleared value back. Inner dicts are replaced, never
        # changed in place, so a checkpoint copies them with one `dict` copy.
        self.stamps: dict[str, dict[str, Stamp]] = {}
        self.reasons_stamp: Stamp = ZERO
        # Records whose tags got a change older than their newest: the store
        # derives their tags again in stamp order (`annotation_merge`).
        self.rederive: set[str] = set()
        # key -> {spelling: number of records using it}; the display spelling of a
        # tag is its most used spelling.
        self._spellings: dict[str, dict[str, int]] = {}
        # Folding runs a regex; tags repeat, so remember each spelling's key.
        self._keys: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self.by_id)

    def key(self, tag: str) -> str:
        """The folded key of a tag spelling (cached)."""
        found = self._keys.get(tag)
        if found is None:
            found = self._keys[tag] = tag_key(tag)
        return found

    def load(
        self,
        docs: Iterable[Any],
        reasons: Iterable[str],
        warn: Warn,
        stamps: list[Stamp] | None = None,
        reasons_stamp: Stamp = ZERO,
    ) -> None:
        """Fill an empty index from checkpoint documents, skipping invalid ones with a warning.

        This runs for every document at open, so the common case is one tight loop
        (about 2 µs per document); anything unusual takes the validating path.

        Args:
            docs: The checkpoint's annotation documents.
            reasons: The project's exclusion reasons.
            warn: Receives a message per document skipped.
            stamps: The checkpoint's list of stamps, which documents refer to.
            reasons_stamp: The stamp of the list of reasons.
        """
        with paused_gc():
            self._load(docs, warn, stamps or [])
            self._finalise_loaded()
        self.reasons = tuple(r for r in reasons if isinstance(r, str) and r)
        self.reasons_stamp = reasons_stamp

    def _load(self, docs: Iterable[Any], warn: Warn, table: list[Stamp]) -> None:
        by_id, keys = self.by_id, self._keys
        tag_ids, spellings = self.tag_ids, self._spellings
        for doc in docs:
            ann: Annotation | None = None
            try:
                tags = doc["tags"]
                if type(tags) is not list:
                    raise TypeError("tags must be a list")
                for tag in tags:
                    if tag not in keys:
                        keys[tag] = checked_key(tag)
                ann = fast_annotation(
                    doc["record_id"],
                    tuple(tags),
                    doc["note"],
                    doc["rating"],
                    doc["read"],
                    doc["decision"],
                    doc["reason"],
                    doc["created"],
                    doc["updated"],
                )
                if not plausible(ann):
                    ann = None
            except (KeyError, TypeError, ValueError):
                ann = None
            if ann is None:
                try:
                    ann = annotation_from_doc(doc)
                except ValueError as exc:
                    warn(f"skipped an unreadable annotation in the checkpoint: {exc}")
                    continue
            rid = ann.record_id
            if rid in by_id:
                self._unindex(rid, by_id[rid].tags)
                self._undecide(rid, by_id[rid].decision)
            if table:
                found = stamps_from_doc(doc.get("stamps"), table)
                if found:
                    self.stamps[rid] = found
            self._load_votes(doc, ann, warn)
            if ann.is_blank():  # only reviewers' decisions (pending), or only stamps
                by_id.pop(rid, None)
                continue
            by_id[rid] = ann
            if ann.decision != UNDECIDED:
                self.decided[ann.decision].add(rid)
            for tag in ann.tags:
                key = keys[tag] if tag in keys else self.key(tag)
                if key in tag_ids:
                    tag_ids[key].add(rid)
                    counts = spellings[key]
                    counts[tag] = counts.get(tag, 0) + 1
                else:
                    tag_ids[key] = {rid}
                    spellings[key] = {tag: 1}

    def _load_votes(self, doc: Any, ann: Annotation, warn: Warn) -> None:
        # A document written before reviewers existed holds one decision: the
        # earlier reviewer's.
        raw = doc.get("decisions") if isinstance(doc, dict) else None
        if raw is None:
            if ann.decision != UNDECIDED or ann.reason:
                self.team.load(ann.record_id, {"": (ann.decision, ann.reason)})
            return
        try:
            self.team.load(ann.record_id, votes_from_doc(raw))
        except ValueError as exc:
            warn(f"skipped the reviewers' decisions of {ann.record_id} in the checkpoint: {exc}")

    def current(self, record_id: str | None, field: str, reviewer: str | None = None) -> Any:
        """The current value of a field; `record_id` None means a project-level field.

        With `reviewer` ("" for the earlier reviewer), "decision" and "reason" are
        that reviewer's own; without, the record's final ones.
        """
        if reviewer is not None and field in TEAM_FIELDS and record_id is not None:
            return self.team.current(record_id, reviewer, field)
        if record_id is None:
            if field != REASONS_FIELD:
                raise ValueError(f"unknown project field {field!r}")
            return self.reasons
        ann = self.by_id.get(record_id)
        return (ann or Annotation(record_id)).value(field)

    def apply_entry(
        self, entry: dict[str, Any], warn: Warn, journal: str = "", stamp: Stamp | None = None
    ) -> None:
        """Apply every change of one journal entry; malformed changes are skipped with a warning.

        Args:
            entry: The entry.
            warn: Receives a message per malformed change.
            journal: The name of the journal file it was read from (its stamp's
                tie-breaker, see `annotation_clock`).
            stamp: Its stamp, when the caller computed it (`annotation_clock.running`).
        """
        stamp = stamp or entry_stamp(entry, journal)
        changes = entry.get("changes")
        if not isinstance(changes, list):
            return
        for change in changes:
            try:
                if not isinstance(change, dict):
                    raise ValueError("a change must be an object")
                field = change.get("field")
                rid = change.get("id")
                if not isinstance(field, str) or not (rid is None or isinstance(rid, str)):
                    raise ValueError("a change needs a field name and a record id")
                value = normalise_value(field, change.get("new"))
                if field == "tags" and rid is not None:
                    self.set_tags(rid, _old_tags(change.get("old")), value, stamp)
                else:
                    self.set(rid, field, value, stamp, change.get("reviewer"))
            except ValueError as exc:
                warn(f"journal entry {entry.get('seq')}: skipped a change: {exc}")

    def set(
        self,
        record_id: str | None,
        field: str,
        value: Any,
        stamp: Stamp = ZERO,
        reviewer: Any = None,
    ) -> bool:
        """Set one field (already normalised) unless a newer change set it; keep the indexes.

        "decision" and "reason" are set for `reviewer` (None: the earlier
        reviewer), then the record's final decision is derived again.

        Returns:
            False when the field's current value has a newer stamp (nothing changed).
        """
        if record_id is None:
            if field != REASONS_FIELD:
                raise ValueError(f"unknown project field {field!r}")
            if stamp < self.reasons_stamp:
                return False
            self.reasons, self.reasons_stamp = value, stamp
            return True
        if field not in RECORD_FIELDS:
            raise ValueError(f"unknown annotation field {field!r}")
        team = field in TEAM_FIELDS
        who = team_key(reviewer) if team else None
        key = field_key(field, who)
        held = self.stamps.get(record_id)
        if held is None:
            self.stamps[record_id] = {key: stamp}
        else:
            if stamp < held.get(key, ZERO):
                return False
            self.stamps[record_id] = {**held, key: stamp}
        ts = stamp[0]
        if team:
            assert who is not None
            if self.team.set(record_id, who, field, value):
                # Touches every decided record: 100k new objects, no collections.
                with paused_gc():
                    if who in self.team.counts:
                        self._joined(who, ts)
                    else:
                        self._refinalise(ts)
            # Also when its last decision went: the record then left `team.by_record`.
            self._finalise(record_id, ts)
            return True
        self._set_field(record_id, field, value, ts)
        return True

    def set_tags(self, record_id: str, old: Tags | None, new: Tags, stamp: Stamp) -> None:
        """Apply a tags change made on `old` (`annotation_merge`): both sides of a race kept.

        A change older than the record's newest tag change is merged in too, and
        the record is listed in `rederive` for the store to replay in stamp order.
        """
        held = self.stamps.get(record_id) or {}
        newest = held.get("tags", ZERO)
        if stamp < newest:
            self.rederive.add(record_id)
        current = self.current(record_id, "tags")
        value = new if old is None else merged_tags(current, old, new, self.key)
        self.stamps[record_id] = {**held, "tags": max(stamp, newest)}
        self._set_field(record_id, "tags", value, stamp[0])

    def reset_tags(self, record_id: str, tags: Tags, stamp: Stamp) -> None:
        """Set a record's tags as derived again (`annotation_merge.rederive_tags`)."""
        held = self.stamps.get(record_id) or {}
        self.stamps[record_id] = {**held, "tags": max(stamp, held.get("tags", ZERO))}
        if self.current(record_id, "tags") != tags:
            self._set_field(record_id, "tags", tags, stamp[0])

    def _finalise_loaded(self) -> None:
        # A checkpoint's final decisions were derived by the same rule from the same
        # state: trust a decided one; derive only undecided records again, which
        # also fills the conflict and pending sets.
        assigned, by_id = self.team.assigned(), self.by_id
        for rid in self.team.by_record:
            ann = by_id.get(rid)
            if ann is None or ann.decision == UNDECIDED:
                self._finalise(rid, "", assigned)

    def _joined(self, reviewer: str, stamp: str) -> None:
        """A reviewer screened their first record: agreed records now wait for them.

        Only records with a final decision can change (pending and conflicting
        records stay so), and of those only the ones `reviewer` has not screened:
        they become pending, unless a resolution decides them. One tight pass over
        the decided records, without deriving each one's decision again.
        """
        assigned = self.team.assigned()
        by_record, by_id, pending = self.team.by_record, self.by_id, self.team.pending
        for ids in self.decided.values():
            moved: list[str] = []
            for rid in ids:
                votes = by_record.get(rid)
                if votes is None or reviewer in votes:
                    continue
                if RESOLUTION in votes:
                    continue  # derived again below, the rule decides
                moved.append(rid)
            ids.difference_update(moved)
            for rid in moved:
                old = by_id[rid]
                new = fast_annotation(
                    rid, old.tags, old.note, old.rating, old.read, UNDECIDED, "",
                    old.created or stamp, max(old.updated, stamp),
                )  # fmt: skip
                if new.is_blank():
                    del by_id[rid]
                else:
                    by_id[rid] = new
                pending.add(rid)
        for ids in self.decided.values():
            for rid in [r for r in ids if RESOLUTION in by_record.get(r, {})]:
                self._finalise(rid, stamp, assigned)

    def _refinalise(self, stamp: str) -> None:
        # A reviewer left the assigned ones (their last decision withdrawn): any
        # record's final decision may change.
        assigned = self.team.assigned()
        for rid in list(self.team.by_record):
            self._finalise(rid, stamp, assigned)

    def _finalise(self, record_id: str, stamp: str, assigned: frozenset[str] | None = None) -> None:
        decision, reason = self.team.final(record_id, assigned)
        old = self.by_id.get(record_id)
        if old is None or old.decision != decision:
            self._set_field(record_id, "decision", decision, stamp)
        if old is None or old.reason != reason:
            self._set_field(record_id, "reason", reason, stamp)

    def _set_field(self, record_id: str, field: str, value: Any, stamp: str) -> None:
        old = self.by_id.get(record_id) or Annotation(record_id)
        if old.value(field) == value and record_id not in self.by_id:
            return
        changes: dict[str, Any] = {field: value}
        if stamp:  # a final decision derived again at load keeps its time
            # Entries may be read out of order: the record's time is its newest change.
            changes["updated"] = max(stamp, old.updated)
            if not old.created or stamp < old.created:
                changes["created"] = stamp
        new = replace(old, **changes)
        if field == "tags":
            self._unindex(record_id, old.tags)
            self._index(record_id, new.tags)
        elif field == "decision" and old.decision != new.decision:
            self._undecide(record_id, old.decision)
            if new.decision != UNDECIDED:
                self.decided[new.decision].add(record_id)
        if new.is_blank():
            self.by_id.pop(record_id, None)
        else:
            self.by_id[record_id] = new

    def decision_counts(self) -> dict[str, int]:
        """Records per decision; "undecided" counts annotated records without one.

        Records never annotated are undecided too: the library's total minus the
        other counts gives every undecided record.
        """
        counts = {d: len(ids) for d, ids in self.decided.items()}
        counts[UNDECIDED] = len(self.by_id) - sum(counts.values())
        return counts

    def decision_progress(self, subset: Collection[str]) -> dict[str, int]:
        """Records per decision within `subset`; "undecided" is the rest of it.

        Walks the smaller of `subset` and the decided records: O(min of the two).
        """
        total = sum(len(ids) for ids in self.decided.values())
        if len(subset) <= total:
            counts = dict.fromkeys(self.decided, 0)
            by_id = self.by_id
            for rid in subset:
                ann = by_id.get(rid)
                if ann is not None and ann.decision != UNDECIDED:
                    counts[ann.decision] += 1
        else:
            counts = {d: sum(1 for r in ids if r in subset) for d, ids in self.decided.items()}
        counts[UNDECIDED] = len(subset) - sum(counts.values())
        return counts

    def _undecide(self, record_id: str, decision: str) -> None:
        if decision != UNDECIDED:
            self.decided[decision].discard(record_id)

    def ids_with_tag(self, tag: str) -> frozenset[str]:
        """Ids of the records holding `tag` (any spelling)."""
        return frozenset(self.tag_ids.get(tag_key(tag), ()))

    def display(self, key: str) -> str | None:
        """The display spelling of a tag key, or None when no record holds that tag."""
        spellings = self._spellings.get(key)
        if not spellings:
            return None
        return max(spellings.items(), key=lambda item: item[1])[0]

    def spellings(self) -> dict[str, dict[str, int]]:
        """Folded tag key -> {spelling: records using it} (the live mapping)."""
        return self._spellings

    def tag_counts(self) -> list[tuple[str, int]]:
        """(display spelling, number of records) for every tag, sorted by folded name."""
        out = []
        for key in sorted(self.tag_ids):
            display = self.display(key)
            if display is not None:
                out.append((display, len(self.tag_ids[key])))
        return out

    def _index(self, record_id: str, tags: tuple[str, ...]) -> None:
        for tag in tags:
            key = self.key(tag)
            self.tag_ids.setdefault(key, set()).add(record_id)
            counts = self._spellings.setdefault(key, {})
            counts[tag] = counts.get(tag, 0) + 1

    def _unindex(self, record_id: str, tags: tuple[str, ...]) -> None:
        for tag in tags:
            key = self.key(tag)
            ids = self.tag_ids.get(key)
            if ids is not None:
                ids.discard(record_id)
                if not ids:
                    del self.tag_ids[key]
            counts = self._spellings.get(key)
            if counts is not None and tag in counts:
                counts[tag] -= 1
                if counts[tag] <= 0:
                    del counts[tag]
                if not counts:
                    del self._spellings[key]
