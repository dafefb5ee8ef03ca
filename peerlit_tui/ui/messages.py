"""Messages that cross module boundaries inside the UI: worker results and requests.

Widgets keep their own nested messages (`RecordList.Highlighted`, `TagPanel.TagAdded`);
this module holds the ones that travel between a worker, a controller and the screen
or the app, so that no module has to import the one that handles them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from peerlit_tui.list_columns import ListColumns
    from peerlit_tui.query import QueryError
    from peerlit_tui.services.library import ImportSummary
    from peerlit_tui.services.search import SearchIndex, SearchResult
    from peerlit_tui.ui.session import Services


class TaskFailed(Message):
    """A background task failed; the app tells the user.

    Args:
        what: The task in words ("Loading the library").
        error: The exception it raised.
    """

    def __init__(self, what: str, error: BaseException | None) -> None:
        super().__init__()
        self.what = what
        self.error = error


class LoadProgress(Message):
    """What a loading or importing worker is doing, for the status line."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class ListLoaded(Message):
    """The library's list columns were read (`partial`: only the first screenful)."""

    def __init__(self, services: Services, columns: ListColumns, partial: bool = False) -> None:
        super().__init__()
        self.services, self.columns, self.partial = services, columns, partial


class IndexReady(Message):
    """The search index over the loaded columns is built."""

    def __init__(self, index: SearchIndex) -> None:
        super().__init__()
        self.index = index


@dataclass(frozen=True, slots=True)
class DecisionCounts:
    """Decisions among the records a filter shows (computed with the filter's rows)."""

    total: int = 0
    include: int = 0
    exclude: int = 0
    maybe: int = 0

    @property
    def screened(self) -> int:
        """Records with a decision."""
        return self.include + self.exclude + self.maybe


class Filtered(Message):
    """A search (or a re-sort) finished: the rows to show, in order."""

    def __init__(
        self,
        generation: int,
        result: SearchResult,
        rows: list[int],
        decided: dict[str, str],
        shown: frozenset[str] | None = None,
    ) -> None:
        super().__init__()
        self.generation, self.result, self.rows = generation, result, rows
        self.decided = decided
        """Decision of every decided record among `rows`, by id (the progress counts)."""
        self.shown = shown
        """Ids of `rows` (screening mode only: built here, not on the UI thread)."""


class FilterFailed(Message):
    """The query could not be parsed; the list keeps the last good result."""

    def __init__(self, generation: int, error: QueryError) -> None:
        super().__init__()
        self.generation, self.error = generation, error


class Imported(Message):
    """An import finished; `summary` says what was added, found again and skipped."""

    def __init__(self, summary: ImportSummary) -> None:
        super().__init__()
        self.summary = summary


class LibraryChanged(Message):
    """Another process changed the library: new records, or annotations (by id)."""

    def __init__(self, records: bool, annotation_ids: list[str] | None) -> None:
        super().__init__()
        self.records = records
        """True when records were added or linked."""
        self.annotation_ids = annotation_ids
        """Records whose annotations changed; None when unknown (refresh everything)."""


class NoteEditRequested(Message):
    """A widget asks the screen to open the note editor for a record."""

    def __init__(self, record_id: str) -> None:
        super().__init__()
        self.record_id = record_id
