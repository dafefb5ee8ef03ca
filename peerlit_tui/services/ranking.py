"""Relevance ranking of a library: train on the decisions so far, score the undecided.

`RankingService` is what the command line and the TUI call. It is safe to use from
a worker thread while the UI thread reads: `retrain()` builds a new, immutable
snapshot (features, model, scores, order) off to the side and swaps it in with one
assignment, so a reader sees either the old ranking or the new one, never a mix.
Only one retrain runs at a time.

Decisions are read through `training_decisions`, the one place that decides what
the model learns from (today: each record's final decision; with team screening,
the reconciled final decisions). `maybe` counts as include, exclude or nothing,
as configured.

The training itself (`ranking_train`: the cached feature matrix grown by new
records, the fit, the scores) runs either here (`retrain()`, for `peerlit rank`) or
in a child process (`retrain_in_subprocess()`, for the app: `ranking_process`); the
same decisions give the same scores either way.

How a screen uses it: create one `RankingService` per open library; after each
decision count `decisions_since` and, when `needs_retrain(decisions_since)` (or
`needs_retrain(n, idle=True)` on idle) is true, call `retrain()` in a worker thread
(it raises `RankingUnavailable` with the reason to show), or
`retrain_in_subprocess()` (also `RetrainCancelled`, `RetrainFailed`) to keep the
training's CPU and memory out of the app's process. Everything else is cheap
and safe from the UI thread: `score` / `level` for a list column, `next_undecided`
and `ranked_undecided(ids_subset)` for the priority order within the current filter,
`explain` for the detail pane (terms are record text: escape them before styling),
`status` for the status bar.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

import numpy as np

from peerlit_tui.services.ranking_features import Weighting, count_rows, terms_of, text_for
from peerlit_tui.services.ranking_model import (
    DEFAULT_MODEL,
    DEFAULT_POLICY,
    LinearModel,
    ModelConfig,
    RetrainPolicy,
)
from peerlit_tui.services.ranking_process import (
    KnownIds,
    RetrainCancelled,
    RetrainFailed,
    RetrainProcess,
    RetrainRequest,
)
from peerlit_tui.services.ranking_result import (
    RankingResult,
    ScoreMap,
    TermWeight,
    ago,
    ranked_order,
    result_meta,
)
from peerlit_tui.services.ranking_train import (
    LibraryFeatures,
    RankingUnavailable,
    Trained,
    train_on,
    why_not_ready,
)
from peerlit_tui.services.screening_queue import decided_by_me
from peerlit_tui.storage.ranking_cache import CachedScores, RankingCache

if TYPE_CHECKING:
    from peerlit_tui.services.annotations import AnnotationService
    from peerlit_tui.services.library import Library

__all__ = [
    "RankingConfig",
    "RankingResult",
    "RankingService",
    "RankingUnavailable",
    "RetrainCancelled",
    "RetrainFailed",
    "ScoreMap",
    "TermWeight",
    "training_decisions",
    "why_not_ready",
]

MaybeAs = Literal["include", "exclude", "ignore"]


@dataclass(frozen=True, slots=True)
class RankingConfig:
    """How the library is ranked.

    Attributes:
        model: The model (features, classifier, class balance).
        policy: When to retrain.
        maybe_as: What a "maybe" decision teaches the model: "include", "exclude"
            or "ignore" (not trained on; still not listed as undecided).
        cache: Keep the feature matrix and scores in the library folder.
    """

    model: ModelConfig = DEFAULT_MODEL
    policy: RetrainPolicy = DEFAULT_POLICY
    maybe_as: MaybeAs = "ignore"
    cache: bool = True


@dataclass(frozen=True, slots=True)
class _Snapshot:
    result: RankingResult
    order: tuple[str, ...]  # every record id, best score first
    rows: Mapping[str, int]
    levels: np.ndarray  # 0–9 per row
    weighting: Weighting | None = None  # with the model: explains a score
    model: LinearModel | None = None


def training_decisions(annotations: AnnotationService, maybe_as: MaybeAs) -> dict[str, bool]:
    """What the model learns from: record id → True (include) or False (exclude).

    The single source of training labels, so team screening (final decisions per
    reviewer) changes only this function.
    """
    out: dict[str, bool] = {}
    for annotation in annotations.all():
        decision = annotation.decision
        if decision == "maybe":
            if maybe_as == "ignore":
                continue
            decision = maybe_as
        if decision == "include":
            out[annotation.record_id] = True
        elif decision == "exclude":
            out[annotation.record_id] = False
    return out


class RankingService:
    """Ranks the undecided records of one library by a model trained on its decisions.

    Args:
        library: The open library.
        annotations: Its annotations.
        config: Model, retraining policy and the meaning of "maybe".
    """

    def __init__(
        self,
        library: Library,
        annotations: AnnotationService,
        config: RankingConfig | None = None,
    ) -> None:
        self.library = library
        self.annotations = annotations
        self.config = config or RankingConfig()
        self._cache = RankingCache(library.folder) if self.config.cache else None
        self._train_lock = threading.Lock()
        self._snapshot: _Snapshot | None = None
        self._features = LibraryFeatures(library, self.config.model.features, self._cache)
        self._known: KnownIds | None = None  # the ids the last child sent
        self._job: RetrainProcess | None = None
        self._not_ready: str | None = None
        self._load_scores()

    # -- training ----------------------------------------------------------------

    def needs_retrain(self, decisions_since: int, *, idle: bool = False) -> bool:
        """True when `decisions_since` new decisions (or being idle) call for a retrain."""
        return self.config.policy.needs_retrain(decisions_since, idle=idle)

    def readiness(self) -> str | None:
        """Why the library cannot be ranked yet, or None when it can."""
        labels = training_decisions(self.annotations, self.config.maybe_as)
        n_include = sum(labels.values())
        return why_not_ready(n_include, len(labels) - n_include)

    def _labels(self) -> dict[str, bool]:
        labels = training_decisions(self.annotations, self.config.maybe_as)
        n_include = sum(labels.values())
        reason = why_not_ready(n_include, len(labels) - n_include)
        self._not_ready = reason
        if reason is not None:
            raise RankingUnavailable(f"cannot rank yet: {reason}")
        return labels

    def retrain(self) -> RankingResult:
        """Train on the current decisions and score every record (call off the UI thread).

        Raises:
            RankingUnavailable: When there is not one inclusion and one exclusion yet,
                or the library has no records.
        """
        with self._train_lock:
            start = time.perf_counter()
            trained = train_on(self._features, self._labels(), self.config.model)
            result = self._install(trained, time.perf_counter() - start)
            if self._cache is not None:
                self._cache.save_scores(
                    CachedScores(trained.ids, trained.scores, result_meta(result))
                )
            return result

    def retrain_in_subprocess(self, cancelled: Callable[[], bool] | None = None) -> RankingResult:
        """`retrain()` in a child process, which also saves the scores (call off the UI thread).

        The app's process then holds no feature matrix and runs no fit: only the
        scores and the model come back (`ranking_process`).

        Args:
            cancelled: Looked at while the child runs; true stops it.

        Raises:
            RankingUnavailable: As `retrain()`.
            RetrainCancelled: `cancel_retrain()` was called or `cancelled()` became true.
            RetrainFailed: The child process died or was killed (the message says how).
        """
        with self._train_lock:
            start = time.perf_counter()
            request = RetrainRequest(
                str(self.library.folder), self._labels(), self.config.model,
                cache=self._cache is not None,
            )  # fmt: skip
            job = self._job = RetrainProcess(request, self._known)
            try:
                trained = job.wait(cancelled)
            finally:
                self._job = None
            self._known = job.known
            return self._install(trained, time.perf_counter() - start)

    def cancel_retrain(self, *, keep_feature_work: bool = False) -> bool:
        """Stop the retrain running in a child process, if any (safe from any thread).

        Args:
            keep_feature_work: Stop it only once its feature matrix is current (a first
                build of a large library is not thrown away for newer decisions).

        Returns:
            True when a retrain was asked to stop.
        """
        job = self._job
        if job is None or (keep_feature_work and not job.features_ready):
            return False
        job.cancel()
        return True

    @property
    def retrain_pid(self) -> int | None:
        """The process id of the retrain running in a child process (None: none runs)."""
        job = self._job
        return job.pid if job is not None else None

    def _install(self, trained: Trained, seconds: float) -> RankingResult:
        # One assignment swaps the new ranking in: readers see the old one or this one.
        order, levels = ranked_order(trained.ids, trained.scores)
        result = RankingResult(
            scores=ScoreMap(trained.rows, trained.scores),
            trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
            n_decisions=trained.n_include + trained.n_exclude,
            n_include=trained.n_include,
            n_exclude=trained.n_exclude,
            seconds=seconds,
            model=self.config.model.name,
        )
        self._snapshot = _Snapshot(
            result, order, trained.rows, levels, trained.weighting, trained.model
        )
        return result

    def _load_scores(self) -> None:
        # A restarted app shows the last ranking at once; features load on retrain.
        if self._cache is None:
            return
        cached = self._cache.load_scores()
        if cached is None:
            return
        rows = {rid: i for i, rid in enumerate(cached.ids)}
        try:
            meta = cached.meta
            result = RankingResult(
                scores=ScoreMap(rows, cached.scores),
                trained_at=str(meta["trained_at"]),
                n_decisions=int(meta["n_decisions"]),
                n_include=int(meta["n_include"]),
                n_exclude=int(meta["n_exclude"]),
                seconds=float(meta["seconds"]),
                model=str(meta["model"]),
            )
        except (KeyError, TypeError, ValueError):
            return
        order, levels = ranked_order(list(cached.ids), cached.scores)
        self._snapshot = _Snapshot(result, order, rows, levels)

    # -- reading (any thread) ------------------------------------------------------

    @property
    def result(self) -> RankingResult | None:
        """The latest training, or None when the library has not been ranked."""
        snapshot = self._snapshot
        return snapshot.result if snapshot is not None else None

    def score(self, record_id: str) -> float | None:
        """The record's score in the latest ranking, or None (not ranked, or new)."""
        snapshot = self._snapshot
        if snapshot is None or record_id not in snapshot.rows:
            return None
        return snapshot.result.scores[record_id]

    def level(self, record_id: str) -> int | None:
        """The record's score as 0–9 (its rank decile; 9 = top 10 %), or None."""
        snapshot = self._snapshot
        if snapshot is None:
            return None
        row = snapshot.rows.get(record_id)
        return int(snapshot.levels[row]) if row is not None else None

    def ranked_undecided(
        self,
        ids_subset: Iterable[str] | None = None,
        *,
        limit: int | None = None,
        mine: bool = False,
    ) -> list[tuple[str, float]]:
        """Undecided records, best first, with their scores.

        Args:
            ids_subset: Rank only these (the records of the current query/filter).
            limit: Stop after this many.
            mine: Also leave out what this reviewer decided while the record waits for
                the other reviewers (team screening: its final decision is still undecided).

        Returns:
            (record id, score) pairs; empty when the library has not been ranked.
            A record decided since the last training (any decision, "maybe"
            included) is left out.
        """
        snapshot = self._snapshot
        if snapshot is None:
            return []
        subset = set(ids_subset) if ids_subset is not None else None
        scores = snapshot.result.scores
        out: list[tuple[str, float]] = []
        for rid in snapshot.order:
            if subset is not None and rid not in subset:
                continue
            if self.annotations.get(rid).decision != "undecided":
                continue
            if mine and decided_by_me(self.annotations, rid):
                continue
            out.append((rid, scores[rid]))
            if limit is not None and len(out) >= limit:
                break
        return out

    def ranked_ids(self) -> tuple[str, ...]:
        """Every scored record id, best first, decided ones included (empty: not ranked)."""
        snapshot = self._snapshot
        return snapshot.order if snapshot is not None else ()

    def next_undecided(
        self, ids_subset: Iterable[str] | None = None, *, mine: bool = False
    ) -> str | None:
        """The best-ranked undecided record (of `ids_subset`), or None (`mine`: as above)."""
        best = self.ranked_undecided(ids_subset, limit=1, mine=mine)
        return best[0][0] if best else None

    def explain(self, record_id: str, k: int = 8) -> list[TermWeight]:
        """The terms that push this record's score up most (weight × TF-IDF), largest first.

        Empty when the model of this session has not been trained yet (after a
        restart, until the first retrain) or the record is unknown.
        """
        snapshot = self._snapshot
        if snapshot is None or snapshot.weighting is None or snapshot.model is None:
            return []
        row = snapshot.rows.get(record_id)
        record = self.library.get(record_id) if row is not None else None
        if row is None or record is None:
            return []
        # Hashing is stateless: the record's text hashed again is its row of the matrix.
        config = self.config.model.features
        text = text_for(record, config)
        tfidf = snapshot.weighting.transform(count_rows([text], config))
        parts = tfidf.data * snapshot.model.weights[tfidf.indices]
        names = terms_of(text, config)
        hashed = snapshot.weighting.columns[tfidf.indices]
        out: list[TermWeight] = []
        for i in np.argsort(-parts):
            if parts[i] <= 0 or len(out) >= k:
                break
            term = names.get(int(hashed[i]))
            if term is not None:
                out.append(TermWeight(term, float(parts[i])))
        return out

    def status(self, now: datetime | None = None) -> str:
        """One line for the status bar: "ranked by 42 decisions, 3 min ago".

        Cheap (no scan): before any ranking it repeats why the last `retrain()`
        could not rank, or says "not ranked yet".
        """
        result = self.result
        if result is None:
            reason = self._not_ready
            return f"not ranked: {reason}" if reason else "not ranked yet"
        return f"ranked by {result.n_decisions} decisions, {ago(result.trained_at, now)}"
