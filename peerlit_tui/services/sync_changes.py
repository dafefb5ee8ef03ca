"""Annotation changes across machines: export this machine's, apply the others'.

Each transaction made here is exported once, as one JSON line in
`changes/<reviewer>@<machine>.jsonl` (only this machine writes its files):

    {"id": "3fa2c01d:9f1c2a7be0d4", "ts": "2024-08-22T10:15:03.512Z",
     "at": "2024-08-22T10:15:03.512Z", "reviewer": "alice", "action": "edit",
     "label": "decide include for 10.1108/x",
     "changes": [{"id": "10.1108/x", "field": "decision", "reviewer": "alice",
                  "old": "undecided", "new": "include"}]}

`id` is the machine id and the journal's transaction id, unique across machines.
`ts` orders changes: every field (per reviewer for decisions and reasons, per tag
for tags) takes the value of its newest change by (`ts`, `id`), so machines that
applied the same changes in any order hold the same values. A change made here
after a newer one arrived gets a `ts` just after it (`at` keeps the time it was
made), so it wins as it did here. Transactions applied from other machines are
marked in the journal (`storage.sync_journal`) and never exported back.

Everything here runs under the store's lock, inside a `transact` build function.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from peerlit_tui.annotation import (
    tag_key,
    validate_decision,
    validate_note,
    validate_rating,
    validate_read_status,
    validate_reason,
    validate_record_id,
    validate_tag,
)
from peerlit_tui.screening_decisions import RESOLUTION, validate_reviewer
from peerlit_tui.services.sync_settings import EPOCH
from peerlit_tui.storage.annotation_history import Edit
from peerlit_tui.storage.annotation_index import REASONS_FIELD, normalise_value, to_jsonable
from peerlit_tui.storage.annotation_team import TEAM_FIELDS
from peerlit_tui.storage.sync_files import append_lines, encode_line, read_lines
from peerlit_tui.storage.sync_journal import is_synced, local_entries

if TYPE_CHECKING:
    from peerlit_tui.services.annotations import AnnotationService
    from peerlit_tui.storage.annotation_index import AnnotationIndex
    from peerlit_tui.storage.journal import Entry

CHANGES: Final = "changes"
#: The label of the default reasons a new library starts with (`services.project`).
_DEFAULT_REASONS_LABEL: Final = "default exclusion reasons"
_FIELDS: Final = frozenset({"tags", "note", "rating", "read", "decision", "reason"})

Stamp = list[str]  # [ts, id]


def bump(ts: str) -> str:
    """A time one millisecond after `ts` (same ISO 8601 UTC form)."""
    try:
        when = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    except ValueError:
        return ts + "+"
    later = when + timedelta(milliseconds=1)
    return later.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def stamp_key(record_id: str | None, field: str, part: str = "") -> str:
    """The key of one field (of one reviewer, or one tag) in the stamp table."""
    return f"{record_id or ''}\x00{field}\x00{part}"


def _tag_keys(value: Any) -> dict[str, str]:
    tags = value if isinstance(value, list | tuple) else []
    return {tag_key(t): t for t in tags if isinstance(t, str)}


def change_keys(change: dict[str, Any]) -> list[str]:
    """The stamp keys an exported change writes (one per tag added or removed for tags)."""
    field, rid = change.get("field"), change.get("id")
    if field == "tags":
        old, new = _tag_keys(change.get("old")), _tag_keys(change.get("new"))
        return [stamp_key(rid, "tag", k) for k in sorted(old.keys() ^ new.keys())]
    return [stamp_key(rid, str(field), str(change.get("reviewer") or ""))]


def _clean(field: str, value: Any) -> Any:
    """Check a value from another machine as if typed here (control characters, lengths).

    Raises:
        ValueError: For a value this library would not accept.
    """
    if field in ("tags", REASONS_FIELD):
        items = value if isinstance(value, list) else None
        if items is None:
            raise ValueError(f"{field} must be a list")
        check = validate_tag if field == "tags" else validate_reason
        return normalise_value(field, [check(v) for v in items])
    checks = {"note": validate_note, "rating": validate_rating, "read": validate_read_status,
              "decision": validate_decision}  # fmt: skip
    if field in checks:
        value = checks[field](value)
    elif field == "reason" and value:
        value = validate_reason(value)
    return normalise_value(field, value)


def own_file(tree: Path, reviewer: str, machine: str) -> Path:
    """This machine's changes file of one reviewer."""
    return tree / CHANGES / f"{reviewer}@{machine}.jsonl"


