"""Team screening commands: reviewers, agreement, conflicts, resolve.

Who "I" am comes from `--reviewer NAME` (anywhere on the command line), else
`PEERLIT_REVIEWER`, else the config's `reviewer`, else the login name.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from peerlit_tui.cli.annotate import _apply, _command, _resolve, _service
from peerlit_tui.cli.context import CliContext, CliError

if TYPE_CHECKING:
    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]


def register(sub: SubParsers) -> None:
    """Add the team commands to the sub-command parser."""
    p = _command(sub, "reviewers", cmd_reviewers, "list the reviewers; rename one",
                 "[--rename OLD NEW]")  # fmt: skip
    p.add_argument("--rename", nargs=2, metavar=("OLD", "NEW"), help="rename reviewer OLD")
    _command(sub, "agreement", cmd_agreement, "agreement between reviewers: counts and κ", "")
    _command(sub, "conflicts", cmd_conflicts, "records the reviewers disagree on", "")
    p = _command(sub, "resolve", cmd_resolve, "resolve a conflict with a final decision",
                 "ID include|exclude|maybe [--reason R]")  # fmt: skip
    p.add_argument("id", help="record id, DOI or unique id prefix")
    p.add_argument("decision", help="include, exclude, maybe (undecided withdraws it)")
    p.add_argument("--reason", metavar="R", default="", help="why (free text)")
    p = _command(sub, "blind", cmd_blind, "show or set blind mode (reviewers see only their own)",
                 "[on|off|auto]")  # fmt: skip
    p.add_argument("mode", nargs="?", choices=("on", "off", "auto"), help="the new mode")


def cmd_reviewers(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit reviewers [--rename OLD NEW]`."""
    from peerlit_tui.services.team import rename_reviewer, reviewers

    svc = _service(ctx, read_only=not args.rename)
    if args.rename:
        old, new = args.rename
        _apply(ctx, lambda: rename_reviewer(svc, old, new))
    listed = reviewers(svc)
    if args.json:
        ctx.emit_json({"you": svc.reviewer, "reviewers": listed})
        return 0
    ctx.print(f"you are {svc.reviewer}")
    for r in listed:
        ctx.print(f"{r['name']}\t{r['screened']} screened")
    return 0


def _kappa_text(value: float | None, note: str) -> str:
    return f"{value:.3f}" if value is not None else note


def cmd_agreement(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit agreement`."""
    from peerlit_tui.services.team import team_agreement

    data = team_agreement(_service(ctx, read_only=True)).to_json()
    if args.json:
        ctx.emit_json(data)
        return 0
    if len(data["reviewers"]) < 2:
        ctx.print("agreement needs two reviewers who screened records")
        return 0
    for pair in data["pairs"]:
        a, b = pair["reviewers"]
        pct = pair["percent_agreement"]
        share = f"{pct:.1f}%" if pct is not None else "–"
        ctx.print(
            f"{a} and {b}: {pair['both_screened']} screened by both, {pair['agree']} agree "
            f"({share}), {pair['conflicts']} conflicts; Cohen's κ "
            f"{_kappa_text(pair['cohen_kappa'], pair['kappa_note'])}"
        )
    if "fleiss_kappa" in data:
        ctx.print(
            f"all {len(data['reviewers'])} reviewers: {data['both_screened']} screened by all; "
            f"Fleiss' κ {_kappa_text(data['fleiss_kappa'], data['fleiss_note'])}"
        )
    return 0


def cmd_conflicts(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit conflicts`."""
    from peerlit_tui.services.team import BlindError, conflicts

    try:
        found: list[dict[str, Any]] = conflicts(_service(ctx, read_only=True))
    except BlindError as exc:
        raise CliError(str(exc), 2) from exc
    if args.json:
        ctx.emit_json({"conflicts": found})
        return 0
    if not found:
        ctx.print("no conflicts")
    for item in found:
        votes = ", ".join(
            f"{name}: {v['decision']}" + (f" ({v['reason']})" if v["reason"] else "")
            for name, v in item["decisions"].items()
        )
        ctx.print(f"{item['id']}\t{votes}")
    return 0


def cmd_blind(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit blind [on|off|auto]`."""
    from peerlit_tui.services.team import blind_mode, is_blind, set_blind_mode

    svc = _service(ctx, read_only=args.mode is None)
    if args.mode is not None:
        try:
            set_blind_mode(svc, args.mode)
        except (ValueError, OSError) as exc:
            raise CliError(f"blind mode not changed: {exc}", 2) from exc
    data = {"mode": blind_mode(svc), "in_effect": is_blind(svc)}
    if args.json:
        ctx.emit_json(data)
    else:
        state = "on" if data["in_effect"] else "off"
        ctx.print(f"blind mode {data['mode']} (in effect: {state})")
    return 0


def cmd_resolve(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit resolve ID include|exclude|maybe [--reason R]`."""
    from peerlit_tui.services.team import decisions_of, resolution_of, resolve

    (record_id,) = _resolve(ctx, [args.id])
    svc = _service(ctx)
    if args.decision not in ("include", "exclude", "maybe", "undecided"):
        raise CliError("give a decision: include, exclude or maybe (undecided withdraws)", 2)
    txn = _apply(ctx, lambda: resolve(svc, record_id, args.decision, args.reason))
    data = {
        "id": record_id,
        "decision": svc.get(record_id).decision,
        "resolution": resolution_of(svc, record_id),
        "decisions": decisions_of(svc, record_id),
        "changed": txn is not None,
    }
    if args.json:
        ctx.emit_json(data)
    else:
        ctx.print(f"{record_id}: resolved as {args.decision}; final decision {data['decision']}")
    return 0
