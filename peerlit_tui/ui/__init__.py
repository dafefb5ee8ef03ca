"""The terminal user interface (Textual). Nothing outside this package imports textual.

`run_app` is the entry point. This module does not import Textual (the app is
imported when it runs), so the command line can import it cheaply; it also holds
the toolkit-free `Services` bundle the app opens in its loading thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from peerlit_tui.services.annotations import AnnotationService
    from peerlit_tui.services.library import Library


@dataclass(slots=True)
class Services:
    """The open services of one library folder."""

    library: Library
    annotations: AnnotationService

    def close(self) -> None:
        """Checkpoint the annotations and close both stores."""
        try:
            self.annotations.close()
        finally:
            self.library.close()


def open_services(folder: Path) -> Services:
    """Open (creating if needed) the record library and annotations of `folder`."""
    from peerlit_tui.services.annotations import AnnotationService
    from peerlit_tui.services.library import Library

    library = Library.open(folder)
    try:
        annotations = AnnotationService.open(folder)
    except BaseException:
        library.close()
        raise
    return Services(library, annotations)


def run_app(library_dir: Path, open_paths: Sequence[Path] | None = None) -> int:
    """Run the app on a library folder until the user quits.

    Args:
        library_dir: The library folder (created if missing).
        open_paths: Export files to import once the library is loaded.

    Returns:
        The process exit code.
    """
    from peerlit_tui.ui.app import PeerlitApp

    app = PeerlitApp(Path(library_dir), open_paths=list(open_paths or ()))
    try:
        app.run()
    finally:
        app.close_services()
    return app.return_code or 0
