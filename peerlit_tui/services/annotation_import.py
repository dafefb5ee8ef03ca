"""Restoring annotations carried by a peerlit export when it is imported again.

An export names each record by its peerlit id and carries its tags, decision,
reason, rating, read status and note (see `peerlit_tui.exporters.markers`). After
`Library.import_files` has read such a file, `read_annotations` reads those values
from the file itself, and `restore_annotations` applies them in one transaction,
so one undo takes the whole restore back.

The file is read again rather than taken from the imported records because
importers keep only what a record is (a BibTeX importer drops fields it does not
know, text is re-flowed on the way in), while a note must come back exactly as
written. Reading is cheap and only happens for files holding peerlit's markers.

Nothing the user already has is overwritten: a field is restored only when it is
empty in this library (tags are added to the record's tags), and every
disagreement is reported as a conflict.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peerlit_tui.annotation import EXCLUDE, Annotation
from peerlit_tui.exporters.markers import (
    ANNOTATION_FIELDS,
    BIBTEX_FIELDS,
    CSL_CUSTOM_KEY,
    FoundAnnotation,
    Reading,
    found_annotation,
    latex_unescape,
    parse_ris_note,
    unprotect_cell,
)
from peerlit_tui.importers.base import SourceFile
from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.storage.annotation_index import REASONS_FIELD, AnnotationIndex
from peerlit_tui.storage.annotations import Edit
from peerlit_tui.text import fold

_RIS_LINE = re.compile(r"^(TY|ER|ID|N1)[ \t]{1,2}-[ \t]?(.*)$", re.MULTILINE)
_BIBTEX_ID = re.compile(re.escape(BIBTEX_FIELDS["id"]), re.IGNORECASE)
_ENTRY_START = re.compile(r"^[ \t]*@", re.MULTILINE)
_BIBTEX_ANNOTATED = re.compile(
    r"^\s*(?:peerlit-(?:decision|reason|rating|read|tags)|note)\s*=", re.MULTILINE | re.IGNORECASE
)


def read_ris(text: str) -> Reading:
    """Annotations in a RIS file: `N1  - peerlit …` lines, the record named by its ID."""
    reading = Reading()
    if "peerlit " not in text:
        return reading
    start, ris_id, marker_id = 0, "", ""
    values: dict[str, object] = {}

    def flush() -> None:
        record_id = marker_id or ris_id
        if values and record_id:
            found = found_annotation(record_id, f"line {start}", values, reading.problems)
            if found is not None:
                reading.found.append(found)
        elif values:
            reading.problems.append(f"line {start}: annotations without a record id ignored")

    # Only the TY, ER, ID and N1 lines matter; the regex finds them without a
    # Python-level pass over every line, and line numbers are counted between them.
    line, counted = 1, 0
    for matched in _RIS_LINE.finditer(text):
        tag, value = matched.groups()
        if tag in ("TY", "ER"):
            flush()
            line += text.count("\n", counted, matched.start())
            counted = matched.start()
            start, ris_id, marker_id, values = line, "", "", {}
        elif tag == "ID":
            ris_id = ris_id or value.strip()
        else:
            parsed = parse_ris_note(value)
            if parsed is not None and parsed[0] == "id":
                marker_id = parsed[1]
            elif parsed is not None:
                values[parsed[0]] = parsed[1]
    flush()
    return reading


def _bibtex_value(raw: str) -> str:
    value = raw.strip()
    if len(value) >= 2 and value[0] + value[-1] in ("{}", '""'):
        value = value[1:-1]
    return latex_unescape(value)


def read_bibtex(text: str) -> Reading:
    """Annotations in a BibTeX file: entries with a `peerlit-id` field.

    Only entries holding an annotation field are handed to bibtexparser (an export
    names every record, but few are annotated): entries start at an "@" opening a
    line, which the export never lets a value do.
    """
    reading = Reading()
    if _BIBTEX_ID.search(text) is None:
        return reading
    from bibtexparser.entrypoint import parse_string
    from bibtexparser.model import Entry

    log = logging.getLogger("bibtexparser")
    if not log.handlers:  # its warnings would land on stderr; the importer reports them
        log.addHandler(logging.NullHandler())
    names = {v: k for k, v in BIBTEX_FIELDS.items()}
    starts = [m.start() for m in _ENTRY_START.finditer(text)] + [len(text)]
    line, counted = 1, 0
    for begin, end in itertools.pairwise(starts):
        chunk = text[begin:end]
        if not _BIBTEX_ANNOTATED.search(chunk):
            continue
        line += text.count("\n", counted, begin)
        counted = begin
        for block in parse_string(chunk, parse_stack=[]).blocks:
            if not isinstance(block, Entry):
                continue
            values: dict[str, object] = {}
            for item in block.fields:
                name = names.get(item.key.lower())
                if name is not None:
                    values[name] = _bibtex_value(item.value)
            record_id = str(values.pop("id", ""))
            if record_id:
                where = f"line {line + (block.start_line or 0)}"
                found = found_annotation(record_id, where, values, reading.problems)
                if found is not None:
                    reading.found.append(found)
    return reading


def read_csv(text: str) -> Reading:
    """Annotations in a CSV file with peerlit's `id`, `tags` and `decision` columns."""
    reading = Reading()
    text = text.removeprefix("\ufeff")
    end = text.find("\n")
    header_line = text[: end if end >= 0 else len(text)]
    delimiter = max(",;\t", key=header_line.count)
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(rows, [])]
    if not {"id", "tags", "decision"} <= set(header):
        return reading
    columns = {name: header.index(name) for name in ("id", *ANNOTATION_FIELDS) if name in header}
    for cells in rows:
        if len(cells) <= columns["id"]:
            continue
        values: dict[str, object] = {}
        for name, index in columns.items():
            if index < len(cells) and cells[index].strip():
                values[name] = unprotect_cell(cells[index])
        record_id = str(values.pop("id", "")).strip()
        if record_id:
            where = f"line {rows.line_num}"
            found = found_annotation(record_id, where, values, reading.problems)
            if found is not None:
                reading.found.append(found)
    return reading


