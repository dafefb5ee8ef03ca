"""Project settings across machines: each machine's file, newest value wins per setting.

What travels: every key of `project.json` (criteria, highlighting words, saved
searches) and the blind mode. Each machine writes only `settings/<machine>.json`:
per setting, its value and when this machine set it. Merging takes, per setting,
the value with the newest (time, machine) of all machines' files, so every
machine ends with the same settings whatever order they sync in. A value a
library held before it first synced counts as the oldest possible, so joining a
team never overrides the team's settings with one's own defaults. The exclusion
reasons are not here: they live in the annotations and travel as changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from peerlit_tui.storage.annotation_team import read_team_settings, update_team_settings
from peerlit_tui.storage.journal import utc_now
from peerlit_tui.storage.project_file import ProjectFile, ProjectFileError
from peerlit_tui.storage.sync_files import read_json, write_json

#: Time of values a library held before its first sync: older than any change.
EPOCH: Final = "1970-01-01T00:00:00.000Z"
SETTINGS: Final = "settings"
#: The team setting that travels ("earlier", the name of old decisions, stays local).
BLIND: Final = "blind"
_SKIP: Final = frozenset({"format"})

Stamped = dict[str, Any]  # {"ts", "by", "value"}


def _local_values(folder: Path) -> dict[str, Any]:
    try:
        data, _ = ProjectFile(folder).read()
    except ProjectFileError:
        data = None
    values = {k: v for k, v in (data or {}).items() if k not in _SKIP}
    blind = read_team_settings(folder).get(BLIND)
    if blind:
        values[f"@{BLIND}"] = blind
    return values


def export_settings(
    folder: Path,
    tree: Path,
    machine: str,
    known: dict[str, Stamped],
    *,
    first: bool,
    joining: bool = False,
) -> int:
    """Write this machine's changed settings to its settings file.

    Args:
        folder: The library folder.
        tree: The sync folder.
        machine: This machine's id.
        known: Per setting, the value last agreed here (updated in place).
        first: This library's first sync: its values count as the oldest.
        joining: The first sync of a library that imported nothing itself (it joins
            a team): its values (defaults) are not sent; the team's replace them.

    Returns:
        How many settings changed.
    """
    changed = 0
    now = utc_now()
    for key, value in _local_values(folder).items():
        seen = known.get(key)
        if seen is not None and seen.get("value") == value:
            continue
        if first and joining:
            known[key] = {"ts": EPOCH, "by": "", "value": value}  # loses to any team value
            continue
        known[key] = {"ts": EPOCH if first else now, "by": machine, "value": value}
        changed += 1
    own = tree / SETTINGS / f"{machine}.json"
    mine = {k: v for k, v in known.items() if v.get("by") == machine}
    current = read_json(own)
    if changed or current is None or current.get("settings") != mine:
        write_json(own, {"machine": machine, "settings": mine})
    return changed


def _newer(a: Stamped, b: Stamped | None) -> bool:
    if b is None:
        return True
    return (str(a.get("ts")), str(a.get("by"))) > (str(b.get("ts")), str(b.get("by")))


def merge_settings(folder: Path, tree: Path, machine: str, known: dict[str, Stamped]) -> int:
    """Take the other machines' newer settings into this library.

    Returns:
        How many settings changed here.
    """
    winners: dict[str, Stamped] = {}
    folder_of = tree / SETTINGS
    for path in sorted(folder_of.glob("*.json")) if folder_of.is_dir() else []:
        if path.stem == machine:
            continue
        data = read_json(path)
        items = data.get("settings") if data else None
        if not isinstance(items, dict):
            continue
        for key, item in items.items():
            if isinstance(key, str) and isinstance(item, dict) and "value" in item:
                stamped = {"ts": str(item.get("ts", EPOCH)), "by": path.stem,
                           "value": item["value"]}  # fmt: skip
                if _newer(stamped, winners.get(key)):
                    winners[key] = stamped
    take = {k: v for k, v in winners.items() if _newer(v, known.get(k))}
    if not take:
        return 0
    project = {k: v["value"] for k, v in take.items() if not k.startswith("@")}
    if project:

        def change(doc: dict[str, Any] | None) -> dict[str, Any]:
            new = dict(doc or {"format": 1})
            new.update(project)
            return new

        ProjectFile(folder).update(change)
    blind = take.get(f"@{BLIND}")
    if blind is not None and blind["value"] in ("auto", "on", "off"):
        update_team_settings(folder, blind=str(blind["value"]))
    known.update(take)
    return len(take)
