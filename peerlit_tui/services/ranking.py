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

The feature matrix is cached in the library folder (`storage.ranking_cache`) and
grows by the rows of newly imported records only; a retrain re-weights it, fits the
classifier on the decided rows and scores every record.

How a screen uses it: create one `RankingService` per open library; after each
decision count `decisions_since` and, when `needs_retrain(decisions_since)` (or
`needs_retrain(n, idle=True)` on idle) is true, call `retrain()` in a worker thread
(it raises `RankingUnavailable` with the reason to show). Everything else is cheap
and safe from the UI thread: `score` / `level` for a list column, `next_undecided`
and `ranked_undecided(ids_subset)` for the priority order within the current filter,
`explain` for the detail pane (terms are record text: escape them before styling),
`status` for the status bar.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

import numpy as np

from peerlit_tui.services.ranking_features import (
    append_rows,
    count_rows,
    empty_counts,
    terms_of,
    text_for,
)
from peerlit_tui.services.ranking_model import (
    DEFAULT_MODEL,
    DEFAULT_POLICY,
    Features,
    LinearModel,
    ModelConfig,
    RetrainPolicy,
    train_and_score,
)
from peerlit_tui.services.screening_queue import decided_by_me
from peerlit_tui.storage.ranking_cache import CachedFeatures, CachedScores, RankingCache

if TYPE_CHECKING:
    from peerlit_tui.services.annotations import AnnotationService
    from peerlit_tui.services.library import Library

MaybeAs = Literal["include", "exclude", "ignore"]
#: Records hashed per batch when the feature cache is built or extended.
TEXT_BATCH = 5000


class RankingUnavailable(Exception):
    """The library cannot be ranked yet; the message says why, in the user's words."""


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


@dataclass(frozen=True, slots=True)
class _Snapshot:
    result: RankingResult
    order: tuple[str, ...]  # every record id, best score first
    rows: Mapping[str, int]
    levels: np.ndarray  # 0–9 per row
    features: Features | None = None
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


def why_not_ready(n_include: int, n_exclude: int) -> str | None:
    """Why a model cannot be trained on these counts, or None when it can."""
    if n_include and n_exclude:
        return None
    if not n_include and not n_exclude:
        return "no record has been included or excluded yet; decide at least one of each"
    if not n_exclude:
        return (
            f"all {n_include} decided records are inclusions; "
            "exclude at least one record so the model can tell them apart"
        )
    return (
        f"all {n_exclude} decided records are exclusions; "
        "include at least one record so the model can tell them apart"
    )


