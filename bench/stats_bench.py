"""How fast `peerlit stats` and `peerlit list QUERY --limit 20` answer, beside a baseline tree.

Usage: .venv/bin/python bench/stats_bench.py [--runs R] [--baseline DIR] [--sizes N,...]

Every figure is the median wall time of R (default 5) fresh `peerlit` processes,
interpreter start included, as a user at a shell prompt would wait for it:

- `peerlit stats` at each size N (default 100,000 and 1,000,000), with 20,000
  records decided (3,000 included, 14,000 excluded for two reasons or none, 3,000
  maybe) and 50 pairs linked as likely duplicates;
- `peerlit list QUERY --limit 20` at 100,000 for a word, a phrase with a
  negation and a field term.

The libraries are `bench/corpus.py`'s (cached under /tmp/peerlit-bench, never
written); each tree measured gets its own copy, seeded by its own code, because a
count writes (the annotations store, and in this tree the provenance index the
first count of a library creates). That first count is measured on its own
("first stats"); the medians are of the runs after it. `--baseline DIR` measures a
second checkout (e.g. `git worktree add /tmp/peerlit-base-stats <commit>`) in the
same run, interleaved run by run, so both see the same machine load, and checks
that both trees print the same `stats --json` and the same `list --json`.
Goals (issue 12): stats ≤ 2 s at 1,000,000 records; list ≤ 0.3 s at 100,000.

Figures of 4 December 2026, 19:30 UTC (`--baseline` = a worktree of fa82c36, the
tree before this work; 5 runs; 2 cores shared with other benchmarks and test runs,
load 2.4-3.0; "first stats" is one run each, on a library just copied):

    figure                                            fa82c36     after
    stats (100,000)                                   1.190 s   0.527 s
    stats (1,000,000)                                 8.837 s   1.052 s
    first stats (1,000,000; after: creates the index) 11.621 s  6.565 s
    first stats (100,000)                             1.389 s   1.279 s
    list depression --limit 20 (100,000)              0.208 s   0.095 s
    list "peer support" -student --limit 20 (100,000) 1.014 s   0.645 s
    list title:anxiety --limit 20 (100,000)           0.427 s   0.247 s

Both trees printed the same `stats --json` at both sizes and the same `list --json`
for the three queries. Spread of the five runs: stats 1M 8.47-12.17 s before,
0.88-1.25 s after; list depression 0.15-0.25 s before, 0.09-0.11 s after. The
"after" tree also holds the annotation-store changes that landed the same
afternoon; `compute_stats` alone, in-process on the same 1M copy (read-only, the
index made, median of 3, load 4): 9.735 s before, 0.916 s after.

What changed: `stats` counted by loading every record's list columns and every
provenance row into Python (0.65 s and 0.32 s of a 1.4 s run at 100,000 records
under cProfile; 9-14 s and 1 GB of memory at 1,000,000); it now asks SQLite for
the provenance per (file, database), the number of records with provenance, and
the rows of the linked and decided records only (`storage.record_counts`), and
runs in 80 MB. The grouping goes through an index on (file, database) that the
first count of a library creates (~2.5 s at 1,000,000, once); a library that
cannot be written, or one another process is importing into, is counted with a
sort instead (~0.6 s more at 1M). What remains at 1M is the interpreter (~0.1 s),
opening the annotations store (~0.2-0.5 s at 20,000 decisions), the stopping
signal's pass over the decision journal (~0.2 s) and the provenance
queries (~0.3-0.5 s). `list` imported numpy (through the search's character
bitmaps, which a 20-row answer never builds) and the `regex` package (through
the query parser) on every run; both now load with their first use. A query that
matches few records searched the first 2,000, then 8,000, 32,000, ... records
from the start each time; each slice now starts where the last ended (the same
boundaries, so the same answer), which is what the phrase query above gained.
What remains for such a query is reading and folding the list columns of every
record (about 6 µs a record here).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import build_library  # noqa: E402

PYTHON = sys.executable
SIZES = (100_000, 1_000_000)
LIST_SIZE = 100_000
LIST_QUERIES = (("depression",), ("--", '"peer support"', "-student"), ("title:anxiety",))
DECIDED = 20_000
LINKED_PAIRS = 50

#: Seeds one library with the tree's own code: decisions, reasons and linked pairs.
_SEED = """
import random, sys
from pathlib import Path
from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.services.library import Library
folder, decided, pairs = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
library = Library.open(folder)
ids = library.columns().ids
pick = random.Random(7).sample(ids, decided)
for a, b in zip(pick[: 2 * pairs : 2], pick[1 : 2 * pairs : 2]):
    library.link(a, b)
