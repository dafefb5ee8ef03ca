"""The ranking service on a real library folder: readiness, ranking, explanations, cache."""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.services.labels import record_label
from peerlit_tui.services.library import Library
from peerlit_tui.services.ranking import (
    RankingConfig,
    RankingService,
    RankingUnavailable,
    training_decisions,
)
from peerlit_tui.storage.ranking_cache import RankingCache

FIXTURE = Path(__file__).parents[1] / "fixtures" / "ranking" / "labelled_small.csv"


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[Library, AnnotationService, dict[str, bool]]]:
    library = Library.open(tmp_path / "lib")
    library.import_files([FIXTURE])
    annotations = AnnotationService.open(tmp_path / "lib", sync=False)
    truth = {r.id: bool(record_label(r)) for r in library.iter_records()}
    yield library, annotations, truth
    annotations.close()
    library.close()


def _decide(annotations: AnnotationService, truth: dict[str, bool], n_inc: int, n_exc: int) -> None:
    inc = [rid for rid, label in sorted(truth.items()) if label][:n_inc]
    exc = [rid for rid, label in sorted(truth.items()) if not label][:n_exc]
    if inc:
        annotations.set_decision(inc, "include")
    if exc:
        annotations.set_decision(exc, "exclude")


def test_a_library_without_decisions_says_why_it_cannot_rank(stores) -> None:  # type: ignore[no-untyped-def]
    library, annotations, _ = stores
    service = RankingService(library, annotations)
    with pytest.raises(RankingUnavailable, match="no record has been included or excluded"):
        service.retrain()
    assert service.result is None
    assert service.ranked_undecided() == []
    assert service.status().startswith("not ranked: no record has been included or excluded")


def test_a_library_with_only_inclusions_says_why_it_cannot_rank(stores) -> None:  # type: ignore[no-untyped-def]
    library, annotations, truth = stores
    _decide(annotations, truth, 3, 0)
    service = RankingService(library, annotations)
    with pytest.raises(RankingUnavailable, match="all 3 decided records are inclusions"):
        service.retrain()
    assert "exclude at least one record" in service.status()


def test_ranking_puts_likely_inclusions_first_and_leaves_decided_records_out(stores) -> None:  # type: ignore[no-untyped-def]
    library, annotations, truth = stores
    _decide(annotations, truth, 3, 12)
    service = RankingService(library, annotations)
    result = service.retrain()
    assert (result.n_decisions, result.n_include, result.n_exclude) == (15, 3, 12)
    assert set(result.scores) == set(truth)
    decided = {a.record_id for a in annotations.all()}
    ranked = service.ranked_undecided()
    assert len(ranked) == len(truth) - 15
    assert not decided & {rid for rid, _ in ranked}
    assert [s for _, s in ranked] == sorted((s for _, s in ranked), reverse=True)
    top = [rid for rid, _ in ranked[:10]]
    assert sum(truth[rid] for rid in top) >= 8  # 17 inclusions left among 145 records
    # A decision made after training drops the record at once, without a retrain.
    annotations.set_decision(top[0], "maybe")
    assert top[0] not in {rid for rid, _ in service.ranked_undecided()}
    assert service.next_undecided() == top[1]
    assert service.level(top[1]) == 9
    assert service.status().startswith("ranked by 15 decisions, just now")


def test_ranking_within_a_subset(stores) -> None:  # type: ignore[no-untyped-def]
    library, annotations, truth = stores
    _decide(annotations, truth, 2, 5)
    service = RankingService(library, annotations)
    service.retrain()
    subset = sorted(truth)[40:60]
    ranked = service.ranked_undecided(subset, limit=5)
    assert len(ranked) == 5
    assert {rid for rid, _ in ranked} <= set(subset)


