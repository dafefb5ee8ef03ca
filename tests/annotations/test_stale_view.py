"""Edits made on a stale view, change polling and undo previews (issue F7)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from peerlit_tui.services.annotations import AnnotationService, EditConflict
from tests.annotations.helpers import open_service


@pytest.fixture
def two(tmp_path: Path) -> tuple[AnnotationService, AnnotationService]:
    """Two windows on one library: the app and a colleague's command line."""
    app, cli = open_service(tmp_path), open_service(tmp_path)
    yield app, cli
    app.close()
    cli.close()


def test_note_saved_on_stale_view_keeps_the_newer_note(
    two: tuple[AnnotationService, AnnotationService],
) -> None:
    app, cli = two
    seen = app.get("c043").note  # the editor opens on "" ...
    cli.set_note("c043", "important note written by a colleague")  # ... meanwhile
    txn = app.set_note("c043", "TUI note", expected=seen)
    assert txn is not None and len(txn.conflicts) == 1
    assert txn.conflicts[0].kept_mine and "changed elsewhere" in txn.conflicts[0].describe()
    note = app.get("c043").note
    assert note.startswith("important note written by a colleague")
    assert "— conflicting edit (saved " in note and note.endswith("TUI note")
    cli.refresh()
    assert cli.get("c043").note == note


def test_note_on_fresh_view_replaces(two: tuple[AnnotationService, AnnotationService]) -> None:
    app, cli = two
    cli.set_note("c043", "old")
    app.refresh()
    txn = app.set_note("c043", "new", expected=app.get("c043").note)
    assert txn is not None and txn.conflicts == ()
    assert app.get("c043").note == "new"


def test_clearing_a_note_changed_meanwhile_saves_nothing(
    two: tuple[AnnotationService, AnnotationService],
) -> None:
    app, cli = two
    cli.set_note("a", "keep me")
    with pytest.raises(EditConflict, match="newer note was kept"):
        app.set_note("a", "", expected="")
    assert app.get("a").note == "keep me"


def test_rating_on_stale_view_keeps_the_newer_rating(
    two: tuple[AnnotationService, AnnotationService],
) -> None:
    app, cli = two
    cli.set_rating("a", 5)
    with pytest.raises(EditConflict) as caught:
        app.set_rating("a", 3, expected=0)
    assert "changed elsewhere to 5" in str(caught.value)
    assert caught.value.conflicts[0].current == 5
    assert app.get("a").rating == 5
    # The same value as the newer one is no conflict.
    assert app.set_rating("a", 5, expected=0) is None


def test_bulk_decision_keeps_records_decided_meanwhile(
    two: tuple[AnnotationService, AnnotationService],
) -> None:
    app, cli = two
    cli.set_decision("b", "exclude")
    txn = app.set_decision(["a", "b", "c"], "include", expected="undecided")
    assert txn is not None and set(txn.record_ids) == {"a", "c"}
    assert [c.record_id for c in txn.conflicts] == ["b"]
    assert app.get("b").decision == "exclude"
    with pytest.raises(EditConflict):
        app.set_read("x", "read", expected={"x": "skimmed"})


def test_changed_since_reports_other_processes_changes(
    two: tuple[AnnotationService, AnnotationService],
) -> None:
    app, cli = two
    token = app.change_token()
    nothing = app.changed_since(token)
    assert not nothing.changed and nothing.token == token
    app.set_rating("mine", 2)
    cli.add_tags(["r1", "r2"], "from-cli")
    cli.add_reason("off topic")
    changes = app.changed_since(token)
    assert changes.complete and changes.reasons
    assert changes.record_ids == {"mine", "r1", "r2"}
    assert changes.elsewhere == {"r1", "r2"}
    assert app.get("r1").tags == ("from-cli",)
    assert not app.changed_since(changes.token).changed


def test_peek_undo_says_whose_change_it_is(
    two: tuple[AnnotationService, AnnotationService],
) -> None:
    app, cli = two
    app.set_rating("a", 3)
    mine = app.peek_undo()
    assert mine is not None and mine.made_here and mine.record_ids == ("a",)
    cli.add_tags("b", "cli-last")
    other = app.peek_undo()  # reads the other's entry first
    assert other is not None and other.made_elsewhere
    assert other.changes == (("b", "tags", [], ["cli-last"]),)
    assert f"made by peerlit process {os.getpid()}" in other.describe()
    # Undo only what the user was shown.
    with pytest.raises(EditConflict):
        app.undo(expected=mine.txn)
    assert app.get("b").tags == ("cli-last",)
    assert app.undo(expected=other.txn) is not None
    assert app.get("b").tags == () and app.get("a").rating == 3


def test_decision_counts_follow_every_change(tmp_path: Path) -> None:
    with open_service(tmp_path) as svc:
        svc.set_decision([f"r{i}" for i in range(10)], "include")
        svc.set_decision(["r1", "r2"], "exclude")
        svc.set_decision("r3", "undecided")  # blank again: not annotated
        svc.add_tags("t", "x")  # annotated, undecided
        svc.set_decision("r4", "maybe")
        expected = {"include": 6, "exclude": 2, "maybe": 1, "undecided": 1}
        assert svc.decision_counts() == expected
        assert svc.decided_ids("exclude") == {"r1", "r2"}
        assert svc.decision_progress(["r0", "r1", "zz"]) == {
            "include": 1, "exclude": 1, "maybe": 0, "undecided": 1
        }  # fmt: skip
        svc.undo()  # r4 back to include
        expected = {**expected, "maybe": 0, "include": 7}
        assert svc.decision_counts() == expected
    with open_service(tmp_path) as svc:  # rebuilt from the checkpoint the same way
        assert svc.decision_counts() == expected
        brute = {}
        for ann in svc.all():
            brute[ann.decision] = brute.get(ann.decision, 0) + 1
        assert all(svc.decision_counts()[d] == n for d, n in brute.items())
