"""A library written before reviewers existed opens with every annotation and its undo history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.services.team import decisions_of, rename_reviewer, reviewers
from peerlit_tui.storage.paths import ANNOTATIONS_JOURNAL

BY = {"session": "0a1b2c3d4e5f", "pid": 4242, "host": "old-laptop"}


def old_journal(folder: Path) -> None:
    """Journal lines as the store wrote them before reviewers (no "reviewer" anywhere)."""

    def entry(seq: int, txn: str, action: str, label: str, changes: list[dict[str, object]],
              **extra: str) -> dict[str, object]:  # fmt: skip
        out: dict[str, object] = {"seq": seq, "txn": txn, "ts": f"2024-05-0{seq}T10:00:00.000Z",
                                  "action": action}  # fmt: skip
        out.update(extra)
        out.update(label=label, by=BY, changes=changes)
        return out

    lines = [
        {"seq": 0, "journal": "5e5e5e5e5e5e", "format": 1, "created": "2024-05-01T09:00:00.000Z"},
        entry(1, "a00000000001", "edit", "decide include for r1",
              [{"id": "r1", "field": "decision", "old": "undecided", "new": "include"}]),
        entry(2, "a00000000002", "edit", "decide exclude (off topic) for r2",
              [{"id": "r2", "field": "decision", "old": "undecided", "new": "exclude"},
               {"id": "r2", "field": "reason", "old": "", "new": "off topic"}]),
        entry(3, "a00000000003", "edit", "decide maybe for r3",
              [{"id": "r3", "field": "decision", "old": "undecided", "new": "maybe"}]),
        entry(4, "a00000000004", "undo", "undo: decide maybe for r3",
              [{"id": "r3", "field": "decision", "old": "maybe", "new": "undecided"}],
              undoes="a00000000003"),
        entry(5, "a00000000005", "edit", "tag 'ward' on r1",
              [{"id": "r1", "field": "tags", "old": [], "new": ["ward"]}]),
    ]  # fmt: skip
    folder.mkdir(parents=True)
    text = "".join(json.dumps(line) + "\n" for line in lines)
    (folder / ANNOTATIONS_JOURNAL).write_text(text, encoding="utf-8")


def test_old_library_keeps_annotations_and_undo_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "library"
    old_journal(folder)
    monkeypatch.setenv("LOGNAME", "carol")
    monkeypatch.delenv("PEERLIT_REVIEWER", raising=False)
    svc = AnnotationService.open(folder, sync=False)
    assert svc.reviewer == "carol" and svc.earlier_reviewer == "carol"
    assert svc.get("r1").decision == "include" and svc.get("r1").tags == ("ward",)
    assert (svc.get("r2").decision, svc.get("r2").reason) == ("exclude", "off topic")
    assert svc.get("r3").decision == "undecided"
    assert reviewers(svc) == [{"name": "carol", "screened": 2}]
    assert decisions_of(svc, "r2") == {"carol": {"decision": "exclude", "reason": "off topic"}}
    assert [h.field for h in svc.history("r2")] == ["decision", "reason"]
    # Undo walks the old history: the tag first, then the exclusion (r3's was undone).
    assert svc.peek_undo() is not None and svc.undo() is not None
    assert svc.get("r1").tags == ()
    svc.undo()
    assert svc.get("r2").decision == "undecided"
    svc.redo()
    assert (svc.get("r2").decision, svc.get("r2").reason) == ("exclude", "off topic")
    # The same person goes on deciding: still one reviewer, nothing pending.
    svc.set_decision("r4", "include")
    assert svc.get("r4").decision == "include"
    svc.close()

    # The earlier reviewer's name was fixed at the first open, whoever opens next;
    # the checkpoint written at close reads back the same.
    monkeypatch.setenv("LOGNAME", "dave")
    again = AnnotationService.open(folder, sync=False)
    assert again.earlier_reviewer == "carol" and again.reviewer == "dave"
    assert reviewers(again) == [{"name": "carol", "screened": 3}]
    assert again.get("r2").decision == "exclude"
    assert rename_reviewer(again, "carol", "erin") is None
    assert reviewers(again) == [{"name": "erin", "screened": 3}]
    # A second reviewer appears: records only erin screened now wait for dave.
    again.set_decision("r1", "include")
    assert again.get("r1").decision == "include"
    assert again.get("r2").decision == "undecided"
    again.close()
