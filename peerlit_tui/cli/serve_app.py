"""The web server of `peerlit serve`: textual-serve, with a page fit for tunnels and proxies.

textual-serve's own page writes absolute URLs made from the address it listens
on (so a page reached through `ssh -L 9000:127.0.0.1:8000` or a reverse proxy
points its websocket at an address the browser cannot reach) and loads its font
from a third-party host. This server keeps textual-serve's session handling
(one app process per websocket) and replaces the page:

* URLs come from `--public-url` when given, else from the request as the browser
  sent it (RFC 7239 `Forwarded`, then `X-Forwarded-Proto/Host/Prefix`, then
  `Host`), so a tunnel on another port or a proxy under a path prefix just works;
* the page refers only to same-origin paths (the terminal font is the copy
  textual-serve ships) and says so in a Content-Security-Policy;
* a websocket is accepted only from a page of the same origin: browsers let any
  web site open a websocket to 127.0.0.1, and this one drives the library;
* without `--public-url`, a host *name* in `Host` is accepted only from a proxy
  (one that adds `Forwarded`/`X-Forwarded-*`) or when it is `localhost`: a web
  site whose name was re-pointed at 127.0.0.1 (DNS rebinding) gets no session.
  IP addresses and `localhost` (SSH tunnels, direct use) need nothing.

Only `peerlit serve` imports this module (textual-serve and aiohttp are the
optional `serve` extra).
"""

from __future__ import annotations

import html
import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web
from textual_serve.server import Server

#: A host (name, IPv4 or bracketed IPv6) with an optional port: what a Host header may hold.
_HOST = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$")
#: A path prefix of plain URL path characters, without a trailing slash.
_PREFIX = re.compile(r"^(?:/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)*$")
#: The font the terminal uses, shipped in textual-serve's static folder.
_FONT = "fonts/RobotoMono-VariableFont_wght.ttf"


@dataclass(frozen=True)
class PublicOrigin:
    """Where the browser reaches the server: scheme, host[:port] and path prefix.

    Attributes:
        scheme: "http" or "https".
        host: Host and optional port, as the browser writes it.
        prefix: Path the app is mounted under ("" at the root, else "/a/b").
    """

    scheme: str
    host: str
    prefix: str = ""

    @property
    def origin(self) -> str:
        """The web origin, as a browser's `Origin` header spells it."""
        return f"{self.scheme}://{self.host}".lower()

    @property
    def websocket_url(self) -> str:
        """The absolute websocket URL of the session endpoint."""
        ws = "wss" if self.scheme == "https" else "ws"
        return f"{ws}://{self.host}{self.prefix}/ws"

    @property
    def static_path(self) -> str:
        """The same-origin path of the static files, ending in "/"."""
        return f"{self.prefix}/static/"


