"""Read-only libraries, full disks, bad file modes and a damaged record store (F6, F9, F13)."""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest

import peerlit_tui.storage.checkpoint_files as checkpoint_files
import peerlit_tui.storage.journal as journal_module
from peerlit_tui.services.annotations import (
    AnnotationService,
    DiskFullError,
    ReadOnlyStoreError,
)
from peerlit_tui.storage.paths import ANNOTATIONS_JSON, RECORDS_DB
from tests.annotations.helpers import journal_path, open_service


def _library(folder: Path) -> None:
    with open_service(folder) as svc:
        svc.add_tags(["a", "b"], "peer")
        svc.set_note("a", "kept")


def test_read_only_library_reads_and_refuses_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _library(tmp_path)
    real_open = os.open

    def read_only_fs(path: Any, flags: int, *args: Any) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(journal_module.os, "open", read_only_fs)
    with open_service(tmp_path) as svc:
        assert svc.read_only
        assert svc.read_only_reason == "the library is read-only: nothing can be saved here"
        assert svc.get("a").note == "kept" and svc.ids_with_tag("peer") == {"a", "b"}
        with pytest.raises(ReadOnlyStoreError) as caught:
            svc.set_note("a", "changed")
        assert str(caught.value) == "the library is read-only: nothing can be saved here"
        assert svc.history("a")  # history is a read


def _fake_full_disk(monkeypatch: pytest.MonkeyPatch, journal: Path, *, short: bool) -> None:
    real_write = os.write

    def write(fd: int, data: Any) -> int:
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            target = ""
        if target == str(journal):
            if short:
                return real_write(fd, bytes(data)[: len(data) // 3])
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(journal_module.os, "write", write)


@pytest.mark.parametrize("short", [True, False])
def test_full_disk_says_not_saved_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, short: bool
) -> None:
    _library(tmp_path)
    journal = (journal_path(tmp_path)).resolve()
    svc = open_service(tmp_path)
    before = journal.read_bytes()
    with monkeypatch.context() as patch:
        _fake_full_disk(patch, journal, short=short)
        with pytest.raises(DiskFullError) as caught:
            svc.set_note("a", "lost to a full disk")
        assert str(caught.value) == "the disk is full: this change was NOT saved"
    assert journal.read_bytes() == before  # the partial append was cut off
    assert svc.get("a").note == "kept"
    assert svc.set_note("a", "saved once there is room") is not None
    svc.close()
    with open_service(tmp_path) as again:
        assert again.get("a").note == "saved once there is room"


def test_read_command_on_full_disk_does_not_fail_at_close(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = open_service(tmp_path)
    svc.set_note("a", "not checkpointed yet")
    svc.close(checkpoint=False)

    def no_space(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(checkpoint_files.tempfile, "mkstemp", no_space)
    reader = open_service(tmp_path)
    assert reader.get("a").note == "not checkpointed yet"
    reader.close()  # the checkpoint at exit fails quietly; the journal holds the change


def test_unreadable_checkpoint_is_not_rewritten_unreadable(tmp_path: Path) -> None:
    _library(tmp_path)
    path = tmp_path / ANNOTATIONS_JSON
    path.chmod(0)
    with open_service(tmp_path) as svc:
        svc.set_note("b", "new")
        svc.store.checkpoint()
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_doctor_repairs_modes_and_reports_them(tmp_path: Path) -> None:
    _library(tmp_path)
    (tmp_path / ANNOTATIONS_JSON).chmod(0)
    shm = tmp_path / f"{RECORDS_DB}-shm"
    shm.write_bytes(b"")
    shm.chmod(0o444)
    report = AnnotationService.doctor(tmp_path)
    assert not report.healthy and report.ok
    assert any("cannot be read (mode 000)" in p for p in report.problems)
    assert any("blocks the library" in p for p in report.problems)
    assert stat.S_IMODE((tmp_path / ANNOTATIONS_JSON).stat().st_mode) == 0o644
    assert stat.S_IMODE(shm.stat().st_mode) & 0o600 == 0o600
    assert AnnotationService.doctor(tmp_path).healthy


def _records_db(folder: Path) -> Path:
    path = folder / RECORDS_DB
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE records (id TEXT PRIMARY KEY, body TEXT)")
    con.executemany(
        "INSERT INTO records VALUES (?, ?)", ((f"r{i}", "x" * 300) for i in range(2000))
    )
    con.execute("CREATE INDEX by_body ON records(body)")
    con.commit()
    con.close()
    return path


def test_doctor_checks_the_record_store(tmp_path: Path) -> None:
    _library(tmp_path)
    path = _records_db(tmp_path)
    report = AnnotationService.doctor(tmp_path)
    assert report.healthy
    assert any("integrity check ok" in line for line in report.checked)
    with open(path, "r+b") as f:  # damage a page in the middle
        f.seek(path.stat().st_size // 2)
        f.write(os.urandom(4096))
    report = AnnotationService.doctor(tmp_path)
    assert not report.healthy and not report.ok
    assert any(p.startswith(f"{RECORDS_DB} is damaged") for p in report.problems)
    assert any("annotations are not affected" in u for u in report.unrepaired)


def test_doctor_healthy_only_when_nothing_is_wrong(tmp_path: Path) -> None:
    _library(tmp_path)
    with open(journal_path(tmp_path), "ab") as f:
        f.write(b'{"seq":9,"txn":"x')
    first = AnnotationService.doctor(tmp_path)
    assert first.ok and not first.healthy and first.to_json()["healthy"] is False
    assert AnnotationService.doctor(tmp_path).healthy


def test_history_reads_lines_with_any_json_spacing(tmp_path: Path) -> None:
    _library(tmp_path)
    entry = {
        "seq": 3, "txn": "0123456789ab", "ts": "2024-08-22T10:15:03.512Z", "action": "edit",
        "label": "note a", "changes": [{"id": "a", "field": "note", "old": "kept", "new": "sp"}],
    }  # fmt: skip
    with open(journal_path(tmp_path), "ab") as f:
        f.write(json.dumps(entry, indent=None, separators=(", ", ": ")).encode() + b"\n")
    with open_service(tmp_path) as svc:
        assert [h.new for h in svc.history("a") if h.field == "note"] == ["kept", "sp"]
        assert svc.get("a").note == "sp"
