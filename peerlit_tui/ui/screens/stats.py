"""The stats screen: PRISMA counts of the library with a small bar chart, and the PRISMA CSV.

The counts (records identified per database and file, duplicates removed,
screening decisions and exclusion reasons) come from `services.stats`, computed in
a thread worker: at 100,000 records it reads every record's provenance. The chart
is built from Unicode block characters in theme colours, scaled to the screen's
width, so it fits an 80×24 terminal; longer lists scroll.

Below the counts, the agreement between reviewers (`services.team`): per pair,
the records both screened, how many they agree and disagree on, the percentage
and Cohen's κ (Fleiss' κ over everyone when more than two), with κ said in words
when it is undefined and a line on what κ means.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label, Static
from textual.worker import Worker, WorkerState

from peerlit_tui.ui.bindings import bindings_for
from peerlit_tui.ui.text_render import safe_content, safe_line

if TYPE_CHECKING:
    from peerlit_tui.services.agreement import Agreement, Kappa
    from peerlit_tui.services.stats import PrismaStats
    from peerlit_tui.ui.session import Services

#: Eighths of a block, for bars finer than one cell.
_EIGHTHS = " ▏▎▍▌▋▊▉"
#: Width of the label column.
LABEL_WIDTH = 22
#: Rows of a per-database or per-reason list shown before the rest are summed up.
MAX_ROWS = 8
#: File name of the PRISMA CSV written into the library folder by default.
PRISMA_FILE = "prisma-flow.csv"


def bar(value: int, largest: int, width: int) -> str:
    """A horizontal bar of `value` scaled so `largest` fills `width` cells (eighth-block steps).

    A non-zero value always shows at least a sliver.
    """
    if value <= 0 or largest <= 0 or width <= 0:
        return ""
    eighths = max(1, round(value / largest * width * 8))
    full, part = divmod(min(eighths, width * 8), 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


def _top(counts: dict[str, int]) -> list[tuple[str, int]]:
    items = list(counts.items())
    if len(items) <= MAX_ROWS:
        return items
    rest = sum(n for _name, n in items[MAX_ROWS - 1 :])
    return [*items[: MAX_ROWS - 1], (f"{len(items) - MAX_ROWS + 1} more", rest)]


def stats_content(stats: PrismaStats, width: int) -> Content:
    """The counts as lines of labels, numbers and bars, fitting `width` cells.

    Args:
        stats: The library's counts.
        width: Cells available per line.

    Returns:
        The content; names from the data are never parsed as markup.
    """
    bar_width = max(4, width - LABEL_WIDTH - 10)
    largest = max(stats.identified, 1)
    lines: list[Content] = []

    def heading(text: str) -> None:
        lines.append(Content.styled(text, "bold"))

    def row(label: str, n: int, style: str, indent: int = 2) -> None:
        name = safe_line(label)
        room = LABEL_WIDTH - indent
        if len(name) > room:
            name = name[: room - 1] + "…"
        lines.append(
            Content.assemble(
                " " * indent,
                safe_content(name.ljust(room)),
                f"{n:>7,} ",
                (bar(n, largest, bar_width), style),
            )
        )

    heading(f"Identified: {stats.identified:,} (in {stats.records:,} distinct records)")
    for name, n in _top(stats.by_database):
        row(name, n, "$primary")
    if len(stats.by_file) > 1:
        lines.append(Content.styled("  by file", "dim"))
        for name, n in _top({Path(k).name: v for k, v in stats.by_file.items()}):
            row(name, n, "$secondary", indent=4)
    heading(f"Duplicates removed: {stats.duplicates:,}")
    row("found again by id", stats.refound, "$warning")
    row("linked duplicates", stats.linked, "$warning")
    heading(f"Screened: {stats.screened:,} of {stats.after_duplicates:,} after duplicates")
    row("included", stats.included, "$success")
    row("excluded", stats.excluded, "$error")
    for reason, n in _top(stats.excluded_by_reason):
        row(reason, n, "$error-muted", indent=4)
    row("maybe", stats.maybe, "$warning")
    row("undecided", stats.undecided, "$text-muted")
    return Content("\n").join(lines)


#: What κ means, in one line under the agreement figures.
KAPPA_HINT = "κ: agreement corrected for chance (1 perfect, 0 chance level, < 0 worse)"


def _kappa(kappa: Kappa) -> str:
    # "κ is undefined: …" reads "Cohen's κ undefined: …" after the name.
    return f"{kappa.value:.3f}" if kappa.value is not None else kappa.reason.removeprefix("κ is ")


def agreement_content(agreement: Agreement, conflicts: int | None) -> Content:
    """The agreement between reviewers as lines, names never parsed as markup.

    Args:
        agreement: Every pair's agreement (`services.team.team_agreement`).
        conflicts: Unresolved conflicts, None when blind mode hides them.
    """
    lines = [Content.styled("Agreement between reviewers", "bold")]
    names = agreement.reviewers
    if len(names) < 2:
        who = f" (so far: {safe_line(names[0])})" if names else ""
        lines.append(safe_content(f"  Agreement needs two reviewers who screened records{who}.",
                                  "dim"))  # fmt: skip
        return Content("\n").join(lines)
    for pair in agreement.pairs:
        a, b = (safe_line(n) for n in pair.reviewers)
        share = f"{pair.percent_agreement:.1f}%" if pair.percent_agreement is not None else "–"
        lines.append(safe_content(
            f"  {a} · {b}: {pair.both_screened:,} screened by both, {pair.agree:,} agree "
            f"({share}), {pair.conflicts:,} disagree"))  # fmt: skip
        lines.append(safe_content(f"    Cohen's κ {_kappa(pair.kappa)}"))
    if agreement.fleiss is not None:
        lines.append(
            safe_content(
                f"  all {len(names)} reviewers: {agreement.all_screened:,} screened by all"
            )
        )
        lines.append(safe_content(f"    Fleiss' κ {_kappa(agreement.fleiss)}"))
    if conflicts is not None:
        lines.append(safe_content(f"  unresolved conflicts: {conflicts:,}"))
    lines.append(Content.styled("  " + KAPPA_HINT, "dim"))
    return Content("\n").join(lines)


class StatsScreen(ModalScreen[None]):
    """PRISMA counts of the library, and a key that writes the PRISMA2020 CSV.

    Args:
        services: The open library services.
        library_dir: The library folder; the CSV's default path is in it.
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("stats")

    DEFAULT_CSS = """
    StatsScreen {
        align: center middle;
        & > #stats-dialog {
            width: 100%;
            max-width: 110;
            height: 100%;
            max-height: 40;
            border: round $primary;
            background: $surface;
            padding: 0 1;
        }
        & #stats-scroll { height: 1fr; }
        & #stats-body { height: auto; }
        & #stats-path-row { height: 1; }
        & #stats-path-row Label { width: auto; padding-right: 1; }
        & #stats-path { height: 1; border: none; padding: 0; width: 1fr; }
        & #stats-help { height: 1; color: $text-muted; }
    }
    """

    class _Counted(Message):
        def __init__(self, stats: PrismaStats, agreement: Agreement, conflicts: int | None) -> None:
            super().__init__()
            self.stats, self.agreement, self.conflicts = stats, agreement, conflicts

    def __init__(self, services: Services, library_dir: Path) -> None:
        super().__init__()
        self._services = services
        self._default_path = library_dir / PRISMA_FILE
        self.stats: PrismaStats | None = None
        """The counts, once computed."""
        self.agreement: Agreement | None = None
        """The agreement between reviewers, once computed."""
        self.conflicts: int | None = None
        """Unresolved conflicts (None while blind mode hides them)."""

    def compose(self) -> Iterable[Widget]:
        """Counts (scrolling), the CSV path and the keys."""
        with Vertical(id="stats-dialog") as dialog:
            dialog.border_title = "PRISMA counts"
            with VerticalScroll(id="stats-scroll"):
                yield Static(Content("Counting…"), id="stats-body")
            with Horizontal(id="stats-path-row"):
                yield Label("CSV:")
                yield Input(str(self._default_path), id="stats-path", select_on_focus=False)
            yield Static(Content("w write CSV · tab edit path · F5 count again · Esc close"),
                         id="stats-help")  # fmt: skip

    def on_mount(self) -> None:
        """Count in a worker; keep focus off the path so `w` and Esc act at once."""
        self.query_one("#stats-scroll").focus()
        self._count()

    @work(thread=True, exclusive=True, group="stats", exit_on_error=False,
          description="Counting the library")  # fmt: skip
    def _count(self) -> None:
        from peerlit_tui.services.stats import compute_stats
        from peerlit_tui.services.team import conflict_ids, is_blind, team_agreement

        services = self._services
        stats = compute_stats(services.library, services.annotations)
        annotations = services.annotations
        conflicts = None if is_blind(annotations) else len(conflict_ids(annotations))
        self.post_message(self._Counted(stats, team_agreement(annotations), conflicts))

    @on(_Counted)
    def _counted(self, message: _Counted) -> None:
        self.stats = message.stats
        self.agreement, self.conflicts = message.agreement, message.conflicts
        self._render_stats()

    def on_resize(self) -> None:
        """Rescale the bars to the new width."""
        self._render_stats()

    def _render_stats(self) -> None:
        if self.stats is None:
            return
        width = self.query_one("#stats-body").size.width or 76
        body = stats_content(self.stats, width)
        if self.agreement is not None:
            body = Content("\n").join(
                [body, Content(""), agreement_content(self.agreement, self.conflicts)]
            )
        self.query_one("#stats-body", Static).update(body)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Counting failed: say why instead of showing "Counting…" for ever."""
        if event.state != WorkerState.ERROR:
            return
        event.stop()
        error = event.worker.error
        self.query_one("#stats-body", Static).update(Content("The counts are not available."))
        self.notify(f"{event.worker.description} failed: {error}", severity="error",
                    markup=False)  # fmt: skip

    def action_recompute(self) -> None:
        """Count again (after more screening in another window, say)."""
        self._count()

    def action_close(self) -> None:
        """Back to the records."""
        self.dismiss(None)

    @on(Input.Submitted, "#stats-path")
    def _path_submitted(self) -> None:
        self.action_write_csv()

    def action_write_csv(self) -> None:
        """Write the PRISMA2020 CSV to the path in the path field."""
        if self.stats is None:
            self.notify("Still counting; try again in a moment.", markup=False)
            return
        text = self.query_one("#stats-path", Input).value.strip()
        path = Path(text).expanduser() if text else self._default_path
        self._write(self.stats, path)

    @work(thread=True, exclusive=True, group="stats-csv", exit_on_error=False,
          description="Writing the PRISMA CSV")  # fmt: skip
    def _write(self, stats: PrismaStats, path: Path) -> None:
        from peerlit_tui.services.export_job import write_atomically
        from peerlit_tui.services.stats import prisma_csv

        text = prisma_csv(stats)
        try:
            write_atomically(path, lambda stream: stream.write(text))
        except OSError as error:
            self.app.call_from_thread(
                self.notify, f"Cannot write {path}: {error.strerror or error}",
                severity="error", markup=False,
            )  # fmt: skip
            return
        self.app.call_from_thread(
            self.notify, f"PRISMA flow-diagram CSV written to {path}", markup=False
        )