def parse_public_url(url: str) -> PublicOrigin:
    """Check a `--public-url` and split it into a `PublicOrigin`.

    Raises:
        ValueError: The URL is not an http(s) URL with a host (the message says why).
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"--public-url must start with http:// or https://, not {url!r}")
    if not parts.netloc or "@" in parts.netloc or not _HOST.match(parts.netloc):
        raise ValueError(
            f"--public-url needs a host name, such as https://review.example.org/ ({url!r})"
        )
    if parts.query or parts.fragment:
        raise ValueError(f"--public-url takes no query or fragment ({url!r})")
    prefix = parts.path.rstrip("/")
    if not _PREFIX.match(prefix):
        raise ValueError(f"--public-url has an unusable path ({url!r})")
    return PublicOrigin(parts.scheme, parts.netloc, prefix)


def _first(value: str | None) -> str:
    """The first entry of a comma-separated header (the one the client's side added)."""
    return (value or "").split(",")[0].strip()


def origin_of_request(request: web.BaseRequest) -> PublicOrigin:
    """Where the browser that sent `request` reached us, from its headers.

    A proxy that adds `Forwarded` or `X-Forwarded-*` headers is believed; values
    that are not a plain scheme, host or path are ignored rather than echoed into
    the page.
    """
    forwarded = request.forwarded[0] if request.forwarded else {}
    scheme = (forwarded.get("proto") or _first(request.headers.get("X-Forwarded-Proto"))).lower()
    if scheme not in ("http", "https"):
        scheme = request.scheme if request.scheme in ("http", "https") else "http"
    host = forwarded.get("host") or _first(request.headers.get("X-Forwarded-Host"))
    if not _HOST.match(host):
        host = request.headers.get("Host", "")
    if not _HOST.match(host):
        host = "127.0.0.1"  # no usable Host: only a same-machine client gets this far
    prefix = _first(request.headers.get("X-Forwarded-Prefix")).rstrip("/")
    if not _PREFIX.match(prefix):
        prefix = ""
    return PublicOrigin(scheme, host, prefix)


_PROXY_HEADERS = ("Forwarded", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-For")


def host_refusal(request: web.BaseRequest) -> str | None:
    """Why a request without `--public-url` names a host we will not serve, or None.

    A browser cannot add proxy headers to a page load or a websocket, so their
    presence means a proxy (trusted by whoever runs it) sent the request.
    """
    if any(name in request.headers for name in _PROXY_HEADERS):
        return None
    host = request.headers.get("Host", "")
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.strip("[]").rstrip(".").lower()
    try:
        ipaddress.ip_address(name)
        return None
    except ValueError:
        pass
    if name == "localhost" or name.endswith(".localhost"):
        return None
    return (
        f"peerlit serve does not know the host name {name!r}: start it with "
        f"--public-url http://{host}/ (or the https address your proxy serves)\n"
    )


def page_html(origin: PublicOrigin, title: str, font_size: int) -> str:
    """The page that hosts the terminal: same-origin references only."""
    static = html.escape(origin.static_path, quote=True)
    return _PAGE.format(
        static=static,
        font=_FONT,
        title=html.escape(title),
        websocket=html.escape(origin.websocket_url, quote=True),
        font_size=font_size,
    )


def content_security_policy(origin: PublicOrigin) -> str:
    """Let the page load from its own origin only (and talk to its own websocket)."""
    return (
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self'; "
        f"connect-src 'self' {origin.websocket_url}; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'self'"
    )


class PeerlitServer(Server):
    """textual-serve's server with the page and checks described in this module.

    Args:
        command: The shell command each browser session runs.
        host: Address to listen on.
        port: Port to listen on.
        public_url: The URL browsers use, or None to take it from each request.
    """

    def __init__(self, command: str, host: str, port: int, public_url: str | None = None) -> None:
        self.fixed_origin = parse_public_url(public_url) if public_url else None
        super().__init__(command, host=host, port=port, title="peerlit", public_url=public_url)

    def origin_for(self, request: web.BaseRequest) -> PublicOrigin:
        """The origin the page is served for: `--public-url`, else the request's."""
        return self.fixed_origin or origin_of_request(request)

    def check_host(self, request: web.BaseRequest) -> None:
        """Refuse a host name nobody configured (see the module notes on DNS rebinding).

        Raises:
            web.HTTPForbidden: The request named such a host.
        """
        if self.fixed_origin is None and (refusal := host_refusal(request)):
            raise web.HTTPForbidden(text=refusal)

    def make_app(self) -> web.Application:
        """The aiohttp application: page, session websocket, downloads, static files."""
        app = web.Application()
        app.add_routes(
            [
                web.get("/", self.handle_page),
                web.get("/ws", self.handle_session),
                web.get("/download/{key}", self.handle_download),
                # No folder listings: the page names every file it needs.
                web.static("/static", self.statics_path, show_index=False),
            ]
        )
        return app

    async def _make_app(self) -> web.Application:
        """What textual-serve's `serve()` runs: this module's application."""
        return self.make_app()

    async def handle_page(self, request: web.Request) -> web.Response:
        """Serve the page for the origin the browser used."""
        self.check_host(request)
        origin = self.origin_for(request)
        try:
            font_size = min(max(int(request.query.get("fontsize", "16")), 6), 64)
        except ValueError:
            font_size = 16
        response = web.Response(
            text=page_html(origin, self.title, font_size), content_type="text/html"
        )
        response.headers["Content-Security-Policy"] = content_security_policy(origin)
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    async def handle_session(self, request: web.Request) -> web.StreamResponse:
        """Start a session for a page of our own origin; refuse other web sites."""
        self.check_host(request)
        origin = request.headers.get("Origin")
        if origin is not None and origin.lower().rstrip("/") != self.origin_for(request).origin:
            raise web.HTTPForbidden(text="websocket from another origin refused\n")
        return await self.handle_websocket(request)


_PAGE = """<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8" />
    <title>{title}</title>
    <link rel="stylesheet" href="{static}css/xterm.css" />
    <link rel="preload" href="{static}{font}" as="font" type="font/ttf" crossorigin />
    <script src="{static}js/textual.js"></script>
    <style>
      @font-face {{
        font-family: "Roboto Mono";
        src: url("{static}{font}") format("truetype");
        font-weight: 100 700;
      }}
      body {{ background: #0c181f; }}
      .dialog-container {{
        position: absolute; width: 100vw; height: 100vh; display: flex;
        align-items: center; justify-content: center; z-index: 10;
      }}
      .shade {{ position: absolute; width: 100%; height: 100%; background: #0c181f; }}
      .intro {{
        width: 640px; height: 240px; font-size: 16px; z-index: 20;
        font-family: "Roboto Mono", menlo, monospace; text-align: center;
        color: rgba(255, 255, 255, 0.95); background-color: #12232d;
        display: flex; flex-direction: column; align-items: center; justify-content: center;
        margin: 32px;
      }}
      body.-first-byte .intro-dialog, body.-first-byte .intro-dialog .shade {{ display: none; }}
      body .textual-terminal {{ opacity: 0; transition: opacity 0.3s ease-out; }}
      body.-first-byte .textual-terminal {{ opacity: 1; }}
      button {{
        padding: 16px 32px; background-color: #5e0ba7; color: rgba(255, 255, 255, 0.95);
        border: none; font-family: "Roboto Mono", menlo, monospace; margin: 16px;
      }}
      button:hover {{ background: #ac5af4; cursor: pointer; }}
      .closed-dialog {{ display: none; }}
      body.-closed .closed-dialog {{ display: flex; }}
      #start {{ display: none; }}
      #start.-delay {{ display: block; }}
    </style>
    <script>
      function refresh() {{
        const params = new URLSearchParams(window.location.search);
        params.delete("delay");
        params.delete("ping");
        window.location.href = window.location.pathname + "?" + params.toString();
      }}
    </script>
  </head>
  <body>
    <div class="dialog-container intro-dialog">
      <div class="shade"></div>
      <div class="intro">
        <div>{title}</div>
        <button type="button" onclick="refresh()" id="start">Start</button>
      </div>
    </div>
    <div class="dialog-container closed-dialog">
      <div class="shade"></div>
      <div class="intro">
        <div class="message">Session ended.</div>
        <button type="button" onclick="refresh()">Restart</button>
      </div>
    </div>
    <div id="terminal" class="textual-terminal"
      data-session-websocket-url="{websocket}" data-font-size="{font_size}"></div>
  </body>
</html>
"""