class Exporter:
    """Exports this machine's new transactions to its changes files.

    Args:
        service: The open annotations.
        tree: The sync folder.
        machine: This machine's id.
        state: The sync state (`cursor`, `exported`, `stamps`); updated in place,
            to be saved by the caller once `export` returned.
    """

    def __init__(
        self, service: AnnotationService, tree: Path, machine: str, state: dict[str, Any]
    ) -> None:
        self.service = service
        self.tree = tree
        self.machine = machine
        self.state = state
        self.stamps: dict[str, Stamp] = state.setdefault("stamps", {})

    def export(self) -> int:
        """Append the new local transactions to the changes files (fsynced); how many."""
        old = self.state.get("cursor") or {}
        entries, cursor = local_entries(self.service.store, old)
        sizes: dict[str, int] = self.state.setdefault("exported", {})
        done = self._recover(sizes, full=bool(old) and any(
            old.get(k, {}).get("journal") != v["journal"] for k, v in cursor.items()))  # fmt: skip
        lines: dict[str, list[bytes]] = {}
        for entry in entries:
            if is_synced(entry) or not isinstance(entry.get("txn"), str):
                continue
            gid = f"{self.machine}:{entry['txn']}"
            if gid in done:
                continue
            item = self._item(entry, gid)
            if item is not None:
                done.add(gid)
                lines.setdefault(item["reviewer"], []).append(encode_line(item))
        for reviewer, batch in lines.items():
            path = own_file(self.tree, reviewer, self.machine)
            sizes[path.name] = append_lines(path, batch)
        self.state["cursor"] = cursor
        return sum(len(b) for b in lines.values())

    def _recover(self, sizes: dict[str, int], *, full: bool) -> set[str]:
        """Ids exported but not yet recorded (a kill between the write and the state save).

        With `full` (the journal was replaced), every id ever exported.
        """
        done: set[str] = set()
        folder = self.tree / CHANGES
        for path in folder.glob(f"*@{self.machine}.jsonl") if folder.is_dir() else []:
            start = 0 if full else sizes.get(path.name, 0)
            items, end, _ = read_lines(path, start)
            for item, _ in items:
                gid = item.get("id")
                if isinstance(gid, str):
                    done.add(gid)
                    if start == sizes.get(path.name, 0):  # unrecorded: its stamps too
                        self._stamp(item)
            sizes[path.name] = end
        return done

    def _stamp(self, item: dict[str, Any]) -> None:
        for change in item.get("changes") or []:
            if isinstance(change, dict):
                for key in change_keys(change):
                    self.stamps[key] = [str(item.get("ts")), str(item.get("id"))]

    def _name(self, key: Any) -> str:
        return key if isinstance(key, str) and key else self.service.earlier_reviewer

    def _item(self, entry: Entry, gid: str) -> dict[str, Any] | None:
        changes: list[dict[str, Any]] = []
        for c in entry.get("changes") or []:
            if not isinstance(c, dict) or not isinstance(c.get("field"), str):
                continue
            out: dict[str, Any] = {"id": c.get("id"), "field": c["field"]}
            if c["field"] in TEAM_FIELDS:
                out["reviewer"] = self._name(c.get("reviewer"))
            out["old"], out["new"] = c.get("old"), c.get("new")
            changes.append(out)
        if not changes:
            return None
        at = str(entry.get("ts") or EPOCH)
        ts = EPOCH if entry.get("label") == _DEFAULT_REASONS_LABEL else at
        keys = [k for c in changes for k in change_keys(c)]
        newest = max((self.stamps[k] for k in keys if k in self.stamps), default=None)
        if newest is not None and (newest[0], newest[1]) >= (ts, gid):
            ts = bump(newest[0])  # made here after a newer change arrived: it wins
        for key in keys:
            self.stamps[key] = [ts, gid]
        return {"id": gid, "ts": ts, "at": at, "reviewer": self._name(entry.get("reviewer")),
                "action": str(entry.get("action") or "edit"),
                "label": str(entry.get("label") or ""), "changes": changes}  # fmt: skip


