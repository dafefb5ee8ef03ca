"""`peerlit serve` as a browser reaches it: through a tunnel on another port, behind a proxy.

A small TCP forwarder on loopback stands in for `ssh -L`: the client talks to the
forward port, the server listens on another. Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

pytest.importorskip("textual_serve", reason="the 'serve' extra is not installed")
aiohttp = pytest.importorskip("aiohttp")
from aiohttp import web  # noqa: E402
from aiohttp.test_utils import make_mocked_request  # noqa: E402

from peerlit_tui.cli import main  # noqa: E402
from peerlit_tui.cli.serve_app import (  # noqa: E402
    PeerlitServer,
    origin_of_request,
    parse_public_url,
)
from peerlit_tui.cli.serve_command import served_command  # noqa: E402

LOOPBACK = "127.0.0.1"


@contextlib.asynccontextmanager
async def forwarder(target_port: int) -> AsyncIterator[int]:
    """Relay TCP connections from a new loopback port to `target_port`, as `ssh -L` does."""

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def relay(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection(LOOPBACK, target_port)
        await asyncio.gather(pipe(client_r, server_w), pipe(server_r, client_w))

    server = await asyncio.start_server(relay, LOOPBACK, 0)
    port = server.sockets[0].getsockname()[1]
    assert port != target_port
    try:
        yield port
    finally:
        server.close()


class _Refs(HTMLParser):
    """Every URL an HTML page makes the browser load, plus the terminal's websocket URL."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.websocket = ""
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href"):
            if values.get(name):
                self.urls.append(values[name] or "")
        if "data-session-websocket-url" in values:
            self.websocket = values["data-session-websocket-url"] or ""
        self._in_style = tag == "style"

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data


def css_urls(css: str) -> list[str]:
    """The `url(...)` and `@import` targets of a style sheet."""
    found = re.findall(r"url\(\s*['\"]?([^'\")]+)", css)
    return found + re.findall(r"@import\s+['\"]([^'\"]+)", css)


def assert_same_origin(base: str, urls: list[str]) -> None:
    origin = urlsplit(base)[:2]
    for url in urls:
        if url.startswith("data:"):
            continue
        assert urlsplit(urljoin(base, url))[:2] == origin, url


