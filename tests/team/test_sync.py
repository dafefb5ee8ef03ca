"""Two machines share one review through a bare git repository (`peerlit sync`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.team.test_sync_helpers import (
    ALICE,
    BOB,
    CONFLICTS,
    KAPPA,
    SAMPLE,
    as_json,
    bare_remote,
    ids_of,
    ok,
    run,
    screen,
    sync,
    view,
)

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


@pytest.fixture
def machines(tmp_path: Path) -> tuple[Path, Path, Path, list[str]]:
    """Alice's library (imported the sample), bob's empty one, and the remote."""
    remote = bare_remote(tmp_path)
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    assert run(alice, "import", str(SAMPLE))[0] in (0, 1)
    ids = ids_of(alice)
    assert len(ids) >= 8
    return alice, bob, remote, ids


def test_two_machines_agree_on_decisions_counts_conflicts_and_kappa(
    machines: tuple[Path, Path, Path, list[str]],
) -> None:
    alice, bob, remote, ids = machines
    screen(alice, "alice", ids, ALICE)
    ok(alice, "--reviewer", "alice", "tag", ids[0], "qualitative")
    first = sync(alice, "alice", "--remote", str(remote))
    assert first["pushed"] and first["exported"] >= 7
    joined = sync(bob, "bob", "--remote", str(remote))
    assert joined["files_imported"] == 1 and ids_of(bob) == ids  # same records, same ids
    screen(bob, "bob", ids, BOB)
    ok(bob, "--reviewer", "bob", "tag", ids[0], "rct")  # tags merge per tag
    ok(bob, "blind", "off")  # a setting: travels, newest wins
    for lib, who in ((bob, "bob"), (alice, "alice"), (alice, "alice"), (bob, "bob")):
        assert sync(lib, who)["pushed"]
    seen_by_alice, seen_by_bob = view(alice, "alice"), view(bob, "bob")
    assert seen_by_alice == seen_by_bob
    agreement = seen_by_alice["agreement"]
    assert agreement["reviewers"] == ["alice", "bob"]
    assert agreement["both_screened"] == 6 and agreement["agree"] == 4
    assert agreement["conflicts"] == 2
    assert agreement["cohen_kappa"] == pytest.approx(KAPPA)
    conflicts = seen_by_alice["conflicts"]["conflicts"]
    assert [c["id"] for c in conflicts] == sorted(ids[i] for i in CONFLICTS)
    first_record = seen_by_alice["decisions"][ids[0]]
    assert first_record[0] == {
        "alice": {"decision": "include", "reason": ""},
        "bob": {"decision": "include", "reason": ""},
    }
    assert sorted(first_record[1]["tags"]) == ["qualitative", "rct"]
    screening = seen_by_alice["stats"]
    assert screening == seen_by_bob["stats"]
    assert as_json(alice, "blind")["mode"] == "off"


def test_an_empty_library_rebuilds_the_records_and_every_reviewers_annotations(
    machines: tuple[Path, Path, Path, list[str]], tmp_path: Path
) -> None:
    alice, bob, remote, ids = machines
    screen(alice, "alice", ids, ALICE)
    ok(alice, "--reviewer", "alice", "note", ids[1], "check the protocol")
    sync(alice, "alice", "--remote", str(remote))
    sync(bob, "bob", "--remote", str(remote))
    screen(bob, "bob", ids, BOB)
    ok(bob, "--reviewer", "bob", "resolve", ids[2], "include", "--reason", "discussed")
    ok(bob, "blind", "off")
    sync(bob, "bob")
    sync(alice, "alice")
    fresh = tmp_path / "carol"
    sync(fresh, "carol", "--remote", str(remote))
    assert ids_of(fresh) == ids
    expected = view(alice, "alice")
    assert view(fresh, "alice") == expected
    assert as_json(fresh, "show", ids[1])["annotations"]["note"] == "check the protocol"


def test_offline_sync_loses_nothing_and_the_next_sync_completes(
    machines: tuple[Path, Path, Path, list[str]], tmp_path: Path
) -> None:
    alice, bob, remote, ids = machines
    sync(alice, "alice", "--remote", str(remote))
    sync(bob, "bob", "--remote", str(remote))
    screen(alice, "alice", ids, ALICE)
    away = tmp_path / "elsewhere.git"
    remote.rename(away)  # the server is gone: no network
    code, out, err = run(alice, "--reviewer", "alice", "sync")
    assert code == 1 and "cannot be reached" in out and "Traceback" not in out + err
    ok(alice, "--reviewer", "alice", "decide", ids[7], "maybe")  # still works offline
    away.rename(remote)
    assert sync(alice, "alice")["pushed"]
    sync(bob, "bob")
    assert view(bob, "bob")["decisions"] == view(alice, "alice")["decisions"]
    assert as_json(bob, "show", ids[7])["annotations"]["decision"] == "maybe"


def test_sync_without_a_remote_says_how_to_connect(tmp_path: Path) -> None:
    code, _out, err = run(tmp_path / "lib", "sync")
    assert code == 2 and "peerlit sync --remote URL" in err and "Traceback" not in err


def test_sync_without_git_says_git_is_needed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    code, _out, err = run(tmp_path / "lib", "sync", "--remote", str(tmp_path / "r.git"))
    assert code == 2 and "needs the git program" in err and "Traceback" not in err


def test_a_remote_url_like_an_option_is_refused(tmp_path: Path) -> None:
    code, _, err = run(tmp_path / "lib", "sync", "--remote=--upload-pack=touch")
    assert code == 2 and "give a git URL" in err


def test_status_says_when_the_library_last_synced(
    machines: tuple[Path, Path, Path, list[str]],
) -> None:
    alice, _, remote, _ = machines
    assert as_json(alice, "sync", "--status")["connected"] is False
    sync(alice, "alice", "--remote", str(remote))
    status = as_json(alice, "sync", "--status")
    assert status["connected"] and status["remote"] == str(remote.resolve())
    assert status["last_sync"] and "in step" in status["last_result"]
    assert os.path.isdir(alice / "sync" / ".git")
    assert not list((alice / "sync").rglob("*.sqlite3"))
    assert not list((alice / "sync").rglob("annotations.json"))


def test_a_copied_library_syncs_as_a_machine_of_its_own(
    machines: tuple[Path, Path, Path, list[str]], tmp_path: Path
) -> None:
    alice, _, remote, ids = machines
    screen(alice, "alice", ids, ALICE)
    sync(alice, "alice", "--remote", str(remote))
    copy = tmp_path / "alice-laptop"
    shutil.copytree(alice, copy)
    ok(copy, "--reviewer", "alice", "decide", ids[7], "exclude")
    ok(alice, "--reviewer", "alice", "note", ids[7], "on the desktop")
    assert sync(copy, "alice")["pushed"] and sync(alice, "alice")["pushed"]
    sync(copy, "alice")
    machines_seen = {p.stem for p in (alice / "sync" / "imports").glob("*.jsonl")}
    changes = sorted(p.name for p in (alice / "sync" / "changes").glob("alice@*.jsonl"))
    assert len(changes) == 2 and len(machines_seen) == 1  # the copy imported nothing new
    for lib in (alice, copy):
        shown = as_json(lib, "show", ids[7])["annotations"]
        assert (shown["decision"], shown["note"]) == ("exclude", "on the desktop")


def test_hostile_lines_from_the_remote_are_cleaned_or_skipped(
    machines: tuple[Path, Path, Path, list[str]],
) -> None:
    alice, bob, remote, ids = machines
    sync(alice, "alice", "--remote", str(remote))
    sync(bob, "bob", "--remote", str(remote))
    tree = bob / "sync"
    lines = [
        {"id": "deadbeef:1", "ts": "2030-01-01T00:00:00.000Z", "reviewer": "mallory",
         "changes": [{"id": ids[0], "field": "note", "old": "", "new": "hi\x1b[31m there"},
                     {"id": ids[0], "field": "owner", "old": "", "new": "mallory"},
                     {"id": ids[1], "field": "rating", "old": 0, "new": 99}]},
    ]  # fmt: skip
    torn = json.dumps({"id": "deadbeef:2", "ts": "2030", "changes": []})[:20]
    (tree / "changes" / "mallory@deadbeef.jsonl").write_text(
        "".join(json.dumps(line) + "\n" for line in lines) + "not json\n" + torn,
        encoding="utf-8",
    )
    (tree / "imports" / "deadbeef.jsonl").write_text(
        json.dumps({"n": 1, "sha256": "0" * 64, "file": "../../etc/passwd", "name": "x"}) + "\n",
        encoding="utf-8",
    )
    steps = (["add", "-A"], ["commit", "-qm", "hostile"], ["push", "-q", "origin", "HEAD:main"])
    for args in steps:
        subprocess.run(["git", "-C", str(tree), *args], check=True, capture_output=True)
    code, out, err = run(alice, "--reviewer", "alice", "sync", "--json")
    assert code == 0 and "Traceback" not in err
    report = json.loads(out)
    assert len(report["warnings"]) == 4, report["warnings"]  # field, rating, line, file
    note = as_json(alice, "show", ids[0])["annotations"]["note"]
    assert "\x1b" not in note and note.startswith("hi") and note.endswith("there")
    assert as_json(alice, "show", ids[1])["annotations"]["rating"] == 0


def test_a_library_joining_takes_the_teams_settings_not_its_defaults(
    machines: tuple[Path, Path, Path, list[str]],
) -> None:
    alice, bob, remote, _ = machines
    ok(alice, "criteria", "--set", "Adults with peer support")
    ok(bob, "criteria", "--set", "a draft of my own")  # bob's library, before joining
    sync(alice, "alice", "--remote", str(remote))
    sync(bob, "bob", "--remote", str(remote))
    sync(alice, "alice")
    for lib in (alice, bob):
        assert as_json(lib, "criteria")["criteria"] == "Adults with peer support"
    ok(bob, "criteria", "--set", "Adults; peer support; any design")  # newest wins
    sync(bob, "bob")
    sync(alice, "alice")
    assert as_json(alice, "criteria")["criteria"] == "Adults; peer support; any design"
