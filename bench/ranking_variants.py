"""Model variants measured against the default ranking and not adopted (README, "Also measured").

Each variant replaces the one training step of `peerlit simulate`
(`simulation.train_and_score`) for the length of a run, so the simulation, its
priors, tie-breaking and retraining cadence are exactly the app's:

- `base`: the default model;
- `cv`: at each retrain with ≥ 5 inclusions and exclusions screened, choose between
  the SVM and naive Bayes by three-fold cross-validated AUC on the screened records;
- `svd`: 100 latent topics of the whole library (truncated SVD of the TF-IDF matrix,
  rows unit length, × 0.5) appended to the TF-IDF features of the SVM;
- `mix`: the default SVM and `svd` combined by standardised scores, 7 : 3;
- `trigram`: word triples as features too.

Usage: .venv/bin/python bench/ranking_variants.py VARIANT [--all] [--seeds 1,2]

Figures (4 December, 2 shared cores; mean WSS@95 over seeds 1 and 2): base 0.598 over
the four / 0.444 over the 18; cv 0.599 / –; svd 0.623 / 0.448; mix 0.616 / 0.451;
trigram 0.609 / 0.429.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.svm import LinearSVC

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import peerlit_tui.services.simulation as simulation
from bench.ranking_bench import FOUR, ORIGINALS, load
from peerlit_tui.services.ranking_features import FeatureConfig, text_for
from peerlit_tui.services.ranking_model import (
    DEFAULT_MODEL,
    Features,
    LinearModel,
    ModelConfig,
    fit,
    sample_weights,
    train_and_score,
)

NB = ModelConfig(classifier="nb", balance_ratio=0)


def _auc(scores: np.ndarray, y: np.ndarray) -> float:
    pos, neg = scores[y == 1], scores[y == 0]
    ranks = np.concatenate([pos, neg]).argsort().argsort() + 1
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def cv_choice(
    features: Features,
    rows_in: Sequence[int] | np.ndarray,
    labels: Sequence[bool] | np.ndarray,
    config: ModelConfig,
) -> tuple[LinearModel | None, np.ndarray]:
    """Train the candidate with the best cross-validated AUC on the screened records."""
    rows, y = np.asarray(rows_in), np.asarray(labels, dtype=np.int64)
    choice = config
    if min(int(y.sum()), len(y) - int(y.sum())) >= 5:
        fold = np.empty(len(y), dtype=int)
        rng = np.random.default_rng(len(y))
        for cls in (0, 1):
            idx = np.flatnonzero(y == cls)
            rng.shuffle(idx)
            fold[idx] = np.arange(len(idx)) % 3
        best = -1.0
        for candidate in (config, NB):
            aucs = []
            for f in range(3):
                train, test = fold != f, fold == f
                model = fit(features.tfidf_rows(rows[train]), y[train], candidate)
                aucs.append(_auc(model.score(features.tfidf_rows(rows[test])), y[test]))
            if float(np.mean(aucs)) > best + 1e-9:
                best, choice = float(np.mean(aucs)), candidate
    return train_and_score(features, rows, y, choice)


_TOPICS: dict[int, sp.csr_matrix] = {}


def with_topics(
    features: Features,
    rows_in: Sequence[int] | np.ndarray,
    labels: Sequence[bool] | np.ndarray,
    config: ModelConfig,
) -> tuple[LinearModel | None, np.ndarray]:
    """The SVM on TF-IDF features plus 100 latent topics of the whole library."""
    key = id(features)
    if key not in _TOPICS:
        tfidf = features.tfidf_rows(np.arange(features.n_rows))
        topics = TruncatedSVD(100, random_state=0).fit_transform(tfidf)
        topics /= np.linalg.norm(topics, axis=1, keepdims=True) + 1e-9
        _TOPICS.clear()
        _TOPICS[key] = sp.hstack([tfidf, sp.csr_matrix(topics * 0.5)]).tocsr()
    matrix = _TOPICS[key]
    rows, y = np.asarray(rows_in), np.asarray(labels, dtype=np.int64)
    svm = LinearSVC(C=config.c, dual=True, max_iter=2000, random_state=0)
    svm.fit(matrix[rows], y, sample_weight=sample_weights(y, config.balance_ratio))
    return None, np.asarray(matrix @ svm.coef_.ravel()) + svm.intercept_[0]


def mixed(
    features: Features,
    rows_in: Sequence[int] | np.ndarray,
    labels: Sequence[bool] | np.ndarray,
    config: ModelConfig,
) -> tuple[LinearModel | None, np.ndarray]:
    """The default SVM's and `with_topics`' standardised scores, 7 : 3."""
    _, topics = with_topics(features, rows_in, labels, config)
    model, plain = train_and_score(features, rows_in, labels, config)

    def z(v: np.ndarray) -> np.ndarray:
        return (v - v.mean()) / (v.std() + 1e-12)

    return model, 0.7 * z(plain) + 0.3 * z(topics)


VARIANTS = {"base": None, "cv": cv_choice, "svd": with_topics, "mix": mixed, "trigram": None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variant", choices=sorted(VARIANTS))
    parser.add_argument("--all", action="store_true", help="all 18 originals, not the four")
    parser.add_argument("--seeds", default="1,2")
    args = parser.parse_args()
    names = (
        sorted(p.name[: -len(".csv.gz")] for p in ORIGINALS.glob("*.csv.gz")) if args.all else FOUR
    )
    seeds = [int(s) for s in args.seeds.split(",")]
    model = DEFAULT_MODEL
    if args.variant == "trigram":
        model = ModelConfig(features=FeatureConfig(ngram_max=3))
    trainer = VARIANTS[args.variant]
    original = simulation.train_and_score
    means = {}
    try:
        if trainer is not None:
            simulation.train_and_score = trainer  # type: ignore[assignment]
        for name in names:
            records, labels = load(name)
            texts = [text_for(r, model.features) for r in records]
            runs = []
            for seed in seeds:
                sim = simulation.simulate(
                    texts, simulation.LabelOracle(labels), seed=seed, model=model
                )
                runs.append(sim.metrics.wss95)
                print(
                    f"{name:<36} seed {seed}  WSS@95 {sim.metrics.wss95:.3f}  {sim.seconds:5.1f} s"
                )
            means[name] = statistics.mean(runs)
    finally:
        simulation.train_and_score = original
    mean = statistics.mean(means.values())
    print(f"{args.variant}: mean WSS@95 over {len(means)} reviews {mean:.3f}")


if __name__ == "__main__":
    main()