def test_explain_names_the_record_terms_that_raise_its_score(stores) -> None:  # type: ignore[no-untyped-def]
    library, annotations, truth = stores
    _decide(annotations, truth, 4, 10)
    service = RankingService(library, annotations)
    service.retrain()
    best, _ = service.ranked_undecided(limit=1)[0]
    why = service.explain(best, k=5)
    assert 0 < len(why) <= 5
    assert [w.weight for w in why] == sorted((w.weight for w in why), reverse=True)
    record = library.get(best)
    assert record is not None
    words = set(re.findall(r"\w\w+", (record.title + " " + record.abstract_text).lower()))
    assert all(w.weight > 0 and set(w.term.split()) <= words for w in why)


def test_maybe_is_trained_on_only_when_configured(stores) -> None:  # type: ignore[no-untyped-def]
    library, annotations, truth = stores
    _decide(annotations, truth, 0, 4)
    maybe = next(rid for rid, label in sorted(truth.items()) if label)
    annotations.set_decision(maybe, "maybe")
    assert training_decisions(annotations, "ignore") == {
        a.record_id: False for a in annotations.all() if a.decision == "exclude"
    }
    assert training_decisions(annotations, "include")[maybe] is True
    with pytest.raises(RankingUnavailable):
        RankingService(library, annotations).retrain()
    result = RankingService(library, annotations, RankingConfig(maybe_as="include")).retrain()
    assert result.n_include == 1


def test_features_are_cached_and_grow_with_imports(stores, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    library, annotations, truth = stores
    _decide(annotations, truth, 2, 6)
    service = RankingService(library, annotations)
    first = service.retrain()
    key = service.config.model.features.key()
    cached = RankingCache(library.folder).load_features(key)
    assert cached is not None and sorted(cached.ids) == sorted(truth)
    # A restarted app has the last scores at once.
    again = RankingService(library, annotations)
    assert again.result is not None and again.result.scores.keys() == first.scores.keys()
    # Importing more records appends their rows; the old rows are kept as they were.
    extra = tmp_path / "more.csv"
    shutil.copy(FIXTURE, extra)
    text = extra.read_text(encoding="utf-8").replace(" (", " extra (")
    extra.write_text(text, encoding="utf-8")
    library.import_files([extra])
    result = again.retrain()
    grown = RankingCache(library.folder).load_features(key)
    assert grown is not None
    assert grown.ids[: len(cached.ids)] == cached.ids
    assert len(grown.ids) == library.count() == len(result.scores)
    assert (grown.counts[: len(cached.ids)] != cached.counts).nnz == 0


def test_a_damaged_cache_is_rebuilt(stores) -> None:  # type: ignore[no-untyped-def]
    library, annotations, truth = stores
    _decide(annotations, truth, 2, 6)
    RankingService(library, annotations).retrain()
    for name in ("features.npz", "scores.npz"):
        (library.folder / "ranking" / name).write_bytes(b"not a zip file")
    service = RankingService(library, annotations)
    assert service.result is None
    assert len(service.retrain().scores) == len(truth)


def test_readers_see_whole_rankings_while_a_retrain_runs(stores) -> None:  # type: ignore[no-untyped-def]
    library, annotations, truth = stores
    _decide(annotations, truth, 3, 9)
    service = RankingService(library, annotations)
    service.retrain()
    errors: list[BaseException] = []

    def train() -> None:
        try:
            for _ in range(3):
                service.retrain()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    worker = threading.Thread(target=train)
    worker.start()
    while worker.is_alive():
        ranked = service.ranked_undecided()
        assert len(ranked) == len(truth) - 12
        assert all(service.score(rid) is not None for rid, _ in ranked[:5])
    worker.join()
    assert errors == []


def test_a_cache_naming_records_no_longer_in_the_library_is_rebuilt(stores) -> None:  # type: ignore[no-untyped-def]
    library, annotations, truth = stores
    _decide(annotations, truth, 2, 6)
    service = RankingService(library, annotations)
    service.retrain()
    cache = RankingCache(library.folder)
    key = service.config.model.features.key()
    cached = cache.load_features(key)
    assert cached is not None
    renamed = ["gone-record", *cached.ids[1:]]
    cache.save_features(key, type(cached)(renamed, cached.counts))
    result = RankingService(library, annotations).retrain()
    assert set(result.scores) == set(truth)
