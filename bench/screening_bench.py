"""What one screening decision costs on the UI thread with 100,000 decided records.

Usage: .venv/bin/python bench/screening_bench.py [N] [--runs R]

Builds an annotations store with N records (default 100,000), all decided, in a
temporary folder, then times, per decision (median of R, default 200):

- baseline: the recount the screen used to do on every decision (every annotation
  copied, a decision table built, the shown rows counted, the rate scanned);
- now: screening mode's bookkeeping (`ScreeningMode.decided`, the progress line and
  the next-undecided look-up), which moves one record between counts;
- now + save: the same plus the durable save through `AnnotationService`
  (one journal append with fsync, as the app does).

Goal: a decision at 100,000 decided records costs ≤ 5 ms on the UI thread
(bookkeeping; the save's fsync depends on the disk and is shown apart).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from peerlit_tui.services.annotations import AnnotationService  # noqa: E402
from peerlit_tui.services.screening import decision_lookup, decision_rate, progress  # noqa: E402
from peerlit_tui.ui.controllers.screening import ScreeningMode  # noqa: E402


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main(argv: list[str]) -> int:
    """Run the benchmark and print the figures."""
    n = int(argv[0]) if argv and argv[0].isdigit() else 100_000
    runs = int(argv[argv.index("--runs") + 1]) if "--runs" in argv else 200
    ids = [f"r{i:07d}" for i in range(n)]
    rows = list(range(n))
    with tempfile.TemporaryDirectory() as folder:
        service = AnnotationService.open(Path(folder))
        started = time.perf_counter()
        service.set_decision(ids, "include")
        print(f"{n:,} decided records written in {time.perf_counter() - started:.1f} s")
        decided = {a.record_id: a.decision for a in service.all()}

        baseline = []
        for _ in range(min(runs, 20)):
            t = time.perf_counter()
            annotated = service.all()
            progress((ids[row] for row in rows), decision_lookup(annotated))
            decision_rate(annotated)
            decision_lookup(service.all())
            baseline.append(time.perf_counter() - t)

        mode = ScreeningMode(annotations=lambda: service)
        mode.set_on(True)
        mode.set_rows(ids, rows, decided, frozenset(ids))
        now = []
        for k in range(runs):
            record_id = ids[k % n]
            t = time.perf_counter()
            mode.decided(record_id, "exclude" if k % 2 else "include")
            mode.progress_text()
            mode.next_undecided(k % n)
            now.append(time.perf_counter() - t)

        saved = []
        for k in range(min(runs, 50)):
            record_id = ids[k % n]
            decision = "exclude" if k % 2 else "include"
            t = time.perf_counter()
            service.set_decision([record_id], decision)
            mode.decided(record_id, decision)
            mode.progress_text()
            mode.next_undecided(k % n)
            saved.append(time.perf_counter() - t)
        service.close(checkpoint=False)

    print(f"per decision at {n:,} decided records (median):")
    print(f"  baseline (full recount, as before)   {_median_ms(baseline):8.2f} ms")
    print(f"  now: incremental bookkeeping         {_median_ms(now):8.3f} ms   goal ≤ 5 ms")
    print(f"  now + durable save (fsync)           {_median_ms(saved):8.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
