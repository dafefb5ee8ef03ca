"""Reviewers' journals after kills, damage and an upgrade from the single journal.

A library made before reviewers had journals of their own opens unchanged; a
reviewer killed mid-save leaves the others' journals alone; a damaged journal is
set aside on its own, under its own lock, and only by the rules of one journal.
"""

from __future__ import annotations

import json
import os
import random
import signal
import time
import traceback
from pathlib import Path

from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.services.team import reviewers
from peerlit_tui.storage.annotations import read_snapshot
from peerlit_tui.storage.checkpoint_files import damaged_journals
from peerlit_tui.storage.paths import ANNOTATIONS_JOURNAL, ANNOTATIONS_JSON, JOURNALS_DIR
from tests.annotations.helpers import open_service


def _old_library(folder: Path) -> None:
    """A library as peerlit wrote it with one journal: `annotations.journal` only.

    Written through the store's single-journal path (a store naming no reviewer
    writes `annotations.journal`), then its checkpoint put back in the layout of
    that time (format 2: no stamps, one journal).
    """
    with open_service(folder) as svc:
        svc.store.reviewer = ""
        svc.add_tags(["r1", "r2"], "ward")
        svc.set_decision("r1", "include")
        svc.set_decision("r2", "exclude", "off topic", add_reason=True)
        svc.set_note("r3", "kept")
        svc.set_decision("r3", "maybe")
        svc.undo()  # r3's decision
        svc.store.checkpoint()
        svc.set_rating("r1", 4)  # a tail after the checkpoint
        svc.close(checkpoint=False)
    path = folder / ANNOTATIONS_JSON
    data = json.loads(path.read_text())
    meta = data["meta"]["1"]
    meta["format"] = 2
    meta.pop("stamps", None)
    meta.pop("reasons_stamp", None)
    for mark in meta["journals"].values():
        mark.pop("ts", None)
    for doc in data["annotations"].values():
        doc.pop("stamps", None)
    path.write_text(json.dumps(data))
    assert not (folder / JOURNALS_DIR).exists() or not any((folder / JOURNALS_DIR).iterdir())


def test_a_single_journal_library_opens_unchanged_and_goes_on_per_reviewer(
    tmp_path: Path,
) -> None:
    _old_library(tmp_path)
    legacy = (tmp_path / ANNOTATIONS_JOURNAL).read_bytes()
    os.environ.pop("PEERLIT_REVIEWER", None)
    with open_service(tmp_path) as svc:  # the login name: the earlier reviewer
        assert svc.warnings == []
        assert svc.reviewer == svc.earlier_reviewer
        assert svc.get("r1").tags == ("ward",) and svc.get("r1").rating == 4
        assert (svc.get("r2").decision, svc.get("r2").reason) == ("exclude", "off topic")
        assert (svc.get("r3").note, svc.get("r3").decision) == ("kept", "undecided")
        assert svc.reasons() == ["off topic"]
        assert [h.undone for h in svc.history("r3") if h.field == "decision"] == [True, False]
        # Undo walks the history written in the old journal: the rating first.
        assert svc.undo_label() == "rate r1 4"
        svc.undo()
        assert svc.get("r1").rating == 0
        svc.set_decision("r4", "include")
        name = svc.reviewer
    # The old journal is read, never written again; the changes went to the reviewer's.
    assert (tmp_path / ANNOTATIONS_JOURNAL).read_bytes() == legacy
    own = tmp_path / JOURNALS_DIR / f"{name}.journal"
    assert b'"undo"' in own.read_bytes() and b'"r4"' in own.read_bytes()
    with open_service(tmp_path, reviewer="bob") as bob:  # someone new joins
        assert bob.get("r1").rating == 0 and bob.get("r2").reason == "off topic"
        assert [r["screened"] for r in reviewers(bob)] == [3]
        assert bob.undo_label() is None  # nothing of bob's to undo
    assert AnnotationService.doctor(tmp_path).healthy


def _writer(folder: Path, name: str, out: int) -> None:
    svc = AnnotationService.open(folder, checkpoint_every=7, backup_interval=0, reviewer=name)
    n = 0
    while True:
        svc.add_tags(f"{name}-{n % 30}", f"t{n}")
        os.write(out, f"{n}\n".encode())
        n += 1


