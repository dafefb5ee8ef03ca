"""Kill a writing process at random moments; every write it reported must survive.

The child reports a write only after the call returned, i.e. after the journal
fsync. Checkpoints run every few entries over a few thousand annotations, so many
kills land while a checkpoint is being built or written; the child reports those
too ("C+" when one starts, "C-" when it ends) so the test can count them.

Between some kills the journal is cut short at a random byte or deleted, as a
restore, a sync tool or a disk error would: every checkpointed annotation must
still be there, with a plain open and after `doctor`.
"""

from __future__ import annotations

import json
import os
import random
import signal
import time
import traceback
from pathlib import Path

from peerlit_tui.annotation import RECORD_FIELDS
from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.storage.annotation_index import AnnotationIndex
from peerlit_tui.storage.annotations import AnnotationStore, read_snapshot
from peerlit_tui.storage.journal import Journal
from peerlit_tui.storage.paths import ANNOTATIONS_JSON, JOURNALS_DIR
from tests.annotations.helpers import journal_path

KILLS = 50
RECORDS = 40


def _prepare(folder: Path) -> None:
    # Enough annotations that a checkpoint takes a while (and a kill can hit it).
    with AnnotationService.open(folder, sync=False) as svc:
        svc.set_decision([f"bulk{i:05d}" for i in range(3000)], "maybe")


def _child(folder: Path, first: int, out: int) -> None:
    original = AnnotationStore._write_checkpoint

    def traced(self: AnnotationStore) -> None:
        os.write(out, b"C+\n")
        original(self)
        os.write(out, b"C-\n")

    AnnotationStore._write_checkpoint = traced  # type: ignore[method-assign]
    svc = AnnotationService.open(folder, checkpoint_every=5, backup_interval=0)
    os.write(out, b"R\n")  # open: from here on the kill lands among writes
    n = first
    while True:
        if n % 7 == 0:
            svc.set_note(f"note{n % 5}", f"write {n}")
        elif n % 5 == 0:  # a bulk transaction: all or nothing
            svc.add_tags([f"r{(n + k) % RECORDS:02d}" for k in range(4)], f"w{n}")
        else:
            svc.add_tags(f"r{n % RECORDS:02d}", f"w{n}")
        os.write(out, f"{n}\n".encode())
        n += 1


def _run_child(folder: Path, first: int, delay: float, *, after_open: bool) -> list[str]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(read_end)
        try:
            _child(folder, first, write_end)
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(1)
    os.close(write_end)
    chunks = []
    if after_open:
        # Count the delay from the end of the open, so that a slow (busy) machine
        # still sees writes in every such round; the other rounds may kill the open.
        while b"R\n" not in b"".join(chunks):
            chunk = os.read(read_end, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    time.sleep(delay)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    while chunk := os.read(read_end, 65536):
        chunks.append(chunk)
    os.close(read_end)
    return b"".join(chunks).decode().split()


def _check(folder: Path, done: list[int]) -> None:
    # The checkpoint is never torn, whatever the moment of the kill.
    path = folder / ANNOTATIONS_JSON
    if path.exists():
        json.loads(path.read_bytes())
    with AnnotationService.open(folder, sync=False) as svc:
        last_note: dict[int, int] = {}
        for n in done:
            if n % 7 == 0:
                last_note[n % 5] = n
            elif n % 5 == 0:
                holders = svc.ids_with_tag(f"w{n}")
                assert holders == {f"r{(n + k) % RECORDS:02d}" for k in range(4)}, n
            else:
                assert svc.get(f"r{n % RECORDS:02d}").has_tag(f"w{n}"), n
        for slot, n in last_note.items():
            # The reported write or a later one (written but killed before reporting).
            written = int(svc.get(f"note{slot}").note.split()[1])
            assert written >= n
        # Bulk writes are atomic, reported or not: all four records or none.
        for tag, count in svc.tag_counts():
            n = int(tag[1:])
            assert count == (4 if n % 5 == 0 else 1), (tag, count)
        assert all("unreadable" not in w for w in svc.warnings), svc.warnings


def _damage(folder: Path, rng: random.Random, delete: bool) -> AnnotationIndex:
    """Cut the journal short (or delete it); return what must survive.

    That is the checkpoint plus the whole entries still in the journal after the
    checkpoint's position (none when the cut falls before it).
    """
    snapshot = read_snapshot(folder / ANNOTATIONS_JSON)
    assert snapshot is not None
    expected = AnnotationIndex()
    expected.load(
        snapshot.docs, snapshot.reasons, lambda _: None, snapshot.stamps, snapshot.reasons_stamp
    )
    path = journal_path(folder)
    name = f"{JOURNALS_DIR}/{path.name}"
    mark = snapshot.mark_of(name)
    if delete:
        path.unlink()
        return expected
    cut = rng.randrange(0, path.stat().st_size)
    with open(path, "r+b") as f:
        f.truncate(cut)
    if cut >= mark.offset:
        reader = Journal(path, path, read_only=True, sync=False, warn=lambda _: None)
        for item in reader.scan(mark.offset):
            expected.apply_entry(item.entry, lambda _: None, name)
        reader.close()
    return expected


def _same(svc: AnnotationService, expected: AnnotationIndex, when: str) -> None:
    ids = {a.record_id for a in svc.all()} | set(expected.by_id)
    for rid in ids:
        for field in RECORD_FIELDS:
            assert svc.get(rid).value(field) == expected.current(rid, field), (when, rid, field)


def test_sigkill_never_loses_a_reported_write(tmp_path: Path) -> None:
    _prepare(tmp_path)
    rng = random.Random(20240822)
    total_writes = kills_in_checkpoint = damaged = 0
    for round_no in range(KILLS):
        first = round_no * 100_000
        tokens = _run_child(tmp_path, first, rng.uniform(0.04, 0.2), after_open=round_no % 2 == 0)
        done = [int(t) for t in tokens if t.isdigit()]
        markers = [t for t in tokens if t in ("C+", "C-")]
        if markers and markers[-1] == "C+":
            kills_in_checkpoint += 1
        total_writes += len(done)
        _check(tmp_path, done)
        if round_no % 5 == 4:  # a restore, a sync tool or a disk error
            expected = _damage(tmp_path, rng, delete=round_no % 10 == 9)
            with AnnotationService.open(tmp_path, sync=False) as svc:
                _same(svc, expected, "open")
            report = AnnotationService.doctor(tmp_path)
            assert report.ok, report.unrepaired
            with AnnotationService.open(tmp_path, sync=False) as svc:
                _same(svc, expected, "doctor")
                assert svc.warnings == []
            damaged += 1
    assert damaged == KILLS // 5
    assert total_writes > KILLS * 2
    assert kills_in_checkpoint >= 5, kills_in_checkpoint
