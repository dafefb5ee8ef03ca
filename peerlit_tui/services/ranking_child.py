"""The retrain process: `python -m peerlit_tui.services.ranking_child FD`.

Started by `ranking_process`.

It reads one pickled `RetrainRequest` from its standard input, trains as asked and
writes its messages to the pipe `FD` (a `multiprocessing.connection.Connection`):
("ready",) once the feature matrix is current, then one of ("ok", arrays),
("unavailable", message) or ("error", message). It imports the services it needs
and nothing of the UI, opens the records read-only and runs at a lower CPU priority.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from peerlit_tui.services.ranking_model import ModelConfig
from peerlit_tui.services.ranking_train import (
    LibraryFeatures,
    RankingUnavailable,
    Trained,
    train_on,
)

#: How much lower the child's CPU priority is than the app's (`os.nice`).
CHILD_NICENESS = 10


@dataclass(frozen=True, slots=True)
class RetrainRequest:
    """What the child needs to train (small: no record crosses the pipe).

    Attributes:
        folder: The library folder.
        labels: Record id → True (include) or False (exclude).
        model: The model.
        cache: Read and save the feature matrix and scores in the library folder.
    """

    folder: str
    labels: dict[str, bool]
    model: ModelConfig
    cache: bool


def retrain_child(request: RetrainRequest, conn: Connection) -> None:
    """Train as asked and send the outcome to `conn` (see the module's docstring)."""
    from peerlit_tui.services.library import Library
    from peerlit_tui.storage.ranking_cache import CachedScores, RankingCache

    start = time.perf_counter()
    try:
        library = Library.open(Path(request.folder), read_only=True)
        try:
            cache = RankingCache(library.folder) if request.cache else None
            features = LibraryFeatures(library, request.model.features, cache)
            features.update()
            conn.send(("ready",))
            trained = train_on(features, request.labels, request.model)
            if cache is not None:
                # The header `RankingService` writes after an in-process retrain.
                meta = {
                    "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "n_decisions": trained.n_include + trained.n_exclude,
                    "n_include": trained.n_include,
                    "n_exclude": trained.n_exclude,
                    "seconds": time.perf_counter() - start,
                    "model": request.model.name,
                }
                cache.save_scores(CachedScores(trained.ids, trained.scores, meta))
        finally:
            library.close()
        conn.send(("ok", pack(trained)))
    except RankingUnavailable as error:
        conn.send(("unavailable", str(error)))
    except Exception as error:  # every failure reaches the user as one line
        conn.send(("error", f"{type(error).__name__}: {error}"))


def pack(trained: Trained) -> dict[str, Any]:
    """What is sent back: scores, ids as one byte string, the model and its weighting."""
    # Ids as one UTF-8 byte string (record ids never hold a newline): one buffer to
    # send instead of 100,000 pickled strings.
    return {
        "ids": "\n".join(trained.ids).encode("utf-8"),
        "scores": trained.scores,
        "weights": trained.model.weights,
        "bias": trained.model.bias,
        "idf": trained.weighting.idf,
        "columns": trained.weighting.columns,
        "n_include": trained.n_include,
        "n_exclude": trained.n_exclude,
    }


def main(argv: list[str] | None = None) -> int:
    """Read the request from standard input, train, answer on the pipe named in `argv`."""
    args = sys.argv[1:] if argv is None else argv
    with contextlib.suppress(OSError):
        os.nice(CHILD_NICENESS)
    conn = Connection(int(args[0]), readable=False)
    try:
        request = pickle.load(sys.stdin.buffer)
        retrain_child(request, conn)
    finally:
        conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
