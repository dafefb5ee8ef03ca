"""Two processes, two reviewers, one library, deciding the same records at once."""

from __future__ import annotations

import os
import time
import traceback
from pathlib import Path

from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.services.team import decisions_of, reviewers, set_blind_mode, team_agreement

RECORDS = 150
CHOICE = {"alice": ("include", "exclude"), "bob": ("include", "maybe")}


def _writer(folder: Path, name: str, go: int) -> None:
    svc = AnnotationService.open(folder, checkpoint_every=40, sync=False, reviewer=name)
    os.read(go, 1)
    first, second = CHOICE[name]
    for i in range(RECORDS):
        svc.set_decision(f"r{i:03d}", first if i % 3 else second)
        time.sleep(0.0005)
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


def test_two_reviewers_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    AnnotationService.open(tmp_path, reviewer="alice").close()
    go_read, go_write = os.pipe()
    pids = [_spawn(tmp_path, name, go_read) for name in ("alice", "bob")]
    os.write(go_write, b"xx")
    statuses = [os.waitpid(pid, 0)[1] for pid in pids]
    os.close(go_read)
    os.close(go_write)
    assert statuses == [0, 0]
    with AnnotationService.open(tmp_path, reviewer="lead") as svc:
        assert svc.warnings == []
        set_blind_mode(svc, "off")  # the lead looks at everyone's decisions
        assert reviewers(svc) == [
            {"name": "alice", "screened": RECORDS},
            {"name": "bob", "screened": RECORDS},
        ]
        for i in range(RECORDS):
            votes = decisions_of(svc, f"r{i:03d}")
            expected_a = "include" if i % 3 else "exclude"
            expected_b = "include" if i % 3 else "maybe"
            assert votes["alice"]["decision"] == expected_a
            assert votes["bob"]["decision"] == expected_b
            assert svc.get(f"r{i:03d}").decision == ("include" if i % 3 else "undecided")
        data = team_agreement(svc).to_json()
        # Every third record is a conflict (exclude vs maybe), the rest agree on include.
        assert (data["both_screened"], data["conflicts"]) == (RECORDS, RECORDS // 3)
        assert svc.decision_counts()["include"] == RECORDS - RECORDS // 3
    report = AnnotationService.doctor(tmp_path)
    assert report.ok and report.problems == [], report.problems
