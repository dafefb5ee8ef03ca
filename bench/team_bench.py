"""Team screening costs: a decision's save with two reviewers next to one, in the same run.

Run by hand from the repository root:

    .venv/bin/python bench/team_bench.py [--size 100000] [--saves 300]

Builds a library where the first reviewer decided `--size` records, then times
(fsync on) `--saves` decisions on random records by that same reviewer alone (the
baseline: a single-reviewer library), then, in a copy, by a second reviewer
(every save there updates both reviewers' decision maps and the final decision).
It also times the one-off cost of the second reviewer's first decision (every
record's final decision is derived again, once) and opening each library.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from peerlit_tui.services.annotations import AnnotationService

DECISIONS = ("include", "exclude", "maybe")


def build(folder: Path, size: int) -> None:
    with AnnotationService.open(folder, sync=False, reviewer="alice") as svc:
        for start in range(0, size, 5000):
            ids = [f"r{i:06d}" for i in range(start, min(size, start + 5000))]
            svc.set_decision(ids, "include")


def saves(folder: Path, reviewer: str, n: int, size: int) -> tuple[list[float], float]:
    rng = random.Random(7)
    with AnnotationService.open(folder, reviewer=reviewer) as svc:
        first = time.perf_counter()
        svc.set_decision("r000000", "exclude")
        first_cost = time.perf_counter() - first
        times = []
        for _ in range(n):
            rid = f"r{rng.randrange(size):06d}"
            t = time.perf_counter()
            svc.set_decision(rid, rng.choice(DECISIONS))
            times.append(time.perf_counter() - t)
    return times, first_cost


def open_time(folder: Path, runs: int = 3) -> float:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        AnnotationService.open(folder, read_only=True).close(checkpoint=False)
        out.append(time.perf_counter() - t)
    return statistics.median(out)


def p95(values: list[float]) -> float:
    return sorted(values)[int(0.95 * (len(values) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--saves", type=int, default=300)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="team-bench-"))
    try:
        one, two = work / "one", work / "two"
        build(one, args.size)
        shutil.copytree(one, two)
        base, _ = saves(one, "alice", args.saves, args.size)
        team, first = saves(two, "bob", args.saves, args.size)
        ms = 1000.0
        print(f"{args.size} decided records, {args.saves} fsynced decisions each")
        print(f"one reviewer (baseline): median {statistics.median(base) * ms:.2f} ms, "
              f"p95 {p95(base) * ms:.2f} ms")  # fmt: skip
        print(f"second reviewer:         median {statistics.median(team) * ms:.2f} ms, "
              f"p95 {p95(team) * ms:.2f} ms")  # fmt: skip
        print(f"second reviewer's first decision (one-off): {first * ms:.1f} ms")
        print(f"open read-only: one reviewer {open_time(one) * ms:.0f} ms, "
              f"two reviewers {open_time(two) * ms:.0f} ms")  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
