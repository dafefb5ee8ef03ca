"""Ranking benchmark: peerlit's screening simulation beside random order and ASReview.

Runs the engine of `peerlit simulate` (peerlit_tui.services.simulation.simulate, the
app's model and retraining cadence) on labelled SYNERGY reviews from
../shared/data/synergy_scale/originals/, with ASReview's prior draw (one inclusion,
one exclusion, `RandomState(seed).choice`), so each run starts from the same two
records as `asreview simulate --prior-seed S`.

Rows are read as ASReview reads the CSV (every row, title + abstract, blank rows
kept), so N and the inclusions match the figures in
../shared/research/ranking-anchors.md, which the table prints beside ours
(ASReview 3.0.8 `elas_u4`, measured there on this kind of machine).

Usage:
    python bench/ranking_bench.py                 # the four datasets, seeds 1 and 2
    python bench/ranking_bench.py --all           # all 18 originals
    python bench/ranking_bench.py --models svm,nb # compare model candidates
    python bench/ranking_bench.py --scale         # 100k-record retrain time and RSS
    PEERLIT_ASREVIEW_PYTHON=/path/venv/bin/python python bench/ranking_bench.py --live
        # also run `asreview simulate` live on the same seeds (asreview in another venv)
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from peerlit_tui.model import Record, Section  # noqa: E402
from peerlit_tui.services.ranking_features import FeatureConfig, text_for  # noqa: E402
from peerlit_tui.services.ranking_model import DEFAULT_MODEL, ModelConfig, RetrainPolicy  # noqa: E402
from peerlit_tui.services.simulation import (  # noqa: E402
    LabelOracle,
    metrics,
    simulate,
    simulate_random,
)

ORIGINALS = ROOT.parent / "shared" / "data" / "synergy_scale" / "originals"
FOUR = ["Cohen_2006_ADHD", "Kitchenham_2010", "Nagtegaal_2019", "Bannach-Brown_2019"]

#: ASReview 3.0.8 elas_u4 per prior seed (ranking-anchors.md §2.3): WSS@95, recall@10 %,
#: screened to 95 %; and CPU seconds of one simulation (seeds 2–3 measured).
ASREVIEW: dict[str, dict[int, tuple[float, float, int]]] = {
    "Cohen_2006_ADHD": {1: (0.536, 0.650, 352), 2: (0.538, 0.650, 351), 3: (0.675, 0.700, 234)},
    "Kitchenham_2010": {1: (0.674, 0.667, 471), 2: (0.674, 0.733, 471), 3: (0.674, 0.689, 471)},
    "Nagtegaal_2019": {1: (0.738, 0.673, 429), 2: (0.737, 0.644, 430), 3: (0.733, 0.663, 439)},
    "Bannach-Brown_2019": {
        1: (0.416, 0.561, 1065),
        2: (0.416, 0.568, 1065),
        3: (0.416, 0.550, 1065),
    },
}
ASREVIEW_CPU = {"Cohen_2006_ADHD": 25.0, "Kitchenham_2010": 40.5, "Nagtegaal_2019": 63.0,
                "Bannach-Brown_2019": 104.0}  # fmt: skip

#: Model candidates compared with --models (the first is the app's default).
CANDIDATES = {
    "svm": DEFAULT_MODEL,
    "svm-stop": ModelConfig(features=FeatureConfig(stop_words=True)),
    "svm-r3": ModelConfig(balance_ratio=3),
    "svm-C1": ModelConfig(c=1.0),
    "nb": ModelConfig(classifier="nb", balance_ratio=0),
    "nb-stop": ModelConfig(
        classifier="nb", balance_ratio=0, features=FeatureConfig(stop_words=True, min_df=2)
    ),
    "lr": ModelConfig(classifier="lr"),
    "svm-md2": ModelConfig(features=FeatureConfig(min_df=2)),
    "svm-title2": ModelConfig(features=FeatureConfig(title_repeat=2)),
    "svm-title1": ModelConfig(features=FeatureConfig(title_repeat=1)),
}
#: Retraining cadences compared with --policy.
POLICIES = {
    "10": RetrainPolicy(),
    "1": RetrainPolicy(every=1),
}


def load(name: str) -> tuple[list[Record], list[bool]]:
    """Records (title, abstract) and labels of one original, every row as ASReview reads it."""
    csv.field_size_limit(sys.maxsize)
    with gzip.open(ORIGINALS / f"{name}.csv.gz", "rb") as raw:
        rows = list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")))
    records = [
        Record(title=r.get("title") or "", abstract=[Section("", r.get("abstract") or "")])
        for r in rows
    ]
    column = "label_included" if "label_included" in rows[0] else "label"
    labels = [str(r.get(column, "")).strip() in ("1", "1.0") for r in rows]
    return records, labels


def live_asreview(python: str, name: str, seed: int) -> tuple[float, float, int, float]:
    """Run `asreview simulate` in another venv; (WSS@95, recall@10 %, to 95 %, CPU s)."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / f"{name}.csv"
        with gzip.open(ORIGINALS / f"{name}.csv.gz", "rb") as src:
            data.write_bytes(src.read())
        out = Path(tmp) / "run.asreview"
        before = os.times()
        subprocess.run(
            [python, "-m", "asreview", "simulate", str(data), "--ai", "elas_u4",
             "--n-prior-included", "1", "--n-prior-excluded", "1", "--prior-seed", str(seed),
             "--seed", str(seed), "-o", str(out)],
            check=True, capture_output=True,
        )  # fmt: skip
        after = os.times()
        cpu = (after.children_user - before.children_user) + (
            after.children_system - before.children_system
        )
        with zipfile.ZipFile(out) as archive:
            db_name = next(n for n in archive.namelist() if n.endswith("results.db"))
            archive.extract(db_name, tmp)
        con = sqlite3.connect(Path(tmp) / db_name)
        order = [int(r[0]) for r in con.execute("SELECT record_id FROM results ORDER BY rowid")]
        con.close()
        _, labels = load(name)
        m = metrics([labels[i] for i in order], len(labels))
        return m.wss95, m.recall_at_10pct, m.screened_to_95, cpu


