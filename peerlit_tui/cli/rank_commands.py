"""Ranking commands: `peerlit rank` (screen the likely ones first) and `peerlit simulate`.

`rank` retrains the library's model on its decisions now and lists the best-ranked
undecided records. `simulate` replays a labelled export with exactly the app's model
and retraining cadence, so a user can see what ranking would have saved on a review
they already screened.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peerlit_tui.cli.context import CliContext, CliError
from peerlit_tui.text import clean_line

if TYPE_CHECKING:
    from peerlit_tui.services.simulation import SimulationResult


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `rank` and `simulate` to the sub-command parser."""
    p = sub.add_parser("rank", help="retrain the relevance model and list the likely inclusions")
    p.add_argument("query", nargs="*", help="rank only the records of this query")
    p.add_argument("--limit", type=int, default=20, metavar="N", help="how many (default 20)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_rank)

    p = sub.add_parser(
        "simulate", help="replay a labelled export with the ranking model and report WSS@95"
    )
    p.add_argument("file", metavar="FILE", help="a labelled export (CSV, RIS, ...)")
    p.add_argument(
        "--label-column",
        metavar="COL",
        help="column holding the 0/1 label (default: label_included, included, "
        "asreview_label, ..., or Rayyan/ASReview notes)",
    )
    p.add_argument("--seed", type=int, default=1, help="chooses the two priors (default 1)")
    p.add_argument("--format", dest="format_name", help="force an import format")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--plot", metavar="FILE", help="also draw the recall curve (.svg or .png)")
    p.set_defaults(handler=cmd_simulate)


def cmd_rank(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit rank [QUERY] [--limit N] [--json]`."""
    from peerlit_tui.query import QueryError, parse
    from peerlit_tui.services.ranking import RankingService, RankingUnavailable
    from peerlit_tui.services.search import search_ids

    library = ctx.library()
    annotations = ctx.annotations()
    subset = None
    if args.query:
        try:
            query = parse(" ".join(args.query))
        except QueryError as exc:
            raise CliError(f"bad query: {exc}", 2) from exc
        subset = search_ids(library, query, annotations)
    service = RankingService(library, annotations)
    try:
        result = service.retrain()
    except RankingUnavailable as exc:
        raise CliError(str(exc), 1) from exc
    limit = args.limit if args.limit and args.limit > 0 else None
    ranked = service.ranked_undecided(subset, limit=limit)
    records = {r.id: r for r in library.iter_records([rid for rid, _ in ranked])}
    if args.json:
        ctx.emit_json(
            {
                "trained_at": result.trained_at,
                "n_decisions": result.n_decisions,
                "n_include": result.n_include,
                "n_exclude": result.n_exclude,
                "seconds": round(result.seconds, 3),
                "model": result.model,
                "records": [
                    {
                        "id": rid,
                        "score": round(score, 6),
                        "level": service.level(rid),
                        "title": records[rid].title if rid in records else "",
                    }
                    for rid, score in ranked
                ],
            }
        )
        return 0
    ctx.print(
        f"ranked by {result.n_decisions} decisions ({result.n_include} included, "
        f"{result.n_exclude} excluded) in {result.seconds:.1f} s"
    )
    if not ranked:
        ctx.print("no undecided records" + (" match the query" if subset is not None else ""))
    for rid, score in ranked:
        record = records.get(rid)
        title = clean_line(record.title) if record else ""
        ctx.print(f"{service.level(rid)} {score:+.3f}  {rid:<14} {title[:80]}")
    return 0


def cmd_simulate(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit simulate FILE [--label-column COL] [--seed N] [--json] [--plot FILE]`."""
    from peerlit_tui.importers.pipeline import read_file
    from peerlit_tui.services.labels import labelled
    from peerlit_tui.services.ranking_features import text_for
    from peerlit_tui.services.ranking_model import DEFAULT_MODEL
    from peerlit_tui.services.simulation import LabelOracle, simulate

    path = Path(args.file).expanduser()
    if not path.exists():
        raise CliError(f"no such file: {path}")
    if args.plot:
        _check_plot(Path(args.plot))
    result = read_file(path, format_name=args.format_name)
    if result.error:
        raise CliError(f"cannot read {path}: {result.error}")
    found = labelled(result.records, args.label_column)
    column = f"column {args.label_column!r}" if args.label_column else "a label"
    if not found.records:
        raise CliError(
            f"{path}: no record has {column} (0/1, included/excluded); "
            "name the column with --label-column"
        )
    n_incl = sum(found.labels)
    if n_incl == 0 or n_incl == len(found.labels):
        kind = "excluded" if n_incl == 0 else "included"
        raise CliError(f"{path}: every labelled record is {kind}; a simulation needs both")
    if found.unlabelled:
        ctx.error(f"{found.unlabelled} records without {column} were left out")
    skipped = sum(1 for issue in result.issues if issue.skipped)
    if skipped:
        ctx.error(f"{skipped} rows of {path.name} could not be read and were left out")
    texts = [text_for(r, DEFAULT_MODEL.features) for r in found.records]
    sim = simulate(texts, LabelOracle(found.labels), seed=args.seed)
    if args.plot:
        _plot(sim, Path(args.plot).expanduser())
    if args.json:
        data: dict[str, Any] = {"file": str(path), **sim.to_json()}
        ctx.emit_json(data)
        return 0
    for line in simulation_lines(sim, path.name):
        ctx.print(line)
    if args.plot:
        ctx.print(f"recall curve written to {args.plot}")
    return 0


def simulation_lines(sim: SimulationResult, name: str) -> list[str]:
    """The text report of one simulation."""
    m = sim.metrics
    return [
        f"simulated screening of {clean_line(name)}: {m.records} records, "
        f"{m.inclusions} inclusions, priors from seed {sim.seed}",
        f"model: {sim.model}; retrained every {sim.every} decisions ({sim.retrains} fits)",
        f"  WSS@95                    {m.wss95:.3f}",
        f"  recall after 10 % read    {m.recall_at_10pct:.3f}",
        f"  recall after 20 % read    {m.recall_at_20pct:.3f}",
        f"  read to find 95 %         {m.screened_to_95} of {m.records}",
        f"  read to find 100 %        {m.screened_to_100} of {m.records}",
        f"  seconds                   {sim.seconds:.1f}",
    ]


def _check_plot(path: Path) -> None:
    # Before the simulation runs, so a missing extra does not cost a whole run.
    if path.suffix.lower() not in (".svg", ".png"):
        raise CliError(f"--plot writes .svg or .png, not {path.suffix or 'no extension'}")
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise CliError("--plot needs matplotlib: pip install 'peerlit-tui[plot]'", 2) from exc


def _plot(sim: SimulationResult, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    m = sim.metrics
    found = [0]
    labels = sim.labels
    for label in labels:
        found.append(found[-1] + int(label))
    # The run stops at the last inclusion; the rest of the file adds none.
    xs = [*range(len(found)), m.records]
    ys = [*found, found[-1]]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(xs, ys, label="peerlit ranking")
    ax.plot([0, m.records], [0, m.inclusions], linestyle="--", label="random order")
    ax.axvline(m.screened_to_95, color="grey", linewidth=0.8)
    ax.set_xlabel("records screened")
    ax.set_ylabel("inclusions found")
    ax.set_title(f"WSS@95 {m.wss95:.3f}, seed {sim.seed}")
    ax.legend()
    try:
        fig.savefig(path)
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        plt.close(fig)