def read_csljson(text: str) -> Reading:
    """Annotations in a CSL-JSON file: `custom.peerlit` of each item.

    The record is named by `custom.peerlit.id`, or by the item `id` in files
    written before the item id became the citation key.
    """
    reading = Reading()
    if f'"{CSL_CUSTOM_KEY}"' not in text:
        return reading
    try:
        data = json.loads(text)
    except ValueError:
        return reading  # the importer has reported the file as unreadable
    items = data.get("items") if isinstance(data, dict) else data
    if isinstance(data, dict) and not isinstance(items, list):
        items = [data]
    for number, item in enumerate(items if isinstance(items, list) else [], 1):
        custom = item.get("custom") if isinstance(item, dict) else None
        values = custom.get(CSL_CUSTOM_KEY) if isinstance(custom, dict) else None
        record_id = item.get("id") if isinstance(item, dict) else None
        if isinstance(values, dict) and isinstance(values.get("id"), str):
            record_id = values["id"]
        if isinstance(values, dict) and isinstance(record_id, str) and record_id:
            found = found_annotation(record_id, f"item {number}", values, reading.problems)
            if found is not None:
                reading.found.append(found)
    return reading


#: Importer format name -> reader of peerlit's annotation markers in that format.
READERS: dict[str, Callable[[str], Reading]] = {
    "ris": read_ris,
    "bibtex": read_bibtex,
    "csv_tsv": read_csv,
    "csljson": read_csljson,
}


def read_annotations(files: Iterable[tuple[Path, str]]) -> Reading:
    """Read peerlit's annotations from imported files.

    Args:
        files: (path, importer format name) of each file that was imported.

    Returns:
        Everything found, in file order, with the values that had to be ignored.
    """
    total = Reading()
    for path, format_name in files:
        reader = READERS.get(format_name)
        if reader is None:
            continue
        try:
            text = SourceFile.read(path).text
        except (OSError, EOFError, ValueError) as exc:
            total.problems.append(f"{path}: annotations not read: {exc}")
            continue
        reading = reader(text)
        total.found.extend(reading.found)
        total.problems.extend(f"{path.name}: {p}" for p in reading.problems)
    return total


