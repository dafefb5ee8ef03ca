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

import gc
import threading
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import fields, replace
from typing import Any

from peerlit_tui.annotation import (
    DECISIONS,
    MAX_RATING,
    READ_STATUSES,
    RECORD_FIELDS,
    Annotation,
    tag_key,
)
from peerlit_tui.storage.annotation_team import (
    TEAM_FIELDS,
    TeamDecisions,
    team_key,
    votes_from_doc,
)

#: The one project-level field: the list of exclusion reasons offered for "exclude".
REASONS_FIELD = "reasons"

#: The decision of a record nobody has decided on.
UNDECIDED = DECISIONS[0]

_READ = frozenset(READ_STATUSES)
_DECISIONS = frozenset(DECISIONS)

Warn = Callable[[str], None]


def normalise_value(field: str, value: Any) -> Any:
    """Check a journal value's type and convert it to its in-memory form.

    Args:
        field: One of `RECORD_FIELDS` or `REASONS_FIELD`.
        value: The value as JSON decoded it (tags and reasons as lists).

    Returns:
        The value with lists turned into tuples.

    Raises:
        ValueError: When the value does not fit the field.
    """
    if field in ("tags", REASONS_FIELD):
        if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            return tuple(value)
    elif field in ("note", "reason"):
        if isinstance(value, str):
            return value
    elif field == "rating":
        if type(value) is int and 0 <= value <= MAX_RATING:
            return value
    elif field == "read":
        if value in _READ:
            return value
    elif field == "decision":
        if value in _DECISIONS:
            return value
    else:
        raise ValueError(f"unknown annotation field {field!r}")
    raise ValueError(f"invalid value {value!r} for annotation field {field!r}")


def to_jsonable(value: Any) -> Any:
    """A field value in JSON form (tuples become lists)."""
    return list(value) if isinstance(value, tuple) else value


def annotation_from_doc(doc: Any) -> Annotation:
    """Build an annotation from a checkpoint document, validating every field.

    Raises:
        ValueError: When the document is not a valid annotation.
    """
    if not isinstance(doc, dict):
        raise ValueError(f"an annotation document must be an object, got {type(doc).__name__}")
    return Annotation.from_json(doc)


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextmanager
def paused_gc() -> Iterator[None]:
    """Suspend the cyclic garbage collector while building or copying 100k objects.

    Loading a checkpoint allocates hundreds of thousands of objects that all
    survive, which makes the collector run full collections over them again and
    again: a third of the load time, and pauses of hundreds of milliseconds for
    every thread. Nested and concurrent pauses are counted; the collector is
    re-enabled only by the last one, and only if it was enabled to begin with.
    """
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


# Setting a frozen dataclass's fields through their slot descriptors builds an
# annotation in half the time of `Annotation(...)`, which calls
# `object.__setattr__` by name for each field; it matters for 100k at open.
(_S0, _S1, _S2, _S3, _S4, _S5, _S6, _S7, _S8) = (
    getattr(Annotation, f.name).__set__ for f in fields(Annotation)
)
_new = object.__new__


def fast_annotation(
    record_id: str,
    tags: tuple[str, ...],
    note: str,
    rating: int,
    read: str,
    decision: str,
    reason: str,
    created: str,
    updated: str,
) -> Annotation:
    """Build an `Annotation` from all its field values, unchecked (the caller checks)."""
    ann = _new(Annotation)
    _S0(ann, record_id)
    _S1(ann, tags)
    _S2(ann, note)
    _S3(ann, rating)
    _S4(ann, read)
    _S5(ann, decision)
    _S6(ann, reason)
    _S7(ann, created)
    _S8(ann, updated)
    return ann


def _checked_key(tag: Any) -> str:
    if type(tag) is not str or not tag:
        raise ValueError(f"invalid tag {tag!r}")
    return tag_key(tag)


