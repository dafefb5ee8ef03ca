"""A retrain in a process of its own, so the app's UI thread never waits for it.

Fitting and scoring a large library is numpy and scikit-learn work that holds the
GIL for tens of milliseconds at a time and needs the whole feature matrix in
memory. Run in the app's process, it slows every keystroke and keeps ~200 MB of
counts resident. `RetrainProcess` runs it in a child process instead:

* the child is started with the "spawn" method (the app has threads, so it is never
  forked) and runs `retrain_child`, a top-level function of this module: it imports
  the services it needs and nothing of the UI;
* what it is given is small: the library folder, the decisions to learn from and
  the configuration. It opens the records read-only, reads the cached feature matrix
  from the library folder (hashing only records added since), fits, scores, and saves
  the scores to the cache as the in-process retrain does;
* what it sends back over a pipe is small too: the scores (one float per record), the
  record ids as one byte string, and the model's weights and TF-IDF weighting (the
  detail pane explains a record with them). The child's memory goes when it exits;
* it runs at a lower CPU priority, so on a busy machine the UI is served first.

`RetrainProcess.wait` returns the child's `Trained`, or raises `RetrainCancelled`
(`cancel()`, or the caller's `cancelled()` turned true: the child is stopped and
reaped), `RetrainFailed` (the child died or was killed: the message says how) or
`RankingUnavailable` (the decisions cannot be trained on).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from peerlit_tui.services.ranking_features import Weighting
from peerlit_tui.services.ranking_model import LinearModel, ModelConfig
from peerlit_tui.services.ranking_train import (
    LibraryFeatures,
    RankingUnavailable,
    Trained,
    train_on,
)

if TYPE_CHECKING:
    from multiprocessing.synchronize import Event

#: How much lower the child's CPU priority is than the app's (`os.nice`).
CHILD_NICENESS = 10
#: Seconds between two looks at "cancelled?" while waiting for the child.
POLL_SECONDS = 0.1
#: Seconds a stopped child gets to end before it is killed.
STOP_SECONDS = 2.0


class RetrainCancelled(Exception):
    """The retrain was cancelled before it finished (its child is stopped)."""


class RetrainFailed(Exception):
    """The retrain process died before it sent a ranking; the message says how."""


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
    labels: Mapping[str, bool]
    model: ModelConfig
    cache: bool


def retrain_child(request: RetrainRequest, conn: Connection, ready: Event) -> None:
    """The child process: train as asked and send the outcome to `conn`.

    Sends ("ok", arrays), ("unavailable", message) or ("error", message); sets
    `ready` once the feature matrix is current (from then on a stop loses no
    feature work).
    """
    from peerlit_tui.services.library import Library
    from peerlit_tui.storage.ranking_cache import CachedScores, RankingCache

    start = time.perf_counter()
    with contextlib.suppress(OSError):
        os.nice(CHILD_NICENESS)
    try:
        library = Library.open(Path(request.folder), read_only=True)
        try:
            cache = RankingCache(library.folder) if request.cache else None
            features = LibraryFeatures(library, request.model.features, cache)
            features.update()
            ready.set()
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
        conn.send(("ok", _pack(trained)))
    except RankingUnavailable as error:
        conn.send(("unavailable", str(error)))
    except Exception as error:  # every failure reaches the user as one line
        conn.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        conn.close()


def _pack(trained: Trained) -> dict[str, Any]:
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


#: The ids of a ranking in the form the child sends them, with the list and rows made of them.
KnownIds = tuple[bytes, list[str], Mapping[str, int]]


def _unpack(arrays: dict[str, Any], known: KnownIds | None) -> tuple[Trained, KnownIds]:
    data: bytes = arrays["ids"]
    if known is not None and known[0] == data:
        ids, rows = known[1], known[2]  # the usual case: no record added since
    else:
        ids = data.decode("utf-8").split("\n") if data else []
        rows = {rid: i for i, rid in enumerate(ids)}
    scores = np.asarray(arrays["scores"], dtype=np.float64)
    if len(scores) != len(ids):
        raise RetrainFailed("the ranking process sent scores that do not match the records")
    trained = Trained(
        ids,
        rows,
        scores,
        LinearModel(np.asarray(arrays["weights"], dtype=np.float32), float(arrays["bias"])),
        Weighting.of(arrays["idf"], arrays["columns"]),
        int(arrays["n_include"]),
        int(arrays["n_exclude"]),
    )
    return trained, (data, ids, rows)


class RetrainProcess:
    """One retrain running in a child process (started at once).

    Args:
        request: What to train.
        known: The ids of the last ranking (`known` after its `wait`): reused when the
            records are the same, which spares the app decoding 100,000 ids again.
        target: The child's function (a top-level function, for "spawn").
    """

    def __init__(
        self,
        request: RetrainRequest,
        known: KnownIds | None = None,
        target: Callable[[RetrainRequest, Connection, Event], None] | None = None,
    ) -> None:
        context = multiprocessing.get_context("spawn")
        self.known = known
        """The ids of the ranking, once `wait` has returned it."""
        self._stopping = False
        self._reader, writer = context.Pipe(duplex=False)
        self._ready = context.Event()
        self._stop = threading.Event()
        self._process = context.Process(
            target=target or retrain_child,
            args=(request, writer, self._ready),
            name="peerlit-ranking",
            daemon=True,  # ended with the app, whatever way the app ends
        )
        self._process.start()
        writer.close()  # the child holds the only writer: its end is seen as end of file

    @property
    def pid(self) -> int | None:
        """The child's process id."""
        return self._process.pid

    @property
    def features_ready(self) -> bool:
        """True once the child has the feature matrix (a stop then loses no build work)."""
        return self._ready.is_set()

    def cancel(self) -> None:
        """Ask the waiting thread to stop the child (safe from any thread)."""
        self._stop.set()

    def wait(self, cancelled: Callable[[], bool] | None = None) -> Trained:
        """Wait for the child's ranking (call off the UI thread); the child is reaped.

        Args:
            cancelled: Looked at every `POLL_SECONDS`; true stops the child.

        Raises:
            RetrainCancelled: `cancel()` was called or `cancelled()` became true.
            RetrainFailed: The child ended without a ranking.
            RankingUnavailable: The decisions cannot be trained on.
        """
        try:
            message = self._receive(cancelled)
        finally:
            self._end()
        kind, payload = message
        if kind == "ok":
            trained, self.known = _unpack(payload, self.known)
            return trained
        if kind == "unavailable":
            raise RankingUnavailable(str(payload))
        raise RetrainFailed(f"the ranking process failed ({payload})")

    def _receive(self, cancelled: Callable[[], bool] | None) -> tuple[str, Any]:
        sentinel = self._process.sentinel
        while True:
            if self._stop.is_set() or (cancelled is not None and cancelled()):
                self._stopping = True
                raise RetrainCancelled("the retrain was cancelled")
            ready = wait([self._reader, sentinel], timeout=POLL_SECONDS)
            if self._reader in ready:
                try:
                    message: tuple[str, Any] = self._reader.recv()
                except (EOFError, OSError):
                    break  # the child ended without sending (or in the middle of it)
                return message
            if sentinel in ready and not self._reader.poll():
                break
        self._process.join(STOP_SECONDS)
        raise RetrainFailed(f"the ranking process {_how_it_ended(self._process.exitcode)}")

    def _end(self) -> None:
        # Always reaped here: a stopped or finished child never lingers as a zombie.
        process = self._process
        process.join(0 if self._stopping else STOP_SECONDS)
        if process.is_alive():
            process.terminate()
            process.join(STOP_SECONDS)
        if process.is_alive():
            process.kill()
            process.join()
        self._reader.close()
        process.close()


def _how_it_ended(exitcode: int | None) -> str:
    if exitcode is None:
        return "stopped answering"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"was stopped by {name}"
    return f"ended unexpectedly (exit status {exitcode})"