def run_sets(
    names: list[str], seeds: list[int], models: list[str], live: str | None, policy: RetrainPolicy
) -> None:
    print(f"{'dataset':<34} {'method':<22} {'seed':>4} {'WSS@95':>7} {'rec@10%':>7} "
          f"{'to95%':>6} {'sec':>6}")  # fmt: skip
    means: dict[str, list[float]] = {m: [] for m in models}
    gaps: list[float] = []
    speed: list[float] = []
    # Per dataset, means over the seeds: (WSS@95, recall@10 %, to 95 %, seconds) of the
    # first model, of random order, and of ASReview's documented runs.
    summary: list[tuple[str, tuple[float, ...], tuple[float, ...], tuple[float, ...] | None]] = []
    for name in names:
        records, labels = load(name)
        if not any(labels):
            print(f"{name:<34} no inclusions labelled; skipped")
            continue
        per_model: dict[str, list[float]] = {m: [] for m in models}
        ours: list[tuple[float, ...]] = []
        randoms: list[tuple[float, ...]] = []
        for seed in seeds:
            for model_name in models:
                config = CANDIDATES[model_name]
                texts = [text_for(r, config.features) for r in records]
                cpu0 = time.process_time()
                sim = simulate(
                    texts,
                    LabelOracle(labels),
                    seed=seed,
                    model=CANDIDATES[model_name],
                    policy=policy,
                )
                cpu = time.process_time() - cpu0
                m = sim.metrics
                per_model[model_name].append(m.wss95)
                print(f"{name:<34} {'peerlit ' + model_name:<22} {seed:>4} {m.wss95:>7.3f} "
                      f"{m.recall_at_10pct:>7.3f} {m.screened_to_95:>6} {sim.seconds:>6.1f}"
                      f"  (cpu {cpu:.1f} s, {sim.retrains} fits)")  # fmt: skip
                if model_name == models[0]:
                    ours.append((m.wss95, m.recall_at_10pct, m.screened_to_95, cpu))
                if model_name == models[0] and name in ASREVIEW:
                    speed.append(ASREVIEW_CPU[name] / max(cpu, 1e-6))
            r = simulate_random(labels, seed=seed)
            randoms.append((r.wss95, r.recall_at_10pct, r.screened_to_95))
            print(f"{name:<34} {'random order (50x)':<22} {seed:>4} {r.wss95:>7.3f} "
                  f"{r.recall_at_10pct:>7.3f} {r.screened_to_95:>6}")  # fmt: skip
            if name in ASREVIEW and seed in ASREVIEW[name]:
                w, r10, to95 = ASREVIEW[name][seed]
                print(f"{name:<34} {'ASReview elas_u4 (doc)':<22} {seed:>4} {w:>7.3f} "
                      f"{r10:>7.3f} {to95:>6} {ASREVIEW_CPU[name]:>6.1f}  (CPU)")  # fmt: skip
            if live:
                w, r10, to95, cpu = live_asreview(live, name, seed)
                print(f"{name:<34} {'ASReview elas_u4 live':<22} {seed:>4} {w:>7.3f} "
                      f"{r10:>7.3f} {to95:>6} {cpu:>6.1f}  (CPU)")  # fmt: skip
        for model_name in models:
            means[model_name].append(statistics.mean(per_model[model_name]))
        ref_runs: list[tuple[float, ...]] = [
            ASREVIEW[name][s] for s in seeds if s in ASREVIEW.get(name, {})
        ]
        ref_mean = _means(ref_runs) if ref_runs else None
        summary.append((name, _means(ours), _means(randoms), ref_mean))
        if name in ASREVIEW:
            ref = statistics.mean(ASREVIEW[name][s][0] for s in seeds if s in ASREVIEW[name])
            gaps.append(statistics.mean(per_model[models[0]]) - ref)
    print_summary(models[0], seeds, summary)
    print()
    for model_name in models:
        print(f"mean WSS@95 over {len(means[model_name])} datasets, {model_name}: "
              f"{statistics.mean(means[model_name]):.3f}")  # fmt: skip
    if gaps:
        print(f"{models[0]} minus ASReview per dataset: " + ", ".join(f"{g:+.3f}" for g in gaps))
    if speed:
        print(
            "CPU speed-up over ASReview (anchor CPU / ours), median: "
            f"{statistics.median(speed):.1f}x"
        )


