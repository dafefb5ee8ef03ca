"""`peerlit sync [--remote URL]`: one review across machines, through a git remote.

The first call with `--remote` connects the library (any URL git accepts: a path,
ssh://host/path, https://...); later calls take no argument. `--status` says
whether and when the library last synced. Exit codes: 0 in step with the
remote, 1 when the remote could not be reached (nothing lost; the next sync
completes it), 2 for failures.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from peerlit_tui.cli.annotate import _command, _service
from peerlit_tui.cli.context import CliContext, CliError

if TYPE_CHECKING:
    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]


def register(sub: SubParsers) -> None:
    """Add the sync command to the sub-command parser."""
    p = _command(sub, "sync", cmd_sync, "share annotations with the team through a git remote",
                 "[--remote URL] [--status]")  # fmt: skip
    p.add_argument(
        "--remote",
        metavar="URL",
        help="connect to this git remote (a bare repository: path, ssh:// or https:// URL); "
        "needed once",
    )
    p.add_argument("--status", action="store_true", help="say when the library last synced")


def remote_url(text: str) -> str:
    """The remote as git should see it: a local path made absolute, a URL as given.

    Raises:
        CliError: For an empty URL or one git would read as an option.
    """
    url = text.strip()
    if not url or url.startswith("-"):
        raise CliError(f"--remote {text!r}: give a git URL or the path of a bare repository", 2)
    if "://" in url:
        return url
    path = Path(url).expanduser()
    scp_like = ":" in url.split("/", 1)[0] and not path.exists()
    if not scp_like:
        return str(path.resolve())
    return url


def cmd_sync(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit sync [--remote URL] [--status]`."""
    from peerlit_tui.services.sync import SyncError, sync, sync_status

    if args.status:
        status = sync_status(ctx.library_dir)
        if args.json:
            ctx.emit_json(status)
        elif not status["connected"]:
            ctx.print("not connected: run `peerlit sync --remote URL` once")
        else:
            ctx.print(f"remote {status['remote']}; last sync {status['last_sync'] or 'never'}")
            if status["last_result"]:
                ctx.print(status["last_result"])
        return 0
    remote = remote_url(args.remote) if args.remote is not None else None
    library = ctx.library()
    svc = _service(ctx)
    try:
        report = sync(ctx.library_dir, library, svc, remote=remote)
    except SyncError as exc:
        raise CliError(f"sync: {exc}", 2) from exc
    ctx.changed(report.changes)
    for warning in report.warnings[:20]:
        ctx.error(f"warning: {warning}")
    if len(report.warnings) > 20:
        ctx.error(f"warning: … and {len(report.warnings) - 20} more")
    if args.json:
        ctx.emit_json(report.to_json())
    else:
        for line in report.lines():
            ctx.print(line)
    return 1 if report.offline else 0
