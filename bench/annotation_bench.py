"""Annotation save and open costs: the peerlit store next to default TinyDB.

Run by hand from the repository root:

    .venv/bin/python bench/annotation_bench.py [--sizes 1000,10000,100000] [--saves 300]

For each size it builds a library with that many annotations, then measures one
save (a rating change on a random record, fsync included) with the peerlit store
and with default TinyDB (`JSONStorage`, `table.update`) on the same documents.
Default TinyDB rewrites the whole file per save (about 2 s at 100k), so only a few
of its saves are sampled at the larger sizes. It also prints the raw cost of one
fsynced 200-byte append on this disk (the floor for any durable save), saves made
while a background checkpoint runs, and the time to open a store of the largest
size (median of several runs, with and without a journal tail to replay).

With `--reviewers 1,2,4` it also measures saves made by that many reviewers at
once on the largest library, each reviewer a process of its own deciding records
back to back (fsync on): once with each reviewer writing their own journal
(`annotations/NAME.journal`, own lock), and once with every reviewer writing the
one journal `annotations.journal` under one lock (the single-journal layout),
in the same run. It also times a new reviewer's first decision, which makes every
agreed record wait for that reviewer, next to deriving every final decision again.

`--pace MS[,MS…]` spaces each reviewer's decisions by a random 0 to 2 × MS (people
read an abstract between two decisions; back to back, 4 processes on 2 cores mostly
measure their queue for the CPU and the disk). The table adds each save's CPU time
and, per pace, one fsynced append alone at that pace: the disk's own floor.

Figures of 4 December 2026 (`--sizes 100000 --reviewers 1,2,4 --pace 0,250
--reviewer-saves 120`, load 0.6-1.5, ms per save p50 / p95):

    reviewers  pace   own journal each   one shared journal   own journal, CPU
        1      0 ms     0.82 / 1.04         0.31 /  0.99          0.24 / 0.31
        2      0 ms     0.39 / 1.57         0.80 /  1.04          0.22 / 0.43
        4      0 ms     1.43 / 6.00         1.01 / 11.44          0.35 / 0.59
        1    250 ms     1.52 / 5.20         1.45 /  2.18          0.68 / 0.81
        2    250 ms     1.32 / 5.43         1.16 /  4.18          0.77 / 0.96
        4    250 ms     1.54 / 7.20         1.67 /  7.90          0.83 / 1.05
    one fsynced append alone at 250 ms: 0.93 / 6.19 (back to back: 0.17 / 0.19)

A save's own work stays ≤ 1.05 ms at p95 with four reviewers; what lifts the wall p95
above 5 ms is the disk (a paced fsync alone has a p95 of 6.2 ms here) and, back to
back, four processes sharing two cores. A new reviewer's first decision at 100,000
decided records: 279 ms (848 ms deriving every final decision again).

The same on tmpfs (`--dir /dev/shm/…`, where fsync costs nothing; load 0.4-0.6), the
save path without the disk, ms p50 / p95, own journal each vs one shared journal:
2 reviewers back to back 0.16 / 0.26 vs 0.31 / 0.43; 4 back to back 0.15 / 0.47 vs
0.12 / 8.33 (the shared journal's one lock); 2 at 250 ms 0.84 / 1.40; 4 at 250 ms
0.98 / 1.65 vs 0.90 / 2.19; one append alone 0.04 / 0.06.

With `--baseline DIR` (an older source tree, e.g. `git worktree add /tmp/old HEAD~5`)
it also compares the save cost of that version with this one at the largest size:
each builds its own library, then rounds of saves alternate between the two (each
round a fresh process), so both see the same disk and machine load.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tinydb import TinyDB

from peerlit_tui.services.annotations import AnnotationService

DECISIONS = ("include", "exclude", "maybe")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def ms(value: float) -> str:
    return f"{value * 1000:9.2f}"


def _cell(values: list[float], width: int = 9) -> str:
    p50, p95 = (f"{pct(values, q) * 1000:.2f}".rjust(width) for q in (0.5, 0.95))
    return f"{p50} {p95} ({len(values)})"


def record_ids(n: int) -> list[str]:
    return [f"{i:012x}" for i in range(n)]


def build(folder: Path, n: int, tail: int = 0) -> None:
    """A library of n annotations, checkpointed, plus `tail` journal entries after it."""
    rng = random.Random(n)
    ids = record_ids(n)
    svc = AnnotationService.open(folder, sync=False, checkpoint_every=10**9)
    for start in range(0, n, 1000):
        chunk = ids[start : start + 1000]
        svc.add_tags(chunk, [f"topic {start % 37}", "peer support"])
        svc.set_decision(chunk, rng.choice(DECISIONS))
        svc.set_note(chunk[::3], "Screened on the full text; see the discussion section.")
    svc.store.checkpoint()
    for i in range(tail):
        svc.set_rating(ids[rng.randrange(n)], i % 6)
    svc.close(checkpoint=False)  # keep the tail for open to replay


def fsync_floor(folder: Path, count: int, pace: float = 0.0) -> list[float]:
    """Times of `count` fsynced 200-byte appends, `pace` seconds apart on average."""
    rng = random.Random(count)
    path = folder / "fsync-probe"
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    out = []
    try:
        for _ in range(count):
            start = time.perf_counter()
            os.write(fd, b"x" * 199 + b"\n")
            os.fdatasync(fd)
            out.append(time.perf_counter() - start)
            if pace:
                time.sleep(rng.uniform(0, 2 * pace))
    finally:
        os.close(fd)
        path.unlink()
    return out


def peerlit_saves(folder: Path, n: int, count: int, sync: bool = True) -> list[float]:
    rng = random.Random(1)
    ids = record_ids(n)
    out = []
    svc = AnnotationService.open(folder, checkpoint_every=10**9, sync=sync)
    for i in range(count):
        rid = ids[rng.randrange(n)]
        start = time.perf_counter()
        svc.set_rating(rid, 1 + i % 5)
        out.append(time.perf_counter() - start)
    svc.close(checkpoint=False)
    return out


def saves_during_checkpoint(folder: Path, n: int) -> tuple[list[float], float]:
    rng = random.Random(2)
    ids = record_ids(n)
    out = []
    svc = AnnotationService.open(folder, checkpoint_every=10**9, backup_interval=10**9)
    svc.set_note(ids[0], f"checkpoint run at {time.time()}")  # something to checkpoint
    started = time.perf_counter()
    assert svc.idle()  # starts the background checkpoint
    while svc.store.checkpoint_running:
        start = time.perf_counter()
        svc.set_rating(ids[rng.randrange(n)], rng.randrange(6))
        out.append(time.perf_counter() - start)
        time.sleep(0.01)  # a fast screener: one decision every ~10 ms
    took = time.perf_counter() - started
    svc.close(checkpoint=False)
    return out, took


def tinydb_saves(folder: Path, n: int, count: int) -> list[float]:
    """Default TinyDB (JSONStorage) on the same documents: `update` by doc id."""
    snapshot = TinyDB(folder / "annotations.json", access_mode="r")
    docs = snapshot.table("annotations").all()
    snapshot.close()
    path = folder / "plain-tinydb.json"
    db = TinyDB(path)
    table = db.table("annotations")
    table.insert_multiple(docs)
    rng = random.Random(3)
    out = []
    for i in range(count):
        doc_id = rng.randrange(1, n + 1)
        start = time.perf_counter()
        table.update({"rating": 1 + i % 5}, doc_ids=[doc_id])
        out.append(time.perf_counter() - start)
    db.close()
    path.unlink()
    return out


def open_times(folder: Path, runs: int) -> tuple[list[float], list[float], int]:
    walls, cpus, count = [], [], 0
    for _ in range(runs):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        svc = AnnotationService.open(folder, read_only=True)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        count = len(svc)
        svc.close()
        del svc
    return walls, cpus, count


# Run in a child process with one source tree first on the path; only the service
# API every version has is used, so an older tree needs no changes.
_CHILD = """
import json, random, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from peerlit_tui.services.annotations import AnnotationService
folder, n, count = Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ids = [f"{i:012x}" for i in range(n)]
if count == 0:
    rng = random.Random(n)
    svc = AnnotationService.open(folder, sync=False, checkpoint_every=10**9)
    for start in range(0, n, 1000):
        chunk = ids[start : start + 1000]
        svc.add_tags(chunk, [f"topic {start % 37}", "peer support"])
        svc.set_decision(chunk, rng.choice(("include", "exclude", "maybe")))
    svc.store.checkpoint()
    svc.close(checkpoint=False)
