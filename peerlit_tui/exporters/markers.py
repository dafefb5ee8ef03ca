"""How exports carry annotations, and turning what a file says back into annotation values.

Each format carries the user's annotations where that format's tools look for them
and where peerlit can find them again:

- RIS: tags in `KW` (after the record's keywords) and, so a re-import can tell tags
  from keywords, one `N1` line per annotation field: `peerlit id: …`,
  `peerlit decision: exclude`, `peerlit reason: …`, `peerlit rating: 4`,
  `peerlit read: skimmed`, `peerlit tags: a; b`, `peerlit note: …`. As ASReview
  does, include and exclude also get an `ASReview_relevant` / `ASReview_irrelevant`
  line, and values that do not fit one plain line (a note with line breaks, a tag
  holding ";") are written as JSON strings or lists.
- BibTeX: tags in `keywords`, the note in `note`, and the fields `peerlit-id`,
  `peerlit-decision`, `peerlit-reason`, `peerlit-rating`, `peerlit-read`,
  `peerlit-tags`.
- CSV: the columns `tags`, `decision`, `reason`, `rating`, `read`, `note`.
- CSL-JSON: `custom.peerlit` = {"tags", "decision", "reason", "rating", "read", "note"}.

Only fields that differ from a blank annotation are written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from peerlit_tui.annotation import (
    EXCLUDE,
    Annotation,
    validate_decision,
    validate_note,
    validate_rating,
    validate_read_status,
    validate_reason,
    validate_tag,
)

#: Annotation fields an export carries, in the order they are written.
ANNOTATION_FIELDS = ("tags", "decision", "reason", "rating", "read", "note")

#: BibTeX field names; the note goes in BibTeX's own `note` field.
BIBTEX_FIELDS = {
    "id": "peerlit-id",
    "decision": "peerlit-decision",
    "reason": "peerlit-reason",
    "rating": "peerlit-rating",
    "read": "peerlit-read",
    "tags": "peerlit-tags",
    "note": "note",
}
#: The key under CSL-JSON's `custom` object.
CSL_CUSTOM_KEY = "peerlit"
#: ASReview's label notes, written for include and exclude.
ASREVIEW_LABELS = {"include": "ASReview_relevant", "exclude": "ASReview_irrelevant"}

_T = TypeVar("_T")

_RIS_MARKER = re.compile(r"^peerlit (id|tags|decision|reason|rating|read|note): ?(.*)$", re.S)
# Zotero wraps each note it exports in a paragraph tag.
_ZOTERO_PARAGRAPH = re.compile(r"^<p>(.*)</p>$", re.S)


@dataclass(frozen=True, slots=True)
class FoundAnnotation:
    """The annotation values an export file holds for one record.

    A field at its blank value (no tags, rating 0, "unread", "undecided") means the
    file says nothing about it.

    Attributes:
        record_id: The record id the file names.
        where: Where the record is in the file ("line 12", "item 3"), for messages.
        tags: Tags, in order.
        note: The note.
        rating: 0 to 5.
        read: "unread", "skimmed" or "read".
        decision: "undecided", "include", "exclude" or "maybe".
        reason: Exclusion reason (only with "exclude").
    """

    record_id: str
    where: str = ""
    tags: tuple[str, ...] = ()
    note: str = ""
    rating: int = 0
    read: str = "unread"
    decision: str = "undecided"
    reason: str = ""

    def is_blank(self) -> bool:
        """True when the file says nothing about the record's annotation."""
        return (
            not (self.tags or self.note or self.rating or self.read != "unread")
            and self.decision == "undecided"
        )


