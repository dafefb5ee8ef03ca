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

    library = Library.open(folder)
    try:
        annotations = AnnotationService.open(folder)
    except BaseException:
        library.close()
        raise
    return Services(library, annotations)
