from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from peerlit_tui.cli import main
from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.services.project import DEFAULT_EXCLUSION_REASONS
from tests.annotations.helpers import journal_path
from tests.conftest import SAMPLE_DATA

SAMPLE = SAMPLE_DATA / "emerald_peer_support_results.txt"


def run(lib: Path, *argv: str) -> int:
    return main(["--library", str(lib), *argv])


def run_json(lib: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    capsys.readouterr()
    assert run(lib, *argv, "--json") == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def lib(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, list[str]]:
    folder = tmp_path / "library"
    assert run(folder, "import", str(SAMPLE)) in (0, 1)
    listing = run_json(folder, capsys, "list")
    ids = [item["id"] for item in listing]  # type: ignore[attr-defined]
    assert len(ids) >= 3
    return folder, ids


def test_tag_and_show_json(lib: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]) -> None:
    folder, ids = lib
    out = run_json(folder, capsys, "tag", ids[0], "Peer Support", "ward")
    assert out["changed"] == 1  # type: ignore[index]
    assert out["annotations"][0]["tags"] == ["Peer Support", "ward"]  # type: ignore[index]
    shown = run_json(folder, capsys, "show", ids[0])
    assert shown["annotations"]["tags"] == ["Peer Support", "ward"]  # type: ignore[index]
    run(folder, "tag", ids[0], "WARD", "--remove")
    assert "tags: Peer Support" in capsys.readouterr().out


