"""Do keys stay as fast while the relevance ranking retrains? Headless, 120×40, 100,000 records.

Usage: .venv/bin/python bench/ranking_tui_bench.py [N] [--runs R]

The library is a copy of `bench/tui_bench.py`'s (`bench/corpus.py`, cached under /tmp)
with screening decisions added (inclusions: titles about depression, exclusions:
others), so the copy's annotations and ranking cache never touch the shared one.
The app opens it, ranks it once in the background, then the same key measurements
as `tui_bench.py` (its `Driver`: key → first frame showing the effect) run twice,
interleaved run by run: with nothing in the background, and while a retrain runs
in its worker thread (a new one is started whenever the last one finished).

Printed side by side: p50 CPU ms (process, all threads), p50/p95 wall ms, for cursor
↓ and each keystroke of a typed query; the retrain times; RSS before the first
ranking, after it and at the end. The issue's goal: keystroke and cursor figures
unchanged while a retrain runs, a retrain ≤ 5 s, RSS growth ≤ 300 MB.
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import CACHE, build_library  # noqa: E402
from bench.tui_bench import SIZE, ByteCounter, Driver, Sample, pct, until  # noqa: E402

COPY = CACHE.parent / "peerlit-ranking-bench"
QUERY = "depression anxiety"
INCLUDE_WORD = "depress"
DECISIONS = 200


def rss_mb() -> float:
    """Resident set size of this process now (VmRSS), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def drop(sample: Sample) -> None:
    """Forget the last figure of `sample` (the retrain ended before it: not a busy figure)."""
    sample.cpu.pop()
    sample.wall.pop()
    sample.bytes.pop()


def ranked_copy(n: int) -> Path:
    """A copy of the bench library with `DECISIONS` decisions (made once, then reused)."""
    from peerlit_tui.services.annotations import AnnotationService
    from peerlit_tui.services.library import Library

    source = build_library(n)
    folder = COPY / source.name
    if (folder / ".decided").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copy2(source / "records.sqlite3", folder / "records.sqlite3")
    library = Library.open(folder)
    annotations = AnnotationService.open(folder, reviewer="bench")
    try:
        columns = library.columns()
        include = [rid for rid, t in zip(columns.ids, columns.titles, strict=True)
                   if INCLUDE_WORD in t.lower()][: DECISIONS // 4]  # fmt: skip
        exclude = [rid for rid, t in zip(columns.ids, columns.titles, strict=True)
                   if INCLUDE_WORD not in t.lower()][: DECISIONS - len(include)]  # fmt: skip
        annotations.set_decision(include, "include")
        annotations.set_decision(exclude, "exclude")
    finally:
        annotations.close()
        library.close()
    (folder / ".decided").write_text("ok\n")
    print(f"decided {len(include)} inclusions, {len(exclude)} exclusions in {folder}")
    return folder


async def measure(folder: Path, runs: int) -> None:
    """Open the app, rank once, then measure keys without and with a retrain running."""
    from peerlit_tui.ui.app import PeerlitApp

    app = PeerlitApp(folder, sample_dir=None, cursor_blink=False)
    counter = ByteCounter(app)
    driver = Driver(app, counter)
    quiet = {k: Sample(k) for k in ("cursor ↓", "typing")}
    busy = {k: Sample(k) for k in ("cursor ↓", "typing")}
    retrains: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        screen: Any = app.screen
        records, ranking = screen.record_list, screen.ranking
        await until(lambda: screen.index is not None, timeout=300)
        rss_before = rss_mb()
        started = time.perf_counter()
        await until(lambda: ranking.service is not None and not ranking.running, timeout=600)
        first = time.perf_counter() - started
        result = ranking.service.result
        print(f"first ranking (features built or read from the cache): {first:.1f} s, "
              f"{result.n_decisions if result else 0} decisions")  # fmt: skip
        rss_ranked = rss_mb()

        def shown() -> str:
            found = screen.filtering.result
            return found.text if found is not None else ""

        async def rest() -> None:
            await until(lambda: not screen.panes.pending)
            frames = -1
            while frames != len(counter.frames):
                frames = len(counter.frames)
                await pilot.pause(0.06)

        retrain_started = 0.0

        async def background(on: bool) -> None:
            nonlocal retrain_started
            if not on:
                await until(lambda: not ranking.running, timeout=120)
                return
            if not ranking.running:
                if retrain_started and ranking.service.result is not None:
                    retrains.append(ranking.service.result.seconds)
                ranking.start()
                retrain_started = time.perf_counter()
                await pilot.pause(0.2)  # into the fit, past reading the decisions

        for run in range(runs):
            for on, samples in ((False, quiet), (True, busy)):
                screen.filter_bar.set_value("")
                await until(lambda: shown() == "")
                records.focus()
                await rest()
                await background(on)
                target = records.cursor + 1
                await driver.measure(samples["cursor ↓"], lambda: driver.send("down"),
                                     lambda t=target: records.cursor == t, "records")  # fmt: skip
                if on and not ranking.running:
                    drop(samples["cursor ↓"])
                if run % 4:
                    continue
                screen.filter_bar.focus_input()
                await rest()
                await background(on)
                for end_at in range(1, len(QUERY) + 1):
                    typed, char = QUERY[:end_at], QUERY[end_at - 1]
                    await driver.measure(samples["typing"],
                                         lambda c=char: driver.send("space" if c == " " else c),
                                         lambda t=typed: shown() == t, "records")  # fmt: skip
                    pause = max(0.0, 0.12 - samples["typing"].wall[-1] / 1000)
                    if on and not ranking.running:
                        drop(samples["typing"])
                    await asyncio.sleep(pause)
        await until(lambda: not ranking.running, timeout=120)
        if ranking.service.result is not None and retrain_started:
            retrains.append(ranking.service.result.seconds)
        rss_end = rss_mb()
    app.close_services()
    print(f"{'operation':<12} {'cpu p50':>8} {'wall p50':>9} {'wall p95':>9} | "
          f"{'+retrain cpu p50':>16} {'wall p50':>9} {'wall p95':>9}  (n quiet/busy)")  # fmt: skip
    for name in quiet:
        q, b = quiet[name], busy[name]
        print(f"{name:<12} {pct(q.cpu, 50):>8.1f} {pct(q.wall, 50):>9.1f} "
              f"{pct(q.wall, 95):>9.1f} | {pct(b.cpu, 50):>16.1f} {pct(b.wall, 50):>9.1f} "
              f"{pct(b.wall, 95):>9.1f}  ({len(q.wall)}/{len(b.wall)})")  # fmt: skip
    if retrains:
        print(f"retrain in the worker: median {statistics.median(retrains):.2f} s "
              f"(n={len(retrains)}, goal ≤ 5)")  # fmt: skip
    print(f"RSS: {rss_before:.0f} MB before ranking, {rss_ranked:.0f} MB ranked "
          f"(+{rss_ranked - rss_before:.0f}), {rss_end:.0f} MB at the end "
          f"(+{rss_end - rss_before:.0f}; goal ≤ +300)")  # fmt: skip


def main() -> None:
    """Prepare the library copy and print the figures."""
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 40
    n = int(args[0]) if args and args[0].isdigit() else 100_000
    folder = ranked_copy(n)
    print(f"library: {folder} ({n:,} records), terminal {SIZE[0]}×{SIZE[1]}, headless")
    asyncio.run(measure(folder, runs))


if __name__ == "__main__":
    main()