@dataclass(slots=True)
class Reading:
    """Annotations read from one file, with the values that had to be ignored."""

    found: list[FoundAnnotation] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def found_annotation(
    record_id: str, where: str, values: Mapping[str, object], problems: list[str]
) -> FoundAnnotation | None:
    """Validate the raw values a file gave for one record.

    Args:
        record_id: The record id the file names.
        where: Where the record is in the file ("line 12"), for messages.
        values: Field name (see `ANNOTATION_FIELDS`) -> value as read (text, a
            number or a list of tags); empty values are ignored.
        problems: Collects a message for each invalid value, which is then ignored.

    Returns:
        The values, or None when the file gives none for this record.
    """

    def take(name: str, check: Callable[[Any], _T], blank: _T) -> _T:
        raw = values.get(name)
        if raw is None or raw == "" or raw == []:
            return blank
        try:
            return check(raw)
        except ValueError as exc:
            problems.append(f"{where}: {name} of {record_id} ignored: {exc}")
            return blank

    found = FoundAnnotation(
        record_id,
        where,
        tags=take("tags", _tags, ()),
        note=take("note", validate_note, ""),
        rating=take("rating", _rating, 0),
        read=take("read", validate_read_status, "unread"),
        decision=take("decision", validate_decision, "undecided"),
        reason=take("reason", validate_reason, ""),
    )
    if found.reason and found.decision != EXCLUDE:
        problems.append(f"{where}: reason of {record_id} ignored: the decision is not exclude")
        found = replace(found, reason="")
    return None if found.is_blank() else found


def _tags(raw: object) -> tuple[str, ...]:
    items = raw if isinstance(raw, list | tuple) else decode_tags(str(raw))
    return tuple(dict.fromkeys(validate_tag(t) for t in items))


def _rating(raw: object) -> int:
    return validate_rating(raw if isinstance(raw, int) else str(raw))


# -- plain-text values ------------------------------------------------------------


def encode_text(text: str) -> str:
    """A value for one plain line: as is when it fits, else a JSON string (as ASReview does)."""
    if "\n" in text or "\t" in text or text != text.strip() or text.startswith('"') or "  " in text:
        return json.dumps(text, ensure_ascii=False)
    return text


def decode_text(text: str) -> str:
    """Inverse of `encode_text`."""
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        try:
            value = json.loads(text)
        except ValueError:
            return text
        if isinstance(value, str):
            return value
    return text


def encode_tags(tags: tuple[str, ...] | list[str]) -> str:
    """Tags as "a; b", or as a JSON list when a tag holds ";" or the text would open with "["."""
    if any(";" in t for t in tags) or (tags and tags[0].startswith("[")):
        return json.dumps(list(tags), ensure_ascii=False)
    return "; ".join(tags)


def decode_tags(text: str) -> list[str]:
    """Inverse of `encode_tags`."""
    text = text.strip()
    if text.startswith("["):
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value)
    return [t.strip() for t in text.split(";") if t.strip()]


# -- RIS ------------------------------------------------------------------------


def ris_notes(record_id: str, annotation: Annotation) -> list[str]:
    """The `N1` values that carry an annotation (none for a blank one)."""
    if annotation.is_blank():
        return []
    notes = []
    label = ASREVIEW_LABELS.get(annotation.decision)
    if label:
        notes.append(label)
    notes.append(f"peerlit id: {record_id}")
    if annotation.decision != "undecided":
        notes.append(f"peerlit decision: {annotation.decision}")
    if annotation.reason:
        notes.append(f"peerlit reason: {annotation.reason}")
    if annotation.rating:
        notes.append(f"peerlit rating: {annotation.rating}")
    if annotation.read != "unread":
        notes.append(f"peerlit read: {annotation.read}")
    if annotation.tags:
        notes.append(f"peerlit tags: {encode_tags(annotation.tags)}")
    if annotation.note:
        notes.append(f"peerlit note: {encode_text(annotation.note)}")
    return notes


def parse_ris_note(value: str) -> tuple[str, str] | None:
    """Read one `N1` value: ("decision", "exclude") for a peerlit marker, else None."""
    wrapped = _ZOTERO_PARAGRAPH.match(value)
    if wrapped:
        value = wrapped.group(1)
    found = _RIS_MARKER.match(value.strip())
    if found is None:
        return None
    name, text = found.group(1), found.group(2).strip()
    if name == "note":
        return name, decode_text(text)
    return name, text


