"""Search benchmark at 100,000 records (run by hand: `.venv/bin/python bench/search_bench.py`).

Builds (or reuses, cached under /tmp) a real-shaped library — the 22,846 records of
the shared scale corpus repeated with new ids, written straight into a record store
(see `bench/corpus.py`) — and prints medians for: building the search index;
typing 1-, 2- and 3-term queries keystroke by keystroke, each keystroke refining
the previous result, against the naive `all(t in haystack for t in terms)` scan
measured in the same run; section, abstract and field queries; sorting.

Times are CPU time of the searching thread (wall time in brackets), so other
processes on a busy machine inflate them less; both include SQLite's work.
Each typing run uses a fresh index, so full-text results are never served from a
previous run's cache.

Options: `--records N` (default 100000), `--runs N` (default 7).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpus import build_library  # noqa: E402

from peerlit_tui.services.library import Library  # noqa: E402
from peerlit_tui.services.search import SearchIndex, SearchResult  # noqa: E402
from peerlit_tui.text import fold  # noqa: E402

TYPED = ("antipsychotic", "software defect", "randomized placebo trial")
QUERIES = (
    ("section", 'findings:"software"'),
    ("section", "findings:defect*"),
    ("section (no index column)", "methods:randomized"),
    ("abstract, rare", "abstract:haloperidol"),
    ("abstract, common", "abstract:patients"),
    ("year + field", "year:2000..2005 journal:cohen"),
    ("field + year", "title:protein year:>2000"),
    ("author", "author:smith"),
    ("phrase + NOT", '"placebo controlled" -rat'),
    ("OR + group", "(depression OR anxiety) rat"),
    ("regex + word", "defect /predict(ion|ive)/"),
)


@dataclass
class Timing:
    cpu: float
    wall: float


def timed(fn: Callable[[], Any]) -> tuple[Any, Timing]:
    cpu, wall = time.thread_time(), time.perf_counter()
    value = fn()
    return value, Timing((time.thread_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else 0.0


def fmt(times: list[Timing]) -> str:
    return f"{median([t.cpu for t in times]):7.1f} ms ({median([t.wall for t in times]):6.1f})"


def typing(library: Library, columns: Any, text: str, runs: int) -> None:
    haystack = [
        fold(f"{t}\x1f{a}\x1f{j}\x1f{k}\x1f{d}\x1f{i}")
        for t, a, j, k, d, i in zip(
            columns.titles, columns.authors, columns.journals, columns.keywords,
            columns.dois, columns.ids, strict=True,
        )
    ]  # fmt: skip
    per_key: list[list[Timing]] = [[] for _ in text]
    naive: list[list[Timing]] = [[] for _ in text]
    counts: list[int] = [0] * len(text)
    narrowed: list[bool] = [False] * len(text)
    for _ in range(runs):
        index = SearchIndex(library, columns=columns)
        previous: SearchResult | None = None
        for k in range(1, len(text) + 1):
            prefix = text[:k]
            previous, t = timed(
                lambda p=prefix, prev=previous, ix=index: ix.search(p, previous=prev)
            )
            assert previous is not None
            per_key[k - 1].append(t)
            counts[k - 1], narrowed[k - 1] = len(previous.rows), previous.narrowed
            terms = fold(prefix).split()
            _, t = timed(
                lambda ts=terms: [i for i, h in enumerate(haystack) if all(w in h for w in ts)]
            )
            naive[k - 1].append(t)
        index.close()
    print(f"\n  typing {text!r} (one keystroke each; hits; n = refined previous result)")
    for k in range(len(text)):
        mark = "n" if narrowed[k] else " "
        print(f"    {text[: k + 1]!r:28} {fmt(per_key[k])} {counts[k]:7,} {mark}"
              f"   naive short-field scan {fmt(naive[k])}")  # fmt: skip
    cpu = [t.cpu for times in per_key for t in times]
    naive_cpu = [t.cpu for times in naive for t in times]
    print(f"    all keystrokes: median {median(cpu):.1f} ms, p95 {p95(cpu):.1f} ms, "
          f"max {max(cpu):.1f} ms; naive median {median(naive_cpu):.1f} ms, "
          f"p95 {p95(naive_cpu):.1f} ms")  # fmt: skip
    return None


def abstract_versus_naive(library: Library, columns: Any, runs: int) -> None:
    print("\n  abstract term: full-text index vs naive substring scan of every abstract")
    abstracts, t_load = timed(lambda: dict(library.store.abstract_texts()))
    folded, t_fold = timed(lambda: [fold(a or "") for a in abstracts.values()])
    print(f"    (naive needs the abstracts in memory: fetch {t_load.wall:.0f} ms, "
          f"fold {t_fold.wall:.0f} ms)")  # fmt: skip

    def scan(word: str) -> list[int]:
        return [i for i, a in enumerate(folded) if word in a]

    for word in ("haloperidol", "patients"):
        fts_times = []
        for _ in range(runs):
            fresh = SearchIndex(library, columns=columns)
            result, t = timed(lambda w=word, ix=fresh: ix.search(f"abstract:{w}"))
            fts_times.append(t)
            fresh.close()
        naive = [timed(lambda w=word: scan(w)) for _ in range(runs)]
        print(f"    abstract:{word:12} FTS {fmt(fts_times)} {len(result.rows):7,} hits   "
              f"naive {fmt([t for _, t in naive])} {len(naive[0][0]):7,} hits "
              "(substring: also inside words)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    runs = max(args.runs, 1)

    folder = build_library(args.records)
    library = Library.open(folder)
    columns, t_cols = timed(library.columns)
    print(f"library {folder}: {len(columns):,} records; load_columns {t_cols.wall:.0f} ms")

    before = rss_mb()
    kept = SearchIndex(library, columns=columns)
    grown = rss_mb() - before
    builds = [timed(lambda: SearchIndex(library, columns=columns))[1] for _ in range(runs)]
    print(f"\nindex build (folded haystacks){fmt(builds)}; one index adds {grown:.0f} MB RSS, "
          f"process {rss_mb():.0f} MB")  # fmt: skip
    kept.close()

    for text in TYPED:
        typing(library, columns, text, runs)

    index = SearchIndex(library, columns=columns)
    print("\n  queries (cold = first run on a fresh index, then median of the runs)")
    for label, query in QUERIES:
        fresh = SearchIndex(library, columns=columns)
        result, cold = timed(lambda q=query, ix=fresh: ix.search(q))
        fresh.close()
        times = [timed(lambda q=query: index.search(q))[1] for _ in range(runs)]
        print(f"    {label:26} {query!r:36} cold {cold.cpu:7.1f} ms  warm {fmt(times)} "
              f"{len(result.rows):7,} hits")  # fmt: skip

    abstract_versus_naive(library, columns, runs)

    print("\n  sorting (first call builds the sort order; then median)")
    everything = index.search("").rows
    subset = index.search("randomized placebo").rows
    protein = index.search("protein")
    for key in ("added", "year", "author", "title", "relevance"):
        fresh = SearchIndex(library, columns=columns)
        query = protein.query if key == "relevance" else None
        rows = protein.rows if key == "relevance" else everything
        _, first = timed(lambda k=key, ix=fresh, r=rows, q=query: ix.sort(r, k, query=q))
        fresh.close()
        full = [timed(lambda k=key, r=rows, q=query: index.sort(r, k, query=q))[1]
                for _ in range(runs)]  # fmt: skip
        part = [timed(lambda k=key, q=query: index.sort(subset, k, True, query=q))[1]
                for _ in range(runs)]  # fmt: skip
        print(f"    {key:10} first {first.cpu:7.1f} ms; {len(rows):,} rows {fmt(full)}; "
              f"{len(subset):,} rows reversed {fmt(part)}")  # fmt: skip
    index.close()
    library.close()


if __name__ == "__main__":
    main()
