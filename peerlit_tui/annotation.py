"""The annotation model: what a user records about one record while screening.

Plain data and validation only; nothing here performs I/O. The store
(`peerlit_tui.storage.annotations`) journals and indexes these objects and the
service (`peerlit_tui.services.annotations`) applies the user's edits to them.

An `Annotation` is immutable: every edit produces a new object. The store hands the
same objects to readers and to its background checkpoint, so immutability is what
lets it snapshot its whole index with one cheap dictionary copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal

from peerlit_tui.text import clean_line, clean_note, fold

ReadStatus = Literal["unread", "skimmed", "read"]
Decision = Literal["undecided", "include", "exclude", "maybe"]

#: Read statuses, in the order a reader moves through them.
READ_STATUSES: Final[tuple[str, ...]] = ("unread", "skimmed", "read")
#: Screening decisions; "undecided" is the state of a record nobody has judged yet.
DECISIONS: Final[tuple[str, ...]] = ("undecided", "include", "exclude", "maybe")
#: The one decision an exclusion reason belongs to.
EXCLUDE: Final = "exclude"

MAX_RATING: Final = 5
#: Limits that keep one journal line and one TinyDB document a sensible size.
MAX_TAG_LENGTH: Final = 80
MAX_REASON_LENGTH: Final = 120
MAX_NOTE_LENGTH: Final = 100_000
MAX_RECORD_ID_LENGTH: Final = 300

#: The per-record fields a change can touch, as named in the journal and in JSON.
RECORD_FIELDS: Final[tuple[str, ...]] = ("tags", "note", "rating", "read", "decision", "reason")


@dataclass(frozen=True, slots=True)
class Annotation:
    """Everything a user recorded about one record.

    Attributes:
        record_id: The record's stable id (normalised DOI or 12-hex hash).
        tags: Tags in the order they were added, in the user's spelling.
            Two tags are the same when `tag_key` folds them to the same key.
        note: Free multi-line text.
        rating: 0 (not rated) to 5.
        read: "unread", "skimmed" or "read".
        decision: "undecided", "include", "exclude" or "maybe".
        reason: Why the record was excluded; empty unless `decision` is "exclude".
        created: ISO 8601 UTC time of the first change, "" for a blank annotation.
        updated: ISO 8601 UTC time of the latest change, "" for a blank annotation.
    """

    record_id: str
    tags: tuple[str, ...] = ()
    note: str = ""
    rating: int = 0
    read: str = "unread"
    decision: str = "undecided"
    reason: str = ""
    created: str = ""
    updated: str = ""

    def is_blank(self) -> bool:
        """True when nothing is recorded (timestamps aside): such annotations are not stored."""
        return (
            not self.tags
            and not self.note
            and self.rating == 0
            and self.read == "unread"
            and self.decision == "undecided"
            and not self.reason
        )

    def has_tag(self, tag: str) -> bool:
        """True when the annotation holds `tag`, compared case- and accent-insensitively."""
        key = tag_key(tag)
        return any(tag_key(t) == key for t in self.tags)

    def value(self, field: str) -> Any:
        """The value of one of `RECORD_FIELDS`, with tags as a tuple."""
        if field not in RECORD_FIELDS:
            raise ValueError(f"unknown annotation field {field!r}")
        return getattr(self, field)

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready mapping (the shape of `peerlit show --json` "annotations")."""
        return {
            "record_id": self.record_id,
            "tags": list(self.tags),
            "note": self.note,
            "rating": self.rating,
            "read": self.read,
            "decision": self.decision,
            "reason": self.reason,
            "created": self.created,
            "updated": self.updated,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Annotation:
        """Build an annotation from `to_json` output, validating every field.

        Raises:
            ValueError: When a field is missing its record id or holds an invalid value.
        """
        record_id = validate_record_id(data.get("record_id"))
        tags = data.get("tags") or []
        if not isinstance(tags, list | tuple):
            raise ValueError(f"tags of {record_id} must be a list, got {tags!r}")
        return cls(
            record_id=record_id,
            tags=tuple(validate_tag(t) for t in tags),
            note=validate_note(data.get("note") or ""),
            rating=validate_rating(data.get("rating", 0)),
            read=validate_read_status(data.get("read") or "unread"),
            decision=validate_decision(data.get("decision") or "undecided"),
            reason=str(data.get("reason") or ""),
            created=str(data.get("created") or ""),
            updated=str(data.get("updated") or ""),
        )


def tag_key(tag: str) -> str:
    """The matching key of a tag: cleaned, case- and accent-folded ("Peer Work" -> "peer work")."""
    return fold(clean_line(tag))


def validate_record_id(value: object) -> str:
    """Check a record id: a non-empty single-line string of sensible length.

    Raises:
        ValueError: Naming what is wrong with the id.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"a record id must be a non-empty string, got {value!r}")
    if value != value.strip() or any(ch in value for ch in "\r\n\t\x00"):
        raise ValueError(f"record id {value!r} holds surrounding spaces or control characters")
    if len(value) > MAX_RECORD_ID_LENGTH:
        raise ValueError(f"record id is {len(value)} characters long; at most 300 are allowed")
    return value


def validate_tag(value: object) -> str:
    """Clean and check one tag, keeping the user's spelling.

    Returns:
        The tag with control characters removed and whitespace collapsed.

    Raises:
        ValueError: For an empty or overlong tag, or a non-string.
    """
    if not isinstance(value, str):
        raise ValueError(f"a tag must be text, got {value!r}")
    tag = clean_line(value)
    if not tag:
        raise ValueError("a tag cannot be empty")
    if len(tag) > MAX_TAG_LENGTH:
        raise ValueError(f"tag {tag[:20]!r}… is {len(tag)} characters; at most 80 are allowed")
    return tag


def validate_note(value: object) -> str:
    """Clean and check a note; an empty note clears it.

    Raises:
        ValueError: For a non-string or a note longer than 100,000 characters.
    """
    if not isinstance(value, str):
        raise ValueError(f"a note must be text, got {type(value).__name__}")
    note = clean_note(value)
    if len(note) > MAX_NOTE_LENGTH:
        raise ValueError(f"the note is {len(note)} characters; at most 100000 are allowed")
    return note


def validate_rating(value: object) -> int:
    """Check a rating: a whole number from 0 (not rated) to 5.

    Accepts an int or a string of digits (as typed on the command line).

    Raises:
        ValueError: Naming the rejected value.
    """
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"a rating must be a whole number from 0 to 5, got {value!r}")
    if not 0 <= value <= MAX_RATING:
        raise ValueError(f"a rating must be from 0 to 5, got {value}")
    return value


def _choice(value: object, allowed: tuple[str, ...], what: str) -> str:
    """Match `value` case-insensitively against `allowed`; the error lists the choices."""
    text = value.strip().lower() if isinstance(value, str) else value
    if text not in allowed:
        raise ValueError(f"unknown {what} {value!r}; use one of: {', '.join(allowed)}")
    return str(text)


def validate_read_status(value: object) -> str:
    """Check a read status (case-insensitive) and return its canonical spelling.

    Raises:
        ValueError: Listing the accepted statuses.
    """
    return _choice(value, READ_STATUSES, "read status")


def validate_decision(value: object) -> str:
    """Check a screening decision (case-insensitive) and return its canonical spelling.

    Raises:
        ValueError: Listing the accepted decisions.
    """
    return _choice(value, DECISIONS, "decision")


def validate_reason(value: object) -> str:
    """Clean and check an exclusion reason's text.

    Raises:
        ValueError: For an empty or overlong reason, or a non-string.
    """
    if not isinstance(value, str):
        raise ValueError(f"an exclusion reason must be text, got {value!r}")
    reason = clean_line(value)
    if not reason:
        raise ValueError("an exclusion reason cannot be empty")
    if len(reason) > MAX_REASON_LENGTH:
        raise ValueError(
            f"exclusion reason {reason[:20]!r}… is {len(reason)} characters; "
            "at most 120 are allowed"
        )
    return reason
