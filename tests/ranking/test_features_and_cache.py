"""Features (hashed counts, TF-IDF weighting, term names), the cache files and labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfTransformer

from peerlit_tui.model import Record, Section
from peerlit_tui.services.labels import labelled, parse_label, record_label
from peerlit_tui.services.ranking_features import (
    FeatureConfig,
    Weighting,
    append_rows,
    count_rows,
    record_text,
    terms_of,
)
from peerlit_tui.storage.ranking_cache import CachedFeatures, CachedScores, RankingCache

TEXTS = [
    "the cat sat on the mat",
    "a dog and a cat",
    "birds fly high over the mat",
    "the mat is red red red",
]


def test_weighting_equals_scikit_learn_tfidf() -> None:
    config = FeatureConfig(max_df=1.0)
    counts = count_rows(TEXTS, config)
    weighting = Weighting(counts, config)
    ours = weighting.transform(counts).toarray()
    reference = TfidfTransformer(sublinear_tf=True).fit_transform(counts.astype(np.float64))
    expected = reference.toarray()[:, weighting.columns]
    assert np.abs(ours - expected).max() < 1e-6


def test_max_df_drops_terms_in_almost_every_record() -> None:
    config = FeatureConfig(max_df=0.7)
    counts = count_rows(TEXTS, config)
    weighting = Weighting(counts, config)
    names = terms_of(" ".join(TEXTS), config)
    kept = {names[int(c)] for c in weighting.columns if int(c) in names}
    assert "mat" not in kept  # in all four records
    assert "cat" in kept and "red" in kept


def test_term_names_match_the_hashed_columns() -> None:
    config = FeatureConfig()
    row = count_rows(["Mindfulness for school stress"], config)
    names = terms_of("Mindfulness for school stress", config)
    assert set(names) == {int(c) for c in row.indices}
    assert {"mindfulness", "school stress", "for school"} <= set(names.values())


def test_rows_are_appended_unchanged() -> None:
    config = FeatureConfig()
    whole = count_rows(TEXTS, config)
    grown = append_rows(count_rows(TEXTS[:2], config), count_rows(TEXTS[2:], config))
    assert (whole != grown).nnz == 0


def test_record_text_joins_sections_keywords_and_optionally_journal() -> None:
    record = Record(
        title="T",
        abstract=[Section("Purpose", "P text"), Section("Findings", "F text")],
        keywords=["k1", "k2"],
        journal="J",
    )
    assert record_text(record) == "T\nP text\nF text\nk1; k2"
    assert record_text(record, include_journal=True).endswith("\nJ")


def test_cache_round_trip_and_bad_files(tmp_path: Path) -> None:
    cache = RankingCache(tmp_path)
    config = FeatureConfig()
    counts = count_rows(TEXTS, config)
    cache.save_features("k", CachedFeatures(["a", "b", "c", "d"], counts))
    loaded = cache.load_features("k")
    assert loaded is not None and loaded.ids == ["a", "b", "c", "d"]
    assert (loaded.counts != counts).nnz == 0
    assert cache.load_features("another key") is None
    cache.save_scores(CachedScores(["a", "b"], np.array([0.5, -1.0]), {"n_decisions": 2}))
    scores = cache.load_scores()
    assert scores is not None and scores.meta == {"n_decisions": 2}
    assert scores.scores.tolist() == [0.5, -1.0]
    assert not list((tmp_path / "ranking").glob("*.tmp"))
    (tmp_path / "ranking" / "features.npz").write_bytes(b"PK\x03\x04 torn")
    assert cache.load_features("k") is None


@pytest.mark.parametrize(
    ("extra", "label"),
    [
        ({"label_included": "1"}, True),
        ({"label_included": "0"}, False),
        ({"included": "yes"}, True),
        ({"asreview_label": "-1"}, None),
        ({"notes": 'RAYYAN-INCLUSION: {"Ana"=>"Included", "Bo"=>"Included"}'}, True),
        ({"notes": 'RAYYAN-INCLUSION: {"Ana"=>"Excluded"} | RAYYAN-LABELS: x'}, False),
        ({"notes": 'RAYYAN-INCLUSION: {"Ana"=>"Included", "Bo"=>"Excluded"}'}, None),
        ({"notes": "ASReview_relevant"}, True),
        ({"notes": "ASReview_irrelevant"}, False),
        ({}, None),
    ],
)
def test_labels_from_extra(extra: dict[str, str], label: bool | None) -> None:
    assert record_label(Record(title="x", extra=extra)) is label


def test_a_named_label_column() -> None:
    record = Record(title="x", extra={"My Label": "included", "label_included": "0"})
    assert record_label(record, "my_label") is True
    assert record_label(record, "included") is False  # importers file it as label_included
    split = labelled([record, Record(title="y")], "My Label")
    assert split.labels == [True] and split.unlabelled == 1
    assert parse_label(" TRUE ") is True and parse_label("maybe") is None


def test_large_library_scoring_equals_the_tfidf_product() -> None:
    import random

    from peerlit_tui.services.ranking_model import Features, ModelConfig, fit

    rng = random.Random(4)
    vocab = [f"w{i}" for i in range(400)]
    texts = [" ".join(rng.choices(vocab, k=rng.randint(0, 30))) for _ in range(500)]
    counts = count_rows(texts, FeatureConfig())
    small = Features(counts, FeatureConfig(), keep_tfidf=True)
    large = Features(counts, FeatureConfig(), keep_tfidf=False)
    model = fit(small.tfidf_rows(range(60)), [i % 6 == 0 for i in range(60)], ModelConfig())
    assert np.abs(small.scores(model) - large.scores(model)).max() < 1e-5
    assert (small.tfidf_rows([3, 7]) != large.tfidf_rows([3, 7])).nnz == 0
