"""A journal that no longer matches the checkpoint is never replayed over it (issue F1)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.storage.paths import ANNOTATIONS_JSON
from tests.annotations.helpers import journal_lines, journal_path, open_service


def damaged_journals(folder: Path) -> list[Path]:
    return sorted(journal_path(folder).parent.glob(f"{journal_path(folder).name}.damaged-*"))


def _five(folder: Path, *, legacy: bool = False) -> None:
    """The audit's reproduction: a tag, two notes, a rating, a decision; then a checkpoint.

    With `legacy`, written to `annotations.journal` as before reviewers had journals.
    """
    with open_service(folder) as svc:
        if legacy:
            svc.store.reviewer = ""
        svc.add_tags("8917", "a")
        svc.set_note("8917", "v1")
        svc.set_note("8917", "v2")
        svc.set_rating("fcb3", 5)
        svc.set_decision("c043", "include")


def _assert_all_there(svc: AnnotationService) -> None:
    assert svc.get("8917").note == "v2"
    assert svc.get("8917").tags == ("a",)
    assert svc.get("fcb3").rating == 5
    assert svc.get("c043").decision == "include"


def _truncate(folder: Path, lines: int) -> None:
    journal = journal_path(folder)
    kept = journal.read_bytes().split(b"\n")[:lines]
    journal.write_bytes(b"\n".join(kept) + b"\n")


def test_truncated_journal_is_not_replayed_over_the_checkpoint(tmp_path: Path) -> None:
    _five(tmp_path)
    _truncate(tmp_path, 3)  # header + 2 entries
    with open_service(tmp_path) as svc:
        _assert_all_there(svc)
        (warning,) = [w for w in svc.warnings if "shorter" in w]
        assert "were kept" in warning and "set aside" in warning
        svc.set_rating("fcb3", 4)  # the library goes on working
    (aside,) = damaged_journals(tmp_path)
    assert aside.read_bytes().count(b"\n") == 3  # nothing deleted
    with open_service(tmp_path) as svc:
        assert svc.warnings == []
        assert svc.get("8917").note == "v2" and svc.get("fcb3").rating == 4
    assert AnnotationService.doctor(tmp_path).healthy


def test_doctor_with_missing_journal_keeps_every_annotation(tmp_path: Path) -> None:
    _five(tmp_path)
    (journal_path(tmp_path)).unlink()
    report = AnnotationService.doctor(tmp_path)
    with open_service(tmp_path) as svc:
        _assert_all_there(svc)
        assert svc.warnings == []
    assert not report.healthy and report.ok
    assert any("missing or empty" in p for p in report.problems)
    assert AnnotationService.doctor(tmp_path).healthy


def test_doctor_with_truncated_journal_keeps_every_annotation(tmp_path: Path) -> None:
    _five(tmp_path)
    _truncate(tmp_path, 3)
    report = AnnotationService.doctor(tmp_path)
    with open_service(tmp_path) as svc:
        _assert_all_there(svc)
    assert not report.healthy
    assert any("set the damaged journal aside" in r for r in report.repairs)
    assert len(damaged_journals(tmp_path)) == 1


def test_foreign_journal_is_set_aside(tmp_path: Path) -> None:
    _five(tmp_path)
    other = tmp_path / "other"
    with open_service(other) as svc:
        svc.set_note("zzz", "another library")
    os.replace(journal_path(other), journal_path(tmp_path))
    with open_service(tmp_path) as svc:
        _assert_all_there(svc)
        assert svc.get("zzz").note == ""
        assert any("another journal" in w for w in svc.warnings)


def test_old_checkpoint_without_fingerprint_still_protected(tmp_path: Path) -> None:
    _five(tmp_path, legacy=True)  # the old layout only knew annotations.journal
    path = tmp_path / ANNOTATIONS_JSON
    data = json.loads(path.read_text())
    meta = data["meta"]["1"]
    meta.pop("journals", None)
    meta["format"] = 1
    path.write_text(json.dumps(data))
    _truncate(tmp_path, 3)
    with open_service(tmp_path) as svc:
        _assert_all_there(svc)
        assert any("shorter" in w for w in svc.warnings)


def test_changed_prefix_keeps_checkpoint_and_newer_entries(tmp_path: Path) -> None:
    _five(tmp_path)
    # Two more changes after the checkpoint, not checkpointed.
    svc = open_service(tmp_path)
    svc.set_note("8917", "v3")
    svc.add_tags("new", "later")
    svc.close(checkpoint=False)
    journal = journal_path(tmp_path)
    raw = bytearray(journal.read_bytes())
    at = raw.index(b'"v1"')
    raw[at + 1 : at + 3] = b"XX"  # an early entry changed, same length
    journal.write_bytes(bytes(raw))
    with open_service(tmp_path) as again:
        assert any("was changed" in w for w in again.warnings)
        assert any("2 newer change(s)" in w for w in again.warnings)
        assert again.get("8917").note == "v3"
        assert again.ids_with_tag("later") == {"new"}
        assert again.get("fcb3").rating == 5
    copied = [e for e in journal_lines(tmp_path) if e.get("salvaged_from")]
    assert len(copied) == 2


def test_newer_entries_that_do_not_fit_are_left_out(tmp_path: Path) -> None:
    _five(tmp_path)
    svc = open_service(tmp_path)
    svc.set_note("8917", "v3")
    svc.close(checkpoint=False)
    journal = journal_path(tmp_path)
    lines = journal.read_bytes().split(b"\n")
    last = json.loads(lines[-2])
    last["changes"][0]["old"] = "not what the checkpoint holds"
    # Cut the journal short by one entry and put the altered newer one back.
    journal.write_bytes(b"\n".join([*lines[:3], json.dumps(last).encode()]) + b"\n")
    with open_service(tmp_path) as again:
        _assert_all_there(again)
        assert any("did not fit were left out" in w for w in again.warnings)


def test_journal_deleted_while_open_loses_nothing(tmp_path: Path) -> None:
    _five(tmp_path)
    svc = open_service(tmp_path, checkpoint_every=10**6)
    svc.set_note("8917", "after the checkpoint")
    (journal_path(tmp_path)).unlink()
    svc.set_rating("fcb3", 2)  # notices, copies the deleted journal out, goes on
    svc.close(checkpoint=False)
    with open_service(tmp_path) as again:
        assert again.get("8917").note == "after the checkpoint"
        assert again.get("fcb3").rating == 2
        assert again.get("c043").decision == "include"


def test_other_process_setting_journal_aside_is_followed(tmp_path: Path) -> None:
    _five(tmp_path)
    first = open_service(tmp_path)
    _truncate(tmp_path, 3)
    second = open_service(tmp_path)  # sets the journal aside, starts a new one
    assert any("shorter" in w for w in second.warnings)
    first.set_rating("fcb3", 1)  # must go into the new journal, not the set-aside one
    assert second.refresh() and second.get("fcb3").rating == 1
    first.close()
    second.close()
    with open_service(tmp_path) as again:
        _assert_all_there_but_rating(again)
        assert again.get("fcb3").rating == 1


def _assert_all_there_but_rating(svc: AnnotationService) -> None:
    assert svc.get("8917").note == "v2" and svc.get("c043").decision == "include"


def test_read_only_open_of_damaged_journal_keeps_checkpoint(tmp_path: Path) -> None:
    _five(tmp_path)
    _truncate(tmp_path, 3)
    with open_service(tmp_path, read_only=True) as svc:
        _assert_all_there(svc)
        assert any("peerlit doctor" in w for w in svc.warnings)
    assert damaged_journals(tmp_path) == []  # read-only: nothing renamed


def test_newer_backup_wins_when_checkpoint_and_journal_were_both_put_back(
    tmp_path: Path,
) -> None:
    with open_service(tmp_path, backup_interval=0) as svc:
        svc.set_note("a", "one")
        svc.set_note("a", "two")
        svc.store.checkpoint()
        old_copy = (tmp_path / ANNOTATIONS_JSON).read_bytes()
        svc.set_note("a", "three")
        svc.set_rating("b", 4)
    # A restore put back an older annotations.json and cut the journal short.
    (tmp_path / ANNOTATIONS_JSON).write_bytes(old_copy)
    _truncate(tmp_path, 2)
    with open_service(tmp_path) as svc:
        assert svc.get("a").note == "three" and svc.get("b").rating == 4
        assert any("newer than annotations.json" in w for w in svc.warnings)


def _open_and_tag(folder: str, tag: str) -> None:
    with AnnotationService.open(Path(folder), sync=False) as svc:
        svc.add_tags("shared", tag)


def test_two_processes_opening_a_damaged_journal_at_once(tmp_path: Path) -> None:
    import multiprocessing

    _five(tmp_path)
    _truncate(tmp_path, 3)
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_open_and_tag, args=(str(tmp_path), f"p{i}")) for i in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    assert len(damaged_journals(tmp_path)) == 1  # set aside once, by whoever came first
    with open_service(tmp_path) as svc:
        _assert_all_there(svc)
        assert set(svc.get("shared").tags) == {"p0", "p1", "p2", "p3"}
        assert svc.warnings == []


def test_kill_while_replacing_a_damaged_journal_loses_nothing(tmp_path: Path) -> None:
    import peerlit_tui.storage.annotation_recovery as recovery

    _five(tmp_path)
    svc = open_service(tmp_path)
    svc.set_note("8917", "newer, not checkpointed")
    svc.close(checkpoint=False)
    journal = journal_path(tmp_path)
    raw = bytearray(journal.read_bytes())
    at = raw.index(b'"v1"')
    raw[at + 1 : at + 3] = b"XX"  # damaged before the checkpoint's position
    journal.write_bytes(bytes(raw))
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child dies just before the new journal goes in

        def die(*args: object) -> None:
            os._exit(9)

        recovery.os.replace = die  # type: ignore[assignment]
        try:
            AnnotationService.open(tmp_path, sync=False)
        finally:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 9
    assert journal.read_bytes() == bytes(raw)  # still the damaged journal, untouched
    with open_service(tmp_path) as again:
        assert again.get("8917").note == "newer, not checkpointed"
        assert again.get("fcb3").rating == 5
    with open_service(tmp_path) as third:
        assert third.warnings == [] and third.get("8917").note == "newer, not checkpointed"
