"""One library, several reviewers at once: a journal and a lock per reviewer.

Processes of different reviewers write one library at the same time; nothing is
lost, every process ends with the same state as a fresh open, and the newest
change to a shared field wins whatever order a process read the journals in.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
import traceback
from pathlib import Path
from typing import Any

import pytest

from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.services.team import decisions_of, set_blind_mode
from peerlit_tui.storage.annotation_history import Edit
from peerlit_tui.storage.paths import ANNOTATIONS_JOURNAL, JOURNALS_DIR
from tests.annotations.helpers import open_service

SHARED = 20  # records every reviewer tags at once
OWN = 40  # records each reviewer decides


def _state(svc: AnnotationService) -> dict[str, Any]:
    """Everything a reader sees, reviewers' decisions included."""
    svc.refresh()
    index = svc.store.index
    with svc.store.index_lock:
        return {
            "annotations": {a.record_id: a.to_json() for a in index.by_id.values()},
            "team": {r: dict(v) for r, v in index.team.by_record.items()},
            "reasons": list(index.reasons),
        }


def _comparable(state: dict[str, Any]) -> dict[str, Any]:
    for ann in state["annotations"].values():
        ann.pop("created"), ann.pop("updated")  # when a process derived it
    state["team"] = {
        r: {k: list(v) for k, v in votes.items()} for r, votes in state["team"].items()
    }
    return state


def _writer(folder: Path, name: str, names: list[str], go: int, out: Path) -> None:
    svc = AnnotationService.open(folder, checkpoint_every=25, sync=False, reviewer=name)
    os.read(go, 1)
    for i in range(OWN):
        svc.set_decision(f"r{i:03d}", "include" if i % 4 else "exclude")
        if i < SHARED:
            svc.add_tags(f"s{i:03d}", f"by-{name}")  # every reviewer, the same records
        if i % 10 == 0:
            svc.set_rating("shared-rating", 1 + names.index(name))
    svc.set_note(f"done-{name}", "finished")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # until every other reviewer's last save is seen
        svc.refresh()
        if all(svc.get(f"done-{n}").note for n in names):
            break
        time.sleep(0.01)
    out.write_text(json.dumps(_comparable(_state(svc))))
    svc.close()


def _spawn(*args: Any) -> int:
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            _writer(*args)
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    return pid


@pytest.mark.parametrize("count", [2, 4])
def test_reviewers_writing_at_once_lose_nothing_and_converge(tmp_path: Path, count: int) -> None:
    folder = tmp_path / "library"
    names = ["alice", "bob", "carol", "dave"][:count]
    AnnotationService.open(folder, reviewer="lead", sync=False).close()
    go_read, go_write = os.pipe()
    pids = [_spawn(folder, n, names, go_read, tmp_path / f"{n}.json") for n in names]
    os.write(go_write, b"x" * count)
    statuses = [os.waitpid(pid, 0)[1] for pid in pids]
    os.close(go_read)
    os.close(go_write)
    assert statuses == [0] * count
    # One journal per reviewer, and the first journal holds nothing but its header.
    assert sorted(p.name for p in (folder / JOURNALS_DIR).glob("*.journal")) == sorted(
        f"{n}.journal" for n in names
    )
    assert len((folder / ANNOTATIONS_JOURNAL).read_bytes().splitlines()) == 1
    with open_service(folder, reviewer="lead") as svc:
        assert svc.warnings == []
        set_blind_mode(svc, "off")
        for i in range(OWN):
            votes = decisions_of(svc, f"r{i:03d}")
            want = "include" if i % 4 else "exclude"
            assert {n: v["decision"] for n, v in votes.items()} == dict.fromkeys(names, want)
            assert svc.get(f"r{i:03d}").decision == want
        for i in range(SHARED):  # concurrent tag additions on one record are all kept
            assert sorted(svc.get(f"s{i:03d}").tags) == sorted(f"by-{n}" for n in names)
        fresh = _comparable(_state(svc))
    for name in names:  # every live process ended where a fresh open starts
        assert json.loads((tmp_path / f"{name}.json").read_text()) == fresh, name
    report = AnnotationService.doctor(folder)
    assert report.ok and report.problems == [], report.problems
    assert sum(line.startswith(f"{JOURNALS_DIR}/") for line in report.checked) == count