def _plausible(ann: Annotation) -> bool:
    # Type checks for the fast path; values were validated when first written.
    return (
        type(ann.record_id) is str
        and bool(ann.record_id)
        and type(ann.note) is str
        and type(ann.rating) is int
        and 0 <= ann.rating <= MAX_RATING
        and ann.read in _READ
        and ann.decision in _DECISIONS
        and type(ann.reason) is str
        and type(ann.created) is str
        and type(ann.updated) is str
    )


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

    def load(self, docs: Iterable[Any], reasons: Iterable[str], warn: Warn) -> None:
        """Fill an empty index from checkpoint documents, skipping invalid ones with a warning.

        This runs for every document at open, so the common case is one tight loop
        (about 2 µs per document); anything unusual takes the validating path.
        """
        with paused_gc():
            self._load(docs, warn)
            self._finalise_loaded()
        self.reasons = tuple(r for r in reasons if isinstance(r, str) and r)

    def _load(self, docs: Iterable[Any], warn: Warn) -> None:
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
                        keys[tag] = _checked_key(tag)
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
                if not _plausible(ann):
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
            self._load_votes(doc, ann, warn)
            if ann.is_blank():  # a record that only has reviewers' decisions (pending)
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

    def apply_entry(self, entry: dict[str, Any], warn: Warn) -> None:
        """Apply every change of one journal entry; malformed changes are skipped with a warning."""
        ts = entry.get("ts")
        stamp = ts if isinstance(ts, str) else ""
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
                self.set(rid, field, value, stamp, change.get("reviewer"))
            except ValueError as exc:
                warn(f"journal entry {entry.get('seq')}: skipped a change: {exc}")

    def set(
        self, record_id: str | None, field: str, value: Any, stamp: str, reviewer: Any = None
    ) -> None:
        """Set one field (already normalised) and keep the indexes in step.

        "decision" and "reason" are set for `reviewer` (None: the earlier
        reviewer), then the record's final decision is derived again.
        """
        if record_id is None:
            if field != REASONS_FIELD:
                raise ValueError(f"unknown project field {field!r}")
            self.reasons = value
            return
        if field not in RECORD_FIELDS:
            raise ValueError(f"unknown annotation field {field!r}")
        if field in TEAM_FIELDS:
            if self.team.set(record_id, team_key(reviewer), field, value):
                self._refinalise(stamp)
            # Also when its last decision went: the record then left `team.by_record`.
            self._finalise(record_id, stamp)
            return
        self._set_field(record_id, field, value, stamp)

    def _finalise_loaded(self) -> None:
        # A checkpoint's final decisions were derived by the same rule from the same
        # state: trust a decided one; derive only undecided records again, which
        # also fills the conflict and pending sets.
        assigned, by_id = self.team.assigned(), self.by_id
        for rid in self.team.by_record:
            ann = by_id.get(rid)
            if ann is None or ann.decision == UNDECIDED:
                self._finalise(rid, "", assigned)

    def _refinalise(self, stamp: str) -> None:
        # The assigned reviewers changed: every decided record's final decision may.
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
            changes["updated"] = stamp
            if not old.created:
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

    def tag_counts(self) -> list[tuple[str, int]]:
        """(display spelling, number of records) for every tag, sorted by folded name."""
        out = []
        for key in sorted(self.tag_ids):
            display = self.display(key)
            if display is not None:
                out.append((display, len(self.tag_ids[key])))
        return out

    def differences(self, other: AnnotationIndex, limit: int = 20) -> list[str]:
        """Describe how this index differs from `other` (timestamps ignored)."""
        out: list[str] = []
        if self.reasons != other.reasons:
            out.append("the list of exclusion reasons differs")
        if self.team.by_record != other.team.by_record:
            out.append("the reviewers' decisions differ")
        for rid in sorted(self.by_id.keys() | other.by_id.keys()):
            a, b = self.by_id.get(rid), other.by_id.get(rid)
            if a is None or b is None:
                out.append(f"{rid}: present in only one of the two")
                continue
            fields = [f for f in RECORD_FIELDS if a.value(f) != b.value(f)]
            if fields:
                out.append(f"{rid}: {', '.join(fields)} differ")
            if len(out) >= limit:
                break
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
