"""The terminal user interface (Textual). Nothing outside this package imports textual.

`run_app` is the entry point. This module does not import Textual (the app is
imported when it runs), so the command line can import it cheaply. The open
services of a library are bundled in `ui.session`, the keys in `ui.keys`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def run_app(
    library_dir: Path,
    open_paths: Sequence[Path] | None = None,
    *,
    notices: Sequence[str] = (),
) -> int:
    """Run the app on a library folder until the user quits.

    Args:
        library_dir: The library folder (created if missing).
        open_paths: Export files to import once the library is loaded.
        notices: Messages to show once the app is up (`peerlit open`'s import
            summary, from `peerlit_tui.ui.import_text.import_summary_text`).

    Returns:
        The process exit code.
    """
    from peerlit_tui.ui.app import PeerlitApp

    app = PeerlitApp(Path(library_dir), open_paths=list(open_paths or ()), notices=notices)
    try:
        app.run()
    finally:
        app.close_services()
    return app.return_code or 0
