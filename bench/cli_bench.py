"""How fast the command line answers quick lookups, beside bare Python start-up.

Usage: .venv/bin/python bench/cli_bench.py [N] [--runs R] [--baseline DIR]

Every figure is the median wall time of R (default 10) fresh `peerlit` processes,
interpreter start included, as a user at a shell prompt would wait for it:

- bare `python -c pass` (the floor every command pays);
- `peerlit --help`;
- `peerlit show ID --json` on a 10-record library (the sample data) and at N;
- `peerlit list QUERY --limit 20` at N (one common word, as typed at a prompt);
- `peerlit decide ID include` / `undecided` in turn at N, with 20,000 records
  already decided (each run is a real change, durable before the process exits);
- `peerlit tag ID TAG` / `tag --remove` in turn at N.

The library of N (default 100,000) real-shaped records is `bench/corpus.py`'s
(cached under /tmp/peerlit-bench); each tree measured gets its own copy, so the
decisions made here never reach the cache other benchmarks read.

`--baseline DIR` measures a second checkout (e.g. `git worktree add /tmp/peerlit-base
<commit>`) in the same run, interleaved run by run with this one, so both see the
same machine load. Goals (issue 12): show ≤ 3× bare Python, list ≤ 0.3 s,
decision ≤ 0.2 s. The bench also says whether each command imported Textual, Rich
or any import parser (`python -X importtime`).

Today's figures, measured before this work in the same run as the first version of
it (`--baseline` = a worktree of commit 455573c; 2 shared cores at load ≈ 6, so every
figure, bare Python included, is about twice what a quiet machine gives):

    figure                            455573c     after   × python (after)
    python -c pass                    0.150 s   0.139 s   1.0×
    peerlit --help                    0.620 s   0.276 s   2.0×
    show ID --json (10 records)       0.628 s   0.696 s   5.0×
    show ID --json (100k)             1.117 s   1.223 s   8.8×
    list depression --limit 20 (100k) 3.858 s   0.777 s   5.6×
    decide ID (100k, 20k decided)     1.756 s   1.117 s   8.1×
    tag ID TAG (100k, 20k decided)    1.720 s   1.158 s   8.4×

A later run the same afternoon (load ≈ 7), after more of the library and store
changes of that day had landed: python 0.135 / 0.134 s, --help 0.713 / 0.305 s,
show (10) 0.787 / 0.784 s, show (100k) 1.148 / 1.494 s, list 4.561 / 0.834 s,
decide 1.532 / 1.310 s, tag 1.620 / 1.433 s (455573c / after). The store now checks
every annotation as it loads (`annotation_index._plausible`, ~0.15 s of the 0.6 s
index load under cProfile at 20,000 decided records), which is why show at 100k
went up while every command's own work went down.

Where the rest goes (-X importtime and cProfile, same load): in `show`, the modules
other commands need but a lookup does not — rapidfuzz through `identity` (~36 ms),
the import pipeline and sniffing through `services.library` (~26 ms), the import
summary (~10 ms), the annotation doctor through `services.annotations` (~38 ms) —
and, at 100k with 20,000 decided records, opening the annotations store, which
loads every annotation to answer one (~0.35-0.45 s).

Lazy imports of the import machinery (3 December, evening). `--baseline` = the
committed tree with only these changes reversed, so the per-reviewer store and the
search bitmaps of that afternoon are in both columns (load ≈ 7, falling to 3):

    figure                            before     after   × python (after)
    python -c pass                    0.129 s   0.131 s   1.0×
    peerlit --help                    0.282 s   0.252 s   1.9×
    show ID --json (10 records)       0.989 s   0.806 s   6.2×
    show ID --json (100k)             2.303 s   1.869 s  14.3×
    list depression --limit 20 (100k) 1.465 s   0.971 s   7.4×
    decide ID (100k, 20k decided)     2.464 s   1.880 s  14.4×
    tag ID TAG (100k, 20k decided)    1.995 s   1.874 s  14.4×

The same run's in-process figures at 20,001 annotations: opening the annotations
store read-only 494-511 ms, of which `json.loads` of the 5.4 MB checkpoint is
273-306 ms and building the index (votes, stamps, plausibility checks per
annotation) the rest; opening the record store and reading one record 2 ms. A run
at load ≈ 10 against commit 71b7b6b (before the per-reviewer journals) gave show
(100k) 3.64 → 3.89 s and decide 3.43 → 4.05 s: the store's open grew more than the
imports shrank. What remains: `show` and `decide` at 100k are the store's full
load; `list` imports numpy through `services.search_eval`/`search_grams` (~160 ms
quiet, half the run) and `regex` through `query`; every annotation command imports
tinydb and `config` (through `services.reviewers`, for `config_path`, which pulls
`highlight` and `regex`).

The lookup table (4 December). `show`, `decide` and `tag` on one record now read
`annotations.lookup.sqlite3` (written beside every checkpoint: each record's index
state, plus the library-wide values a one-record change depends on) and every
journal's tail after the table's marks, never the whole checkpoint
(`storage.annotation_partial`); the annotation commands no longer import
`config` (regex), TinyDB, socket, secrets, tomllib or platformdirs. `--baseline` =
a worktree of fa82c36, the commit before this work; "current" is the shared
working tree, which also held others' uncommitted work on `list` (its figure is
theirs). Three runs, 2 shared cores; the last, after every change had landed:

    figure                            fa82c36   current   × python (current)
    python -c pass                    0.019 s   0.020 s   1.0×      (load 1.5)
    peerlit --help                    0.034 s   0.035 s   1.7×
    show ID --json (10 records)       0.087 s   0.070 s   3.5×
    show ID --json (100k)             0.287 s   0.071 s   3.5×
    decide ID (100k, 20k decided)     0.338 s   0.071 s   3.5×
    tag ID TAG (100k, 20k decided)    0.300 s   0.071 s   3.6×

    earlier runs, fa82c36 / current: at load 2.1, python 0.026 / 0.022 s, show
    (100k) 0.268 / 0.081 s (3.7×), decide 0.264 / 0.088 s, tag 0.279 / 0.100 s;
    at load 3.4 rising to 4.4, python 0.041 / 0.045 s, show (100k) 0.418 /
    0.154 s (3.4×), decide 0.383 / 0.153 s, tag 0.457 / 0.148 s.

In-process in the same runs: opening one record's annotations read-only takes
2 ms, the full open 140-315 ms (`json.loads` of the checkpoint 75-165 ms). A
decision and a tag are well under 0.2 s. `show` stays above 3× bare Python: of
its ~50 ms beyond the interpreter, the one-record work is ~4 ms and the rest is
importing what every command needs (`-X importtime`, load 1.5: cli ~8 ms,
services.library ~14 ms with dataclasses -> inspect and sqlite3 -> datetime,
services.annotations ~15 ms for the store's ~25 modules and hashlib for the
journal fingerprint check, services.team ~2 ms). The table costs its writer: a
checkpoint writes it too (200-440 ms at 20,000 annotations under load, in the
app's background checkpoint thread). A table that cannot answer (missing, as in
a library from before it; beside another checkpoint, as after a restore; more
than 200 journal entries behind; written before a reviewer joined or left) is
not used: the full open answers, and a write command then rewrites the table at
exit (the full open's cost plus that, once).

4 December, later (load 0.5, `--baseline` = the tree before): the config path worked
out without platformdirs on Linux and Cohen's κ loaded only by the commands that
report it: show (100k) 0.082 → 0.080 s (3.6× python 0.022 s), decide 0.082 → 0.083 s,
tag 0.082 → 0.081 s. What is left of `show` is the imports every command shares:
cli ~9 ms, services.library ~16 ms (the model's dataclasses pull in `inspect`),
services.annotations ~17 ms (journal fingerprints need hashlib; the history module's
dataclasses): 3× python would need ~15 ms less of them.
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
SCRIPT = str(Path(PYTHON).parent / "peerlit")
SAMPLE = ROOT / "sample_data"
QUERY = "depression"
SEEDED_DECISIONS = 20_000
HEAVY = ("textual", "rich", "peerlit_tui.importers.ris", "peerlit_tui.importers.columns",
         "peerlit_tui.importers.bibtex", "tinydb", "peerlit_tui.exporters", "numpy",
         "rapidfuzz", "regex")  # fmt: skip
#: Modules whose import time (cumulative, `-X importtime`) the bench lists per command.
COSTLY = ("peerlit_tui.cli", "peerlit_tui.services.library", "peerlit_tui.query",
          "peerlit_tui.services.search", "numpy", "peerlit_tui.services.annotations",
          "tinydb", "peerlit_tui.config", "peerlit_tui.identity", "rapidfuzz",
          "peerlit_tui.services.team")  # fmt: skip
#: Opening the stores in-process, in the measured tree: what a command pays beyond imports.
_OPEN_SNIPPET = """
import json, statistics, sys, time
from pathlib import Path
from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.services.library import Library
folder, rid = Path(sys.argv[1]), sys.argv[2]
def median(f):
    times = []
    for _ in range(5):
        t = time.perf_counter(); f(); times.append(time.perf_counter() - t)
    return statistics.median(times)
