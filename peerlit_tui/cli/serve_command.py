"""`peerlit serve`: the app in a web browser, through textual-serve (the optional `serve` extra).

textual-serve runs a command for each browser session and relays its terminal to
the page, so the served command is this same program's `tui` on the same library
folder (an absolute path, whatever the server's working folder). It listens on
127.0.0.1 by default: anyone who can reach the port can read and change the
library, so serving on another address is a deliberate choice. The web server
itself (page, websocket, proxy headers) is `serve_app`, imported only here.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shlex
import subprocess
import sys
from pathlib import Path

from peerlit_tui.cli.context import CliContext, CliError

#: The optional dependency of `peerlit serve`, as the `serve` extra in pyproject.toml pins it.
SERVE_REQUIREMENT = "textual-serve>=1.1,<2"


def missing_extra(python: str = sys.executable) -> str:
    """What to say when textual-serve is not installed: two installs that work.

    peerlit is installed from a checkout (it is not on a package index), so the
    extra is installed from there, or textual-serve straight into the environment
    peerlit runs in.
    """
    return (
        "needs textual-serve, the optional 'serve' extra: in the peerlit checkout run "
        f"`pip install -e '.[serve]'`, or run `{shlex.quote(python)} -m pip install "
        f"'{SERVE_REQUIREMENT}'`"
    )


DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `serve` to the sub-command parser."""
    p = sub.add_parser("serve", help="serve the app in a web browser (needs the 'serve' extra)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    p.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}: this computer only)",
    )
    p.add_argument(
        "--public-url",
        metavar="URL",
        help="the URL browsers use, behind a reverse proxy (default: taken from each request)",
    )
    p.set_defaults(handler=cmd_serve)


def served_command(library_dir: Path, python: str = sys.executable) -> str:
    """The shell command each browser session runs: the app on `library_dir`.

    Args:
        library_dir: The library folder (made absolute).
        python: The Python interpreter running peerlit.
    """
    argv = [python, "-m", "peerlit_tui", "--library", str(Path(library_dir).resolve()), "tui"]
    if os.name == "nt":
        return subprocess.list2cmdline(argv)
    return shlex.join(argv)


def cmd_serve(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit serve [--port N] [--host ADDR] [--public-url URL]`."""
    if not 0 < args.port < 65536:
        raise CliError(f"--port must be between 1 and 65535, not {args.port}", 2)
    try:
        # Imported here: the extra is optional, and no other command pays for aiohttp.
        serve_app = importlib.import_module("peerlit_tui.cli.serve_app")
    except ImportError:
        raise CliError(missing_extra(), 2) from None
    try:
        server = serve_app.PeerlitServer(
            served_command(ctx.library_dir),
            host=args.host,
            port=args.port,
            public_url=args.public_url,
        )
    except ValueError as error:
        raise CliError(str(error), 2) from None
    # Each session opens the stores itself; this process must not hold them.
    ctx.close()
    shown = args.public_url or f"http://{_url_host(args.host)}:{args.port}"
    ctx.print(f"Serving {ctx.library_dir} at {shown} (Ctrl+C stops)")
    server.serve()
    return 0


def _url_host(host: str) -> str:
    """`host` as it stands in a URL (an IPv6 address in brackets)."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
