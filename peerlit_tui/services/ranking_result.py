"""What a ranking is: the result of one training and the scores' order.

`RankingResult` is what a retrain returns (and what a restarted app reads back from
the cache); `ScoreMap` reads the scores from one array; `ranked_order` gives the
order best first and each record's 0–9 level.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np


@dataclass(frozen=True, slots=True)
class RankingResult:
    """One training of the model.

    Attributes:
        scores: Score of every record by id (higher = more likely included).
        trained_at: ISO 8601 UTC time the training finished.
        n_decisions: Decisions the model was trained on.
        n_include: Of those, inclusions.
        n_exclude: Of those, exclusions.
        seconds: Time the retrain took (features, fit and scoring).
        model: The model's name.
    """

    scores: Mapping[str, float]
    trained_at: str
    n_decisions: int
    n_include: int
    n_exclude: int
    seconds: float
    model: str


@dataclass(frozen=True, slots=True)
class TermWeight:
    """One term's part in a record's score: classifier weight × the term's TF-IDF."""

    term: str
    weight: float


class ScoreMap(Mapping[str, float]):
    """Scores by record id, read from one array (no 100,000-entry dict per retrain).

    Args:
        rows: Record id → row of `scores`.
        scores: One score per row.
    """

    def __init__(self, rows: Mapping[str, int], scores: np.ndarray) -> None:
        self._rows = rows
        self._scores = scores

    def __getitem__(self, record_id: str) -> float:
        return float(self._scores[self._rows[record_id]])

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


def ranked_order(ids: list[str], scores: np.ndarray) -> tuple[tuple[str, ...], np.ndarray]:
    """Ids best first (equal scores keep library order) and each row's 0–9 level.

    The level is the rank decile, a score a reader can take in at a glance
    (9 = the top 10 %).
    """
    ranked = np.argsort(-scores, kind="stable")
    order = tuple(np.asarray(ids, dtype=object)[ranked].tolist())
    levels = np.empty(len(ids), dtype=np.int8)
    levels[ranked] = 9 - (10 * np.arange(len(ids))) // max(1, len(ids))
    return order, levels


def result_meta(result: RankingResult) -> dict[str, object]:
    """The header of the saved scores (`storage.ranking_cache`)."""
    return {
        "trained_at": result.trained_at,
        "n_decisions": result.n_decisions,
        "n_include": result.n_include,
        "n_exclude": result.n_exclude,
        "seconds": result.seconds,
        "model": result.model,
    }


def ago(stamp: str, now: datetime | None) -> str:
    """How long ago an ISO 8601 time was, in words ("3 min ago")."""
    try:
        then = datetime.fromisoformat(stamp)
    except ValueError:
        return "at an unknown time"
    minutes = int(((now or datetime.now(UTC)) - then).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 120:
        return f"{minutes} min ago"
    hours = minutes // 60
    return f"{hours} h ago" if hours < 48 else f"{hours // 24} days ago"
