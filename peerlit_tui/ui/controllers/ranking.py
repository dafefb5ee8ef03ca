"""Screening in ranked order: the relevance ranking on the main screen.

One `RankingService` per open library (`services.ranking`) ranks the undecided
records by a model trained on the decisions so far. This controller puts it on
screen and keeps it current:

* retraining runs in a child process (`RankingService.retrain_in_subprocess`)
  that a thread worker starts and waits for, so neither the UI thread nor the GIL
  it shares with the worker does the fit: once when a library opens (when it can
  rank), after every N decisions (the service's cadence), when the reviewer has been
  idle a while after deciding, and on the "rank now" key. One runs at a time; a
  newer request stops the running child (once its feature matrix is built, so a
  first build is never thrown away) and starts again; another library being opened
  stops it at once; a child that dies is reported in one line and the last ranking
  kept; leaving the app stops and reaps it. What a retrain ranks is applied to the
  current query, sort and cursor;
* the `priority` sort (undecided records first, most likely inclusions at the top),
  which becomes the sort in screening mode once a ranking exists, unless the user
  chose a sort (a key, the palette or the config file);
* `n` goes to the best-ranked undecided record of the current filter (for this
  reviewer, in team screening), or, without a ranking, to the next undecided one;
* the list's score column, the status line's "ranked by 42 decisions, 3 min ago"
  (or why it cannot rank yet) and the detail pane's "why it ranks" line.

Everything read on the UI thread is cheap (a dictionary lookup per row, the
decision counts); the priority sort runs in the filter worker.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from peerlit_tui.highlight import compile_words
from peerlit_tui.ui.controllers.ranking_order import Positions, positions_for, priority_order
from peerlit_tui.ui.sorting import PRIORITY
from peerlit_tui.ui.widgets.detail_content import RankWhy

if TYPE_CHECKING:
    # numpy, scipy and scikit-learn take a second or more to import: they are
    # imported where a ranking is first built or read, never before the first paint.
    from peerlit_tui.model import Record
    from peerlit_tui.services.ranking import RankingResult, RankingService
    from peerlit_tui.ui.controllers.filtering import FilterController
    from peerlit_tui.ui.controllers.screening import ScreeningMode
    from peerlit_tui.ui.session import Services
    from peerlit_tui.ui.widgets.detail_pane import DetailPane
    from peerlit_tui.ui.widgets.record_list import RecordList
    from peerlit_tui.ui.widgets.status_line import StatusLine

#: Seconds without a decision after which pending decisions are trained on.
IDLE_SECONDS = 20.0
#: Seconds between checks for idleness (and refreshes of "k min ago").
TICK_SECONDS = 5.0
#: Terms the detail pane lists for a record.
WHY_TERMS = 6
#: Commands of the key table this controller runs (`run(name)` on the main screen).
COMMANDS = frozenset({"toggle_why", "rank_now"})


@dataclass(slots=True)
class _Outcome:
    """What a ranking worker brings back (set in the thread, read on the UI thread)."""

    generation: int
    service: RankingService
    result: RankingResult | None = None
    reason: str = ""
    had_ranking: bool = False  # a ranking existed before (this session's, or the cached one)
    failure: str = ""  # the retrain process died: how, in words


class RankingController:
    """The relevance ranking on the main screen.

    Args:
        record_list: The list (score column, cursor for `n`).
        status: The status line.
        detail: The detail pane (why a record ranks high).
        filtering: The filter controller (re-sorts after a retrain, the sort in effect).
        screening_mode: Screening mode (the priority sort is its default).
        services: The services getter.
        filter_text: The query typed in the filter bar (re-sorting runs it again).
        run_worker: Runs a function in a thread worker of the "ranking" group.
        notify: Shows a notification (text, severity, title, timeout).
        show_current: Shows the record under the cursor again (`force=True`).
        clock: Seconds, monotonic (tests pass a fake one).
    """

    def __init__(
        self,
        *,
        record_list: RecordList,
        status: StatusLine,
        detail: DetailPane,
        filtering: FilterController,
        screening_mode: ScreeningMode,
        services: Callable[[], Services | None],
        filter_text: Callable[[], str],
        run_worker: Callable[[Callable[[], None]], Any],
        notify: Callable[..., None],
        show_current: Callable[..., None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._list = record_list
        self._status = status
        self._detail = detail
        self._filtering = filtering
        self._mode = screening_mode
        self._services = services
        self._filter_text = filter_text
        self._run_worker = run_worker
        self._notify = notify
        self._show_current = show_current
        self._clock = clock
        self.service: RankingService | None = None
        """The open library's ranking service, once the first worker created it."""
        self.running = False
        """True while a ranking worker runs."""
        self.since = 0
        """Decisions made since the running or last retrain started."""
        self._generation = 0
        self._again = False
        self._froze = False  # whether the modules the first worker loaded are frozen
        self._working: RankingService | None = None  # the service the running worker trains
        self._outcome: _Outcome | None = None
        self._last_decision = clock()
        self._columns: list[str] = []
        self._auto_sort: tuple[str, bool] | None = None  # the sort the priority one replaced
        self._positions: Positions | None = None
        self._trained = False  # a retrain of this session finished (terms can be explained)
        self._count = 0
        self._create: Services | None = None  # the library to create a service for
        self._to_top = False  # go to the best-ranked record once the priority sort is shown
        self._shown: tuple[list[int], frozenset[str]] | None = None
        detail.why = self.why_for
        record_list.next_undecided = self.next_undecided

    # -- the library --------------------------------------------------------------------

    def attach(self, services: Services) -> None:
        """A library was loaded (or loaded again): rank it in a worker.

        The same library read again keeps its ranking, and is ranked again when
        records were added (they get their scores then).
        """
        count = len(self._list.columns)
        same = self.service is not None and self.service.library is services.library
        grew, self._count = count != self._count, count
        if same:
            if grew:
                self.start()
            return
        self._generation += 1
        self._stop_running()  # its ranking is of another library: of no use now
        self.service = None
        self._positions = None
        self._trained = False
        self.since = 0
        self._create = services
        self._apply_columns()
        self.start()

    def set_columns(self, columns: Collection[str]) -> None:
        """The list columns the user wants (the score column shows once there is a ranking)."""
        self._columns = list(columns)
        self._apply_columns()

    def _apply_columns(self) -> None:
        ranked = self.service is not None and self.service.result is not None
        self._list.set_visible_columns([c for c in self._columns if ranked or c != "score"])

    # -- retraining -------------------------------------------------------------------

    def decided(self, decision: str) -> None:
        """A decision was saved in this app: retrain when the cadence says so."""
        self._last_decision = self._clock()
        self.since += 1  # a cleared decision changes what the model learns too
        if self.service is not None and self.service.needs_retrain(self.since):
            self.start()
        else:
            self.update_status()

    def tick(self) -> None:
        """Every few seconds: retrain on idle, refresh "k min ago"."""
        service = self.service
        idle = self._clock() - self._last_decision >= IDLE_SECONDS
        if service is not None and idle and service.needs_retrain(self.since, idle=True):
            self.start()
        else:
            self.update_status()

    def start(self) -> None:
        """Retrain in a worker (one at a time: a request meanwhile restarts it)."""
        if self.running:
            self._again = True
            self._stop_running(keep_feature_work=True)
            return
        service, create = self.service, self._create
        if service is None and create is None:
            return
        generation = self._generation
        self.running, self._again, self.since = True, False, 0
        self.update_status()

        def work() -> None:
            # In the worker thread: no widget is touched here.
            from peerlit_tui.services.ranking import (
                RankingService,
                RankingUnavailable,
                RetrainCancelled,
                RetrainFailed,
            )

            if service is not None:
                ranking = service
            else:
                assert create is not None
                ranking = RankingService(create.library, create.annotations)
            outcome = _Outcome(generation, ranking, had_ranking=ranking.result is not None)
            self._working = ranking
            try:
                if ranking.readiness() is None and generation == self._generation:
                    outcome.result = ranking.retrain_in_subprocess(_cancelled())
            except RankingUnavailable as error:
                outcome.reason = str(error)
            except RetrainCancelled:
                pass  # superseded, or the app is ending
            except RetrainFailed as error:
                outcome.failure = str(error)
            finally:
                self._working = None
            self._outcome = outcome

        self._run_worker(work)

    def _stop_running(self, *, keep_feature_work: bool = False) -> None:
        working = self._working
        if working is not None:
            working.cancel_retrain(keep_feature_work=keep_feature_work)

    def finished(self, succeeded: bool) -> None:
        """The worker ended (on the UI thread): apply what it ranked, if still current."""
        self.running = False
        outcome, self._outcome = self._outcome, None
        if outcome is None or outcome.generation != self._generation:
            self._status.set_ranking("ranking failed" if not succeeded else "")
            self._restart_if_asked()
            return  # a library no longer shown: its ranking is of no use
        if outcome.failure:
            kept = " The last ranking is kept." if outcome.service.result is not None else ""
            self._notify(f"Ranking stopped: {outcome.failure}.{kept} Press P to rank again.",
                         "warning", "Ranking", 10)  # fmt: skip
        first = not outcome.had_ranking
        self.service, self._create = outcome.service, None
        self._positions = None
        self._trained = self._trained or outcome.result is not None
        if not self._froze:
            # The first worker loaded numpy, scipy and scikit-learn (~70,000 module
            # objects) after the load froze the records: frozen too, a full
            # collection no longer scans them every dozen keystrokes (35-50 ms).
            gc.freeze()
            self._froze = True
        if outcome.service.result is not None:
            self._apply_columns()
            self._list.refresh_all()
            self._ranked(outcome.result, first=first)
        self.update_status()
        self._restart_if_asked()

    def _restart_if_asked(self) -> None:
        if self._again:
            self.start()

    def _ranked(self, result: RankingResult | None, *, first: bool) -> None:
        # The first ranking does not re-sort a list being screened: the order changes
        # when the reviewer next enters screening mode or picks the priority sort.
        if result is not None and first:
            hint = "" if self._filtering.sort_key == PRIORITY else (
                " Sort by priority to see the likeliest inclusions first."
            )  # fmt: skip
            self._notify(
                f"Ranked {len(result.scores):,} records by {result.n_decisions:,} decisions "
                f"({result.n_include:,} included).{hint}",
                "information",
                "Ranking",
                8,
            )
        if self._filtering.sort_key == PRIORITY and self._filtering.index is not None:
            self._filtering.start(self._filter_text(), resort_only=True)
        if self._detail.show_why:
            self._show_current(force=True)

    # -- the sort -----------------------------------------------------------------------

    def screening_changed(self, on: bool) -> None:
        """Screening mode on: sort by priority (once ranked, unless the user chose a sort)."""
        filtering = self._filtering
        ranked = self.service is not None and self.service.result is not None
        if on and ranked and not filtering.explicit_sort and filtering.sort_key != PRIORITY:
            self._auto_sort = (filtering.sort_key, filtering.reverse)
            self._to_top = True
            filtering.sort_by(PRIORITY, reverse=False, explicit=False)
        elif not on and self._auto_sort is not None:
            key, reverse = self._auto_sort
            self._auto_sort = None
            if not filtering.explicit_sort and filtering.sort_key == PRIORITY:
                filtering.sort_by(key, reverse=reverse, explicit=False)
        self.update_status()

    def filtered(self) -> None:
        """A result is shown: after switching to priority, start at its best-ranked record.

        Only when the record under the cursor is decided: one being read stays.
        """
        if not self._to_top or self._filtering.sort_key != PRIORITY:
            return
        self._to_top = False
        services, current = self._services(), self._list.current_id
        if services is not None and current is not None:
            if services.annotations.get(current).decision != "undecided":
                self._list.cursor = 0

    def advance_from(self, cursor: int) -> int:
        """Where auto-advance looks for the next undecided record after a decision.

        In the priority order it looks from the top: after a retrain re-sorted the
        list, better-ranked undecided records may sit above the cursor.
        """
        ranked = self.service is not None and self.service.result is not None
        return -1 if ranked and self._filtering.sort_key == PRIORITY else cursor

    def priority_rows(self, rows: list[int], reverse: bool, ids: list[str]) -> list[int]:
        """The priority order of `rows` (runs in the filter worker): see `priority_order`."""
        service = self.service
        positions = positions_for(service, ids, self._positions) if rows else None
        if positions is not None:
            self._positions = positions  # one reference swap: safe with the UI thread reading
        return priority_order(service, rows, reverse, ids, positions)

    # -- keys -------------------------------------------------------------------------------

    def run(self, name: str) -> None:
        """Run one of `COMMANDS`."""
        {"toggle_why": self.toggle_why, "rank_now": self.rank_now}[name]()

    def next_undecided(self) -> bool:
        """`n`: go to the best-ranked undecided record of the filter (False: not ranked).

        The list then goes to the next undecided record in its order instead.
        """
        service = self.service
        if service is None or service.result is None or not self._list.rows:
            return False
        found = service.next_undecided(self._shown_ids(), mine=True)
        return found is not None and self._list.move_to(found)

    def _shown_ids(self) -> frozenset[str]:
        rows = self._list.rows
        if self._shown is None or self._shown[0] is not rows:
            ids = self._list.columns.ids
            self._shown = (rows, frozenset(ids[row] for row in rows))
        return self._shown[1]

    def toggle_why(self) -> None:
        """Show or hide why the record ranks where it does."""
        self._detail.show_why = not self._detail.show_why
        self._show_current(force=True)

    def rank_now(self) -> None:
        """Retrain now, in the background."""
        if self.service is None:
            self._notify("The library is still loading; it is ranked once it has loaded.",
                         "information", "Ranking", 5)  # fmt: skip
            return
        reason = self.not_ready()
        if reason:
            self._notify(f"Cannot rank yet: {reason}.", "warning", "Ranking", 8)
            return
        self.start()

    # -- what the screen shows ------------------------------------------------------------

    def level(self, record_id: str) -> int | None:
        """The record's score as 0–9 for the list column (None: not ranked)."""
        service = self.service
        return service.level(record_id) if service is not None else None

    def why_for(self, record: Record) -> RankWhy:
        """Why a record ranks where it does (the detail pane's line)."""
        service = self.service
        if service is None:
            return RankWhy(note="the library is being ranked…")
        level = service.level(record.id)
        if service.result is None:
            reason = self.not_ready()
            return RankWhy(note=f"not ranked yet: {reason}" if reason else "not ranked yet")
        if level is None:
            return RankWhy(note="added after the last ranking; ranked at the next one")
        # The model weighs function words too ("the", "to"); a reader learns nothing
        # from them, so the line shows the content words among the heaviest terms.
        found = service.explain(record.id, 4 * WHY_TERMS)
        terms = tuple(t.term for t in found if not _only_stop_words(t.term))[:WHY_TERMS]
        if not terms:
            # After a restart the scores come from the cache; the model that explains
            # them is trained again in the background first.
            note = "no term of it weighs towards inclusion"
            if not self._trained:
                note = "its terms are shown once this session's ranking is done"
            return RankWhy(level=level, note=note)
        return RankWhy(terms, level, pattern=compile_words(terms))

    def not_ready(self) -> str:
        """Why the library cannot be ranked yet, in short ("" when it can); O(1)."""
        services = self._services()
        if services is None:
            return ""
        counts = services.annotations.decision_counts()
        include, exclude = counts.get("include", 0), counts.get("exclude", 0)
        if include and exclude:
            return ""
        if not include and not exclude:
            return "include and exclude at least one record each"
        return "exclude at least one record" if include else "include at least one record"

    def status_text(self) -> str:
        """The status line's part: "ranked by 42 decisions, 3 min ago", or why not."""
        service = self.service
        if service is None:
            return "ranking…" if self.running else ""
        if service.result is not None:
            text = service.status()
            return f"{text} · ranking again…" if self.running else text
        if self.running:
            return "ranking…"
        if not (self._mode.on or self._filtering.sort_key == PRIORITY):
            return ""
        reason = self.not_ready()
        return f"not ranked yet: {reason}" if reason else "not ranked yet"

    def update_status(self) -> None:
        """Show the ranking's state in the status line."""
        self._status.set_ranking(self.status_text())


def _cancelled() -> Callable[[], bool]:
    """True once the worker running this is cancelled (the app is ending)."""
    from textual.worker import NoActiveWorker, get_current_worker

    try:
        worker = get_current_worker()
    except NoActiveWorker:
        return lambda: False
    return lambda: worker.is_cancelled


def _only_stop_words(term: str) -> bool:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return all(word in ENGLISH_STOP_WORDS for word in term.split())
