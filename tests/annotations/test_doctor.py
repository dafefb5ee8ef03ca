from __future__ import annotations

import json
from pathlib import Path

from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.storage.paths import ANNOTATIONS_JSON, BACKUP_DIR
from tests.annotations.helpers import journal_path, open_service


def _library(folder: Path) -> None:
    with open_service(folder) as svc:
        svc.add_tags(["a", "b"], "peer")
        svc.set_note("a", "kept")
        svc.add_reason("duplicate")


def test_healthy_store(tmp_path: Path) -> None:
    _library(tmp_path)
    report = AnnotationService.doctor(tmp_path)
    assert report.ok and report.problems == [] and report.repairs == []
    assert any("journal: 3 entries" in line for line in report.checked)
    assert any("2 records annotated" in line for line in report.checked)
    assert report.to_json()["ok"] is True


def test_missing_folder(tmp_path: Path) -> None:
    report = AnnotationService.doctor(tmp_path / "none")
    assert report.ok and "nothing to check" in report.checked[0]


def test_repairs_torn_line_and_temp_files(tmp_path: Path) -> None:
    _library(tmp_path)
    with open(journal_path(tmp_path), "ab") as f:
        f.write(b'{"seq":4,"txn":"ab')
    (tmp_path / ".annotations.json.zz.tmp").write_text("{")
    report = AnnotationService.doctor(tmp_path)
    assert report.ok
    assert any("incomplete" in p for p in report.problems)
    assert any("temp file" in p for p in report.problems)
    assert any("removed the incomplete last line of" in r for r in report.repairs)
    assert (journal_path(tmp_path)).read_bytes().endswith(b"\n")
    assert not list(tmp_path.glob("*.tmp"))
    assert AnnotationService.doctor(tmp_path).problems == []


def test_rebuilds_unreadable_checkpoint_from_journal(tmp_path: Path) -> None:
    _library(tmp_path)
    (tmp_path / ANNOTATIONS_JSON).write_text('{"annotations": {"1": {"rec')
    report = AnnotationService.doctor(tmp_path)
    assert report.ok
    assert any("unreadable" in p for p in report.problems)
    assert any(r.startswith("moved the unreadable file") for r in report.repairs)
    assert f"{ANNOTATIONS_JSON} rebuilt" in report.repairs
    assert list((tmp_path / BACKUP_DIR).glob("corrupt-annotations-*.json"))
    data = json.loads((tmp_path / ANNOTATIONS_JSON).read_text())
    assert {d["record_id"] for d in data["annotations"].values()} == {"a", "b"}
    with open_service(tmp_path) as svc:
        assert svc.warnings == [] and svc.get("a").note == "kept"


def test_rewrites_checkpoint_that_disagrees_with_journal(tmp_path: Path) -> None:
    _library(tmp_path)
    path = tmp_path / ANNOTATIONS_JSON
    data = json.loads(path.read_text())
    data["annotations"]["1"]["note"] = "edited by hand"
    path.write_text(json.dumps(data))
    report = AnnotationService.doctor(tmp_path)
    assert any("disagrees with the journals" in p and "note" in p for p in report.problems)
    assert f"{ANNOTATIONS_JSON} rewritten from the journals" in report.repairs
    with open_service(tmp_path) as svc:
        assert svc.get("a").note == "kept"


def test_creates_missing_checkpoint(tmp_path: Path) -> None:
    _library(tmp_path)
    (tmp_path / ANNOTATIONS_JSON).unlink()
    report = AnnotationService.doctor(tmp_path)
    assert f"{ANNOTATIONS_JSON} is missing" in report.problems
    assert (tmp_path / ANNOTATIONS_JSON).exists()


def test_journal_without_beginning_is_reported(tmp_path: Path) -> None:
    _library(tmp_path)
    journal = journal_path(tmp_path)
    lines = journal.read_bytes().split(b"\n")
    journal.write_bytes(b"\n".join(lines[2:]))
    report = AnnotationService.doctor(tmp_path)
    assert not report.healthy
    assert any("no header" in p for p in report.problems)
    # The checkpoint holds the newer truth: kept, and the damaged journal set aside.
    assert any("set the damaged journal aside" in r for r in report.repairs)
    with open_service(tmp_path) as svc:
        assert svc.get("a").note == "kept" and svc.ids_with_tag("peer") == {"a", "b"}
        assert svc.warnings == []
    assert AnnotationService.doctor(tmp_path).healthy
