from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tinydb import Query, TinyDB

from peerlit_tui.storage.annotations import (
    AnnotationStore,
    Edit,
    ReadOnlyStoreError,
    SnapshotStorage,
)
from peerlit_tui.storage.checkpoint_files import backup_paths
from peerlit_tui.storage.paths import (
    ANNOTATIONS_JOURNAL,
    ANNOTATIONS_JSON,
    ANNOTATIONS_LOCK,
    BACKUP_DIR,
)
from tests.annotations.helpers import journal_lines


def _open(folder: Path, **kwargs: object) -> AnnotationStore:
    kwargs.setdefault("sync", False)
    return AnnotationStore.open(folder, **kwargs)  # type: ignore[arg-type]


def _note(store: AnnotationStore, rid: str, text: str) -> None:
    store.transact(f"note {rid}", lambda _: [Edit(rid, "note", text)])


def test_open_creates_journal_with_header(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    with _open(folder) as store:
        assert len(store) == 0
        assert store.warnings == []
    header = journal_lines(folder)[0]
    assert header["seq"] == 0 and header["journal"] and header["format"] == 1
    assert (folder / ANNOTATIONS_LOCK).exists()
    # Nothing was annotated, so there was nothing to checkpoint.
    assert not (folder / ANNOTATIONS_JSON).exists()


def test_each_change_is_one_journal_line_with_old_and_new(tmp_path: Path) -> None:
    with _open(tmp_path) as store:
        txn = store.transact(
            "two fields", lambda _: [Edit("10.1/a", "rating", 3), Edit("10.1/a", "note", "hi")]
        )
        assert txn is not None and txn.record_ids == ("10.1/a",) and txn.changes == 2
        store.transact("again", lambda _: [Edit("10.1/a", "rating", 4)])
        entries = journal_lines(tmp_path)[1:]
        assert [e["seq"] for e in entries] == [1, 2]
        assert entries[0]["changes"] == [
            {"id": "10.1/a", "field": "rating", "old": 0, "new": 3},
            {"id": "10.1/a", "field": "note", "old": "", "new": "hi"},
        ]
        assert entries[1]["changes"][0]["old"] == 3
        assert entries[0]["txn"] != entries[1]["txn"] and entries[0]["ts"].endswith("Z")


def test_no_op_writes_nothing(tmp_path: Path) -> None:
    with _open(tmp_path) as store:
        store.transact("set", lambda _: [Edit("x", "rating", 2)])
        size = (tmp_path / ANNOTATIONS_JOURNAL).stat().st_size
        assert store.transact("same", lambda _: [Edit("x", "rating", 2)]) is None
        assert (tmp_path / ANNOTATIONS_JOURNAL).stat().st_size == size


def test_invalid_value_is_rejected_before_writing(tmp_path: Path) -> None:
    with _open(tmp_path) as store:
        with pytest.raises(ValueError, match="rating"):
            store.transact("bad", lambda _: [Edit("x", "rating", 9)])
        assert len(journal_lines(tmp_path)) == 1


def test_reopen_replays_journal_without_checkpoint(tmp_path: Path) -> None:
    store = _open(tmp_path)
    _note(store, "a", "one")
    _note(store, "b", "two")
    # Simulate a crash: no close, so no checkpoint.
    store._journal.close()
    with _open(tmp_path) as again:
        assert again.get("a").note == "one"  # type: ignore[union-attr]
        assert again.get("b").note == "two"  # type: ignore[union-attr]
        assert again.warnings == []


def test_torn_last_line_is_ignored_with_warning_and_not_glued(tmp_path: Path) -> None:
    store = _open(tmp_path)
    for i in range(5):
        _note(store, f"r{i}", f"note {i}")
    store._journal.close()
    journal = tmp_path / ANNOTATIONS_JOURNAL
    raw = journal.read_bytes()
    last_start = raw.rstrip(b"\n").rfind(b"\n") + 1
    # Kill mid-line: keep only part of the last entry.
    with open(journal, "r+b") as f:
        f.truncate(last_start + 25)
    with _open(tmp_path) as again:
        assert [again.get(f"r{i}").note for i in range(4)] == [  # type: ignore[union-attr]
            f"note {i}" for i in range(4)
        ]
        assert again.get("r4") is None
        assert any("incomplete" in w for w in again.warnings)
        _note(again, "r5", "after the tear")
    lines = journal.read_bytes().split(b"\n")
    assert all(json.loads(line) for line in lines if line)  # every line parses
    with _open(tmp_path) as third:
        assert third.get("r5").note == "after the tear"  # type: ignore[union-attr]
        assert third.warnings == []


def test_read_only_open_ignores_torn_line_without_touching_it(tmp_path: Path) -> None:
    store = _open(tmp_path)
    _note(store, "a", "kept")
    store._journal.close()
    journal = tmp_path / ANNOTATIONS_JOURNAL
    with open(journal, "ab") as f:
        f.write(b'{"seq":2,"txn":"x","ts"')
    size = journal.stat().st_size
    with _open(tmp_path, read_only=True) as ro:
        assert ro.get("a").note == "kept"  # type: ignore[union-attr]
        with pytest.raises(ReadOnlyStoreError):
            _note(ro, "b", "no")
    assert journal.stat().st_size == size


def test_unreadable_middle_line_is_skipped_with_warning(tmp_path: Path) -> None:
    store = _open(tmp_path)
    _note(store, "a", "one")
    store._journal.close()
    with open(tmp_path / ANNOTATIONS_JOURNAL, "ab") as f:
        f.write(b"garbage that is not json\n")
    store = _open(tmp_path)
    _note(store, "b", "two")
    store._journal.close()
    with _open(tmp_path) as again:
        assert again.get("a") is not None and again.get("b") is not None
        assert any("unreadable" in w for w in again.warnings)


def test_checkpoint_is_a_plain_tinydb_database(tmp_path: Path) -> None:
    with _open(tmp_path) as store:
        store.transact("tag", lambda _: [Edit("10.1/a", "tags", ("Peer", "Ünïcode"))])
        store.transact("reasons", lambda _: [Edit(None, "reasons", ("wrong population",))])
        store.transact("decide", lambda _: [Edit("b", "decision", "include")])
        assert store.checkpoint()
        offset, seq = store._journal.offset, store._journal.seq
    db = TinyDB(tmp_path / ANNOTATIONS_JSON, access_mode="r")
    try:
        docs = db.table("annotations").all()
        assert {d["record_id"] for d in docs} == {"10.1/a", "b"}
        found = db.table("annotations").search(Query().decision == "include")
        assert [d["record_id"] for d in found] == ["b"]
        assert db.table("annotations").search(Query().tags.any(["Ünïcode"]))
        meta = db.table("meta").all()[0]
        assert meta["journal_offset"] == offset and meta["journal_seq"] == seq
        assert [d["reason"] for d in db.table("reasons").all()] == ["wrong population"]
    finally:
        db.close()
    # The default storage in read-write mode opens and queries it too.
    db = TinyDB(tmp_path / ANNOTATIONS_JSON)
    assert len(db.table("annotations")) == 2
    db.close()
    assert (tmp_path / ANNOTATIONS_JSON).read_bytes().isascii()


def test_snapshot_storage_writes_atomically_for_plain_tinydb_use(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    db = TinyDB(path, storage=SnapshotStorage)
    db.insert({"a": 1})
    db.insert({"a": 2})
    assert len(db.search(Query().a == 2)) == 1
    db.close()
    assert json.loads(path.read_text())["_default"]["2"] == {"a": 2}
    assert [p.name for p in tmp_path.iterdir()] == ["db.json"]


def test_open_loads_checkpoint_then_replays_the_rest(tmp_path: Path) -> None:
    store = _open(tmp_path)
    _note(store, "a", "in checkpoint")
    store.checkpoint()
    _note(store, "b", "only in journal")
    _note(store, "a", "changed after checkpoint")
    store._journal.close()
    snapshot = json.loads((tmp_path / ANNOTATIONS_JSON).read_text())
    assert len(snapshot["annotations"]) == 1
    with _open(tmp_path) as again:
        assert again.get("a").note == "changed after checkpoint"  # type: ignore[union-attr]
        assert again.get("b").note == "only in journal"  # type: ignore[union-attr]
        assert again.pending() == 2


def test_background_checkpoint_after_n_entries_and_backups_rotate(tmp_path: Path) -> None:
    store = _open(tmp_path, checkpoint_every=3, backup_interval=0, keep_backups=2)
    for i in range(12):
        _note(store, f"r{i}", "x")
        store.wait_for_checkpoint()
    assert store.pending() < 3
    snapshot = json.loads((tmp_path / ANNOTATIONS_JSON).read_text())
    assert len(snapshot["annotations"]) >= 10
    backups = backup_paths(tmp_path)
    assert len(backups) == 2
    assert all(json.loads(p.read_text())["meta"] for p in backups)
    store.close()
    assert not list(tmp_path.glob(".annotations*.tmp"))


def test_backups_are_spaced_in_time(tmp_path: Path) -> None:
    with _open(tmp_path, backup_interval=3600) as store:
        for i in range(3):
            _note(store, "a", str(i))
            store.checkpoint()
    assert len(backup_paths(tmp_path)) == 1


def test_idle_checkpoints_only_when_something_is_pending(tmp_path: Path) -> None:
    with _open(tmp_path) as store:
        assert not store.idle()
        _note(store, "a", "x")
        assert store.idle()
        store.wait_for_checkpoint()
        assert store.pending() == 0
        assert not store.idle()
        assert (tmp_path / ANNOTATIONS_JSON).exists()


def test_stale_temp_files_are_removed_on_open(tmp_path: Path) -> None:
    with _open(tmp_path) as store:
        _note(store, "a", "x")
    (tmp_path / ".annotations.json.abc123.tmp").write_text('{"partial')
    (tmp_path / BACKUP_DIR).mkdir(exist_ok=True)
    (tmp_path / BACKUP_DIR / ".annotations-1.json.x.tmp").write_text("")
    with _open(tmp_path) as again:
        assert any("unfinished checkpoint" in w for w in again.warnings)
    assert not list(tmp_path.rglob("*.tmp"))


def test_unreadable_checkpoint_falls_back_to_backup_and_journal(tmp_path: Path) -> None:
    with _open(tmp_path, backup_interval=0) as store:
        _note(store, "a", "one")
        store.checkpoint()
        _note(store, "b", "two")
    (tmp_path / ANNOTATIONS_JSON).write_text('{"annotations": {"1": ')
    with _open(tmp_path) as again:
        assert again.get("a").note == "one"  # type: ignore[union-attr]
        assert again.get("b").note == "two"  # type: ignore[union-attr]
        assert any("unreadable" in w and "backup" in w for w in again.warnings)
    # Closing rewrote a good checkpoint.
    assert json.loads((tmp_path / ANNOTATIONS_JSON).read_text())["meta"]


def test_unreadable_checkpoint_without_backup_rebuilds_from_journal(tmp_path: Path) -> None:
    with _open(tmp_path, keep_backups=0) as store:
        _note(store, "a", "one")
    (tmp_path / ANNOTATIONS_JSON).write_bytes(b"\x00\x00\x00")
    with _open(tmp_path) as again:
        assert again.get("a").note == "one"  # type: ignore[union-attr]
        assert any("rebuilt from the journal" in w for w in again.warnings)


def test_missing_journal_keeps_the_checkpoint(tmp_path: Path) -> None:
    with _open(tmp_path) as store:
        _note(store, "a", "one")
    os.remove(tmp_path / ANNOTATIONS_JOURNAL)
    with _open(tmp_path) as again:
        assert again.get("a").note == "one"  # type: ignore[union-attr]
        assert any("is missing or empty" in w for w in again.warnings)
        _note(again, "b", "two")
    with _open(tmp_path) as third:
        assert third.get("a") is not None and third.get("b") is not None
        assert third.warnings == []


def test_refresh_picks_up_another_writer(tmp_path: Path) -> None:
    first = _open(tmp_path)
    second = _open(tmp_path)
    try:
        _note(first, "a", "from first")
        assert second.get("a") is None
        assert second.refresh()
        assert second.get("a").note == "from first"  # type: ignore[union-attr]
        assert not second.refresh()
        # A write catches up first, so the old value is the other's latest.
        _note(second, "a", "from second")
        change = journal_lines(tmp_path)[-1]["changes"][0]
        assert change["old"] == "from first"
        _note(first, "a", "first again")
        assert journal_lines(tmp_path)[-1]["changes"][0]["old"] == "from second"
    finally:
        first.close()
        second.close()


def test_closed_store_refuses_changes(tmp_path: Path) -> None:
    store = _open(tmp_path)
    store.close()
    store.close()
    with pytest.raises(ValueError, match="closed"):
        _note(store, "a", "x")


def test_blank_annotation_is_dropped(tmp_path: Path) -> None:
    with _open(tmp_path) as store:
        store.transact("r", lambda _: [Edit("a", "rating", 2)])
        assert len(store) == 1
        store.transact("r", lambda _: [Edit("a", "rating", 0)])
        assert len(store) == 0 and store.get("a") is None


def test_failed_checkpoint_is_reported_once_and_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import peerlit_tui.storage.annotations as module

    def broken(*args: object, **kwargs: object) -> bytes:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(module, "write_snapshot", broken)
    store = _open(tmp_path, checkpoint_every=2)
    for i in range(7):
        _note(store, f"r{i}", "x")
        store.wait_for_checkpoint()
    failures = [w for w in store.warnings if "could not write" in w]
    assert 1 <= len(failures) <= 3  # one per interval, not one per save
    store.close()  # reports, does not raise
    assert any("at exit" in w for w in store.warnings)
    monkeypatch.undo()
    with _open(tmp_path) as again:
        assert len(again) == 7


def test_checkpoint_file_is_world_readable(tmp_path: Path) -> None:
    with _open(tmp_path) as store:
        _note(store, "a", "x")
    assert (tmp_path / ANNOTATIONS_JSON).stat().st_mode & 0o777 == 0o644


def test_refresh_never_consumes_a_half_written_line(tmp_path: Path) -> None:
    writer = _open(tmp_path)
    reader = _open(tmp_path, read_only=True)
    try:
        _note(writer, "a", "one")
        assert reader.refresh()
        line = json.dumps(
            {"seq": 2, "txn": "abc", "ts": "2024-01-01T00:00:00.000Z", "action": "edit",
             "label": "note b", "changes": [{"id": "b", "field": "note", "old": "", "new": "two"}]}
        ).encode()  # fmt: skip
        journal = tmp_path / ANNOTATIONS_JOURNAL
        with open(journal, "ab") as f:
            f.write(line[:30])
        assert not reader.refresh()
        with open(journal, "ab") as f:
            f.write(line[30:] + b"\n")
        assert reader.refresh()
        assert reader.get("b").note == "two"  # type: ignore[union-attr]
    finally:
        writer.close()
        reader.close()


def test_long_journal_is_scanned_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import peerlit_tui.storage.journal as journal_module

    with _open(tmp_path) as store:
        for i in range(20):
            store.transact("n", lambda _, i=i: [Edit("a", "note", f"note {i} " + "x" * i * 10)])
        store.undo()
    monkeypatch.setattr(journal_module, "_SCAN_CHUNK", 97)  # shorter than most lines
    with _open(tmp_path) as store:
        history = store.history("a")
        assert len(history) == 21 and history[-2].undone
        assert store.peek("redo") == "n"
        assert store.undo() is not None
        assert store.get("a").note.startswith("note 17 ")  # type: ignore[union-attr]


def test_invalid_checkpoint_documents_are_skipped_with_warning(tmp_path: Path) -> None:
    with _open(tmp_path) as store:
        store.transact("t", lambda _: [Edit("good", "tags", ("a",)), Edit("bad", "rating", 1)])
    path = tmp_path / ANNOTATIONS_JSON
    data = json.loads(path.read_text())
    for doc in data["annotations"].values():
        if doc["record_id"] == "bad":
            doc["tags"] = "not a list"
    data["annotations"]["99"] = {"rating": 3}
    path.write_text(json.dumps(data))
    with _open(tmp_path, read_only=True) as again:
        assert again.get("good").tags == ("a",)  # type: ignore[union-attr]
        assert again.get("bad") is None
        assert len([w for w in again.warnings if "skipped an unreadable annotation" in w]) == 2


def test_empty_file_left_by_plain_tinydb_is_no_checkpoint(tmp_path: Path) -> None:
    TinyDB(tmp_path / ANNOTATIONS_JSON).close()  # plain TinyDB creates an empty file
    assert (tmp_path / ANNOTATIONS_JSON).stat().st_size == 0
    with _open(tmp_path) as store:
        _note(store, "a", "x")
        assert store.warnings == []
    db = TinyDB(tmp_path / ANNOTATIONS_JSON, access_mode="r")
    assert db.table("annotations").get(Query().record_id == "a")["note"] == "x"  # type: ignore[index]
    db.close()