@dataclass(slots=True)
class RestoreSummary:
    """What restoring annotations did.

    Attributes:
        found: Records the files held annotations for.
        restored: Records whose annotation changed.
        conflicts: Fields the file and the library disagree on; the library's value
            was kept. Each is {"id", "field", "library", "file"}.
        unmatched: Ids the files name that are not in the library.
        reasons_added: Exclusion reasons added to the project's list.
        problems: Values that were ignored, and why.
    """

    found: int = 0
    restored: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    reasons_added: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape (the "annotations" key of `peerlit import --json`)."""
        return {
            "found": self.found,
            "restored": self.restored,
            "conflicts": self.conflicts,
            "unmatched": self.unmatched,
            "reasons_added": self.reasons_added,
            "problems": self.problems,
        }


def restore_annotations(
    reading: Reading,
    service: AnnotationService,
    exists: Callable[[str], bool],
    *,
    label: str = "",
) -> RestoreSummary:
    """Apply annotations read from files, as one transaction (one undo step).

    Args:
        reading: What `read_annotations` found.
        service: The library's annotations.
        exists: Tells whether a record id is in the library.
        label: The undo step's name (default: "restore annotations of N imported records").

    Returns:
        The summary; nothing is written when nothing would change.
    """
    summary = RestoreSummary(problems=list(reading.problems))
    wanted: dict[str, FoundAnnotation] = {}
    seen: set[str] = set()
    for found in reading.found:
        if found.record_id in seen:
            summary.problems.append(f"{found.where}: {found.record_id} appears twice; first kept")
            continue
        seen.add(found.record_id)
        if exists(found.record_id):
            wanted[found.record_id] = found
        else:
            summary.unmatched.append(found.record_id)
    summary.found = len(seen)
    if not wanted:
        return summary

    def build(index: AnnotationIndex) -> list[Edit]:
        summary.conflicts, summary.reasons_added = [], []
        reasons = list(index.reasons)
        edits: list[Edit] = []
        changed: set[str] = set()
        for found in wanted.values():
            current = index.by_id.get(found.record_id) or Annotation(found.record_id)
            for edit in _merge(index, current, found, reasons, summary):
                edits.append(edit)
                changed.add(found.record_id)
        if summary.reasons_added:
            edits.insert(0, Edit(None, REASONS_FIELD, tuple(reasons)))
        summary.restored = len(changed)
        return edits

    label = label or f"restore annotations of {len(wanted)} imported records"
    if service.store.transact(label, build) is None:
        summary.restored = 0
    return summary


def _merge(
    index: AnnotationIndex,
    current: Annotation,
    found: FoundAnnotation,
    reasons: list[str],
    summary: RestoreSummary,
) -> list[Edit]:
    """The edits restoring one record, filling only fields that are empty here."""
    rid = found.record_id
    edits: list[Edit] = []

    def conflict(name: str, mine: object, theirs: object) -> None:
        summary.conflicts.append({"id": rid, "field": name, "library": mine, "file": theirs})

    if found.tags:
        keys = {index.key(t) for t in current.tags}
        tags = list(current.tags)
        for tag in found.tags:
            key = index.key(tag)
            if key not in keys:
                keys.add(key)
                tags.append(index.display(key) or tag)
        if len(tags) > len(current.tags):
            edits.append(Edit(rid, "tags", tuple(tags)))
    for name, blank in (("note", ""), ("rating", 0), ("read", "unread")):
        theirs, mine = getattr(found, name), getattr(current, name)
        if theirs == blank or theirs == mine:
            continue
        if mine == blank:
            edits.append(Edit(rid, name, theirs))
        else:
            conflict(name, mine, theirs)
    if found.decision == "undecided":
        return edits
    if current.decision == "undecided":
        edits.append(Edit(rid, "decision", found.decision))
        if found.reason:
            edits.append(Edit(rid, "reason", _known_reason(found.reason, reasons, summary)))
    elif current.decision != found.decision:
        conflict("decision", current.decision, found.decision)
    elif found.decision == EXCLUDE and found.reason and fold(found.reason) != fold(current.reason):
        if current.reason:
            conflict("reason", current.reason, found.reason)
        else:
            edits.append(Edit(rid, "reason", _known_reason(found.reason, reasons, summary)))
    return edits


def _known_reason(reason: str, reasons: list[str], summary: RestoreSummary) -> str:
    """The project's spelling of a reason, adding it to the list when it is new."""
    for known in reasons:
        if fold(known) == fold(reason):
            return known
    reasons.append(reason)
    summary.reasons_added.append(reason)
    return reason
