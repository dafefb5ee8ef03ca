"""Which records changed since a moment, for an app that polls for other processes' edits.

The store notes every journal entry it applies (its own and those read from other
processes) in a bounded log. `AnnotationStore.changed_since(token)` answers from
that log: cheap when nothing changed, and "re-read everything" (`complete=False`)
when the token is older than the log or the store was reloaded in between.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import NamedTuple

#: Entries remembered; a poll every second or so never falls this far behind.
LOG_SIZE = 4096


class ChangeToken(NamedTuple):
    """A moment in the store's history, for `changed_since`.

    Attributes:
        epoch: Bumped whenever the store reloads from disk (the journal was replaced).
        seq: Sequence number of the last journal entry applied.
    """

    epoch: int
    seq: int


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """What changed between a token and now.

    Attributes:
        token: The token for the next call.
        record_ids: Records whose annotations changed (by any process).
        elsewhere: Of those, the ones changed by another process or window.
        reasons: True when the project's list of exclusion reasons changed.
        complete: False when the store cannot say exactly what changed (too many
            changes since the token, or it reloaded): refresh everything.
    """

    token: ChangeToken
    record_ids: frozenset[str] = frozenset()
    elsewhere: frozenset[str] = frozenset()
    reasons: bool = False
    complete: bool = True

    @property
    def changed(self) -> bool:
        """True when anything changed."""
        return bool(self.record_ids) or self.reasons or not self.complete


class ChangeLog:
    """The last `LOG_SIZE` applied entries: (seq, record ids, reasons changed, made here)."""

    def __init__(self) -> None:
        self.epoch = 0
        self._items: deque[tuple[int, tuple[str, ...], bool, bool]] = deque(maxlen=LOG_SIZE)
        # Lowest seq after which the log is complete.
        self._floor = 0

    def start(self, seq: int) -> None:
        """Begin a new epoch at `seq` (after a load or reload)."""
        self.epoch += 1
        self._items.clear()
        self._floor = seq

    def note(self, seq: int, ids: tuple[str, ...], reasons: bool, own: bool) -> None:
        """Record one applied entry."""
        if len(self._items) == LOG_SIZE:
            self._floor = self._items[0][0]
        self._items.append((seq, ids, reasons, own))

    def since(self, token: ChangeToken, now: ChangeToken) -> ChangeSet:
        """What changed after `token`, up to `now`."""
        if token == now:
            return ChangeSet(now)
        if token.epoch != self.epoch or token.seq < self._floor:
            return ChangeSet(now, complete=False)
        ids: set[str] = set()
        elsewhere: set[str] = set()
        reasons = False
        for seq, changed, reason_change, own in reversed(self._items):
            if seq <= token.seq:
                break
            ids.update(changed)
            if not own:
                elsewhere.update(changed)
            reasons = reasons or reason_change
        return ChangeSet(now, frozenset(ids), frozenset(elsewhere), reasons)
