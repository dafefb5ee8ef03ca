"""Screening simulation: replay a labelled review with peerlit's model, and its metrics.

`simulate` starts, like ASReview's `simulate --n-prior-included 1 --n-prior-excluded 1`,
from one inclusion and one exclusion drawn by a seed, then screens the best-ranked
undecided record one at a time, retraining with `train_and_score` whenever the app's
`RetrainPolicy` says so — the same functions the app's `RankingService` calls. The
labels are only reachable through a `LabelOracle`, which hands out a record's label
when that record is screened and records the order it was asked in; the model is
trained only on what the oracle has handed out.

Metric convention (as in the project's ranking notes; priors count as the first two
screened records, N is every record of the file, Ny the inclusions):

- screened-to-95 % = the number of records screened when ⌈0.95·Ny⌉ inclusions are found;
- WSS@95 = (N − screened-to-95 %) / N − 0.05 (Cohen et al. 2006);
- recall@10 % / @20 % = inclusions among the first ⌊0.1·N⌋ / ⌊0.2·N⌋ screened ÷ Ny;
- screened-to-100 % = the number screened when the last inclusion is found.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from peerlit_tui.services.ranking_features import count_rows
from peerlit_tui.services.ranking_model import (
    DEFAULT_MODEL,
    DEFAULT_POLICY,
    Features,
    ModelConfig,
    RetrainPolicy,
    train_and_score,
)

#: (records screened, records in all) after each retrain.
SimulationProgress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Metrics:
    """The figures of one screening order (see the module docstring for definitions)."""

    records: int
    inclusions: int
    wss95: float
    recall_at_10pct: float
    recall_at_20pct: float
    screened_to_95: int
    screened_to_100: int


def metrics(order_labels: Sequence[bool], n_records: int) -> Metrics:
    """Metrics of a screening order.

    Args:
        order_labels: Labels (True = included) in the order the records were
            screened, priors first. It may stop early; the records not in it count
            as exclusions screened last.
        n_records: Every record of the review (N).

    Raises:
        ValueError: When there is no inclusion or the order is longer than N.
    """
    labels = np.asarray(order_labels, dtype=bool)
    if len(labels) > n_records:
        raise ValueError("the screening order is longer than the number of records")
    n_incl = int(labels.sum())
    if n_incl == 0:
        raise ValueError("the review has no inclusions")
    found = np.cumsum(labels)
    need_95 = (95 * n_incl + 99) // 100  # ⌈0.95·Ny⌉ in integers, free of rounding
    to_95 = int(np.searchsorted(found, need_95) + 1)
    to_100 = int(np.searchsorted(found, n_incl) + 1)

    def recall_at(count: int) -> float:
        return float(found[min(count, len(found)) - 1]) / n_incl if count > 0 else 0.0

    return Metrics(
        records=n_records,
        inclusions=n_incl,
        wss95=(n_records - to_95) / n_records - 0.05,
        recall_at_10pct=recall_at(n_records // 10),
        recall_at_20pct=recall_at(2 * n_records // 10),
        screened_to_95=to_95,
        screened_to_100=to_100,
    )


class LabelOracle:
    """The labels of a review, handed out one record at a time as it is screened.

    Args:
        labels: True for included, one per record.
    """

    def __init__(self, labels: Sequence[bool] | np.ndarray) -> None:
        self._labels = np.asarray(labels, dtype=bool)
        self.revealed: list[int] = []

    def __len__(self) -> int:
        return len(self._labels)

    @property
    def n_included(self) -> int:
        """Number of inclusions (a simulation stops once it has found them all)."""
        return int(self._labels.sum())

    def priors(self, seed: int) -> tuple[int, int]:
        """One included and one excluded row, drawn as ASReview draws its priors.

        `numpy.random.RandomState(seed).choice` over each class's rows, a fresh
        generator per class (ASReview's `--prior-seed`), so both tools start alike.

        Raises:
            ValueError: When a class is missing.
        """
        included = np.flatnonzero(self._labels)
        excluded = np.flatnonzero(~self._labels)
        if not len(included) or not len(excluded):
            raise ValueError("a simulation needs at least one included and one excluded record")
        inc = int(np.random.RandomState(seed).choice(included, 1)[0])
        exc = int(np.random.RandomState(seed).choice(excluded, 1)[0])
        return inc, exc

    def reveal(self, row: int) -> bool:
        """The label of a record being screened now."""
        self.revealed.append(row)
        return bool(self._labels[row])


@dataclass(slots=True)
class SimulationResult:
    """What one simulation did.

    Attributes:
        metrics: The figures of the screening order.
        order: Rows in screening order (priors first).
        labels: Their labels, in the same order.
        seconds: Wall time, features included.
        retrains: Number of model fits.
        model: Name of the model.
        seed: The prior / tie-break seed.
        every: Decisions between retrains.
    """

    metrics: Metrics
    order: list[int] = field(default_factory=list)
    labels: list[bool] = field(default_factory=list)
    seconds: float = 0.0
    retrains: int = 0
    model: str = ""
    seed: int = 0
    every: int = 0

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape of `peerlit simulate --json`."""
        m = self.metrics
        return {
            "records": m.records,
            "inclusions": m.inclusions,
            "wss95": round(m.wss95, 4),
            "recall_at_10pct": round(m.recall_at_10pct, 4),
            "recall_at_20pct": round(m.recall_at_20pct, 4),
            "screened_to_95": m.screened_to_95,
            "screened_to_100": m.screened_to_100,
            "seconds": round(self.seconds, 3),
            "model": self.model,
            "seed": self.seed,
            "retrains": self.retrains,
            "retrain_every": self.every,
        }


def simulate(
    texts: Sequence[str],
    oracle: LabelOracle,
    *,
    seed: int = 1,
    model: ModelConfig = DEFAULT_MODEL,
    policy: RetrainPolicy = DEFAULT_POLICY,
    stop_at_last: bool = True,
    progress: SimulationProgress | None = None,
) -> SimulationResult:
    """Replay the screening of a labelled review with peerlit's model.

    Args:
        texts: The text of each record (`ranking_features.record_text`).
        oracle: The labels, handed out as records are screened.
        seed: Chooses the two priors and breaks ties between equal scores.
        model: The model (the app's default unless comparing models).
        policy: The retraining cadence (the app's default unless comparing).
        stop_at_last: Stop when the last inclusion is found (as ASReview does).
        progress: Called after each retrain.

    Raises:
        ValueError: When the labels lack a class or do not match the texts.
    """
    start = time.perf_counter()
    n = len(texts)
    if len(oracle) != n:
        raise ValueError(f"{len(oracle)} labels for {n} records")
    features = Features(count_rows(texts, model.features), model.features)
    # Ties (records with the same text, or no text) are broken by a seeded shuffle,
    # not by file order: some exports list all their inclusions first.
    tie_break = np.random.default_rng(seed).permutation(n)
    decided = np.zeros(n, dtype=bool)
    order: list[int] = []
    known: list[bool] = []
    for row in oracle.priors(seed):
        order.append(row)
        known.append(oracle.reveal(row))
        decided[row] = True
    target = oracle.n_included
    found = sum(known)
    retrains = 0
    queue: np.ndarray = np.empty(0, dtype=np.int64)
    position = 0
    since = policy.every  # train at once on the priors
    while len(order) < n and not (stop_at_last and found >= target):
        if position >= len(queue) or policy.needs_retrain(since):
            _, scores = train_and_score(features, order, known, model)
            retrains += 1
            pool = np.flatnonzero(~decided)
            queue = pool[np.lexsort((tie_break[pool], -scores[pool]))]
            position = 0
            since = 0
            if progress is not None:
                progress(len(order), n)
        row = int(queue[position])
        position += 1
        label = oracle.reveal(row)
        decided[row] = True
        order.append(row)
        known.append(label)
        found += label
        since += 1
    return SimulationResult(
        metrics=metrics(known, n),
        order=order,
        labels=known,
        seconds=time.perf_counter() - start,
        retrains=retrains,
        model=model.name,
        seed=seed,
        every=policy.every,
    )


def simulate_random(
    oracle_labels: Sequence[bool] | np.ndarray, *, seed: int, repeats: int = 50
) -> Metrics:
    """Mean metrics of random screening orders after the same two priors (a baseline).

    Args:
        oracle_labels: True for included, one per record.
        seed: The prior seed (the same priors as `simulate`) and the shuffles' seed.
        repeats: Random orders averaged.
    """
    labels = np.asarray(oracle_labels, dtype=bool)
    priors = list(LabelOracle(labels).priors(seed))
    rest = np.setdiff1d(np.arange(len(labels)), priors)
    rng = np.random.default_rng(seed)
    runs = [
        metrics(labels[np.concatenate([priors, rng.permutation(rest)])], len(labels))
        for _ in range(repeats)
    ]
    return Metrics(
        records=len(labels),
        inclusions=int(labels.sum()),
        wss95=float(np.mean([r.wss95 for r in runs])),
        recall_at_10pct=float(np.mean([r.recall_at_10pct for r in runs])),
        recall_at_20pct=float(np.mean([r.recall_at_20pct for r in runs])),
        screened_to_95=round(float(np.mean([r.screened_to_95 for r in runs]))),
        screened_to_100=round(float(np.mean([r.screened_to_100 for r in runs]))),
    )