class Planner:
    """Turns other machines' transactions into the edits that make them win here.

    Args:
        service: The open annotations.
        stamps: The stamp table (read; the planned stamps go to `planned`).
        warn: Receives a message per change that cannot be applied.
    """

    def __init__(
        self, service: AnnotationService, stamps: dict[str, Stamp], warn: list[str]
    ) -> None:
        self.service = service
        self.stamps = stamps
        self.planned: dict[str, Stamp] = {}
        self.warn = warn

    def _newer(self, key: str, stamp: Stamp) -> bool:
        seen = self.planned.get(key) or self.stamps.get(key)
        if seen is None or (stamp[0], stamp[1]) > (seen[0], seen[1]):
            self.planned[key] = stamp
            return True
        return False

    def _key_of(self, name: str) -> str:
        if name == RESOLUTION:
            return RESOLUTION
        return "" if name == self.service.earlier_reviewer else validate_reviewer(name)

    def edits(self, index: AnnotationIndex, txns: list[dict[str, Any]]) -> list[Edit]:
        """The edits to make for `txns` (in file order) against the current state."""
        out: list[Edit] = []
        tags: dict[str, list[str]] = {}
        for txn in txns:
            stamp = [str(txn.get("ts") or EPOCH), str(txn.get("id") or "")]
            for change in txn.get("changes") or []:
                if not isinstance(change, dict):
                    continue
                try:
                    edit = self._edit(index, change, stamp, tags)
                except ValueError as exc:
                    self.warn.append(f"change {txn.get('id')} skipped: {exc}")
                    continue
                if edit is not None:
                    out.append(edit)
        out.extend(Edit(rid, "tags", tuple(value)) for rid, value in tags.items())
        return out

    def _edit(
        self,
        index: AnnotationIndex,
        change: dict[str, Any],
        stamp: Stamp,
        tags: dict[str, list[str]],
    ) -> Edit | None:
        field, rid = change.get("field"), change.get("id")
        if rid is None and field == REASONS_FIELD:
            value = _clean(REASONS_FIELD, change.get("new"))
            return Edit(None, REASONS_FIELD, value) if self._newer(
                stamp_key(None, REASONS_FIELD), stamp) else None  # fmt: skip
        if field not in _FIELDS or not isinstance(rid, str):
            raise ValueError(f"unknown field {field!r}")
        rid = validate_record_id(rid)
        if field == "tags":
            self._tags(index, rid, change, stamp, tags)
            return None
        value = _clean(field, change.get("new"))
        name = str(change.get("reviewer") or "") if field in TEAM_FIELDS else ""
        if field in TEAM_FIELDS and not name:
            raise ValueError("a decision without its reviewer")
        if not self._newer(stamp_key(rid, field, name), stamp):
            return None
        return Edit(rid, field, value, self._key_of(name) if name else None)

    def _tags(
        self,
        index: AnnotationIndex,
        rid: str,
        change: dict[str, Any],
        stamp: Stamp,
        tags: dict[str, list[str]],
    ) -> None:
        old, new = _tag_keys(change.get("old")), _tag_keys(change.get("new"))
        _clean("tags", list(new.values()))  # refuse invalid tags before any change
        current = tags.get(rid)
        if current is None:
            current = list(to_jsonable(index.current(rid, "tags")))
        before = list(current)
        for key in sorted(old.keys() ^ new.keys()):
            if not self._newer(stamp_key(rid, "tag", key), stamp):
                continue
            present = any(tag_key(t) == key for t in current)
            if key in new and not present:
                current.append(new[key])
            elif key not in new and present:
                current = [t for t in current if tag_key(t) != key]
        if current != before or rid in tags:
            tags[rid] = current
