"""Annotation field values as the store keeps them, and fast construction of annotations.

Shared by the in-memory index (`annotation_index`), the save path and recovery:
`normalise_value` checks a journal value against its field and converts it to its
in-memory form; `fast_annotation` and `plausible` build annotations from
checkpoint documents at open without the dataclass's per-field checks;
`paused_gc` keeps the cyclic collector out of loops that build 100k objects.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from typing import Any

from peerlit_tui.annotation import (
    DECISIONS,
    MAX_RATING,
    READ_STATUSES,
    Annotation,
    tag_key,
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


def checked_key(tag: Any) -> str:
    """The folded key of a tag read from a checkpoint; ValueError when it is no tag."""
    if type(tag) is not str or not tag:
        raise ValueError(f"invalid tag {tag!r}")
    return tag_key(tag)


def plausible(ann: Annotation) -> bool:
    """True when an annotation built unchecked has fields of the right types."""
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
