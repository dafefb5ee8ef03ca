"""The retrain in a child process: same scores as in-process, failures, stops, no zombies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from peerlit_tui.services import ranking_process
from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.services.labels import record_label
from peerlit_tui.services.library import Library
from peerlit_tui.services.ranking import (
    RankingConfig,
    RankingService,
    RankingUnavailable,
    RetrainCancelled,
    RetrainFailed,
)

FIXTURE = Path(__file__).parents[1] / "fixtures" / "ranking" / "labelled_small.csv"
FAKE = "tests.ranking.fake_child"


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[Library, AnnotationService]]:
    library = Library.open(tmp_path / "lib")
    library.import_files([FIXTURE])
    annotations = AnnotationService.open(tmp_path / "lib", sync=False)
    truth = {r.id: bool(record_label(r)) for r in library.iter_records()}
    annotations.set_decision([r for r, label in sorted(truth.items()) if label][:3], "include")
    annotations.set_decision([r for r, label in sorted(truth.items()) if not label][:9], "exclude")
    yield library, annotations
    annotations.close()
    library.close()


_EARLIER: set[int] = set()


@pytest.fixture(autouse=True)
def earlier_children() -> None:
    """Children this process had before the test (other tests' own) are not counted."""
    _EARLIER.clear()
    _EARLIER.update(pid for pid, _ in _children())


def children() -> list[tuple[int, str]]:
    """(pid, state) of the children this process started during the test, zombies included."""
    return [(pid, state) for pid, state in _children() if pid not in _EARLIER]


def _children() -> list[tuple[int, str]]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == os.getpid():
            out.append((int(entry.name), fields[0]))
    return out


def until(condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_the_child_ranks_exactly_as_the_in_process_retrain(stores) -> None:  # type: ignore[no-untyped-def]
    library, annotations = stores
    here = RankingService(library, annotations, RankingConfig(cache=False))
    expected = here.retrain()
    apart = RankingService(library, annotations)
    result = apart.retrain_in_subprocess()
    ids = sorted(expected.scores)
    assert np.array_equal([expected.scores[i] for i in ids], [result.scores[i] for i in ids])
    assert (result.n_decisions, result.n_include, result.n_exclude) == (12, 3, 9)
    assert apart.ranked_ids() == here.ranked_ids()
    assert [apart.level(i) for i in ids] == [here.level(i) for i in ids]
    best = here.ranked_undecided(limit=3)
    assert apart.ranked_undecided(limit=3) == best
    assert apart.explain(best[0][0]) == here.explain(best[0][0]) != []
    # The child saved the scores: a restarted app shows them at once.
    restarted = RankingService(library, annotations)
    assert restarted.result is not None and restarted.ranked_ids() == here.ranked_ids()
    # A second retrain (same records) gives the same again, reusing the ids it knows.
    again = apart.retrain_in_subprocess()
    assert [again.scores[i] for i in ids] == [expected.scores[i] for i in ids]
    assert children() == []


def test_decisions_that_cannot_train_start_no_child(stores) -> None:  # type: ignore[no-untyped-def]
    library, annotations = stores
    annotations.set_decision([a.record_id for a in annotations.all()], "exclude")
    service = RankingService(library, annotations)
    with pytest.raises(RankingUnavailable, match="are exclusions"):
        service.retrain_in_subprocess()
    assert service.retrain_pid is None and children() == []


def _running(service: RankingService) -> tuple[threading.Thread, list[BaseException]]:
    caught: list[BaseException] = []

    def run() -> None:
        try:
            service.retrain_in_subprocess()
        except BaseException as error:
            caught.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    until(lambda: service.retrain_pid is not None)
    return thread, caught


def test_a_killed_child_is_reported_in_words_and_reaped(stores, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    library, annotations = stores
    monkeypatch.setattr(ranking_process, "CHILD_MODULE", FAKE)
    service = RankingService(library, annotations)
    thread, caught = _running(service)
    pid = service.retrain_pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    thread.join(10)
    assert [type(e) for e in caught] == [RetrainFailed]
    assert str(caught[0]) == "the ranking process was stopped by SIGKILL"
    assert service.result is None and children() == []


def test_a_child_that_fails_says_why(stores, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    library, annotations = stores
    monkeypatch.setattr(ranking_process, "CHILD_MODULE", FAKE)
    monkeypatch.setenv("PEERLIT_FAKE_CHILD", "error")
    with pytest.raises(RetrainFailed, match=r"failed \(MemoryError: out of memory\)"):
        RankingService(library, annotations).retrain_in_subprocess()
    assert children() == []


def test_a_cancelled_retrain_stops_its_child(stores, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    library, annotations = stores
    monkeypatch.setattr(ranking_process, "CHILD_MODULE", FAKE)
    monkeypatch.setenv("PEERLIT_FAKE_CHILD", "slow-build")
    service = RankingService(library, annotations)
    thread, caught = _running(service)
    time.sleep(0.5)
    # While the features are being built a newer request keeps it …
    assert not service.cancel_retrain(keep_feature_work=True)
    assert thread.is_alive()
    # … any other stop ends it.
    assert service.cancel_retrain()
    thread.join(10)
    assert [type(e) for e in caught] == [RetrainCancelled]
    assert children() == []


def test_a_newer_request_stops_a_child_whose_features_are_built(stores, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    library, annotations = stores
    monkeypatch.setattr(ranking_process, "CHILD_MODULE", FAKE)
    service = RankingService(library, annotations)
    thread, caught = _running(service)
    job = service._job
    assert job is not None
    until(lambda: job.features_ready)
    assert service.cancel_retrain(keep_feature_work=True)
    thread.join(10)
    assert [type(e) for e in caught] == [RetrainCancelled] and children() == []


def test_the_child_works_from_an_installed_entry_point_and_loads_no_ui(
    stores, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    library, annotations = stores
    annotations.close()  # the script opens the annotations itself
    # A script shaped like the `peerlit` console script: imports at the top, work
    # under the main guard, run from a folder outside the source tree.
    script = tmp_path / "entry.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import sys
            from pathlib import Path
            from peerlit_tui.services.annotations import AnnotationService
            from peerlit_tui.services.library import Library
            from peerlit_tui.services.ranking import RankingService

            if __name__ == "__main__":
                folder = Path({str(library.folder)!r})
                library = Library.open(folder)
                annotations = AnnotationService.open(folder, sync=False)
                result = RankingService(library, annotations).retrain_in_subprocess()
                print(result.n_decisions, len(result.scores))
                # The process asking for the ranking never loads scikit-learn itself.
                print(any(m.split(".")[0] == "sklearn" for m in sys.modules))
                annotations.close()
                library.close()
            """
        )
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["12", str(library.count()), "False"]
    # What the child imports: the services, never the UI (rich comes with scikit-learn).
    probe = (
        "import sys, peerlit_tui.services.ranking_child as c; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'peerlit_tui.ui'}),"
        " [m for m in sys.modules if m.startswith('peerlit_tui.ui')])"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=60, check=True,
    )  # fmt: skip
    assert loaded.stdout.strip() == "[] []"