library.close()
with AnnotationService.open(folder, sync=False) as service:
    n = decided // 20
    service.set_decision(pick[: 3 * n], "include")
    service.set_decision(pick[3 * n : 9 * n], "exclude", "wrong population", add_reason=True)
    service.set_decision(pick[9 * n : 15 * n], "exclude", "not peer support", add_reason=True)
    service.set_decision(pick[15 * n : 17 * n], "exclude")
    service.set_decision(pick[17 * n :], "maybe")
"""


class Tree:
    """One checkout to measure, with its own copies of the libraries."""

    def __init__(self, name: str, source: Path, work: Path, libraries: dict[int, Path]) -> None:
        self.name = name
        self.env = {**os.environ, "PYTHONPATH": str(source), "PEERLIT_CONFIG": os.devnull}
        self.env.pop("PEERLIT_LIBRARY", None)
        self.env.pop("PEERLIT_REVIEWER", None)
        # Measure what a user runs: compiled modules cached (some shells set this off).
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.folders: dict[int, Path] = {}
        for n, cached in libraries.items():
            folder = work / f"{name}-{n}"
            folder.mkdir(parents=True)
            shutil.copy2(cached / "records.sqlite3", folder / "records.sqlite3")
            self.run(["-c", _SEED, str(folder), str(DECIDED), str(LINKED_PAIRS)])
            self.folders[n] = folder

    def run(self, argv: list[str]) -> tuple[float, str]:
        """Run `python ARGV` in this tree; (wall seconds, stdout)."""
        started = time.perf_counter()
        done = subprocess.run([PYTHON, *argv], env=self.env, capture_output=True, text=True,
                              cwd=tempfile.gettempdir())  # fmt: skip
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            sys.exit(f"{self.name}: python {' '.join(argv[:4])}… failed:\n{done.stderr}")
        return elapsed, done.stdout

    def peerlit(self, n: int, *args: str) -> tuple[float, str]:
        return self.run(["-m", "peerlit_tui", "--library", str(self.folders[n]), *args])


def figures(sizes: list[int]) -> dict[str, tuple[int, list[str]]]:
    """Each figure's (library size, peerlit arguments)."""
    out = {f"stats ({n:,})": (n, ["stats"]) for n in sizes}
    if LIST_SIZE in sizes:
        for words in LIST_QUERIES:
            shown = " ".join(w for w in words if w != "--")
            out[f"list {shown} --limit 20 ({LIST_SIZE:,})"] = (
                LIST_SIZE, ["list", "--limit", "20", *words]
            )  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", type=Path, help="another checkout to measure beside")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    opts = parser.parse_args()
    sizes = [int(n) for n in opts.sizes.split(",")]
    print(f"load before: {Path('/proc/loadavg').read_text().strip()}")
    libraries = {n: build_library(n) for n in sizes}
    work = Path(tempfile.mkdtemp(prefix="peerlit-stats-bench-"))
    try:
        trees = [Tree("current", ROOT, work, libraries)]
        if opts.baseline:
            trees.insert(0, Tree("baseline", opts.baseline.resolve(), work, libraries))
        table = figures(sizes)
        times: dict[str, dict[str, list[float]]] = {name: {} for name in table}
        first: dict[str, dict[str, float]] = {}
        outputs: dict[str, dict[str, str]] = {}
        for tree in trees:  # the first count of each library, then a warm-up of the rest
            for n in sizes:
                elapsed, _ = tree.peerlit(n, "stats")
                first.setdefault(f"first stats ({n:,})", {})[tree.name] = elapsed
                outputs.setdefault(f"stats --json ({n:,})", {})[tree.name] = tree.peerlit(
                    n, "stats", "--json"
                )[1]
            for name, (n, args) in table.items():
                if name.startswith("list"):
                    outputs[name] = outputs.get(name, {})
                    outputs[name][tree.name] = tree.peerlit(n, *args[:3], "--json", *args[3:])[1]
        for _ in range(opts.runs):
            for name, (n, args) in table.items():
                for tree in trees:
                    times[name].setdefault(tree.name, []).append(tree.peerlit(n, *args)[0])
        names = [t.name for t in trees]
        print(f"{'figure':<52}" + "".join(f"{t:>12}" for t in names))
        for name, once in first.items():
            print(f"{name:<52}" + "".join(f"{once[t]:>10.3f} s" for t in names))
        for name, runs in times.items():
            row = "".join(f"{statistics.median(runs[t]):>10.3f} s" for t in names)
            spread = " ".join(f"[{min(runs[t]):.2f}-{max(runs[t]):.2f}]" for t in names)
            print(f"{name:<52}{row}   {spread}")
        if len(trees) > 1:
            for name, printed in outputs.items():
                same = len(set(printed.values())) == 1
                print(f"same output, {name}: {'yes' if same else 'NO'}")
                if not same and name.startswith("stats"):
                    for tree_name, text in printed.items():
                        print(f"  {tree_name}: {json.dumps(json.loads(text))[:300]}")
        print(f"load after: {Path('/proc/loadavg').read_text().strip()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
