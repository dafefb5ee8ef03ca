"""Sync costs: sending and receiving 10,000 new annotation changes, peerlit's time apart from git's.

Run by hand from the repository root:

    nice -n 5 .venv/bin/python bench/sync_bench.py [--changes 10000] [--runs 3]

Each run builds two libraries and a local bare git repository: alice makes
`--changes` decisions (one transaction each, on as many records), syncs (export,
commit, push), then bob, connected before, syncs (fetch, merge, apply). The
baseline, measured in the same run, is a sync with nothing new. Times are medians
over `--runs`; "peerlit" is the sync's wall time minus the time spent in git
subprocesses, which is printed beside it (opening and closing the library's stores
is not counted: any command pays it).

Figures of 4 December 2026 (`--changes 10000 --runs 3`, load 0.2, medians): send
peerlit 0.279 s + git 0.161 s; receive peerlit 0.364 s + git 0.091 s; a sync with
nothing new 0.079 s + 0.028 s. The goal is peerlit ≤ 5 s for each of the first two.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.services.library import Library
from peerlit_tui.services.sync import SyncReport, sync

DECISIONS = ("include", "exclude", "maybe")


def _sync(folder: Path, reviewer: str, remote: str | None = None) -> SyncReport:
    library = Library.open(folder)
    try:
        with AnnotationService.open(folder, reviewer=reviewer) as svc:
            return sync(folder, library, svc, remote=remote)
    finally:
        library.close()


def one_run(root: Path, changes: int) -> dict[str, tuple[float, float]]:
    remote = root / "team.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(remote)], check=True)
    alice, bob = root / "alice", root / "bob"
    _sync(alice, "alice", str(remote))
    _sync(bob, "bob", str(remote))
    with AnnotationService.open(alice, sync=False, reviewer="alice") as svc:
        for i in range(changes):
            svc.set_decision(f"r{i:06d}", DECISIONS[i % 3])
    out: dict[str, tuple[float, float]] = {}
    for name, folder, who in (("send", alice, "alice"), ("receive", bob, "bob"),
                              ("nothing new", alice, "alice")):  # fmt: skip
        report = _sync(folder, who)  # timed inside: the stores' open and close are not sync
        out[name] = (report.seconds - report.git_seconds, report.git_seconds)
        if name == "send":
            assert report.exported == changes, report
        if name == "receive":
            assert report.applied == changes, report
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"load: {os.getloadavg()[0]:.2f} (1 min)")
    runs = []
    for n in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            runs.append(one_run(Path(tmp), args.changes))
        print(f"run {n + 1}: " + ", ".join(f"{k} {p:.3f}+{g:.3f} s" for k, (p, g) in
                                           runs[-1].items()))  # fmt: skip
    print(f"\nmedian of {args.runs} runs, {args.changes} changes (peerlit s | git s):")
    for key in runs[0]:
        own = statistics.median(r[key][0] for r in runs)
        git = statistics.median(r[key][1] for r in runs)
        print(f"  {key:12s} peerlit {own:7.3f} s | git {git:7.3f} s")
    print("  target: peerlit <= 5 s for sending and for receiving 10,000 changes")


if __name__ == "__main__":
    main()
