"""Two processes write the same library at once; no change may be lost."""

from __future__ import annotations

import itertools
import os
import time
import traceback
from pathlib import Path

from peerlit_tui.services.annotations import AnnotationService
from tests.annotations.helpers import journal_lines

CHANGES = 500
SHARED = 20


def _writer(folder: Path, name: str, go: int) -> None:
    # fsync off: durability is the crash test's subject; without it the two
    # writers interleave more finely, which is the harder case for the locking.
    svc = AnnotationService.open(folder, checkpoint_every=60, sync=False)
    os.read(go, 1)  # start together
    for i in range(CHANGES):
        # Both processes edit the tag lists of the same records: a write computed
        # on stale state would drop the other's tags.
        svc.add_tags(f"shared{i % SHARED:02d}", f"{name}-{i}")
        if i % 50 == 0:
            svc.refresh()
        time.sleep(0.0005)  # give the other writer the CPU, as a user between edits
    svc.close()


def _spawn(folder: Path, name: str, go: int) -> int:
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            _writer(folder, name, go)
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    return pid


def test_two_processes_each_make_500_changes(tmp_path: Path) -> None:
    AnnotationService.open(tmp_path).close()
    go_read, go_write = os.pipe()
    pids = [_spawn(tmp_path, name, go_read) for name in ("a", "b")]
    os.write(go_write, b"xx")
    statuses = [os.waitpid(pid, 0)[1] for pid in pids]
    os.close(go_read)
    os.close(go_write)
    assert statuses == [0, 0]
    with AnnotationService.open(tmp_path) as svc:
        assert svc.warnings == []
        counts = dict(svc.tag_counts())
        for name in ("a", "b"):
            for i in range(CHANGES):
                assert counts.get(f"{name}-{i}") == 1, (name, i)
        assert sum(len(svc.get(f"shared{k:02d}").tags) for k in range(SHARED)) == 2 * CHANGES
        assert len(svc.history("shared00")) == 2 * CHANGES // SHARED
    # The writers really ran at the same time: their entries interleave.
    writers = [e["label"][5] for e in journal_lines(tmp_path)[1:]]
    switches = sum(1 for x, y in itertools.pairwise(writers) if x != y)
    assert switches >= 10, switches
    report = AnnotationService.doctor(tmp_path)
    assert report.ok and report.problems == [], report.problems