# -- BibTeX values ------------------------------------------------------------------

_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_ESCAPE = re.compile(r"[\\{}%&$#_~^]")
# An "@" opening a line would start a new block for BibTeX parsers, even inside a value.
_LINE_AT = re.compile(r"(^|\n)([ \t]*)@")
_LATEX_UNESCAPE = re.compile(
    r"\\textbackslash\{\}|\\textasciitilde\{\}|\\textasciicircum\{\}"
    r"|\\textbrace(?:left|right)\{\}|\\[{}%&$#_]|\{@\}"
)
# A brace without its partner: BibTeX, biber and pybtex count braces and ignore the
# backslash before one, so an unmatched `\{` would end or extend the field.
_LONE_BRACE = {"{": r"\textbraceleft{}", "}": r"\textbraceright{}"}
_UNESCAPED = (
    {v: k for k, v in _LATEX_SPECIALS.items()}
    | {v: k for k, v in _LONE_BRACE.items()}
    | {"{@}": "@"}
)


def _unmatched_braces(text: str) -> set[int]:
    """Offsets of the braces in `text` that have no partner (in order)."""
    opened: list[int] = []
    lone: set[int] = set()
    for at, ch in enumerate(text):
        if ch == "{":
            opened.append(at)
        elif ch == "}":
            if opened:
                opened.pop()
            else:
                lone.add(at)
    lone.update(opened)
    return lone


def latex_escape(text: str) -> str:
    r"""Escape text for a braced BibTeX value (LaTeX specials, braces, "@" opening a line).

    Braces that pair up become `\{`/`\}`, which keeps the count balanced for
    parsers that count braces as BibTeX does; a lone brace becomes
    `\textbraceleft{}`/`\textbraceright{}`, which holds no brace to count.
    """
    if _LATEX_ESCAPE.search(text):
        lone = _unmatched_braces(text) if "{" in text or "}" in text else set()

        def escape(match: re.Match[str]) -> str:
            ch = match.group(0)
            if lone and match.start() in lone:
                return _LONE_BRACE[ch]
            return _LATEX_SPECIALS[ch]

        text = _LATEX_ESCAPE.sub(escape, text)
    if "@" in text:
        text = _LINE_AT.sub(r"\1\2{@}", text)
    return text


def latex_unescape(text: str) -> str:
    """Exact inverse of `latex_escape` (for values peerlit wrote itself)."""
    return _LATEX_UNESCAPE.sub(lambda m: _UNESCAPED[m.group(0)], text)


# -- CSV cells ------------------------------------------------------------------------

# A spreadsheet treats a cell opening with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def protect_cell(text: str) -> str:
    """Prefix "'" to a cell a spreadsheet would run as a formula ("=HYPERLINK(…)")."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def unprotect_cell(text: str) -> str:
    """Inverse of `protect_cell`."""
    if len(text) >= 2 and text[0] == "'" and text[1:].startswith(_FORMULA_START):
        return text[1:]
    return text


# -- CSL-JSON ---------------------------------------------------------------------------


def csl_custom(annotation: Annotation) -> dict[str, object]:
    """The `custom.peerlit` object of a CSL item (empty for a blank annotation)."""
    if annotation.is_blank():
        return {}
    out: dict[str, object] = {}
    if annotation.tags:
        out["tags"] = list(annotation.tags)
    if annotation.decision != "undecided":
        out["decision"] = annotation.decision
    if annotation.reason:
        out["reason"] = annotation.reason
    if annotation.rating:
        out["rating"] = annotation.rating
    if annotation.read != "unread":
        out["read"] = annotation.read
    if annotation.note:
        out["note"] = annotation.note
    return out
