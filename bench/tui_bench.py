"""How fast the TUI is on a 100,000-record (or 1,000,000-record) library, headless at 120×40.

Usage: .venv/bin/python bench/tui_bench.py [N] [--runs R] [--baseline REF] [--json]

The library holds N (default 100,000) real-shaped records: the shared scale
corpus repeated with new ids (`bench/corpus.py`, cached under /tmp/peerlit-bench;
the 1,000,000-record library takes the better part of an hour to build once).
Every frame the app paints is turned into the byte stream a terminal would receive
(the headless driver normally skips that step), so the byte counts are what an SSH
client would get.

`--baseline REF` first runs the same measurements on the code of git revision REF
(exported to /tmp/peerlit-bench/tree-REF), then on this tree, and prints both side
by side: old and new measured in one run, under the same load.

Measured:

- start → first paint and start → list ready, in a fresh process (interpreter
  start and imports included), median of R/8 runs; then every record listed, the
  search index ready, and its character bitmaps built (later code only);
- p50/p95 CPU ms (process time, all threads), wall ms and bytes from the key to
  the first frame that shows its effect, for: cursor ↓, PgDn, End, each
  keystroke of a typed 1-, 2- and 3-term query, a `findings:` query, and the
  detail pane settling after a move (wall time from the key, 50 ms rest included);
  keys of a query are typed at a fast typist's pace (one every 120 ms, or as soon
  as the previous key's list frame is out when that takes longer);
- peak RSS.

Goals (issue 12): first paint ≤ 0.5 s, list ready ≤ 0.8 s, typing p50/p95 ≤ 15/30 ms,
`findings:` ≤ 20/40 ms, detail settle ≤ 60 ms, cursor ≤ 10 ms, RSS ≤ 300 MB at 100k;
at 1M list ready ≤ 2 s, typing p95 ≤ 100 ms, cursor ≤ 10 ms, RSS ≤ 1.5 GB.

Figures of 3 December 2026 at 100,000 records, `--baseline 9bb20cf --runs 16` on a
quiet moment (load 0.0-0.7), medians, old → new (new = the search bitmaps and row
reuse, on top of the day's other changes to the app):

    operation                 cpu p50      cpu p95      wall p50     wall p95
    cursor ↓                  7.1 → 5.7    8.1 → 7.0    7.1 → 5.8    8.1 → 7.2
    PgDn                     27.0 → 26.4  33.0 → 32.9  27.0 → 26.9  34.7 → 32.9
    End                      20.7 → 19.4  31.1 → 22.1  20.7 → 19.4  31.1 → 22.1
    detail settle after ↓    42.0 → 42.0  58.0 → 54.5  94.0 → 94.0 110.2 → 106.6
    typing 1-term            38.8 → 38.9  78.9 → 68.0  38.8 → 40.0  78.4 → 67.9
    typing 2-term            34.4 → 35.5  74.2 → 74.4  35.1 → 35.7  73.9 → 74.3
    typing 3-term            39.9 → 34.1 104.5 → 66.8  39.8 → 34.0 104.5 → 75.5
    findings:significant     59.6 → 44.1  87.6 → 66.2  59.6 → 55.9  87.6 → 68.2
    first paint 1.08 → 3.64 s, list ready 1.46 → 4.00 s, index ready 3.59 → 5.78 s
    (bitmaps 6.94 s), peak RSS 237 → 326 MB: the app now imports scikit-learn and
    scipy before its first frame (the ranking controller; +1.8 s, +92 MB alone);
    the search's own share is +21 MB of bitmaps less the per-field folded copies.

The search alone (thread CPU ms per keystroke of the four queries, old → new):
100,000 records (load ~9): p50 4.1 → 2.8, p95 51.7 → 11.0, worst 63.6 → 24.0;
1,000,000 records (quiet): p50 52 → 35, p95 344 → 93, worst 398 → 107; the first
keystroke "d" 141 → 41, "de" 344 → 24. Left at 1M: a growing prefix ("depr*" …)
costs 50-90 ms old and new alike, SQLite's full-text index returning ~600,000
rows that Python turns into a set; materialising ~1M-row Python lists costs ~60 ms.
At 1M: list columns read in 7-15 s (first screenful 4 ms), index 1.6 s, bitmaps
3.9 s (167 MB); columns + index peak RSS 1.57 → 1.45 GB, before the app's own.

The TUI at 1,000,000 records, new only (`--runs 8`, load 1.4-3.5): first paint 4.27 s,
list ready 4.86 s, every record listed 30.4 s, index 35.2 s, bitmaps 45.5 s; cursor
4.2/6.5 ms CPU (8.5/14.4 wall), PgDn 24/35, typing 1-/2-/3-term CPU p50 117/84/80,
p95 227/153/176 ms, findings:significant 103/139 ms, peak RSS 1769 MB.
Again on 4 December, evening (`--runs 4`, load 0.5-0.7, after the day's frame and
start-up work): first paint 0.42 s, list ready 0.48 s, every record listed 6.86 s,
index 9.07 s, bitmaps 12.59 s; cursor 2.7/4.2 ms, PgDn 10.0/10.1, typing 1-/2-/3-term
CPU p50 55.7/45.4/40.8, p95 121/99/95 ms, findings:significant 39/147 ms, peak RSS
1782 MB (the goal is 1.5 GB: the list columns and the search index of a million
records, as measured above, are most of it).

On the UI thread (CPU per keystroke): record-list lines 11.6 → 9.9 ms; Textual's
compositor (layout from the list's new height, every repainted widget) ~34 ms:
with the search at ~3 ms, painting the frame is what a keystroke costs now.

Figures of 4 December 2026 at 100,000 records, `--baseline e0768b9 --runs 8`, two
runs (load 0.3-0.5, then 0.5-0.8), CPU ms, old → new (new = no screen layout per
keystroke, only changed list lines and a moved scrollbar thumb repainted, the
list's style worked out once per repaint; a query's frame is the first painted
once its result is applied, repainting the list or the status line):

    operation                 cpu p50 (runs 1; 2)      cpu p95 (runs 1; 2)
    typing 1-term            21.1 → 13.4; 17.1 → 13.2  31.4 → 33.1; 24.0 → 19.4
    typing 2-term            17.2 → 12.7; 14.3 → 14.2  28.3 → 20.3; 23.5 → 19.8
    typing 3-term            17.6 → 14.0; 14.6 → 13.7  67.6 → 20.3; 53.2 → 20.0
    findings:significant     26.0 → 12.8; 19.0 → 13.2  27.6 → 18.4; 25.0 → 20.6
    wall p50 typing 13.7-14.7 ms new; cursor ↓ 2.3-2.6, PgDn 7.9-8.2, detail settle
    wall p50 66-67 ms, old and new alike; peak RSS 316 → 328 MB.

The old typing rows are a lower bound: the frame they stop at holds ~1,300 bytes,
too few for the changed list (~7 KB), which the old code painted in other frames;
per key the old code painted 4 frames (~10.7 KB), the new 2 (1.9-7.9 KB).
Found with a timeline of single keys (no profiler): each keystroke laid out the
whole screen, twice over (the query input's `virtual_size` follows its text
length, the list's its row count), ~13 ms with every pane reflowed and repainted.
Now the input's frame is ~0.9 ms, the result's handler ~2.4 ms and the list +
status frame ~5.8 ms: Textual renders every widget the frame's crop box touches,
and the full-width status line makes that box cover the detail and tag panes
(~1.2 ms of cached lines) and the list's scrollbar (~0.6 ms). What is left in
p95: full (generation 2) garbage collections, 35-50 ms about once per 15 keys, of
the ~70,000 objects made after the loader's `gc.freeze()` (module objects of
scipy, numpy and scikit-learn, imported by the ranking afterwards).

Those are now frozen once the first ranking worker ends (`controllers/ranking.py`).
Two runs `--runs 8 --baseline HEAD` (= the tree before that), load 0.5-0.6, cpu p95
old → new: detail settle 43.7 → 19.1 and 73.7 → 16.9 ms, PgDn 38.9 → 12.5 and
14.7 → 13.4 ms, findings:significant 29.9 → 19.3 and 21.2 → 21.4 ms; typing p50
12.5-14.0 → 14.0-15.6 ms and p95 18.5-23.0 → 19.5-28.8 ms, within what a run moves.

Then scikit-learn left the app's process (the child trains; it loads with the first
hashing or fit). `--runs 8 --baseline HEAD~1`, load ~0.5: peak RSS 323 → 258 MB,
bitmaps ready 2.95 → 1.95 s, index ready 1.64 → 1.34 s, first paint 0.49 → 0.39 s;
typing p50 14.1-16.1 ms, p95 21.2-24.7 ms, cursor ↓ 2.6 / 3.1 ms.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parents[1]
#: The code measured: this tree, or an exported revision (`--baseline`).
ROOT = Path(os.environ.get("PEERLIT_BENCH_ROOT", HERE))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from bench.corpus import build_library  # noqa: E402

SIZE = (120, 40)
QUERIES = {
    "1-term": "depression",
    "2-term": "depression anxiety",
    "3-term": "depression anxiety children",
}
SECTION_QUERY = "findings:significant"
#: The panes a query's result shows in: the list, and the status line's counts and query.
SHOWN = ("records", "status")


class ByteCounter:
    """Counts the bytes the driver would write for each frame, and which panes each frame held."""

    PANES = frozenset({"filter", "records", "detail", "tags", "status"})

    def __init__(self, app: Any) -> None:
        from textual._compositor import CompositorUpdate

        self.total = 0
        self.frames: list[frozenset[str]] = []
        """Per frame painted: ids of the panes it repainted ("*" for the whole screen)."""
        self.reached: list[bool] = []
        """Per frame painted: whether `watch` held when it was painted."""
        self.watch: Callable[[], bool] | None = None
        """The state a measurement waits for (checked as each frame is painted)."""
        self.first_paint: float | None = None
        self._pending: set[str] = set()
        self._hooked: set[int] = set()
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            if isinstance(renderable, CompositorUpdate):
                self._hook(screen)
                self.total += len(renderable.render_segments(app.console).encode("utf-8"))
                self.frames.append(frozenset(self._pending or {"*"}))
                self.reached.append(self.watch is not None and self.watch())
                self._pending.clear()
                if self.first_paint is None:
                    self.first_paint = time.time()
            original(screen, renderable)

        app._display = display

    def _hook(self, screen: Any) -> None:
        """Note which widgets each partial update repaints (once per screen)."""
        if id(screen) in self._hooked:
            return
        self._hooked.add(id(screen))
        compositor = screen._compositor
        update_widgets = compositor.update_widgets

        def noting(widgets: Any) -> Any:
            for widget in widgets:
                pane = next((n.id for n in widget.ancestors_with_self if n.id in self.PANES), "*")
                self._pending.add(pane)
            return update_widgets(widgets)

        compositor.update_widgets = noting


def search_ready(screen: Any) -> bool:
    """The index is built, with its character bitmaps where the code has them."""
    index = screen.index
    if index is None:
        return False
    return not hasattr(index, "build_grams") or index.folded.grams is not None


def peak_rss_mb() -> float:
    """Peak resident set size of this process (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def until(condition: Callable[[], bool], timeout: float = 600.0) -> None:
    """Poll `condition` until it holds (fails loudly when loading went wrong)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not get ready; see its notifications")
        await asyncio.sleep(0.002)


# -- start-up, in a fresh process ------------------------------------------------


def startup_child(folder: Path, started: float) -> None:
    """Run the app until the list is ready; print the times since `started`."""
    from peerlit_tui.ui.app import PeerlitApp

    app = PeerlitApp(folder, sample_dir=None)
    counter = ByteCounter(app)
    times: dict[str, float] = {}

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            screen: Any = app.screen
            await until(lambda: bool(screen.record_list.rows))
            screen._on_timer_update()
            times["list_ready"] = time.time() - started
            # The first screenful shows first; then every record is listed.
            total = screen.services.library.count()
            await until(lambda: len(screen.record_list.rows) == total)
            times["list_full"] = time.time() - started
            await until(lambda: screen.index is not None)
            times["index_ready"] = time.time() - started
            await until(lambda: search_ready(screen))
            times["bitmaps_ready"] = time.time() - started
            await pilot.pause()

    asyncio.run(main())
    app.close_services()
    assert counter.first_paint is not None
    times["first_paint"] = counter.first_paint - started
    print(json.dumps(times))


def measure_startup(folder: Path, runs: int) -> dict[str, float]:
    """Median start-up times over `runs` fresh processes."""
    samples: dict[str, list[float]] = {}
    for _ in range(runs):
        started = time.time()
        out = subprocess.run(
            [sys.executable, __file__, "--startup-child", str(folder), repr(started)],
            capture_output=True, text=True, check=True, cwd=ROOT, timeout=900,
        ).stdout  # fmt: skip
        for key, value in json.loads(out.strip().splitlines()[-1]).items():
            samples.setdefault(key, []).append(value)
    return {key: statistics.median(values) for key, values in samples.items()}


# -- interactions -------------------------------------------------------------------


class Sample:
    """CPU ms, wall ms and bytes of repeated runs of one operation."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.cpu: list[float] = []
        self.wall: list[float] = []
        self.bytes: list[int] = []

    def row(self) -> str:
        return (
            f"{self.name:<34} {pct(self.cpu, 50):>7.1f} {pct(self.cpu, 95):>7.1f} "
            f"{pct(self.wall, 50):>7.1f} {pct(self.wall, 95):>7.1f} "
            f"{pct(self.bytes, 50):>8.0f} {pct(self.bytes, 95):>8.0f}  (n={len(self.cpu)})"
        )


def pct(values: list[float] | list[int], p: int) -> float:
    """The p-th percentile (nearest rank)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))])


class Driver:
    """Sends keys and waits for exactly the frame that shows their effect.

    `pilot.press` waits for the app to be idle, which lets the detail pane's 50 ms
    timer fire inside the measurement; here a key is posted to the driver and the
    clock stops at the first frame painted after the expected state is reached.
    Polling sleeps 1 ms at a time, so the harness adds well under 1 ms of CPU.
    """

    def __init__(self, app: Any, counter: ByteCounter) -> None:
        self.app = app
        self.counter = counter

    def send(self, key: str) -> None:
        from textual import events

        char = " " if key == "space" else key if len(key) == 1 else None
        self.app._driver.send_message(events.Key(key, char))

    async def frame_after(
        self, condition: Callable[[], bool], pane: str | tuple[str, ...], start: int
    ) -> None:
        """Wait for a frame (since frame `start`) painted once `condition` held, repainting `pane`.

        The condition is checked as each frame is painted: a frame painted before the
        result arrived (the query input's own) does not count.
        """
        counter = self.counter
        frames, reached = counter.frames, counter.reached
        panes = {pane} if isinstance(pane, str) else set(pane)
        counter.watch = condition

        def shown() -> bool:
            return any(
                reached[i] and (panes & frames[i] or "*" in frames[i])
                for i in range(start, len(frames))
            )

        try:
            while not shown():
                await asyncio.sleep(0.001)
                self.app.screen._on_timer_update()
        finally:
            counter.watch = None

    async def measure(
        self,
        sample: Sample,
        act: Callable[[], None],
        done: Callable[[], bool],
        pane: str | tuple[str, ...],
    ) -> tuple[int, float]:
        """Run `act`; stop the clocks at the first frame showing `done` in `pane`.

        Returns:
            The frame count and wall clock when `act` ran.
        """
        before, start = self.counter.total, len(self.counter.frames)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        act()
        await self.frame_after(done, pane, start)
        sample.cpu.append((time.process_time() - cpu0) * 1000)
        sample.wall.append((time.perf_counter() - wall0) * 1000)
        sample.bytes.append(self.counter.total - before)
        return start, wall0


async def interactions(folder: Path, runs: int) -> tuple[list[Sample], float]:
    """Drive the app with keys; return the samples and the peak RSS."""
    from peerlit_tui.ui.app import PeerlitApp

    app = PeerlitApp(folder, sample_dir=None, cursor_blink=False)
    counter = ByteCounter(app)
    driver = Driver(app, counter)
    samples: list[Sample] = []

    async with app.run_test(size=SIZE) as pilot:
        screen: Any = app.screen
        records = screen.record_list
        await until(lambda: search_ready(screen))
        await pilot.pause(0.3)

        def detail_idle() -> bool:
            return not screen.panes.pending

        async def rest() -> None:
            # Start each measurement on a quiet screen: nothing pending, no frame for 60 ms.
            await until(detail_idle)
            frames = -1
            while frames != len(counter.frames):
                frames = len(counter.frames)
                await pilot.pause(0.06)

        down, settle = Sample("cursor ↓ (list frame)"), Sample("detail settle after ↓")
        for _ in range(runs):
            await rest()
            target = records.cursor + 1
            start, wall0 = await driver.measure(down, lambda: driver.send("down"),
                                                lambda t=target: records.cursor == t,
                                                "records")  # fmt: skip
            # The detail pane and tag panel follow 50 ms later: measure that frame too.
            before, cpu1 = counter.total, time.process_time()
            await driver.frame_after(
                lambda: detail_idle() and screen.panes.shown_id == records.current_id,
                "detail",
                start,
            )
            settle.cpu.append((time.process_time() - cpu1) * 1000)
            settle.wall.append((time.perf_counter() - wall0) * 1000)
            settle.bytes.append(counter.total - before)
        page, end = Sample("PgDn (list frame)"), Sample("End (list frame)")
        for _ in range(runs):
            await rest()
            origin = records.cursor
            await driver.measure(page, lambda: driver.send("pagedown"),
                                 lambda o=origin: records.cursor != o, "records")  # fmt: skip
        for _ in range(max(3, runs // 4)):
            await rest()
            driver.send("home")
            await driver.frame_after(lambda: records.cursor == 0, "records", len(counter.frames))
            await rest()
            await driver.measure(end, lambda: driver.send("end"),
                                 lambda: records.cursor == len(records.rows) - 1,
                                 "records")  # fmt: skip
        samples += [down, page, end, settle]

        def shown() -> str:  # before any filter ran, the list shows everything
            result = screen.filtering.result
            return result.text if result is not None else ""

        screen.filter_bar.focus_input()
        await pilot.pause()
        later = Sample("typing, 3rd character on")
        for label, query in QUERIES.items():
            sample = Sample(f"typing {label} (key → list frame)")
            for _ in range(max(2, runs // 10)):
                screen.filter_bar.set_value("")
                await until(lambda: shown() == "")
                await rest()
                for end_at in range(1, len(query) + 1):
                    typed, char = query[:end_at], query[end_at - 1]
                    # The list's lines repaint only where they changed: a key that keeps
                    # every shown line ("depression" → "depression ") shows in the counts.
                    await driver.measure(sample,
                                         lambda c=char: driver.send("space" if c == " " else c),
                                         lambda t=typed: shown() == t, SHOWN)  # fmt: skip
                    if end_at >= 3:
                        later.cpu.append(sample.cpu[-1])
                        later.wall.append(sample.wall[-1])
                        later.bytes.append(sample.bytes[-1])
                    # A fast typist's pace: the next key comes ~120 ms after the previous one.
                    await asyncio.sleep(max(0.0, 0.12 - sample.wall[-1] / 1000))
            samples.append(sample)
            print(f"  {query!r}: {len(records.rows):,} records", file=sys.stderr)

        samples.append(later)
        section = Sample(f"query {SECTION_QUERY} (list frame)")
        for _ in range(max(3, runs // 4)):
            screen.filter_bar.set_value("")
            await until(lambda: shown() == "")
            await rest()
            await driver.measure(section, lambda: screen.filter_bar.set_value(SECTION_QUERY),
                                 lambda: shown() == SECTION_QUERY, SHOWN)  # fmt: skip
        print(f"  {SECTION_QUERY!r}: {len(records.rows):,} records", file=sys.stderr)
        samples.append(section)
    app.close_services()
    return samples, peak_rss_mb()


def measure(n: int, runs: int) -> dict[str, Any]:
    """Every figure of one tree, as JSON-friendly values."""
    folder = build_library(n)
    start = measure_startup(folder, max(3, runs // 8))
    samples, rss = asyncio.run(interactions(folder, runs))
    rows = {
        s.name: [pct(s.cpu, 50), pct(s.cpu, 95), pct(s.wall, 50), pct(s.wall, 95),
                 pct(s.bytes, 50), pct(s.bytes, 95), len(s.cpu)]
        for s in samples
    }  # fmt: skip
    return {"startup": start, "samples": rows, "rss": rss}


def report(new: dict[str, Any], old: dict[str, Any] | None) -> None:
    """Print the figures, the old ones beside (as old → new) when given."""

    def pair(value: float, before: float | None, digits: int = 1) -> str:
        if before is None:
            return f"{value:.{digits}f}"
        return f"{before:.{digits}f} → {value:.{digits}f}"

    start, before = new["startup"], (old or {}).get("startup", {})
    for key in ("first_paint", "list_ready", "list_full", "index_ready", "bitmaps_ready"):
        if key in start:
            print(f"start → {key.replace('_', ' '):<14} {pair(start[key], before.get(key), 2)} s")
    print(f"{'operation':<40} {'cpu p50':>15} {'cpu p95':>15} {'wall p50':>15} "
          f"{'wall p95':>15} {'bytes p50':>15}")  # fmt: skip
    for name, values in new["samples"].items():
        was = (old or {}).get("samples", {}).get(name)
        cells = [pair(values[i], was[i] if was else None) for i in range(4)]
        cells.append(pair(values[4], was[4] if was else None, 0))
        print(f"{name:<40} " + " ".join(f"{c:>15}" for c in cells))
    print(f"peak RSS {pair(new['rss'], (old or {}).get('rss'), 0)} MB")


def baseline(ref: str, n: int, runs: int) -> dict[str, Any]:
    """Run this bench on the code of git revision `ref`, in a subprocess."""
    tree = Path("/tmp/peerlit-bench") / f"tree-{ref}"
    if not (tree / "peerlit_tui").exists():
        tree.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", ref], cwd=HERE, capture_output=True,
                                 check=True).stdout  # fmt: skip
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    out = subprocess.run(
        [sys.executable, __file__, str(n), "--runs", str(runs), "--json"],
        capture_output=True, text=True, check=True, cwd=tree, timeout=3600,
        env={**os.environ, "PEERLIT_BENCH_ROOT": str(tree)},
    ).stdout  # fmt: skip
    return dict(json.loads(out.strip().splitlines()[-1]))


def main() -> None:
    """Build (or reuse) the library and print the figures."""
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    if len(sys.argv) > 1 and sys.argv[1] == "--startup-child":
        startup_child(Path(sys.argv[2]), float(sys.argv[3]))
        return
    argv = sys.argv[1:]
    runs = int(argv[argv.index("--runs") + 1]) if "--runs" in argv else 40
    ref = argv[argv.index("--baseline") + 1] if "--baseline" in argv else None
    sizes = [a for i, a in enumerate(argv) if a.isdigit() and (i == 0 or argv[i - 1] != "--runs")]
    n = int(sizes[0]) if sizes else 100_000
    if "--json" in argv:
        print(json.dumps(measure(n, runs)))
        return
    print(f"library: {build_library(n)} ({n:,} records), terminal {SIZE[0]}×{SIZE[1]}, headless")
    print(f"load before: {os.getloadavg()[0]:.1f}")
    old = baseline(ref, n, runs) if ref else None
    new = measure(n, runs)
    print(f"load after: {os.getloadavg()[0]:.1f}")
    if ref:
        print(f"old = {ref}, new = this tree")
    report(new, old)


if __name__ == "__main__":
    main()