@contextlib.asynccontextmanager
async def running(server: PeerlitServer) -> AsyncIterator[int]:
    """Run the server's application on a free loopback port."""
    runner = web.AppRunner(server.make_app())
    await runner.setup()
    site = web.TCPSite(runner, LOOPBACK, 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield port
    finally:
        await runner.cleanup()


async def test_page_loads_only_same_origin_files_through_a_tunnel(tmp_path: Path) -> None:
    server = PeerlitServer(served_command(tmp_path / "lib"), host=LOOPBACK, port=0)
    async with running(server) as port, forwarder(port) as forward:
        base = f"http://{LOOPBACK}:{forward}/"
        async with aiohttp.ClientSession() as client:
            async with client.get(base) as response:
                assert response.status == 200
                page = await response.text()
                assert "default-src 'self'" in response.headers["Content-Security-Policy"]
            refs = _Refs()
            refs.feed(page)
            # The browser is on the forward port: the websocket must point there.
            assert refs.websocket == f"ws://{LOOPBACK}:{forward}/ws"
            assert "googleapis" not in page and "fonts.g" not in page
            loaded = refs.urls + css_urls(refs.style)
            assert loaded and any(u.endswith(".js") for u in loaded)
            assert_same_origin(base, loaded)
            for url in loaded:
                async with client.get(urljoin(base, url)) as response:
                    assert response.status == 200, url
                    body = await response.read()
                if url.endswith(".css"):
                    assert_same_origin(urljoin(base, url), css_urls(body.decode()))
                if url.endswith(".js"):
                    # Licence comments name web sites; code must not load from one.
                    code = re.sub(rb"/\*.*?\*/", b"", body, flags=re.S)
                    assert not re.search(rb"(https?:)?//[A-Za-z0-9-]+\.[A-Za-z]{2,}", code)
            async with client.get(base + "static/") as response:
                assert response.status in (403, 404)  # no folder listings


async def test_urls_follow_proxy_headers_or_public_url(tmp_path: Path) -> None:
    proxied = make_mocked_request(
        "GET",
        "/",
        headers={
            "Host": "127.0.0.1:8000",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "review.example.org",
            "X-Forwarded-Prefix": "/peerlit/",
        },
    )
    origin = origin_of_request(proxied)
    assert origin.websocket_url == "wss://review.example.org/peerlit/ws"
    assert origin.static_path == "/peerlit/static/"
    rfc7239 = make_mocked_request(
        "GET", "/", headers={"Host": "x", "Forwarded": 'proto=https;host="team.example:8443"'}
    )
    assert origin_of_request(rfc7239).websocket_url == "wss://team.example:8443/ws"
    # Header values that are not a host are not echoed into the page.
    hostile = make_mocked_request(
        "GET", "/", headers={"Host": "localhost:9000", "X-Forwarded-Host": '"><script>'}
    )
    assert origin_of_request(hostile).websocket_url == "ws://localhost:9000/ws"

    server = PeerlitServer("true", host=LOOPBACK, port=0, public_url="https://lab.example/rev/")
    async with running(server) as port, aiohttp.ClientSession() as client:
        async with client.get(f"http://{LOOPBACK}:{port}/") as response:
            refs = _Refs()
            refs.feed(await response.text())
        assert refs.websocket == "wss://lab.example/rev/ws"
        assert all(u.startswith("/rev/static/") for u in refs.urls)


async def test_websocket_from_another_site_is_refused(tmp_path: Path) -> None:
    server = PeerlitServer(served_command(tmp_path / "lib"), host=LOOPBACK, port=0)
    async with running(server) as port, aiohttp.ClientSession() as client:
        url = f"http://{LOOPBACK}:{port}/ws"
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect(url, headers={"Origin": "https://evil.example"})
        assert refused.value.status == 403


async def test_a_renamed_host_gets_no_session(tmp_path: Path) -> None:
    """DNS rebinding: a site whose name now resolves to 127.0.0.1 is same-origin with itself."""
    server = PeerlitServer(served_command(tmp_path / "lib"), host=LOOPBACK, port=0)
    async with running(server) as port, aiohttp.ClientSession() as client:
        base = f"http://{LOOPBACK}:{port}"
        evil = {"Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}"}
        async with client.get(base + "/", headers=evil) as response:
            assert response.status == 403
            assert "--public-url" in await response.text()
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect(base + "/ws", headers=evil)
        assert refused.value.status == 403
        for host in (f"localhost:{port}", f"[::1]:{port}", f"127.0.0.1:{port}"):
            async with client.get(base + "/", headers={"Host": host}) as response:
                assert response.status == 200, host
        # Through a proxy (which adds its headers) a name is fine.
        proxied = {"Host": "review.example.org", "X-Forwarded-Proto": "https"}
        async with client.get(base + "/", headers=proxied) as response:
            assert response.status == 200
            assert "wss://review.example.org/ws" in await response.text()


@pytest.mark.parametrize(
    "url", ["ftp://x/", "https://", "https://user@host/", "https://h/?q=1", "review.example.org"]
)
def test_bad_public_url_is_refused(url: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="--public-url"):
        parse_public_url(url)
    assert main(["--library", str(tmp_path), "serve", "--public-url", url]) == 2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


async def _wait_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        assert process.poll() is None, "peerlit serve exited early"
        with contextlib.suppress(OSError):
            _, writer = await asyncio.open_connection(LOOPBACK, port)
            writer.close()
            return
        await asyncio.sleep(0.1)
    raise AssertionError("peerlit serve did not start listening")


async def test_served_app_runs_behind_a_tunnel(tmp_path: Path) -> None:
    """The real command, a real websocket client, through a forward port: the app talks."""
    port = _free_port()
    command = [sys.executable, "-m", "peerlit_tui", "--library", str(tmp_path / "lib")]
    process = subprocess.Popen(
        [*command, "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1"},
    )
    try:
        await asyncio.wait_for(_wait_listening(port, process), 60)
        async with forwarder(port) as forward, aiohttp.ClientSession() as client:
            origin = f"http://{LOOPBACK}:{forward}"
            async with client.get(origin + "/") as response:
                refs = _Refs()
                refs.feed(await response.text())
            assert refs.websocket == f"ws://{LOOPBACK}:{forward}/ws"
            async with client.ws_connect(
                refs.websocket + "?width=100&height=30", headers={"Origin": origin}
            ) as ws:
                await ws.send_json(["resize", {"width": 100, "height": 30}])
                output = b""

                async def read_output() -> None:
                    nonlocal output
                    while b"\x1b[" not in output or len(output) < 2000:
                        message = await ws.receive()
                        assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT)
                        if message.type == aiohttp.WSMsgType.BINARY:
                            output += message.data

                await asyncio.wait_for(read_output(), 90)
        assert b"\x1b[" in output  # the app drew on the terminal
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _, err = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            _, err = process.communicate()
    assert b"Traceback" not in err, err.decode(errors="replace")