def annotations():
    svc = AnnotationService.open(folder, read_only=True)
    svc.to_json(rid)
    svc.close(checkpoint=False)
def one_record():
    svc = AnnotationService.open_records(folder, [rid], read_only=True)
    svc.to_json(rid)
    svc.close()
def record():
    lib = Library.open(folder); lib.get(lib.resolve_id(rid)); lib.duplicates_of(rid); lib.close()
svc = AnnotationService.open(folder, read_only=True); n = len(svc); svc.close(checkpoint=False)
snap = folder / "annotations.json"
out = {"annotations": n, "open annotations (read-only)": median(annotations),
       "open library, get one record": median(record)}
if hasattr(AnnotationService, "open_records"):  # the lookup table (after 4 December)
    out["open annotations of one record (read-only)"] = median(one_record)
if snap.exists():
    out["json.loads of the checkpoint (%.1f MB)" % (snap.stat().st_size / 1e6)] = median(
        lambda: json.loads(snap.read_bytes()))
print(json.dumps(out))
"""


class Tree:
    """One checkout to measure, with its own copies of the libraries."""

    def __init__(self, name: str, source: Path, work: Path, big: Path) -> None:
        self.name = name
        self.source = source
        self.env = {**os.environ, "PYTHONPATH": str(source), "PEERLIT_CONFIG": os.devnull}
        self.env.pop("PEERLIT_LIBRARY", None)
        # Measure what a user runs: compiled modules cached (some shells set this off).
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.small = work / f"{name}-small"
        self.big = work / f"{name}-big"
        self.big.mkdir(parents=True)
        shutil.copy2(big / "records.sqlite3", self.big / "records.sqlite3")
        self.run("--library", str(self.small), "import", str(SAMPLE), check=True)
        self.small_id = self.first_id(self.small)
        ids = self.ids(self.big, SEEDED_DECISIONS + 1)
        self.big_id = ids[-1]
        seed = work / f"{name}-seed.txt"
        seed.write_text("\n".join(ids[:-1]) + "\n", encoding="utf-8")
        self.run("--library", str(self.big), "decide", "--ids-from", str(seed), "include",
                 check=True)  # fmt: skip

    def argv(self, *args: str) -> list[str]:
        return [PYTHON, SCRIPT, *args]

    def run(self, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(self.argv(*args), env=self.env, capture_output=True, text=True,
                              cwd=tempfile.gettempdir())  # fmt: skip
        if check and done.returncode != 0:
            sys.exit(f"{self.name}: peerlit {' '.join(args)} failed:\n{done.stderr}")
        return done

    def first_id(self, folder: Path) -> str:
        return self.ids(folder, 1)[0]

    def ids(self, folder: Path, n: int) -> list[str]:
        import sqlite3

        with sqlite3.connect(folder / "records.sqlite3") as db:
            rows = db.execute("SELECT id FROM records ORDER BY rowid LIMIT ?", (n,)).fetchall()
        return [r[0] for r in rows]

    def commands(self) -> dict[str, list[list[str]]]:
        """Each figure's argument lists; a figure with two alternates between them."""
        big, small = str(self.big), str(self.small)
        return {
            "peerlit --help": [["--help"]],
            "show ID --json (10 records)": [["--library", small, "show", self.small_id, "--json"]],
            "show ID --json (N)": [["--library", big, "show", self.big_id, "--json"]],
            f"list {QUERY} --limit 20 (N)": [["--library", big, "list", QUERY, "--limit", "20"]],
            "decide ID (N)": [
                ["--library", big, "decide", self.big_id, "include"],
                ["--library", big, "decide", self.big_id, "undecided"],
            ],
            "tag ID TAG (N)": [
                ["--library", big, "tag", self.big_id, "benchmark"],
                ["--library", big, "tag", self.big_id, "benchmark", "--remove"],
            ],
        }

    def importtime(self, args: list[str]) -> dict[str, float]:
        """Each module a command imports: its cumulative import time in seconds."""
        argv = [PYTHON, "-X", "importtime", SCRIPT, *args]
        done = subprocess.run(argv, env=self.env, capture_output=True, text=True,
                              cwd=tempfile.gettempdir())  # fmt: skip
        out: dict[str, float] = {}
        for line in done.stderr.splitlines():
            parts = line.split("|")
            if len(parts) == 3 and parts[1].strip().isdigit():
                out[parts[2].strip()] = int(parts[1]) / 1e6
        return out

    def imported(self, args: list[str]) -> list[str]:
        """The heavy modules a command imports."""
        names = self.importtime(args)
        return [h for h in HEAVY if h in names]

    def open_costs(self) -> dict[str, float]:
        """In-process medians of opening the big library's stores (see `_OPEN_SNIPPET`)."""
        done = subprocess.run([PYTHON, "-c", _OPEN_SNIPPET, str(self.big), self.big_id],
                              env=self.env, capture_output=True, text=True,
                              cwd=tempfile.gettempdir())  # fmt: skip
        if done.returncode != 0:
            return {}
        data: dict[str, float] = json.loads(done.stdout)
        return data


