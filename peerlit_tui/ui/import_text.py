"""The import summary in words, as the command line says it (no toolkit here).

The app shows it after an import from inside the app, and `peerlit open` hands it to
`run_app(notices=…)` so the app shows what was imported, found again and skipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from peerlit_tui.services.library import ImportSummary

__all__ = ["import_summary_text"]


def import_summary_text(summary: ImportSummary) -> str:
    """The import summary in the command line's words (one line per file with problems)."""
    totals = summary.to_json()["totals"]
    text = (
        f"Imported {totals['records']:,} records from {totals['files']} file(s): "
        f"{totals['added']:,} added, {totals['already_present']:,} already present"
    )
    linked = totals.get("duplicates_linked")
    if linked:
        text += f", {linked:,} duplicates linked"
    text += f", {totals['skipped']:,} skipped."
    for f in summary.files:
        if f.error:
            text += f"\n{Path(f.path).name}: {f.error}"
        elif f.skipped:
            lines = [str(s.get("line")) for s in f.skipped if s.get("line")][:5]
            more = ", …" if len(f.skipped) > len(lines) else ""
            where = f" (line {', '.join(lines)}{more})" if lines else ""
            text += f"\n{Path(f.path).name}: {len(f.skipped):,} skipped{where}"
    return text