def _start(folder: Path, name: str) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(read_end)
        try:
            _writer(folder, name, write_end)
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(1)
    os.close(write_end)
    return pid, read_end


def _stop(pid: int, read_end: int) -> list[int]:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    chunks = []
    while chunk := os.read(read_end, 65536):
        chunks.append(chunk)
    os.close(read_end)
    return [int(t) for t in b"".join(chunks).decode().split() if t.isdigit()]


def test_killing_one_reviewer_never_costs_another_reviewer_a_write(tmp_path: Path) -> None:
    rng = random.Random(7)
    AnnotationService.open(tmp_path, reviewer="lead").close()
    done: dict[str, list[int]] = {"alice": [], "bob": []}
    for _ in range(6):
        alice, bob = _start(tmp_path, "alice"), _start(tmp_path, "bob")
        time.sleep(rng.uniform(0.05, 0.25))
        done["alice"] = _stop(*alice)  # killed at any point, in a checkpoint perhaps
        time.sleep(rng.uniform(0.0, 0.05))
        done["bob"] = _stop(*bob)
        with open_service(tmp_path, reviewer="carol") as svc:
            for name, writes in done.items():
                for n in writes:
                    assert svc.get(f"{name}-{n % 30}").has_tag(f"t{n}"), (name, n)
            assert all("unreadable" not in w for w in svc.warnings), svc.warnings


def test_a_torn_tail_is_cut_only_by_its_own_reviewer(tmp_path: Path) -> None:
    with open_service(tmp_path, reviewer="alice") as alice:
        alice.set_note("a", "saved")
    path = tmp_path / JOURNALS_DIR / "alice.journal"
    with open(path, "ab") as f:
        f.write(b'{"seq":2,"txn":"to')  # alice was killed mid-write
    torn = path.read_bytes()
    with open_service(tmp_path, reviewer="bob") as bob:
        bob.set_note("b", "bob's")
        bob.set_note("a", "bob's too")
        assert bob.refresh() is False
    assert path.read_bytes() == torn  # bob never touches alice's journal
    with open_service(tmp_path, reviewer="alice") as alice:
        assert any("incomplete" in w for w in alice.warnings)
        assert alice.get("a").note == "bob's too"
        alice.set_note("c", "after the kill")
    assert path.read_bytes().startswith(torn[: torn.rindex(b"\n") + 1])
    assert b'"txn":"to' not in path.read_bytes()
    assert AnnotationService.doctor(tmp_path).healthy


def test_a_damaged_journal_is_set_aside_on_its_own(tmp_path: Path) -> None:
    for name in ("alice", "bob"):
        with open_service(tmp_path, reviewer=name) as svc:
            for i in range(5):
                svc.set_note(f"{name}{i}", f"{name} note {i}")
    bob_path = tmp_path / JOURNALS_DIR / "bob.journal"
    alice_path = tmp_path / JOURNALS_DIR / "alice.journal"
    alice_before = (alice_path.stat().st_ino, alice_path.read_bytes())
    snapshot = read_snapshot(tmp_path / ANNOTATIONS_JSON)
    assert snapshot is not None
    mark = snapshot.mark_of(f"{JOURNALS_DIR}/bob.journal")
    with open(bob_path, "r+b") as f:  # an older copy put back by a sync tool
        f.truncate(mark.offset // 2)
    with open_service(tmp_path, reviewer="carol") as svc:
        assert any("bob.journal" in w and "set aside" in w for w in svc.warnings), svc.warnings
        for name in ("alice", "bob"):
            assert [svc.get(f"{name}{i}").note for i in range(5)] == [
                f"{name} note {i}" for i in range(5)
            ]
    assert [p.name.split(".damaged-")[0] for p in damaged_journals(tmp_path)] == ["bob.journal"]
    assert (alice_path.stat().st_ino, alice_path.read_bytes()) == alice_before
    with open_service(tmp_path, reviewer="bob") as bob:  # bob goes on in the new journal
        bob.set_note("bob9", "later")
    with open_service(tmp_path, reviewer="carol") as svc:
        assert svc.warnings == [] and svc.get("bob9").note == "later"
        assert svc.get("bob4").note == "bob note 4"
    report = AnnotationService.doctor(tmp_path)
    assert report.healthy, report.problems