def _ranked(ids: list[str], scores: np.ndarray) -> tuple[tuple[str, ...], np.ndarray]:
    """Ids best first (equal scores keep library order) and each row's 0–9 level.

    The level is the rank decile, a score a reader can take in at a glance
    (9 = the top 10 %).
    """
    ranked = np.argsort(-scores, kind="stable")
    order = tuple(np.asarray(ids, dtype=object)[ranked].tolist())
    levels = np.empty(len(ids), dtype=np.int8)
    levels[ranked] = 9 - (10 * np.arange(len(ids))) // max(1, len(ids))
    return order, levels


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
        self._ids: list[str] = []
        self._counts = empty_counts()
        self._features: Features | None = None
        self._rows: dict[str, int] = {}
        self._loaded_cache = False
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

    def retrain(self) -> RankingResult:
        """Train on the current decisions and score every record (call off the UI thread).

        Raises:
            RankingUnavailable: When there is not one inclusion and one exclusion yet,
                or the library has no records.
        """
        with self._train_lock:
            start = time.perf_counter()
            labels = training_decisions(self.annotations, self.config.maybe_as)
            n_include = sum(labels.values())
            reason = why_not_ready(n_include, len(labels) - n_include)
            if reason is not None:
                self._not_ready = reason
                raise RankingUnavailable(f"cannot rank yet: {reason}")
            self._not_ready = None
            features = self._update_features()
            rows = self._rows
            train = [(rows[rid], label) for rid, label in labels.items() if rid in rows]
            if not train or all(t[1] for t in train) or not any(t[1] for t in train):
                raise RankingUnavailable(
                    "cannot rank yet: the decided records are not in the library's records"
                )
            model, scores = train_and_score(
                features, [t[0] for t in train], [t[1] for t in train], self.config.model
            )
            ids = list(self._ids)
            order, levels = _ranked(ids, scores)
            result = RankingResult(
                scores=ScoreMap(rows, scores),
                trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
                n_decisions=len(train),
                n_include=sum(1 for t in train if t[1]),
                n_exclude=sum(1 for t in train if not t[1]),
                seconds=time.perf_counter() - start,
                model=self.config.model.name,
            )
            self._snapshot = _Snapshot(result, order, rows, levels, features, model)
            if self._cache is not None:
                self._cache.save_scores(CachedScores(ids, scores, _meta(result)))
            return result

    def _update_features(self) -> Features:
        key = self.config.model.features.key()
        if not self._loaded_cache:
            self._loaded_cache = True
            cached = self._cache.load_features(key) if self._cache is not None else None
            if cached is not None:
                self._ids, self._counts = list(cached.ids), cached.counts
        new_ids: list[str] = []
        known = set(self._ids)
        # Records are only ever added, so an unchanged count means nothing is new
        # (and reading 100,000 ids is skipped).
        if self.library.count() != len(self._ids) or self._features is None:
            present = self.library.store.all_ids()
            if known - present:
                # A record the cache knows is gone (its id changed): rebuild from scratch.
                self._ids, self._counts, known = [], empty_counts(), set()
            new_ids = sorted(present - known)
        if new_ids or self._features is None:
            if new_ids:
                self._append(new_ids, full_scan=not known)
                if self._cache is not None:
                    self._cache.save_features(key, CachedFeatures(self._ids, self._counts))
            self._features = Features(self._counts, self.config.model.features)
            self._rows = {rid: i for i, rid in enumerate(self._ids)}
        return self._features

    def _append(self, new_ids: list[str], *, full_scan: bool) -> None:
        # A first build reads every record in one pass; later imports only the new ones.
        config = self.config.model.features
        wanted = set(new_ids)
        source = self.library.iter_records(None if full_scan else new_ids)
        batch_ids: list[str] = []
        batch_texts: list[str] = []

        def flush() -> None:
            self._counts = append_rows(self._counts, count_rows(batch_texts, config))
            self._ids.extend(batch_ids)
            batch_ids.clear()
            batch_texts.clear()

        for record in source:
            if record.id not in wanted:
                continue
            batch_ids.append(record.id)
            batch_texts.append(text_for(record, config))
            if len(batch_ids) >= TEXT_BATCH:
                flush()
        if batch_ids:
            flush()

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
        order, levels = _ranked(list(cached.ids), cached.scores)
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
        if snapshot is None or snapshot.features is None or snapshot.model is None:
            return []
        row = snapshot.rows.get(record_id)
        record = self.library.get(record_id) if row is not None else None
        if row is None or record is None:
            return []
        features = snapshot.features
        tfidf = features.tfidf_rows([row])
        parts = tfidf.data * snapshot.model.weights[tfidf.indices]
        config = self.config.model.features
        names = terms_of(text_for(record, config), config)
        hashed = features.weighting.columns[tfidf.indices]
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
        return f"ranked by {result.n_decisions} decisions, {_ago(result.trained_at, now)}"


def _meta(result: RankingResult) -> dict[str, object]:
    return {
        "trained_at": result.trained_at,
        "n_decisions": result.n_decisions,
        "n_include": result.n_include,
        "n_exclude": result.n_exclude,
        "seconds": result.seconds,
        "model": result.model,
    }


def _ago(stamp: str, now: datetime | None) -> str:
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