else:
    rng, out = random.Random(), []
    svc = AnnotationService.open(folder, checkpoint_every=10**9)
    for i in range(count):
        rid = ids[rng.randrange(n)]
        start = time.perf_counter()
        svc.set_rating(rid, 1 + i % 5)
        out.append(time.perf_counter() - start)
    svc.close(checkpoint=False)
    print(json.dumps(out))
"""


def compare(base: Path, baseline: Path, n: int, rounds: int = 5, per_round: int = 60) -> None:
    """Save p50/p95 of `baseline`'s code and this tree's, measured in alternating rounds."""
    trees = {"baseline": baseline.resolve(), "this tree": Path(__file__).resolve().parents[1]}
    samples: dict[str, list[float]] = {name: [] for name in trees}

    def child(tree: Path, folder: Path, count: int) -> str:
        args = [sys.executable, "-c", _CHILD, str(tree), str(folder), str(n), str(count)]
        return subprocess.run(args, capture_output=True, text=True, check=True).stdout

    for name, tree in trees.items():
        child(tree, base / f"ab-{name.replace(' ', '-')}", 0)
    os.sync()
    for _ in range(rounds):
        for name, tree in trees.items():
            out = child(tree, base / f"ab-{name.replace(' ', '-')}", per_round)
            samples[name] += json.loads(out.strip().splitlines()[-1])
    print()
    print(f"save at {n:,}, alternating rounds ({rounds} x {per_round} saves each):")
    for name, values in samples.items():
        print(f"  {name:>9}: p50 {ms(pct(values, 0.5))} ms  p95 {ms(pct(values, 0.95))} ms")


# One reviewer of the concurrent-save bench: open, say so, wait for "go", save,
# print the save times. With "single" every reviewer writes annotations.journal.
_REVIEWER = """
import json, random, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from peerlit_tui.services.annotations import AnnotationService
folder, n, count = Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
name, mode, pace = sys.argv[5], sys.argv[6], float(sys.argv[7])
ids = [f"{i:012x}" for i in range(n)]
svc = AnnotationService.open(folder, checkpoint_every=10**9, reviewer=name)
if mode == "single":
    svc.store.reviewer = ""