def _means(runs: list[tuple[float, ...]]) -> tuple[float, ...]:
    return tuple(statistics.mean(col) for col in zip(*runs, strict=True))


def print_summary(
    model: str,
    seeds: list[int],
    rows: list[tuple[str, tuple[float, ...], tuple[float, ...], tuple[float, ...] | None]],
) -> None:
    """Per dataset, means over the seeds: WSS@95 / recall@10 % / read to 95 % / seconds."""
    print(f"\nmeans over seeds {','.join(map(str, seeds))}: WSS@95 rec@10% to95% "
          f"(peerlit {model}, CPU s) | random | ASReview elas_u4 (documented)")  # fmt: skip
    for name, ours, rnd, ref in rows:
        theirs = f"{ref[0]:.3f} {ref[1]:.3f} {ref[2]:5.0f}" if ref else "-"
        print(f"{name:<34} {ours[0]:.3f} {ours[1]:.3f} {ours[2]:5.0f} {ours[3]:5.1f}s | "
              f"{rnd[0]:.3f} {rnd[1]:.3f} {rnd[2]:5.0f} | {theirs}")  # fmt: skip


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def run_scale(n: int) -> None:
    """Retrain timing on a library of n records (built by bench/corpus.py)."""
    from corpus import build_library

    from peerlit_tui.services.annotations import AnnotationService
    from peerlit_tui.services.library import Library
    from peerlit_tui.services.ranking import RankingService
    from peerlit_tui.storage.paths import RECORDS_DB

    # Decisions and the ranking cache go into a private copy, so the shared bench
    # library other benchmarks use stays without annotations.
    source = build_library(n)
    folder = Path(tempfile.gettempdir()) / "peerlit-ranking-bench" / source.name
    if not (folder / RECORDS_DB).exists():
        folder.mkdir(parents=True, exist_ok=True)
        src = sqlite3.connect(source / RECORDS_DB)
        dst = sqlite3.connect(folder / RECORDS_DB)
        src.backup(dst)
        src.close()
        dst.close()
    library = Library.open(folder)
    annotations = AnnotationService.open(folder, sync=False)
    ids = library.columns().ids
    # 400 decisions: every 50th record included, the next one excluded.
    # (Checked by inclusions: a copy left by an interrupted run may hold exclusions only.)
    if not any(a.decision == "include" for a in annotations.all()):
        annotations.set_decision(ids[0:20000:100], "include")
        annotations.set_decision(ids[1:60000:150], "exclude")
    service = RankingService(library, annotations)
    base = rss_mb()
    t = time.perf_counter()
    result = service.retrain()
    print(f"first retrain (features from the cache if present, else built): "
          f"{time.perf_counter() - t:.1f} s, RSS +{rss_mb() - base:.0f} MB, "
          f"{result.n_decisions} decisions")  # fmt: skip
    annotations.set_decision(ids[70000:70010], "exclude")
    times = []
    for _ in range(3):
        t = time.perf_counter()
        service.retrain()
        times.append(time.perf_counter() - t)
    print(
        f"retrain at {len(ids):,} records (median of 3): {statistics.median(times):.2f} s; "
        f"RSS growth since before the first retrain: {rss_mb() - base:.0f} MB"
    )
    # How long the main thread is held up while a retrain runs in a worker thread
    # (the GIL): the longest gap between 2 ms sleeps, as a UI event loop would see.
    gaps: list[float] = []
    worker = threading.Thread(target=service.retrain)
    worker.start()
    last = time.perf_counter()
    while worker.is_alive():
        time.sleep(0.002)
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
    worker.join()
    gaps.sort()
    print(f"main thread during a background retrain: longest gap {gaps[-1] * 1000:.0f} ms, "
          f"99th percentile {gaps[int(len(gaps) * 0.99)] * 1000:.0f} ms (2 ms sleeps)")  # fmt: skip
    fresh = RankingService(library, annotations)
    t = time.perf_counter()
    fresh.retrain()
    print(
        f"retrain in a new process-like service (cache loaded from disk): "
        f"{time.perf_counter() - t:.2f} s"
    )
    annotations.close()
    library.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--all", action="store_true", help="all 18 originals")
    parser.add_argument("--datasets", help="comma list of originals (default: the four)")
    parser.add_argument("--seeds", default="1,2")
    parser.add_argument("--models", default="svm", help=f"comma list of {', '.join(CANDIDATES)}")
    parser.add_argument("--policy", default="10", help=f"retraining cadence: {', '.join(POLICIES)}")
    parser.add_argument(
        "--live", action="store_true", help="also run asreview (env PEERLIT_ASREVIEW_PYTHON)"
    )
    parser.add_argument(
        "--scale", type=int, nargs="?", const=100_000, help="retrain timing at N records"
    )
    args = parser.parse_args()
    if args.scale:
        run_scale(args.scale)
        return
    if not ORIGINALS.exists():
        sys.exit(f"labelled datasets not found: {ORIGINALS}")
    live = os.environ.get("PEERLIT_ASREVIEW_PYTHON") if args.live else None
    if args.live and not live:
        sys.exit("--live needs PEERLIT_ASREVIEW_PYTHON=<python of a venv with asreview>")
    names = (
        sorted(p.name[: -len(".csv.gz")] for p in ORIGINALS.glob("*.csv.gz")) if args.all else FOUR
    )
    if args.datasets:
        names = args.datasets.split(",")
    run_sets(
        names,
        [int(s) for s in args.seeds.split(",")],
        args.models.split(","),
        live,
        POLICIES[args.policy],
    )
    print(json.dumps({"datasets": len(names), "seeds": args.seeds, "models": args.models}))


if __name__ == "__main__":
    main()
