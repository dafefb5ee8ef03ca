"""The journal fingerprint: incremental, and checked quickly at open and fully by doctor."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest

import peerlit_tui.storage.journal as journal_module
from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.storage.annotation_fingerprint import (
    BLOCK_SIZE,
    Fingerprinter,
    JournalMark,
    verify,
)
from peerlit_tui.storage.annotations import read_snapshot
from peerlit_tui.storage.paths import ANNOTATIONS_JSON
from tests.annotations.helpers import journal_path, open_service


class Counting:
    """A byte source that counts what is read from it."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.read = 0

    def read_bytes(self, start: int, end: int) -> bytes:
        self.read += end - start
        return self.data[start:end]


def test_marks_hash_only_new_bytes() -> None:
    source = Counting(os.urandom(3 * BLOCK_SIZE + 100))
    printer = Fingerprinter(source)
    first = printer.mark("j", 2 * BLOCK_SIZE + 10, 5)
    assert source.read == 2 * BLOCK_SIZE + 10
    source.read = 0
    second = printer.mark("j", 3 * BLOCK_SIZE + 50, 9)
    assert source.read == BLOCK_SIZE + 50  # one new full block and the new partial block
    assert second.blocks[:2] == first.blocks
    # A fresh fingerprinter over the same bytes agrees, and so does a resumed one.
    assert Fingerprinter(Counting(source.data)).mark("j", second.offset, 9) == second
    resumed = Fingerprinter(Counting(source.data), first.blocks)
    assert resumed.mark("j", second.offset, 9) == second
    assert JournalMark.from_json(second.to_json()) == second


def test_quick_check_reads_the_end_full_check_reads_all() -> None:
    data = bytearray(os.urandom(4 * BLOCK_SIZE + 7))
    mark = Fingerprinter(Counting(bytes(data))).mark("j", len(data), 1)
    data[10] ^= 1  # an early byte changed
    source = Counting(bytes(data))
    assert verify(source, mark, full=False) is None
    assert source.read <= 2 * BLOCK_SIZE
    assert f"bytes 0-{BLOCK_SIZE}" in (verify(source, mark, full=True) or "")
    data[-1] ^= 1  # a byte near the end changed: the open notices
    assert verify(Counting(bytes(data)), mark, full=False) is not None


def test_doctor_finds_a_change_early_in_a_long_journal(tmp_path: Path) -> None:
    with open_service(tmp_path) as svc:
        svc.set_note("first", "early entry")
        svc.add_tags([f"r{i:05d}" for i in range(6000)], "bulk")
        svc.set_note([f"n{i:04d}" for i in range(300)], "long " * 200)  # many blocks
        svc.set_note("last", "checkpointed")
    snapshot = read_snapshot(tmp_path / ANNOTATIONS_JSON)
    journal = journal_path(tmp_path)
    assert snapshot is not None
    mark = snapshot.mark_of(f"{journal.parent.name}/{journal.name}")
    assert mark.offset > BLOCK_SIZE + (64 << 10)
    assert mark.sha256 and len(mark.blocks) >= 1
    raw = bytearray(journal.read_bytes())
    at = raw.index(b"early entry")
    raw[at] = ord("E")
    journal.write_bytes(bytes(raw))
    with open_service(tmp_path, read_only=True) as svc:  # the quick check cannot see it
        assert svc.get("last").note == "checkpointed"
    report = AnnotationService.doctor(tmp_path)
    assert any("was changed" in p for p in report.problems)
    with open_service(tmp_path) as svc:
        assert svc.get("first").note == "early entry"  # the checkpoint's value is kept
        assert len(svc.ids_with_tag("bulk")) == 6000


def test_doctor_in_a_read_only_library_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_service(tmp_path) as svc:
        svc.set_note("a", "x")
    real_open = os.open

    def read_only_fs(path: Any, flags: int, *args: Any) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(journal_module.os, "open", read_only_fs)
    report = AnnotationService.doctor(tmp_path)
    assert not report.ok
    assert any("the library is read-only" in u for u in report.unrepaired)
