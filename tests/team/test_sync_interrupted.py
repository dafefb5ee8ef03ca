"""A sync interrupted at any point leaves both sides usable, and the next sync converges."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from peerlit_tui.services import sync as sync_service
from peerlit_tui.services import sync_apply
from tests.team.test_sync_helpers import (
    SAMPLE,
    as_json,
    bare_remote,
    ids_of,
    ok,
    run,
    sync,
    view,
)

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

DECISIONS = ("include", "exclude", "maybe")


def _pair(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    remote = bare_remote(tmp_path)
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    assert run(alice, "import", str(SAMPLE))[0] in (0, 1)
    sync(alice, "alice", "--remote", str(remote))
    sync(bob, "bob", "--remote", str(remote))
    ok(bob, "blind", "off")
    return alice, bob, ids_of(alice)


def _converge(alice: Path, bob: Path) -> None:
    for lib, who in ((alice, "alice"), (bob, "bob"), (alice, "alice"), (bob, "bob")):
        report = sync(lib, who)
        assert report["pushed"], report
    assert view(alice, "alice") == view(bob, "bob")


def test_sync_killed_at_random_points_converges_on_the_next(tmp_path: Path) -> None:
    alice, bob, ids = _pair(tmp_path)
    rng = random.Random(20261203)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2]))

    def start(lib: Path, who: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "peerlit_tui", "--library", str(lib), "--reviewer", who,
             "sync"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    # How long a sync with a change to send takes on this machine now: kills are drawn
    # within it (past the interpreter's start), so they land inside the sync however
    # fast or loaded the machine is.
    ok(alice, "--reviewer", "alice", "decide", ids[0], "include")
    began = time.perf_counter()
    start(alice, "alice").wait()
    whole = time.perf_counter() - began
    kills = rounds = 0
    while kills < 20 and rounds < 60:
        lib, who = (alice, "alice") if rounds % 2 == 0 else (bob, "bob")
        ok(lib, "--reviewer", who, "decide", rng.choice(ids), rng.choice(DECISIONS))
        if rounds % 3 == 0:
            ok(lib, "--reviewer", who, "tag", rng.choice(ids), f"t{rounds % 4}")
        rounds += 1
        proc = start(lib, who)
        time.sleep(rng.uniform(0.3, 1.0) * whole)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        # Both sides still open and answer after every kill.
        assert len(as_json(alice, "list")) == len(ids)
        assert len(as_json(bob, "list")) == len(ids)
    assert kills >= 20  # twenty syncs cut short somewhere
    _converge(alice, bob)


class _Cut(BaseException):
    """Stands for a kill: nothing after it runs."""


#: Where a sync is cut: after each of these calls returns (step boundaries).
STEPS = [
    (sync_service, "save_state"),
    (sync_service, "export_settings"),
    (sync_service, "commit"),
    (sync_service, "exchange"),
    (sync_service, "import_missing"),
    (sync_apply, "read_lines"),
    (sync_service, "merge_settings"),
]


def test_sync_cut_after_each_step_converges_on_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob, ids = _pair(tmp_path)
    for n, (module, name) in enumerate(STEPS):
        ok(alice, "--reviewer", "alice", "decide", ids[n], "include")
        ok(bob, "--reviewer", "bob", "decide", ids[n], "exclude")
        ok(bob, "--reviewer", "bob", "note", ids[n], f"from bob {n}")
        sync(bob, "bob")
        real = getattr(module, name)

        def cut(*args: Any, real: Any = real, **kwargs: Any) -> Any:
            real(*args, **kwargs)
            raise _Cut

        monkeypatch.setattr(module, name, cut)
        with pytest.raises(_Cut):
            run(alice, "--reviewer", "alice", "sync")
        monkeypatch.setattr(module, name, real)
        assert len(as_json(alice, "list")) == len(ids)  # still opens
    _converge(alice, bob)
    for n in range(len(STEPS)):
        assert as_json(alice, "show", ids[n])["decisions"] == {
            "alice": {"decision": "include", "reason": ""},
            "bob": {"decision": "exclude", "reason": ""},
        }
        assert as_json(alice, "show", ids[n])["annotations"]["note"] == f"from bob {n}"
    # Nothing went twice: each of alice's decisions was exported once.
    (exported,) = (alice / "sync" / "changes").glob("alice@*.jsonl")
    lines = exported.read_text(encoding="utf-8").splitlines()
    assert len(set(lines)) == len(lines) == len(STEPS)


def test_two_machines_syncing_at_the_same_moment_both_get_through(tmp_path: Path) -> None:
    alice, bob, ids = _pair(tmp_path)
    ok(alice, "--reviewer", "alice", "decide", ids[0], "include")
    ok(bob, "--reviewer", "bob", "decide", ids[0], "exclude")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2]))
    procs = []
    for lib, who in ((alice, "alice"), (bob, "bob")):
        argv = ["-m", "peerlit_tui", "--library", str(lib), "--reviewer", who, "sync"]
        pipe = subprocess.PIPE
        proc = subprocess.Popen([sys.executable, *argv], env=env, stdout=pipe, stderr=pipe)
        procs.append(proc)
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, (out, err)  # the later push merged and pushed again
    _converge(alice, bob)
    assert as_json(bob, "show", ids[0])["decisions"] == {
        "alice": {"decision": "include", "reason": ""},
        "bob": {"decision": "exclude", "reason": ""},
    }
