"""Loading the library, importing exports, and noticing what other processes changed.

Loading runs in a thread worker that reports with messages (`ui.messages`), never
touching a widget: the shell paints first; a large library shows its first
screenful, then all its list columns, then the search index is built once the list
has been painted (building it holds the GIL, which would delay that first frame).

Other processes (the command line, a second app) change the same library. The
screen polls `poll` about once a second and when it gets focus; it compares cheap
change tokens (SQLite's `data_version` for records, the journal's size for
annotations), so an idle library costs one `fstat` and one pragma per second.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peerlit_tui.ui.messages import (
    Imported,
    IndexReady,
    LibraryChanged,
    ListLoaded,
    LoadProgress,
)
from peerlit_tui.ui.screens.main_options import LoadLibrary

if TYPE_CHECKING:
    from textual.message import Message

    from peerlit_tui.services.library import Library
    from peerlit_tui.ui.session import Services

#: Starts a thread worker: (function, group, description).
RunWorker = Callable[[Callable[[], None], str, str], Any]
#: Records read first, so a large library's list shows before all list columns are read.
FIRST_PAGE_ROWS = 300


def records_token(library: Library) -> int | None:
    """The record store's change token, None when the library cannot tell."""
    token = getattr(library, "change_token", None)
    if token is None:
        store = getattr(library, "store", None)
        token = getattr(store, "change_token", None)
    return int(token()) if callable(token) else None


class LibraryLoader:
    """Loads the library and imports into it in workers; polls for outside changes.

    Args:
        load_library: Services and list columns (the limit reads a first screenful).
        run_worker: Starts a thread worker.
        post: Posts a message to the screen (thread-safe).
    """

    def __init__(
        self,
        *,
        load_library: LoadLibrary,
        run_worker: RunWorker,
        post: Callable[[Message], object],
    ) -> None:
        self._load_library = load_library
        self._run_worker = run_worker
        self._post = post
        self.painted = threading.Event()
        """Set by the screen once a loaded list has been painted; the loader waits for it."""
        self._last_progress = 0.0
        self._records_token: int | None = None
        self.loading = False

    # -- loading -------------------------------------------------------------------------

    def load(self, *, first_page: bool) -> None:
        """Load (or reload) the library; `first_page` shows a first screenful at once."""
        self.loading = True
        self._run_worker(lambda: self._load(first_page), "load", "Loading the library")

    def _load(self, first_page: bool) -> None:
        self._post(LoadProgress("reading the library…"))
        if first_page:
            # The full columns (half a second at 100,000 records) replace it, keeping the cursor.
            services, first = self._load_library(FIRST_PAGE_ROWS)
            if first.ids:
                self.painted.clear()
                self._post(ListLoaded(services, first, partial=True))
                self.painted.wait(timeout=2.0)
        services, columns = self._load_library(None)
        self._records_token = records_token(services.library)
        self.painted.clear()
        self._post(ListLoaded(services, columns))
        # Building the index is pure Python and would hold the GIL while the UI thread
        # lays out and paints the list: wait (briefly) for that first frame instead.
        self.painted.wait(timeout=2.0)
        from peerlit_tui.services.search import SearchIndex

        index = SearchIndex(services.library, services.annotations, columns=columns)
        self._post(IndexReady(index))
        # Searching works already; the bitmaps only make substring terms cheaper.
        index.build_grams()

    def index_ready(self) -> None:
        """The load is complete."""
        self.loading = False
        # The columns and the index are millions of long-lived objects. Left to the cyclic
        # garbage collector, a full collection scans them all (~250 ms at 100,000 records),
        # landing in the middle of typing; frozen, they are skipped.
        gc.freeze()

    # -- importing -------------------------------------------------------------------------

    def import_paths(self, services: Services, paths: Sequence[Path]) -> None:
        """Import export files (or folders of them) in a worker; `Imported` reports."""
        chosen = list(paths)

        def run() -> None:
            def progress(done: int, total: int, label: str) -> None:
                now = time.monotonic()
                if now - self._last_progress > 0.1 or done == total:
                    self._last_progress = now
                    self._post(LoadProgress(f"{label} {done:,}/{total:,}"))

            summary = services.library.import_files(chosen, progress=progress)
            self._post(Imported(summary))

        self._run_worker(run, "import", "Importing")

    # -- other processes ----------------------------------------------------------------------

    def poll(self, services: Services) -> LibraryChanged | None:
        """What other processes changed since the last poll (cheap when nothing did)."""
        if self.loading:
            return None
        token = records_token(services.library)
        records = token is not None and self._records_token is not None
        records = records and token != self._records_token
        self._records_token = token if token is not None else self._records_token
        annotations = services.annotations.refresh()
        if not records and not annotations:
            return None
        return LibraryChanged(records, None)

    def saw_own_change(self, services: Services) -> None:
        """After this app wrote records (an import, a link): do not report them as outside."""
        self._records_token = records_token(services.library)