def test_a_reviewer_saves_while_another_reviewer_holds_their_lock(tmp_path: Path) -> None:
    alice = open_service(tmp_path, reviewer="alice")
    alice.set_decision("a", "include")
    bob = open_service(tmp_path, reviewer="bob")
    fd = os.open(tmp_path / JOURNALS_DIR / "alice.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # alice's writer is stuck mid-save, say
        bob.set_decision("a", "exclude")  # does not wait for alice
        bob.add_tags("a", "ward")
    finally:
        os.close(fd)
    assert alice.refresh()
    assert alice.get("a").tags == ("ward",)
    assert (tmp_path / JOURNALS_DIR / "bob.journal").read_bytes().count(b"\n") == 3
    alice.close()
    bob.close()


def _journal(folder: Path, name: str, entries: list[dict[str, Any]]) -> None:
    """Append entries to a reviewer's journal as that reviewer's process would."""
    path = folder / JOURNALS_DIR / f"{name}.journal"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    if not path.exists():
        lines.append({"seq": 0, "journal": f"{name:0>12}"[:12], "format": 1, "created": "x"})
    lines += entries
    with open(path, "a", encoding="utf-8") as f:
        f.write("".join(json.dumps(e) + "\n" for e in lines))


def _entry(seq: int, ts: str, changes: list[dict[str, Any]], who: str) -> dict[str, Any]:
    return {"seq": seq, "txn": f"{who[0]}{seq:011d}", "ts": ts, "action": "edit",
            "label": "edit", "reviewer": who, "changes": changes}  # fmt: skip


EARLY, LATE = "2026-01-05T10:00:00.000Z", "2026-01-05T10:00:00.001Z"


def test_newest_change_wins_whatever_order_the_journals_are_read_in(tmp_path: Path) -> None:
    live = open_service(tmp_path, reviewer="lead")
    # bob's later change is read first...
    _journal(tmp_path, "bob", [_entry(1, LATE, [
        {"id": "x", "field": "note", "old": "", "new": "bob's"},
        {"id": "x", "field": "rating", "old": 0, "new": 2},
        {"id": "x", "field": "tags", "old": [], "new": ["b"]},
    ], "bob")])  # fmt: skip
    assert live.refresh()
    live.store.checkpoint()  # and a checkpoint includes it, not alice's
    # ...then alice's earlier one, made at the same time without seeing bob's.
    _journal(tmp_path, "alice", [_entry(1, EARLY, [
        {"id": "x", "field": "note", "old": "", "new": "alice's"},
        {"id": "x", "field": "rating", "old": 0, "new": 5},
        {"id": "x", "field": "tags", "old": [], "new": ["a"]},
        {"id": "y", "field": "read", "old": "unread", "new": "read"},
    ], "alice")])  # fmt: skip
    assert live.refresh()
    seen = live.get("x")
    assert (seen.note, seen.rating, live.get("y").read) == ("bob's", 2, "read")
    assert seen.tags == ("a", "b")  # both kept, in time order
    for reopened in (
        open_service(tmp_path, reviewer="lead"),
        open_service(tmp_path, read_only=True),
    ):
        with reopened:
            again = reopened.get("x")
            assert (again.note, again.rating, again.tags) == ("bob's", 2, ("a", "b"))
    live.close()
    # The other order: a process that read alice's first ends the same.
    other = tmp_path / "other"
    _journal(other, "alice", [json.loads(json.dumps(_entry(1, EARLY, [
        {"id": "x", "field": "note", "old": "", "new": "alice's"},
        {"id": "x", "field": "tags", "old": [], "new": ["a"]}], "alice")))])  # fmt: skip
    second = open_service(other, reviewer="lead")
    _journal(other, "bob", [_entry(1, LATE, [
        {"id": "x", "field": "note", "old": "", "new": "bob's"},
        {"id": "x", "field": "tags", "old": [], "new": ["b"]}], "bob")])  # fmt: skip
    second.refresh()
    assert (second.get("x").note, second.get("x").tags) == ("bob's", ("a", "b"))
    second.close()


def test_a_change_made_after_seeing_another_wins_over_it(tmp_path: Path) -> None:
    # bob's clock runs ahead; alice sees his note and replaces it: hers is newer.
    future = "2099-01-01T00:00:00.000Z"
    _journal(tmp_path, "bob", [_entry(1, future, [
        {"id": "x", "field": "note", "old": "", "new": "bob's"}], "bob")])  # fmt: skip
    with open_service(tmp_path, reviewer="alice") as alice:
        alice.set_note("x", "alice's, after reading bob's")
    with open_service(tmp_path, reviewer="carol") as carol:
        assert carol.get("x").note == "alice's, after reading bob's"


def test_each_reviewer_undoes_their_own_changes(tmp_path: Path) -> None:
    alice = open_service(tmp_path, reviewer="alice")
    bob = open_service(tmp_path, reviewer="bob")
    alice.add_tags("r1", "mine")
    bob.add_tags("r2", "his")
    preview = alice.peek_undo()
    assert preview is not None and preview.made_here and preview.record_ids == ("r1",)
    assert alice.undo() is not None
    assert alice.get("r1").tags == () and alice.get("r2").tags == ("his",)
    assert alice.undo() is None  # bob's change is not alice's to undo
    # A second window of alice's shares her history and says whose change it is.
    window = open_service(tmp_path, reviewer="alice")
    assert window.redo_label() == "tag 'mine' on r1"
    peek = window.peek_redo()
    assert peek is not None and peek.made_elsewhere
    window.redo()
    assert bob.refresh() and bob.get("r1").tags == ("mine",)
    for svc in (alice, bob, window):
        svc.close()


def test_remote_transactions_go_to_their_reviewers_journal_once(tmp_path: Path) -> None:
    with open_service(tmp_path, reviewer="alice") as alice:
        alice.set_note("x", "alice's, newer")
        store = alice.store
        edits = [Edit("x", "note", "from bob's laptop"), Edit("y", "decision", "include", "bob")]
        txn = store.apply_remote("bob", "2026-01-05T10:00:00.000Z", edits, "laptop-0001")
        assert txn is not None
        assert store.apply_remote("bob", "2026-01-05T10:00:00.000Z", edits, "laptop-0001") is None
        assert alice.get("x").note == "alice's, newer"  # older than the change made here
        lines = (tmp_path / JOURNALS_DIR / "bob.journal").read_text().splitlines()
        entry = json.loads(lines[-1])
        assert entry["origin"] == "laptop-0001" and entry["by"]["sync"] is True
        assert entry["reviewer"] == "bob" and len(lines) == 2
        assert alice.store.reviewer == "alice"
    with open_service(tmp_path, reviewer="carol") as carol:
        set_blind_mode(carol, "off")
        assert decisions_of(carol, "y") == {"bob": {"decision": "include", "reason": ""}}
        assert carol.get("x").note == "alice's, newer"


def test_first_decision_of_a_new_reviewer_gives_the_same_final_decisions(tmp_path: Path) -> None:
    with open_service(tmp_path, reviewer="alice") as alice:
        ids = [f"r{i:04d}" for i in range(300)]
        alice.set_decision(ids[:200], "include")
        alice.set_decision(ids[200:250], "exclude")
        alice.set_decision(ids[250:], "maybe")
        from peerlit_tui.services.team import resolve

        resolve(alice, ids[0], "exclude", "resolved early")
    with open_service(tmp_path, reviewer="bob") as bob:
        bob.set_decision(ids[5], "include")  # bob's first: everything else waits for him
        index = bob.store.index
        assigned = index.team.assigned()
        for rid in ids:
            shown = (index.current(rid, "decision"), index.current(rid, "reason"))
            assert shown == index.team.final(rid, assigned), rid
        assert bob.decision_counts()["include"] == 1  # r0005: both agree
        assert bob.get(ids[0]).decision == "exclude"  # resolved
        assert len(index.team.pending) == 298