svc.set_rating(ids[0], 1)  # the journal exists, the first save's set-up is done
print("ready", flush=True)
sys.stdin.readline()
rng, out = random.Random(name), []
for i in range(count):
    rid = ids[rng.randrange(n)]
    start, cpu = time.perf_counter(), time.process_time()
    svc.set_decision(rid, ("include", "exclude", "maybe")[i % 3])
    out.append((time.perf_counter() - start, time.process_time() - cpu))
    if pace:
        time.sleep(rng.uniform(0, 2 * pace))  # a reviewer reading before the next decision
svc.close(checkpoint=False)
print(json.dumps(out), flush=True)
"""


def concurrent_saves(
    folder: Path, n: int, reviewers: int, mode: str, count: int, pace: float = 0.0
) -> tuple[list[float], list[float]]:
    """Per-save times of `reviewers` processes deciding at once (`mode` "own" or "single").

    With `pace` (seconds) each reviewer waits a random 0 to 2 × `pace` between two
    decisions, as people reading abstracts do; 0 decides back to back, which on a
    2-core machine measures 4 processes queueing for the CPU and the disk as much as
    the save itself.

    Returns:
        (wall times, CPU times of the saving process), one per save, in seconds: a
        wall time far above its CPU time was spent waiting for the disk or a core.
    """
    tree = str(Path(__file__).resolve().parents[1])
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                _REVIEWER,
                tree,
                str(folder),
                str(n),
                str(count),
                f"reviewer{k}",
                mode,
                str(pace),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for k in range(reviewers)
    ]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    walls: list[float] = []
    cpus: list[float] = []
    for proc in procs:
        stdout, _ = proc.communicate(timeout=600)
        for wall, cpu in json.loads(stdout.strip().splitlines()[-1]):
            walls.append(wall)
            cpus.append(cpu)
    return walls, cpus


def first_decision(folder: Path, n: int) -> tuple[float, float, int]:
    """(a new reviewer's first decision now, as it was: deriving every record again) in s.

    Each on its own copy of the library, opened afresh, so both start from the
    same state; "as it was" swaps the incremental step for the full derivation.
    """
    from peerlit_tui.storage.annotation_index import AnnotationIndex

    times: list[float] = []
    decided = 0
    for old in (False, True):
        lib = folder.with_name(f"{folder.name}-first-{int(old)}")
        shutil.copytree(folder, lib)
        svc = AnnotationService.open(lib, checkpoint_every=10**9, sync=False, reviewer="newcomer")
        decided = sum(len(ids) for ids in svc.store.index.decided.values())
        joined = AnnotationIndex._joined
        if old:
            AnnotationIndex._joined = lambda self, _who, ts: self._refinalise(ts)  # type: ignore[method-assign]
        try:
            gc.collect()
            start = time.perf_counter()
            svc.set_decision(record_ids(n)[0], "include")
            times.append(time.perf_counter() - start)
        finally:
            AnnotationIndex._joined = joined  # type: ignore[method-assign]
        svc.close(checkpoint=False)
        shutil.rmtree(lib, ignore_errors=True)
    return times[0], times[1], decided


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--saves", type=int, default=300, help="peerlit saves per size")
    parser.add_argument("--open-runs", type=int, default=7)
    parser.add_argument("--dir", help="work folder (default: a temp folder, removed after)")
    parser.add_argument("--baseline", help="an older source tree to compare save costs with")
    parser.add_argument("--reviewers", default="", help="e.g. 1,2,4: concurrent reviewers")
    parser.add_argument("--reviewer-saves", type=int, default=200, help="saves per reviewer")
    parser.add_argument(
        "--pace", default="0", help="ms between a reviewer's decisions, e.g. 0,300 (random 0-2x)"
    )
    parser.add_argument("--first-only", action="store_true", help="only the first-decision cost")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    base = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="annotation-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, load {os.getloadavg()[0]:.1f}")
    print("ms per save: p50 p95 (samples). 'fsync floor' is one fsynced 200-byte append")
    print("measured just before; 'no fsync' is the peerlit save with fsync off (its CPU cost).")
    print()
    print(
        f"{'annotations':>11} | {'peerlit':^25} | {'no fsync':^19} | {'fsync floor':^19} | "
        f"{'default TinyDB update':^23}"
    )
    try:
        if args.first_only:
            folder = base / f"lib-{max(sizes)}"
            build(folder, max(sizes))
            first, full, decided = first_decision(folder, max(sizes))
            print(f"a new reviewer's first decision ({decided:,} decided records): "
                  f"{first * 1000:.0f} ms; as before: {full * 1000:.0f} ms")  # fmt: skip
            return
        for n in sizes:
            folder = base / f"lib-{n}"
            build(folder, n)
            os.sync()  # measure the steady state, not the flushing of the build's writes
            floor = fsync_floor(base, 100)
            ours = peerlit_saves(folder, n, args.saves)
            cpu = peerlit_saves(folder, n, args.saves, sync=False)
            plain = tinydb_saves(folder, n, 50 if n <= 1000 else 15 if n <= 10000 else 3)
            print(
                f"{n:>11,} | {_cell(ours)} | {_cell(cpu, 6)} | {_cell(floor, 6)} | {_cell(plain)}"
            )
        largest = max(sizes)
        folder = base / f"lib-{largest}"
        during, took = saves_during_checkpoint(folder, largest)
        print()
        print(
            f"saves during a {took:.2f} s background checkpoint at {largest:,}: "
            f"p50 {ms(pct(during, 0.5))} ms  p95 {ms(pct(during, 0.95))} ms  "
            f"max {ms(max(during))} ms ({len(during)} saves)"
        )
        walls, cpus, count = open_times(folder, args.open_runs)
        print(
            f"open {count:,} annotations (checkpoint, no tail): median "
            f"{statistics.median(walls):.3f} s wall, {statistics.median(cpus):.3f} s cpu "
            f"({len(walls)} runs)"
        )
        tail_folder = base / f"lib-{largest}-tail"
        build(tail_folder, largest, tail=999)
        walls, cpus, count = open_times(tail_folder, args.open_runs)
        print(
            f"open {count:,} annotations + 999 journal entries to replay: median "
            f"{statistics.median(walls):.3f} s wall, {statistics.median(cpus):.3f} s cpu"
        )
        if args.reviewers:
            print()
            print(
                f"concurrent reviewers at {largest:,} annotations, ms per save: p50 p95 (samples)"
            )
            print(
                f"{'reviewers':>9} {'pace':>6} | {'own journal each':^25} | "
                f"{'one shared journal':^25} | {'own journal, CPU':^25}"
            )
            for pace_ms in (float(p) for p in args.pace.split(",")):
                for k in (int(r) for r in args.reviewers.split(",")):
                    cells = []
                    own_cpu: list[float] = []
                    for mode in ("own", "single"):
                        lib = base / f"lib-{largest}-{mode}-{k}"
                        shutil.copytree(folder, lib)
                        os.sync()
                        saves, cpus = concurrent_saves(
                            lib, largest, k, mode, args.reviewer_saves, pace_ms / 1000
                        )
                        cells.append(_cell(saves))
                        own_cpu = cpus if mode == "own" else own_cpu
                        shutil.rmtree(lib, ignore_errors=True)
                    print(f"{k:>9} {pace_ms:>4.0f}ms | {cells[0]} | {cells[1]} | {_cell(own_cpu)}")
                if pace_ms:
                    paced = fsync_floor(base, 60, pace_ms / 1000)
                    print(f"{'fsync':>9} {pace_ms:>4.0f}ms | {_cell(paced)} (one append, alone)")
            first, full, decided = first_decision(folder, largest)
            print(
                f"a new reviewer's first decision ({decided:,} decided records): "
                f"{first * 1000:.0f} ms; as before (every final decision derived again): "
                f"{full * 1000:.0f} ms"
            )
        if args.baseline:
            compare(base, Path(args.baseline), largest)
    finally:
        if not args.dir:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
