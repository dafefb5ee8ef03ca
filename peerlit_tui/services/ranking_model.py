"""The relevance model: a class-balanced linear classifier over TF-IDF features.

Every classifier offered here is linear in the TF-IDF features, so a trained model is
one weight per feature plus a bias. That keeps scoring a 100,000-record library a
chunked sparse product, and makes "why does this record rank high" an exact
decomposition: a record's score is the sum of weight × TF-IDF over its terms.

The default follows ASReview LAB's ELAS u4 recipe (linear SVM, C = 0.11, inclusions
weighted up so that they count about as much as 9.8 × the share of exclusions;
ASReview `asreview/models/models.py`), which the bench compares against naive Bayes,
logistic regression and their combination on the labelled SYNERGY reviews.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from peerlit_tui.services.ranking_features import CHUNK_ROWS, FeatureConfig, Weighting

#: Classifier names `ModelConfig.classifier` accepts.
CLASSIFIERS = ("svm", "nb", "lr")
#: The seed of liblinear's shuffling (a fit is reproducible wherever it runs).
FIT_SEED = 0


@dataclass(frozen=True, slots=True)
class ModelConfig:
    """The model: features, classifier and class balance.

    Attributes:
        classifier: "svm" (linear SVM), "nb" (multinomial naive Bayes) or "lr"
            (logistic regression).
        c: Regularisation of the SVM and logistic regression (smaller = stronger).
        nb_alpha: Additive smoothing of naive Bayes.
        balance_ratio: Exclusions together weigh `n_incl / ratio` relative to one
            inclusion each (ASReview's "balanced" sampler); 0 weighs both classes
            equally in total (scikit-learn's "balanced").
        features: How text becomes features.
    """

    classifier: str = "svm"
    c: float = 0.11
    nb_alpha: float = 1.0
    balance_ratio: float = 9.8
    features: FeatureConfig = field(default_factory=FeatureConfig)

    @property
    def name(self) -> str:
        """A short name for reports ("svm C=0.11 ratio=9.8, tfidf 1-2")."""
        f = self.features
        parts = [self.classifier]
        if self.classifier in ("svm", "lr"):
            parts.append(f"C={self.c:g}")
        if self.classifier == "nb":
            parts.append(f"alpha={self.nb_alpha:g}")
        parts.append(f"ratio={self.balance_ratio:g}" if self.balance_ratio else "balanced")
        text = f"tfidf 1-{f.ngram_max}gram min_df={f.min_df} max_df={f.max_df:g}"
        if f.include_journal:
            text += " +journal"
        return " ".join(parts) + ", " + text


#: The model the app and `peerlit simulate` use (chosen with bench/ranking_bench.py).
DEFAULT_MODEL = ModelConfig()


@dataclass(frozen=True, slots=True)
class LinearModel:
    """A trained model: score = features · weights + bias (higher = more likely included).

    Attributes:
        weights: One weight per hashed feature (float32).
        bias: The intercept.
    """

    weights: np.ndarray
    bias: float

    def score(self, tfidf: sp.csr_matrix) -> np.ndarray:
        """Scores of TF-IDF rows."""
        return np.asarray(tfidf @ self.weights, dtype=np.float64) + self.bias


def sample_weights(labels: np.ndarray, ratio: float) -> np.ndarray:
    """Per-record training weights that balance inclusions against exclusions.

    With `ratio` > 0 this is ASReview's `Balanced` sampler
    (`asreview/models/balancers.py`): inclusions weigh 1, exclusions
    n_incl / (ratio · n_excl), rescaled to sum to the number of records. With 0,
    each class weighs half of the total.
    """
    n_incl = int(labels.sum())
    n_excl = len(labels) - n_incl
    if ratio > 0:
        weights = np.where(labels == 1, 1.0, n_incl / (ratio * n_excl))
    else:
        weights = np.where(labels == 1, len(labels) / (2 * n_incl), len(labels) / (2 * n_excl))
    return np.asarray(weights * (len(labels) / weights.sum()), dtype=np.float64)


def _fit_one(kind: str, x: sp.csr_matrix, y: np.ndarray, config: ModelConfig) -> LinearModel:
    # scikit-learn loads with the first fit: the app's process only scores and explains.
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.svm import LinearSVC

    weights = sample_weights(y, config.balance_ratio)
    if kind == "svm":
        # liblinear shuffles with a seed drawn from numpy's global generator unless
        # given one: a fixed seed makes the same decisions give the same scores in every
        # process (the app trains in a child process, `peerlit rank` in its own).
        svm = LinearSVC(
            C=config.c, loss="squared_hinge", dual=True, max_iter=2000, random_state=FIT_SEED
        )
        with warnings.catch_warnings():
            # A few dozen decisions rarely converge to the last digit; the ranking does.
            warnings.simplefilter("ignore", ConvergenceWarning)
            svm.fit(x, y, sample_weight=weights)
        return LinearModel(svm.coef_.ravel().astype(np.float32), float(svm.intercept_[0]))
    if kind == "lr":
        lr = LogisticRegression(C=config.c * 10, solver="liblinear", random_state=FIT_SEED)
        lr.fit(x, y, sample_weight=weights)
        return LinearModel(lr.coef_.ravel().astype(np.float32), float(lr.intercept_[0]))
    if kind == "nb":
        nb = MultinomialNB(alpha=config.nb_alpha)
        nb.fit(x, y, sample_weight=weights)
        log_prob = nb.feature_log_prob_
        prior = nb.class_log_prior_
        return LinearModel(
            (log_prob[1] - log_prob[0]).astype(np.float32), float(prior[1] - prior[0])
        )
    raise ValueError(f"unknown classifier {kind!r} (known: {', '.join(CLASSIFIERS)})")


def fit(
    tfidf_rows: sp.csr_matrix, labels: Sequence[bool] | np.ndarray, config: ModelConfig
) -> LinearModel:
    """Train the model on the TF-IDF rows of decided records.

    Args:
        tfidf_rows: TF-IDF rows of the training records.
        labels: True for included, one per row; both classes must be present.
        config: The model.

    Raises:
        ValueError: When one class is missing or the classifier is unknown.
    """
    y = np.asarray(labels, dtype=np.int64)
    if y.min() == y.max():
        raise ValueError("training needs at least one included and one excluded record")
    return _fit_one(config.classifier, tfidf_rows, y, config)


class Features:
    """The feature matrix of a fixed set of records, ready to train and score on.

    Holds the count matrix and its TF-IDF weighting; a small library (up to one
    chunk) also keeps its whole TF-IDF matrix, a large one weights rows as needed.
    The app and the simulation both train through this class and `train_and_score`,
    so `peerlit simulate` measures exactly the app's model.

    Args:
        counts: Hashed term counts, one row per record.
        config: The feature configuration (for the weighting).
    """

    def __init__(
        self, counts: sp.csr_matrix, config: FeatureConfig, *, keep_tfidf: bool | None = None
    ) -> None:
        self.counts = counts
        self.weighting = Weighting(counts, config)
        keep = counts.shape[0] <= CHUNK_ROWS if keep_tfidf is None else keep_tfidf
        self._tfidf = self.weighting.transform(counts) if keep else None
        # A large library is scored without a TF-IDF copy; the row lengths that needs
        # depend only on the weighting, so they are computed once, not per retrain.
        self._norms = None if keep else self.weighting.row_norms(counts)

    @property
    def n_rows(self) -> int:
        """Number of records."""
        return int(self.counts.shape[0])

    def tfidf_rows(self, index: Sequence[int] | np.ndarray) -> sp.csr_matrix:
        """TF-IDF rows of some records, in the given order."""
        wanted = np.asarray(index, dtype=np.int64)
        if self._tfidf is not None:
            return sp.csr_matrix(self._tfidf[wanted])
        return self.weighting.transform(sp.csr_matrix(self.counts[wanted]))

    def scores(self, model: LinearModel) -> np.ndarray:
        """Scores of every record."""
        if self._tfidf is not None:
            return model.score(self._tfidf)
        norms = self._norms if self._norms is not None else self.weighting.row_norms(self.counts)
        return self.weighting.scores(self.counts, model.weights, norms) + model.bias


def train_and_score(
    features: Features,
    train_rows: Sequence[int] | np.ndarray,
    labels: Sequence[bool] | np.ndarray,
    config: ModelConfig,
) -> tuple[LinearModel, np.ndarray]:
    """Train on the decided rows and score every row: the one training step of peerlit.

    Args:
        features: The library's features.
        train_rows: Rows of the decided records.
        labels: True for included, one per training row.
        config: The model.

    Returns:
        The trained model and the score of every row.

    Raises:
        ValueError: When one class is missing.
    """
    model = fit(features.tfidf_rows(train_rows), labels, config)
    return model, features.scores(model)


@dataclass(frozen=True, slots=True)
class RetrainPolicy:
    """When the app retrains: after `every` new decisions, or when the user is idle.

    Attributes:
        every: Decisions between two retrains (ASReview retrains after each one;
            every 10 cost at most 0.02 WSS@95 in the side-by-side runs).
    """

    every: int = 10

    def needs_retrain(self, decisions_since: int, *, idle: bool = False) -> bool:
        """True when a retrain is due after `decisions_since` new decisions."""
        if decisions_since <= 0:
            return False
        return idle or decisions_since >= self.every


DEFAULT_POLICY = RetrainPolicy()
