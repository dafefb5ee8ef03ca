"""`show`, `decide` and `tag` on one record open only that record, and answer alike."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from peerlit_tui.cli import context
from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.storage.annotation_lookup import LOOKUP_FILE, read_lookup
from peerlit_tui.storage.paths import ANNOTATIONS_JSON
from tests.cli.helpers import run, sample_library


@pytest.fixture
def lib(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, list[str]]:
    # Treat the sample as a big library: writes then take the quick path too.
    monkeypatch.setattr(context, "CHEAP_CHECKPOINT", -1)
    folder = tmp_path / "library"
    ids = sample_library(folder, capsys)
    assert run(folder, "--reviewer", "alice", "decide", ids[0], "include") == 0
    assert run(folder, "--reviewer", "bob", "decide", ids[1], "maybe") == 0
    assert run(folder, "reasons", "--add", "too short") == 0
    with AnnotationService.open(folder, reviewer="alice") as svc:
        svc.save_lookup(always=True)  # a table, whatever the commands above left
    capsys.readouterr()
    return folder, ids


def no_full_open(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> AnnotationService:
        raise AssertionError("the whole store was opened")

    monkeypatch.setattr(AnnotationService, "open", refuse)


def shown(folder: Path, capsys: pytest.CaptureFixture[str], rid: str, who: str) -> Any:
    capsys.readouterr()
    assert run(folder, "--reviewer", who, "show", rid, "--json") == 0
    return json.loads(capsys.readouterr().out)


def test_quick_commands_never_load_the_whole_store(
    lib: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, ids = lib
    before = (folder / ANNOTATIONS_JSON).read_bytes()
    with monkeypatch.context() as m:
        no_full_open(m)
        assert run(folder, "--reviewer", "bob", "decide", ids[0], "exclude", "--reason",
                   "too short") == 0  # fmt: skip
        assert run(folder, "--reviewer", "alice", "tag", ids[2], "Method") == 0
        assert run(folder, "--reviewer", "bob", "tag", ids[3], "method") == 0
        assert run(folder, "--reviewer", "bob", "tag", ids[2], "METHOD", "--remove") == 0
        quick = {(rid, who): shown(folder, capsys, rid, who) for rid in ids[:4]
                 for who in ("alice", "bob", "carol")}  # fmt: skip
    assert (folder / ANNOTATIONS_JSON).read_bytes() == before  # journal lines only
    (folder / LOOKUP_FILE).unlink()  # now every command reads the whole store
    whole = {key: shown(folder, capsys, *key) for key in quick}
    assert quick == whole
    assert quick[(ids[3], "carol")]["annotations"]["tags"] == ["Method"]  # the library's spelling
    assert quick[(ids[0], "bob")]["decisions"] == {"bob": {"decision": "exclude",
                                                            "reason": "too short"}}  # fmt: skip


def test_a_corrupt_table_is_read_around_and_written_again(
    lib: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, ids = lib
    (folder / LOOKUP_FILE).write_bytes(b"not a database at all" * 100)
    assert run(folder, "--reviewer", "alice", "decide", ids[5], "include") == 0
    assert "decision: include" in capsys.readouterr().out
    table = read_lookup(folder)  # the full open wrote a new one at exit
    assert table is not None
    table.close()
    with monkeypatch.context() as m:
        no_full_open(m)
        assert run(folder, "--reviewer", "alice", "decide", ids[6], "include") == 0
        assert shown(folder, capsys, ids[5], "alice")["annotations"]["decision"] == "include"


def test_a_long_tail_checkpoints_from_a_full_store(
    lib: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, ids = lib
    monkeypatch.setattr(context, "CHECKPOINT_PENDING", 3)
    before = (folder / ANNOTATIONS_JSON).read_bytes()
    assert run(folder, "--reviewer", "alice", "tag", ids[7], "a") == 0
    assert run(folder, "--reviewer", "alice", "tag", ids[7], "b") == 0
    assert (folder / ANNOTATIONS_JSON).read_bytes() == before
    assert run(folder, "--reviewer", "alice", "tag", ids[7], "c") == 0
    assert (folder / ANNOTATIONS_JSON).read_bytes() != before  # three pending: checkpointed
    with AnnotationService.open_records(folder, [ids[7]], read_only=True) as svc:
        assert svc.get(ids[7]).tags == ("a", "b", "c")
        assert svc.store.pending() == 0