def test_unknown_id_is_an_error_and_changes_nothing(
    lib: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _ = lib
    capsys.readouterr()
    assert run(folder, "tag", "10.9999/nothing-here", "x") == 2
    err = capsys.readouterr().err
    assert "10.9999/nothing-here" in err
    for argv in (("rate", "zzzzzz", "3"), ("decide", "nope", "include"), ("history", "nope")):
        assert run(folder, *argv) == 2
    assert run_json(folder, capsys, "tags") == {"tags": []}


def test_ids_from_file_is_one_undo_step(
    lib: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder, ids = lib
    listing = tmp_path / "ids.txt"
    listing.write_text("# screened today\n" + "\n".join(ids[:3]) + "\n\n")
    out = run_json(folder, capsys, "decide", "--ids-from", str(listing), "include")
    assert out["changed"] == 3  # type: ignore[index]
    assert run(folder, "undo") == 0
    assert "undid: decide include for 3 records" in capsys.readouterr().out
    assert all(run_json(folder, capsys, "show", i)["annotations"]["decision"] == "undecided"  # type: ignore[index]
               for i in ids[:3])  # fmt: skip
    bad = tmp_path / "bad.txt"
    bad.write_text(ids[0] + "\nno-such-record\n")
    capsys.readouterr()
    assert run(folder, "tag", "--ids-from", str(bad), "x") == 2
    assert "no-such-record" in capsys.readouterr().err
    assert run_json(folder, capsys, "show", ids[0])["annotations"]["tags"] == []  # type: ignore[index]


def test_note_from_argument_and_stdin(
    lib: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, ids = lib
    assert run(folder, "note", ids[1], "short", "note") == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("line one\nline two\n"))
    out = run_json(folder, capsys, "note", ids[1], "-")
    assert out["annotations"][0]["note"] == "line one\nline two"  # type: ignore[index]


def test_rate_read_and_validation(
    lib: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, ids = lib
    assert run(folder, "rate", ids[0], "4") == 0
    assert run(folder, "read", ids[0], "skimmed") == 0
    capsys.readouterr()
    assert run(folder, "rate", ids[0], "9") == 2
    assert "0 to 5" in capsys.readouterr().err
    assert run(folder, "read", ids[0], "done") == 2
    ann = run_json(folder, capsys, "show", ids[0])["annotations"]  # type: ignore[index]
    assert (ann["rating"], ann["read"]) == (4, "skimmed")


def test_decide_with_reasons(
    lib: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, ids = lib
    capsys.readouterr()
    assert run(folder, "decide", ids[0], "exclude", "--reason", "wrong setting") == 2
    err = capsys.readouterr().err
    assert "unknown exclusion reason 'wrong setting'" in err and "--add-reason" in err
    assert (
        run(folder, "decide", ids[0], "exclude", "--reason", "wrong setting", "--add-reason") == 0
    )
    # A new library starts with the default reasons; an added one goes at the end.
    defaults = list(DEFAULT_EXCLUSION_REASONS)
    assert run_json(folder, capsys, "reasons") == {"reasons": [*defaults, "wrong setting"]}
    assert run_json(
        folder, capsys, "reasons", "--add", "duplicate", "--remove", "wrong setting"
    ) == {"reasons": defaults}
    assert run(folder, "decide", ids[0], "include", "--reason", "duplicate") == 2
    out = run_json(folder, capsys, "decide", ids[0], "maybe")
    assert out["annotations"][0]["reason"] == ""  # type: ignore[index]


def test_history_undo_redo(lib: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]) -> None:
    folder, ids = lib
    run(folder, "rate", ids[2], "2")
    run(folder, "rate", ids[2], "5")
    assert run(folder, "undo") == 0
    hist = run_json(folder, capsys, "history", ids[2])["changes"]  # type: ignore[index]
    assert [(h["old"], h["new"], h["undone"]) for h in hist] == [
        (0, 2, False), (2, 5, True), (5, 2, False)
    ]  # fmt: skip
    capsys.readouterr()
    run(folder, "history", ids[2])
    text = capsys.readouterr().out
    assert "rating   2 -> 5" in text and "[undone]" in text
    assert run_json(folder, capsys, "redo")["ids"] == [ids[2]]  # type: ignore[index]
    run(folder, "undo")
    run(folder, "undo")
    run(folder, "undo")  # the new library's default exclusion reasons
    capsys.readouterr()
    assert run(folder, "undo") == 1
    assert "nothing to undo" in capsys.readouterr().err


def test_tags_rename_merge_delete(
    lib: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, ids = lib
    run(folder, "tag", ids[0], "qual", "peer")
    run(folder, "tag", ids[1], "Qualitative")
    assert run_json(folder, capsys, "tags")["tags"] == [  # type: ignore[index]
        {"tag": "peer", "count": 1}, {"tag": "qual", "count": 1},
        {"tag": "Qualitative", "count": 1},
    ]  # fmt: skip
    out = run_json(folder, capsys, "tags", "--merge", "qual", "qualitative")
    assert out["changed"] == 1  # type: ignore[index]
    assert {"tag": "Qualitative", "count": 2} in out["tags"]  # type: ignore[index]
    out = run_json(folder, capsys, "tags", "--rename", "peer", "Peer work")
    assert {"tag": "Peer work", "count": 1} in out["tags"]  # type: ignore[index]
    out = run_json(folder, capsys, "tags", "--delete", "peer work")
    assert out["tags"] == [{"tag": "Qualitative", "count": 2}]  # type: ignore[index]
    capsys.readouterr()
    assert run(folder, "tags", "--delete", "missing") == 2
    assert "no record has the tag 'missing'" in capsys.readouterr().err
    run(folder, "tags")
    assert capsys.readouterr().out.split() == ["2", "Qualitative"]


def test_doctor(lib: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]) -> None:
    folder, ids = lib
    run(folder, "tag", ids[0], "x")
    with open(journal_path(folder), "ab") as f:
        f.write(b'{"seq":99,"tx')
    capsys.readouterr()
    assert run(folder, "doctor", "--json") == 1  # a problem was found (and repaired)
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["healthy"] is False
    assert any("removed the incomplete last line of" in r for r in report["repairs"])
    assert run(folder, "doctor") == 0
    out = capsys.readouterr().out
    assert "healthy: nothing is wrong" in out and "problem:" not in out


def test_doctor_keeps_annotations_of_a_deleted_journal(
    lib: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, ids = lib
    run(folder, "tag", ids[0], "keep-me")
    run(folder, "note", ids[0], "important note")
    run(folder, "rate", ids[1], "5")
    with AnnotationService.open(folder) as svc:  # as the app does at exit
        svc.store.checkpoint()
    (journal_path(folder)).unlink()
    capsys.readouterr()
    assert run(folder, "doctor") == 1
    out = capsys.readouterr().out
    assert "journal is missing or empty" in out
    assert "problems were found and repaired" in out
    shown = run_json(folder, capsys, "show", ids[0])["annotations"]  # type: ignore[index]
    assert shown["tags"] == ["keep-me"] and shown["note"] == "important note"
    assert run_json(folder, capsys, "show", ids[1])["annotations"]["rating"] == 5  # type: ignore[index]
    assert run(folder, "doctor") == 0


def test_undo_says_whose_change_it_reverts(
    lib: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, ids = lib
    run(folder, "tag", ids[0], "cli-last")
    capsys.readouterr()
    assert run(folder, "undo") == 0
    out = capsys.readouterr().out
    assert out.startswith(f"undid: tag 'cli-last' on {ids[0]} (")
    assert "made by peerlit process" in out


def test_ids_from_stdin_and_empty_tag_list(
    lib: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, ids = lib
    capsys.readouterr()
    run(folder, "tags")
    assert "no tags yet" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{ids[0]}\n{ids[1].upper()}\n"))
    assert run(folder, "tag", "--ids-from", "-", "batch", "two") == 0
    assert "2 records" in capsys.readouterr().out
    assert run_json(folder, capsys, "tags")["tags"] == [  # type: ignore[index]
        {"tag": "batch", "count": 2}, {"tag": "two", "count": 2}
    ]  # fmt: skip
    capsys.readouterr()
    assert run(folder, "tag", ids[0]) == 2
    assert "at least one tag" in capsys.readouterr().err
