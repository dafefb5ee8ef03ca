"""The quick one-record open (lookup table + journal tails) answers as the full open does."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from peerlit_tui.services.annotations import AnnotationService, LookupUnavailable
from peerlit_tui.services.team import decisions_of, is_blind
from peerlit_tui.storage.annotation_lookup import LOOKUP_FILE, read_lookup
from peerlit_tui.storage.annotation_partial import TAIL_LIMIT, PartialStore
from peerlit_tui.storage.paths import ANNOTATIONS_JSON, reviewer_journal

IDS = [f"rec{i:02d}" for i in range(12)]


def full(folder: Path, reviewer: str, **kw: Any) -> AnnotationService:
    return AnnotationService.open(folder, sync=False, reviewer=reviewer, **kw)


def quick(folder: Path, reviewer: str, ids: list[str], **kw: Any) -> AnnotationService:
    return AnnotationService.open_records(folder, ids, sync=False, reviewer=reviewer, **kw)


def view(svc: AnnotationService, rid: str) -> dict[str, Any]:
    """Everything the quick commands show of one record, plus what they depend on."""
    index = svc.store.index
    return {
        "annotation": svc.to_json(rid),
        "decisions": decisions_of(svc, rid),
        "votes": dict(index.team.by_record.get(rid, {})),
        "stamps": dict(index.stamps.get(rid, {})),
        "conflict": rid in index.team.conflicts,
        "pending": rid in index.team.pending,
        "blind": is_blind(svc),
        "counts": dict(index.team.counts),
        "reasons": svc.reasons(),
        "tags": sorted((k, index.display(k)) for k in {index.key(t) for t in svc.get(rid).tags}),
    }


def assert_same(folder: Path, reviewer: str, ids: list[str] = IDS) -> None:
    with full(folder, reviewer, read_only=True) as whole:
        expected = {rid: view(whole, rid) for rid in ids}
    for rid in ids:
        svc = quick(folder, reviewer, [rid], read_only=True)
        try:
            assert isinstance(svc.store, PartialStore)
            assert view(svc, rid) == expected[rid], rid
        finally:
            svc.close()


def seed(folder: Path, *, team: bool = True) -> None:
    """Alice (and Bob) screen and tag; the close checkpoints and writes the lookup table."""
    with full(folder, "alice") as svc:
        svc.add_reason("wrong population")
        svc.set_decision(IDS[:6], "include")
        svc.set_decision(IDS[6:8], "exclude", "wrong population")
        svc.add_tags(IDS[:3], "Qualitative")
        svc.set_note(IDS[0], "first note")
        svc.set_rating(IDS[1], 4)
    if team:
        with full(folder, "bob") as svc:
            svc.set_decision(IDS[6], "exclude", "wrong population")
    assert (folder / LOOKUP_FILE).exists()


def test_a_checkpoint_writes_the_lookup_table_beside_it(tmp_path: Path) -> None:
    seed(tmp_path, team=False)
    table = read_lookup(tmp_path)
    assert table is not None
    try:
        st = (tmp_path / ANNOTATIONS_JSON).stat()
        assert table.meta.checkpoint == (st.st_ino, st.st_size, st.st_mtime_ns)
        assert set(table.rows(IDS[:8])) == set(IDS[:8])
        assert table.meta.counts == {"alice": 8}
    finally:
        table.close()
    assert_same(tmp_path, "alice")


def test_same_answers_after_other_reviewers_journal_lines(tmp_path: Path) -> None:
    seed(tmp_path)
    with full(tmp_path, "bob") as svc:  # after the table: the journals' tails
        svc.set_decision(IDS[0], "include")
        svc.set_decision(IDS[1], "exclude", "wrong population")  # a conflict
        svc.add_tags(IDS[9], "qualitative")  # adopts the library's spelling
        svc.remove_tags(IDS[2], "QUALITATIVE")
        svc.store.close(checkpoint=False)
    with full(tmp_path, "alice") as svc:
        svc.set_decision(IDS[7], "undecided")
        svc.add_reason("wrong design")
        svc.store.close(checkpoint=False)
    for reviewer in ("alice", "bob", "carol"):
        assert_same(tmp_path, reviewer)
    with quick(tmp_path, "bob", [IDS[3]], read_only=True) as svc:
        assert svc.get(IDS[3]).decision == "undecided"  # pending bob's decision
        assert svc.get(IDS[9]).tags == ("Qualitative",)
        assert svc.store.index.team.conflicts == {IDS[1]}


def test_a_reviewer_joining_makes_the_table_rewrite(tmp_path: Path) -> None:
    seed(tmp_path, team=False)
    # Bob's first decision: every record only alice screened is pending now, which
    # the table's rows cannot say: the full open answers, and writes a new table.
    with full(tmp_path, "bob") as svc:
        svc.set_decision(IDS[0], "include")
        svc.store.close(checkpoint=False)
    with pytest.raises(LookupUnavailable):
        quick(tmp_path, "bob", [IDS[3]], read_only=True)
    with full(tmp_path, "bob") as svc:
        svc.save_lookup(always=True)
        svc.store.close(checkpoint=False)
    assert_same(tmp_path, "bob")
    # A quick write that makes a reviewer join answers for its own records only.
    with quick(tmp_path, "carol", [IDS[4]]) as svc:
        svc.set_decision(IDS[4], "include")
        assert IDS[4] in svc.store.index.team.pending  # waits for bob
        with pytest.raises(LookupUnavailable):
            svc.get(IDS[5])
    with pytest.raises(LookupUnavailable):
        quick(tmp_path, "carol", [IDS[4]], read_only=True)


def test_quick_writes_are_journal_lines_a_full_open_reads_alike(tmp_path: Path) -> None:
    seed(tmp_path)
    before = (tmp_path / ANNOTATIONS_JSON).read_bytes()
    with quick(tmp_path, "bob", [IDS[4]]) as svc:
        txn = svc.set_decision(IDS[4], "exclude", "wrong population")
        assert txn is not None
        assert svc.get(IDS[4]).decision == "exclude"  # blind: bob sees his own
        assert IDS[4] not in svc.store.index.by_id  # alice included: a conflict
        assert IDS[4] in svc.store.index.team.conflicts
    with quick(tmp_path, "bob", [IDS[10]]) as svc:
        svc.add_tags(IDS[10], "qualitative")
        svc.set_note(IDS[10], "from the command line")
    with quick(tmp_path, "alice", [IDS[4]]) as svc:
        svc.set_decision(IDS[4], "exclude", "wrong population")  # agreement
    # No checkpoint was written: every change is a line of its reviewer's journal.
    assert (tmp_path / ANNOTATIONS_JSON).read_bytes() == before
    lines = (tmp_path / reviewer_journal("bob")).read_bytes().splitlines()
    assert [json.loads(line).get("action") for line in lines[1:]] == ["edit"] * 4  # seed + 3
    assert_same(tmp_path, "bob")
    with full(tmp_path, "bob", read_only=True) as svc:
        assert svc.get(IDS[4]).decision == "exclude"
        assert svc.get(IDS[10]).tags == ("Qualitative",)


def test_a_quick_write_reads_what_another_process_wrote_meanwhile(tmp_path: Path) -> None:
    seed(tmp_path)
    svc = quick(tmp_path, "bob", [IDS[5]])
    try:
        with full(tmp_path, "alice") as other:  # after the quick open, before its save
            other.set_decision([IDS[5], IDS[11]], "maybe")
            other.add_tags(IDS[5], "late")
            other.store.close(checkpoint=False)
        svc.add_tags(IDS[5], "mine")
        assert svc.get(IDS[5]).tags == ("late", "mine")
        assert svc.get(IDS[11]).decision == "undecided"  # pending bob's decision
    finally:
        svc.close()
    assert_same(tmp_path, "bob")


def test_a_torn_line_from_a_killed_writer(tmp_path: Path) -> None:
    seed(tmp_path)
    with full(tmp_path, "bob") as svc:
        svc.set_decision(IDS[0], "include")
        svc.store.close(checkpoint=False)
    journal = tmp_path / reviewer_journal("bob")
    good = journal.read_bytes()
    with journal.open("ab") as f:  # a kill in the middle of writing the next line
        f.write(b'{"seq":2,"txn":"abc","ts":"2030-01-01T00:00:00.000Z","changes":[{"id":"re')
    assert_same(tmp_path, "bob")  # read-only: the fragment is ignored, not cut
    with quick(tmp_path, "bob", [IDS[1]]) as svc:  # bob's writer cuts it, as a full open
        assert any("left incomplete" in w for w in svc.warnings)
        svc.set_decision(IDS[1], "maybe")
    assert journal.read_bytes().startswith(good)
    assert_same(tmp_path, "bob")


@pytest.mark.parametrize(
    "spoil",
    ["garbage", "empty", "other format", "old checkpoint", "journal replaced", "journal cut"],
)
def test_a_stale_or_corrupt_table_is_never_trusted(tmp_path: Path, spoil: str) -> None:
    seed(tmp_path)
    table = tmp_path / LOOKUP_FILE
    alice = tmp_path / reviewer_journal("alice")
    if spoil == "garbage":
        table.write_bytes(b"SQLite format 3\x00" + os.urandom(3000))
    elif spoil == "empty":
        table.write_bytes(b"")
    elif spoil == "other format":
        import sqlite3

        with sqlite3.connect(table) as con:
            state = json.loads(con.execute("SELECT value FROM meta").fetchone()[0])
            state["format"] = 999
            con.execute("UPDATE meta SET value = ?", (json.dumps(state),))
        con.close()
    elif spoil == "old checkpoint":
        old = table.read_bytes()
        with full(tmp_path, "alice") as svc:
            svc.set_decision(IDS[9], "include")
        table.write_bytes(old)  # a table from before that checkpoint
    elif spoil == "journal replaced":
        with full(tmp_path, "alice") as svc:
            svc.set_decision(IDS[9], "include")
            svc.store.close(checkpoint=False)
        lines = alice.read_bytes().splitlines(keepends=True)
        header = json.loads(lines[0])
        header["journal"] = "0123456789ab"
        alice.write_bytes(json.dumps(header).encode() + b"\n" + b"".join(lines[1:]))
    else:
        data = alice.read_bytes()
        alice.write_bytes(data[: len(data) // 2])
    with pytest.raises(LookupUnavailable):
        quick(tmp_path, "alice", [IDS[0]], read_only=True)


def test_a_long_tail_gives_way_to_the_full_open(tmp_path: Path) -> None:
    seed(tmp_path)
    with full(tmp_path, "bob", checkpoint_every=10_000) as svc:
        for i in range(TAIL_LIMIT + 1):
            svc.set_rating(IDS[11], i % 5 + 1)
        svc.store.close(checkpoint=False)
    with pytest.raises(LookupUnavailable):
        quick(tmp_path, "bob", [IDS[0]], read_only=True)


def test_what_needs_every_annotation_is_refused(tmp_path: Path) -> None:
    seed(tmp_path)
    with quick(tmp_path, "alice", [IDS[0]]) as svc:
        for call in (svc.all, svc.tag_counts, svc.undo, lambda: len(svc)):
            with pytest.raises(LookupUnavailable):
                call()
        # A change to a record not named at open loads it first.
        svc.set_rating(IDS[7], 2)
        assert svc.get(IDS[7]).decision == "exclude"
    assert_same(tmp_path, "alice")


def test_a_table_write_killed_midway_leaves_the_old_table(tmp_path: Path) -> None:
    seed(tmp_path)
    # What a kill mid-write leaves: a partial temporary file; the table is renamed
    # into place only when complete, so readers still see the old one.
    leftover = tmp_path / ".lookup-0123456789ab.part"
    leftover.write_bytes(b"SQLite format 3\x00" + b"\x00" * 500)
    assert_same(tmp_path, "alice")
    os.utime(leftover, (1_000_000_000, 1_000_000_000))  # long ago: a killed writer's
    with full(tmp_path, "alice") as svc:
        svc.set_rating(IDS[11], 3)  # the checkpoint at close writes a new table
    assert not leftover.exists()
    assert_same(tmp_path, "alice")


def test_a_running_app_sees_quick_changes_as_any_others(tmp_path: Path) -> None:
    seed(tmp_path)
    app = full(tmp_path, "alice")
    try:
        token = app.change_token()
        with quick(tmp_path, "alice", [IDS[9]]) as svc:
            svc.set_decision(IDS[9], "exclude", "wrong population")
            svc.add_tags(IDS[9], "qualitative")
        changes = app.changed_since(token)
        assert IDS[9] in changes.record_ids
        assert IDS[9] in changes.elsewhere
        assert app.get(IDS[9]).tags == ("Qualitative",)
        assert app.store.index.team.get(IDS[9], "alice") == ("exclude", "wrong population")
        assert app.undo_label() is not None  # the app's undo history holds it too
    finally:
        app.close()


def test_random_mixed_work_gives_the_same_answers_both_ways(tmp_path: Path) -> None:
    import random

    rng = random.Random(20261204)
    seed(tmp_path)
    tags = ["Qualitative", "qualitative", "RCT", "rct", "pilot"]
    decisions = ["include", "exclude", "maybe", "undecided"]
    for step in range(40):
        who = rng.choice(["alice", "bob", "bob", "alice", "carol"])
        ids = rng.sample(IDS, rng.choice([1, 1, 2]))
        whole = rng.random() < 0.3
        try:
            svc = full(tmp_path, who) if whole else quick(tmp_path, who, ids)
        except LookupUnavailable:  # what the command line then does: all, and a new table
            svc, whole = full(tmp_path, who), True
        try:
            action = rng.random()
            if action < 0.4:
                decision = rng.choice(decisions)
                reason = (
                    "wrong population" if decision == "exclude" and rng.random() < 0.5 else None
                )
                svc.set_decision(ids, decision, reason)
            elif action < 0.7:
                svc.add_tags(ids, rng.choice(tags))
            elif action < 0.85:
                svc.remove_tags(ids, rng.choice(tags))
            else:
                svc.set_note(ids, f"note {step}")
        except LookupUnavailable:  # a reviewer joined or left meanwhile
            svc.close()
            svc, whole = full(tmp_path, who), True
            svc.set_rating(ids, rng.randint(0, 5))
        if whole:
            if rng.random() < 0.5:
                svc.save_lookup(always=True)
            svc.close(checkpoint=rng.random() < 0.3)
        else:
            svc.close()
        try:
            for reviewer in ("alice", "bob"):
                assert_same(tmp_path, reviewer)
        except LookupUnavailable:
            with full(tmp_path, "alice") as svc:
                svc.save_lookup(always=True)
                svc.store.close(checkpoint=False)
            for reviewer in ("alice", "bob"):
                assert_same(tmp_path, reviewer)
