"""The open services of one library folder, as the app holds them (no toolkit here)."""

from __future__ import annotations

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
    from peerlit_tui.services.project import is_new_library, start_new_library

    new = is_new_library(folder)
    library = Library.open(folder)
    try:
        annotations = AnnotationService.open(folder)
    except BaseException:
        library.close()
        raise
    if new and not annotations.read_only:
        start_new_library(annotations)  # the default exclusion reasons, as the CLI gives
    return Services(library, annotations)
