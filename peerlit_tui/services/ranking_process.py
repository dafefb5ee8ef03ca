"""A retrain in a process of its own, so the app's UI thread never waits for it.

Fitting and scoring a large library is numpy and scikit-learn work that holds the
GIL for tens of milliseconds at a time and needs the whole feature matrix in
memory. Run in the app's process, it slows every keystroke and keeps ~200 MB of
counts resident. `RetrainProcess` runs it in a child process instead:

* the child is a fresh interpreter (`python -m peerlit_tui.services.ranking_child`,
  never a fork: the app has threads) that imports the services it needs and nothing
  of the UI. It is started with `subprocess`, not `multiprocessing`: inside the app
  `sys.stderr` is Textual's capture, whose `fileno()` is -1, and `multiprocessing`
  cannot start its resource tracker then ("bad value(s) in fds_to_keep");
* what it is given is small: the library folder, the decisions to learn from and the
  configuration, pickled to its standard input. It opens the records read-only, reads
  the cached feature matrix from the library folder (hashing only records added
  since), fits, scores, and saves the scores to the cache as the in-process retrain does;
* what it sends back over a pipe is small too: the scores (one float per record), the
  record ids as one byte string, and the model's weights and TF-IDF weighting (the
  detail pane explains a record with them). Its memory goes when it exits;
* it runs at a lower CPU priority, so on a busy machine the UI is served first.

`RetrainProcess.wait` returns the child's `Trained`, or raises `RetrainCancelled`
(`cancel()`, or the caller's `cancelled()` turned true: the child is stopped and
reaped), `RetrainFailed` (the child died or was killed: the message says how) or
`RankingUnavailable` (the decisions cannot be trained on).
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

import numpy as np

import peerlit_tui
from peerlit_tui.services.ranking_child import RetrainRequest
from peerlit_tui.services.ranking_features import Weighting
from peerlit_tui.services.ranking_model import LinearModel
from peerlit_tui.services.ranking_train import RankingUnavailable, Trained

__all__ = ["KnownIds", "RetrainCancelled", "RetrainFailed", "RetrainProcess", "RetrainRequest"]

#: The module the child runs (`python -m`).
CHILD_MODULE = "peerlit_tui.services.ranking_child"
#: Seconds between two looks at "cancelled?" while waiting for the child.
POLL_SECONDS = 0.1
#: Seconds a stopped child gets to end before it is killed.
STOP_SECONDS = 2.0
#: The folder holding the `peerlit_tui` package, so the child runs the same code.
PACKAGE_ROOT = str(Path(peerlit_tui.__file__).resolve().parents[1])


class RetrainCancelled(Exception):
    """The retrain was cancelled before it finished (its child is stopped)."""


class RetrainFailed(Exception):
    """The retrain process died before it sent a ranking; the message says how."""


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
    """

    def __init__(self, request: RetrainRequest, known: KnownIds | None = None) -> None:
        self.known = known
        """The ids of the ranking, once `wait` has returned it."""
        self.features_ready = False
        """True once the child has the feature matrix (a stop then loses no build work)."""
        self._stopping = False
        self._stop = threading.Event()
        read_fd, write_fd = os.pipe()
        path = os.environ.get("PYTHONPATH")
        env = dict(
            os.environ, PYTHONPATH=os.pathsep.join([PACKAGE_ROOT, *([path] if path else [])])
        )
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", CHILD_MODULE, str(write_fd)],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,  # users never see a traceback; failures come as messages
                pass_fds=(write_fd,),
                env=env,
                close_fds=True,
            )
        except OSError as error:
            os.close(read_fd)
            raise RetrainFailed(f"the ranking process could not start ({error})") from error
        finally:
            os.close(write_fd)  # the child holds the only writer: its end is seen as end of file
        self._reader = Connection(read_fd, writable=False)
        stdin = self._process.stdin
        assert stdin is not None
        try:
            pickle.dump(request, stdin, protocol=pickle.HIGHEST_PROTOCOL)
            stdin.close()
        except OSError:
            pass  # the child is already gone: `wait` says how

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self._process.pid

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
            kind, payload = self._receive(cancelled)
        finally:
            self._end()
        if kind == "ok":
            trained, self.known = _unpack(payload, self.known)
            return trained
        if kind == "unavailable":
            raise RankingUnavailable(str(payload))
        raise RetrainFailed(f"the ranking process failed ({payload})")

    def _receive(self, cancelled: Callable[[], bool] | None) -> tuple[str, Any]:
        while True:
            if self._stop.is_set() or (cancelled is not None and cancelled()):
                self._stopping = True
                raise RetrainCancelled("the retrain was cancelled")
            if not wait([self._reader], timeout=POLL_SECONDS):
                continue
            try:
                message: tuple[Any, ...] = self._reader.recv()
            except (EOFError, OSError, pickle.UnpicklingError):
                break  # the child ended without sending (or in the middle of it)
            if message[0] == "ready":
                self.features_ready = True
                continue
            return message[0], message[1]
        try:
            code = self._process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            code = None
        raise RetrainFailed(f"the ranking process {_how_it_ended(code)}")

    def _end(self) -> None:
        # Always reaped here: a stopped or finished child never lingers as a zombie.
        process = self._process
        self._reader.close()
        try:
            process.wait(0 if self._stopping else STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


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