def timed(argv: list[str], env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, cwd=tempfile.gettempdir())
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed:\n{done.stderr.decode(errors='replace')}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--baseline", type=Path, help="another checkout to measure beside")
    opts = parser.parse_args()
    big = build_library(opts.n)
    work = Path(tempfile.mkdtemp(prefix="peerlit-cli-bench-"))
    try:
        trees = [Tree("current", ROOT, work, big)]
        if opts.baseline:
            trees.insert(0, Tree("baseline", opts.baseline.resolve(), work, big))
        figures: dict[str, dict[str, list[float]]] = {"python -c pass": {}}
        for tree in trees:
            for name in tree.commands():
                figures.setdefault(name, {})
        for tree in trees:  # warm-up: every module compiled once, the page cache filled
            for variants in tree.commands().values():
                for args in variants:
                    timed(tree.argv(*args), tree.env)
        for run in range(opts.runs):
            for tree in trees:
                figures["python -c pass"].setdefault(tree.name, []).append(
                    timed([PYTHON, "-c", "pass"], tree.env)
                )
                for name, variants in tree.commands().items():
                    args = variants[run % len(variants)]
                    figures[name].setdefault(tree.name, []).append(timed(tree.argv(*args),
                                                                         tree.env))  # fmt: skip
        print(f"peerlit command line, N = {opts.n:,}, medians of {opts.runs} runs "
              f"(load {os.getloadavg()[0]:.1f})")  # fmt: skip
        header = f"{'figure':<32}" + "".join(f"{t.name:>12}" for t in trees)
        print(header + f"{'× python':>10}")
        bare = {t.name: statistics.median(figures["python -c pass"][t.name]) for t in trees}
        for name, by_tree in figures.items():
            medians = {t: statistics.median(v) for t, v in by_tree.items()}
            cells = "".join(f"{medians[t.name]:>10.3f} s" for t in trees)
            ratio = medians["current"] / bare["current"]
            print(f"{name:<32}{cells}{ratio:>9.1f}×")
        print("\nheavy modules imported (current):")
        current = trees[-1]
        for name, variants in current.commands().items():
            heavy = current.imported(variants[0])
            print(f"  {name:<32} {', '.join(heavy) or 'none'}")
        print("\nwhere the time goes: cumulative import time in ms (median of 3, -X importtime)")
        for tree in trees:
            print(f"  {tree.name}:")
            for name, variants in tree.commands().items():
                runs = [tree.importtime(variants[0]) for _ in range(3)]
                cells = []
                for module in COSTLY:
                    times = [r[module] for r in runs if module in r]
                    if times:
                        cells.append(f"{module.removeprefix('peerlit_tui.')} "
                                     f"{1000 * statistics.median(times):.0f}")  # fmt: skip
                print(f"    {name:<30} {', '.join(cells)}")
        print("\nopening the N library in-process (median of 5):")
        for tree in trees:
            costs = tree.open_costs()
            n = int(costs.pop("annotations", 0))
            cells = ", ".join(f"{k} {1000 * v:.0f} ms" for k, v in costs.items())
            print(f"  {tree.name} ({n:,} annotations): {cells or 'failed'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
