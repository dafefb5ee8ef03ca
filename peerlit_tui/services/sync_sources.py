"""The imported files a library keeps for sync, and importing other machines' files.

Records travel between machines as the export files they were imported from. Every
import keeps a copy of each file it read in the sync folder, under a name made of
its SHA-256 (`sources/<sha256><suffixes>`), and appends one line per file to this
machine's manifest (`imports/<machine>.jsonl`): the original path (which the
records' provenance names), the format used, `--source`, `--map`, the import time
and the order. Identical files from two machines are one file in git.

A library that syncs imports every other machine's files it does not hold yet,
in the order they were imported (time, machine, number), each import with the same
options and the same provenance, so the records get the same ids and the PRISMA
counts agree. Screening labels and restored annotations are not applied again:
they travel as annotation changes.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from peerlit_tui.importers.column_map import current_map, mapped_columns
from peerlit_tui.importers.pipeline import read_file
from peerlit_tui.storage.sync_files import append_lines, copy_into, encode_line, read_lines

if TYPE_CHECKING:
    from peerlit_tui.importers.pipeline import FileResult
    from peerlit_tui.services.library import Library

#: Folders of a library: the sync work tree, and what stays on this machine.
SYNC_DIR: Final = "sync"
LOCAL_DIR: Final = "sync-local"
SOURCES: Final = "sources"
IMPORTS: Final = "imports"
_MACHINE_FILE: Final = "machine"
_IMPORTS_LOCK: Final = "imports.lock"


def _read_machine(path: Path) -> str:
    """The id recorded in `path` if the file is the one it was written as, else ""."""
    try:
        with open(path, encoding="utf-8") as f:
            words = f.read().split()
            ino = os.fstat(f.fileno()).st_ino
    except FileNotFoundError:
        return ""
    # A copied library folder holds a copy of this file: another inode. The copy
    # then gets an id of its own, so two machines never write the same files.
    if len(words) == 2 and words[1] == str(ino):
        return words[0]
    return ""


def machine_id(folder: Path) -> str:
    """This library copy's id in the sync folder (made once, kept in `sync-local/`).

    The id names this machine's files: random, so two machines never share one; a
    copy of the library folder (found by the file's inode) gets a new one.
    """
    local = folder / LOCAL_DIR
    path = local / _MACHINE_FILE
    found = _read_machine(path)
    if found:
        return found
    local.mkdir(parents=True, exist_ok=True)
    temp = local / f".{_MACHINE_FILE}.{os.getpid()}.tmp"
    with open(temp, "w", encoding="utf-8") as f:
        f.write(f"{os.urandom(4).hex()} {os.fstat(f.fileno()).st_ino}\n")
        f.flush()
        os.fsync(f.fileno())
    try:
        if path.exists():
            os.replace(temp, path)  # a copied folder's file: replaced by this copy's own
        else:
            os.link(temp, path)  # fails when another process made the id first
    except FileExistsError:
        pass
    finally:
        temp.unlink(missing_ok=True)
    return _read_machine(path) or machine_id(folder)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _suffixes(path: Path) -> str:
    clean = "".join(s for s in path.suffixes[-2:] if s[1:].isalnum() and len(s) <= 6)
    return clean.lower()


@contextmanager
def _imports_lock(folder: Path) -> Iterator[None]:
    local = folder / LOCAL_DIR
    local.mkdir(parents=True, exist_ok=True)
    fd = os.open(local / _IMPORTS_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def import_key(item: dict[str, Any]) -> str:
    """What makes two imports of one file the same import (content and options)."""
    options = [item.get("sha256"), item.get("format"), item.get("database"), item.get("map")]
    return json.dumps(options, sort_keys=True)


def keep_sources(
    folder: Path, results: Sequence[FileResult], database: str | None, imported_at: str
) -> None:
    """Keep a copy of the files an import read, for sync (`Library.import_files` calls it).

    Files that could not be read are left out. The import is done by then: a copy
    that cannot be made (a full disk) is left out too, and sync says nothing of it.
    """
    try:
        _keep(folder, results, database, imported_at)
    except OSError:
        pass


def _keep(
    folder: Path, results: Sequence[FileResult], database: str | None, imported_at: str
) -> None:
    readable = [r for r in results if r.error is None and r.records]
    if not readable:
        return
    tree = folder / SYNC_DIR
    machine = machine_id(folder)
    mapping = dict(current_map())
    with _imports_lock(folder):
        manifest = tree / IMPORTS / f"{machine}.jsonl"
        items, _, _ = read_lines(manifest)
        n = len(items)
        lines: list[bytes] = []
        for result in readable:
            sha = _sha256(result.path)
            name = f"{sha}{_suffixes(result.path)}"
            copy_into(result.path, tree / SOURCES / name)
            n += 1
            origin = result.records[0].sources[0].file if result.records[0].sources else ""
            lines.append(encode_line({
                "n": n, "sha256": sha, "file": f"{SOURCES}/{name}",
                "path": origin or str(result.path), "name": result.path.name,
                "format": result.format, "database": database, "map": mapping,
                "imported_at": imported_at, "machine": machine,
            }))  # fmt: skip
        append_lines(manifest, lines)


def manifest_items(tree: Path) -> dict[str, list[dict[str, Any]]]:
    """Every machine's manifest lines, by machine id."""
    out: dict[str, list[dict[str, Any]]] = {}
    folder = tree / IMPORTS
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.jsonl")):
        items, _, _ = read_lines(path)
        out[path.stem] = [item for item, _ in items]
    return out


def _valid(item: dict[str, Any], tree: Path) -> Path | None:
    file, sha = item.get("file"), item.get("sha256")
    if not isinstance(file, str) or not isinstance(sha, str) or len(sha) != 64:
        return None
    path = (tree / file).resolve()
    if path.parent != (tree / SOURCES).resolve() or not path.name.startswith(sha):
        return None  # a manifest line naming a file outside sources/ is ignored
    return path if path.is_file() else None


def import_missing(
    library: Library, folder: Path, applied: set[str], warn: list[str]
) -> tuple[int, int]:
    """Import the files other machines imported that this library does not hold yet.

    Args:
        library: The open library.
        folder: The library folder.
        applied: Import keys already held here (updated as files are imported).
        warn: Receives a message per file that could not be imported.

    Returns:
        (files imported, records added).
    """
    tree = folder / SYNC_DIR
    everything = manifest_items(tree)
    machine = machine_id(folder)
    held = applied | {import_key(i) for i in everything.get(machine, [])}
    pending = [
        item
        for owner, items in everything.items()
        if owner != machine
        for item in items
        if import_key(item) not in held
    ]
    pending.sort(key=lambda i: (str(i.get("imported_at")), str(i.get("machine")),
                                i.get("n") if isinstance(i.get("n"), int) else 0))  # fmt: skip
    files = added = 0
    batch: list[tuple[dict[str, Any], Path]] = []
    for item in pending:
        key = import_key(item)
        if key in held:
            continue  # the same file listed twice
        path = _valid(item, tree)
        if path is None or _sha256(path) != item["sha256"]:
            warn.append(f"{item.get('name', '?')}: its copy in the sync folder is missing or "
                        "damaged; it is imported once a later sync brings it")  # fmt: skip
            continue
        held.add(key)
        if batch and _import_of(batch[-1][0]) != _import_of(item):
            added += _store(library, batch, applied)
            files += len(batch)
            batch = []
        batch.append((item, path))
    if batch:
        added += _store(library, batch, applied)
        files += len(batch)
    return files, added


def _import_of(item: dict[str, Any]) -> tuple[str, str]:
    return str(item.get("imported_at")), str(item.get("machine"))


def _store(library: Library, batch: list[tuple[dict[str, Any], Path]], applied: set[str]) -> int:
    """Import one original import's files in one transaction, as they were imported."""
    imported_at = str(batch[0][0].get("imported_at") or "")
    results = []
    for item, path in batch:
        mapping = item.get("map") if isinstance(item.get("map"), dict) else None
        database = item.get("database") if isinstance(item.get("database"), str) else None
        fmt = item.get("format") if isinstance(item.get("format"), str) else None
        with mapped_columns(mapping):
            result = read_file(path, format_name=fmt, database=database, imported_at=imported_at)
        original = str(item.get("path") or path)
        for record in result.records:
            record.sources = [replace(s, file=original) for s in record.sources]
        results.append(result)
    summary = library.store_results(results, imported_at)
    for item, _ in batch:
        applied.add(import_key(item))
    return sum(f.added for f in summary.files)
