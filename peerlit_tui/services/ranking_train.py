"""One training of the ranking: a library's feature matrix kept current, the fit, the scores.

The app's retrain process (`ranking_process`) and the in-process retrain of
`RankingService` (`peerlit rank`, tests) both train through `LibraryFeatures` and
`train_on`, so the same decisions give the same scores wherever the training runs.

The feature matrix is cached in the library folder (`storage.ranking_cache`) and
grows by the rows of newly imported records only; a training re-weights it, fits the
classifier on the decided rows and scores every record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from peerlit_tui.services.ranking_features import (
    FeatureConfig,
    Weighting,
    append_rows,
    count_rows,
    empty_counts,
    text_for,
)
from peerlit_tui.services.ranking_model import Features, LinearModel, ModelConfig, train_and_score
from peerlit_tui.storage.ranking_cache import CachedFeatures, RankingCache

if TYPE_CHECKING:
    from peerlit_tui.services.library import Library

#: Records hashed per batch when the feature cache is built or extended.
TEXT_BATCH = 5000


class RankingUnavailable(Exception):
    """The library cannot be ranked yet; the message says why, in the user's words."""


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


@dataclass(frozen=True, slots=True)
class Trained:
    """What one training produced.

    Attributes:
        ids: Record id of each row.
        rows: Record id → row.
        scores: One score per row (higher = more likely included).
        model: The trained linear model (for explanations).
        weighting: The TF-IDF weighting it was trained with (for explanations).
        n_include: Inclusions trained on.
        n_exclude: Exclusions trained on.
    """

    ids: list[str]
    rows: Mapping[str, int]
    scores: np.ndarray
    model: LinearModel
    weighting: Weighting
    n_include: int
    n_exclude: int


class LibraryFeatures:
    """The hashed term counts of every record of one library, kept current.

    The first `update()` reads the cached matrix (when there is one); every update
    hashes the records added since and saves the grown matrix.

    Args:
        library: The library.
        config: How text becomes features.
        cache: The library's ranking cache, or None to keep nothing on disk.
    """

    def __init__(self, library: Library, config: FeatureConfig, cache: RankingCache | None) -> None:
        self.library = library
        self.config = config
        self._cache = cache
        self.ids: list[str] = []
        self.rows: dict[str, int] = {}
        self._counts = empty_counts()
        self._features: Features | None = None
        self._loaded_cache = False

    def update(self) -> Features:
        """The features of every record now in the library (reads and hashes only what is new)."""
        key = self.config.key()
        if not self._loaded_cache:
            self._loaded_cache = True
            cached = self._cache.load_features(key) if self._cache is not None else None
            if cached is not None:
                self.ids, self._counts = list(cached.ids), cached.counts
        new_ids: list[str] = []
        known = set(self.ids)
        # Records are only ever added, so an unchanged count means nothing is new
        # (and reading 100,000 ids is skipped).
        if self.library.count() != len(self.ids) or self._features is None:
            present = self.library.store.all_ids()
            if known - present:
                # A record the cache knows is gone (its id changed): rebuild from scratch.
                self.ids, self._counts, known = [], empty_counts(), set()
            new_ids = sorted(present - known)
        if new_ids or self._features is None:
            if new_ids:
                self._append(new_ids, full_scan=not known)
                if self._cache is not None:
                    self._cache.save_features(key, CachedFeatures(self.ids, self._counts))
            self._features = Features(self._counts, self.config)
            self.rows = {rid: i for i, rid in enumerate(self.ids)}
        return self._features

    def _append(self, new_ids: list[str], *, full_scan: bool) -> None:
        # A first build reads every record in one pass; later imports only the new ones.
        wanted = set(new_ids)
        source = self.library.iter_records(None if full_scan else new_ids)
        batch_ids: list[str] = []
        batch_texts: list[str] = []

        def flush() -> None:
            self._counts = append_rows(self._counts, count_rows(batch_texts, self.config))
            self.ids.extend(batch_ids)
            batch_ids.clear()
            batch_texts.clear()

        for record in source:
            if record.id not in wanted:
                continue
            batch_ids.append(record.id)
            batch_texts.append(text_for(record, self.config))
            if len(batch_ids) >= TEXT_BATCH:
                flush()
        if batch_ids:
            flush()


def train_on(
    library_features: LibraryFeatures, labels: Mapping[str, bool], config: ModelConfig
) -> Trained:
    """Bring the features up to date, fit on the decided records and score every record.

    Args:
        library_features: The library's features (updated first).
        labels: Record id → True (include) or False (exclude).
        config: The model.

    Raises:
        RankingUnavailable: When no decided record is among the library's records in
            both classes.
    """
    features = library_features.update()
    rows = library_features.rows
    train = [(rows[rid], label) for rid, label in labels.items() if rid in rows]
    n_include = sum(1 for _, label in train if label)
    if not train or n_include in (0, len(train)):
        raise RankingUnavailable(
            "cannot rank yet: the decided records are not in the library's records"
        )
    model, scores = train_and_score(features, [t[0] for t in train], [t[1] for t in train], config)
    return Trained(
        list(library_features.ids),
        rows,
        scores,
        model,
        features.weighting,
        n_include,
        len(train) - n_include,
    )
