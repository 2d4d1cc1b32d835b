"""`buurttrainer serve`: the app in a web browser; `buurttrainer trainer-password`: its lock.

textual-serve runs one app process per browser tab, each with the same --data-dir and
--content, so every tab writes to the same store (SQLite in WAL mode takes several writers).
The child knows it is served from BUURTTRAINER_SERVED=1 in the command the server runs, which
the browser cannot change; served, the trainer area asks for the trainer password.

The server binds to loopback unless --allow-remote is given. textual-serve itself checks no
Origin, so any web page open in the same browser could drive a tab over a cross-site
WebSocket; this server accepts a WebSocket only from its own page (same Origin), and only for
host names that cannot be DNS-rebound (loopback names, IP addresses, this computer's name).
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import os
import shlex
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainer.cli import UserError
from trainer.messages import language, text
from trainer.web.passwords import SERVED_ENV

if TYPE_CHECKING:
    from aiohttp import web

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_loopback(host: str) -> bool:
    """Whether binding to `host` only reaches this computer."""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def child_command(data: Path, content: Path, lang: str, python: str | None = None) -> str:
    """The shell command textual-serve runs for each browser tab: this program's app on the
    same store and content, marked as served. `exec` lets the app replace the shell, so the
    server's stop signal reaches it."""
    args = [python or sys.executable, "-m", "trainer"]
    args += ["--data-dir", str(data), "--content", str(content), "--lang", lang]
    if os.name == "nt":  # cmd.exe has no `env`; the child inherits SERVED_ENV from run()
        import subprocess

        return subprocess.list2cmdline(args)
    return "exec env " + shlex.join([f"{SERVED_ENV}=1", *args])


def own_host_names() -> set[str]:
    """Names this computer answers to on the network (for --allow-remote)."""
    names = {"localhost"}
    for name in (socket.gethostname(), socket.getfqdn()):
        if name:
            names.add(name.lower())
            names.add(name.lower().split(".")[0] + ".local")
    return names


def host_name(header_host: str) -> str:
    """The name in a Host header, without the port: `[::1]:8000` -> `::1`."""
    if header_host.startswith("["):
        return header_host[1:].split("]", 1)[0].lower()
    if header_host.count(":") == 1:
        return header_host.rsplit(":", 1)[0].lower()
    return header_host.lower()


def host_allowed(header_host: str, remote: bool, names: set[str] | None = None) -> bool:
    """Whether a request's Host header may be served. Loopback serving answers only loopback
    names; remote serving also IP addresses and this computer's own names. Other names are
    refused, which stops DNS rebinding (a web page whose name points at this server)."""
    hostname = host_name(header_host)
    if not hostname:
        return False
    if is_loopback(hostname):
        return True
    if not remote:
        return False
    try:
        ipaddress.ip_address(hostname)
        return True
    except ValueError:
        return hostname in (names if names is not None else own_host_names())


def lan_address() -> str | None:
    """This computer's address on the local network, to tell trainees where to go (no packet
    is sent: connecting a UDP socket only picks the outgoing interface)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere real
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def origin_matches(origin: str | None, scheme: str, host: str) -> bool:
    """A browser's WebSocket comes from this server's own page: same scheme and host."""
    return bool(origin) and origin.lower() == f"{scheme}://{host}".lower()  # type: ignore[union-attr]


# The start page: textual-serve's, in Dutch, with its own Roboto Mono instead of Google Fonts
# (works without internet, tells no third party who practises), and xterm.js started only
# once that font is loaded, so the character grid is measured with the font it draws with.
PAGE = """<!DOCTYPE html>
<html lang="{{ lang }}">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{{ title }}</title>
    <link rel="stylesheet" href="{{ static }}css/xterm.css">
    <link rel="preload" href="{{ static }}fonts/RobotoMono-VariableFont_wght.ttf" as="font"
      type="font/ttf" crossorigin>
    <style>
      @font-face {
        font-family: "Roboto Mono";
        src: url("{{ static }}fonts/RobotoMono-VariableFont_wght.ttf") format("truetype");
        font-weight: 100 700;
        font-style: normal;
      }
      @font-face {
        font-family: "Roboto Mono";
        src: url("{{ static }}fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype");
        font-weight: 100 700;
        font-style: italic;
      }
      html, body { margin: 0; padding: 0; height: 100%; overflow: hidden; }
      body { background: #121212; font-family: "Roboto Mono", monospace; }
      .dialog-container {
        position: absolute; inset: 0; display: flex; align-items: center;
        justify-content: center; z-index: 10;
      }
      .intro {
        max-width: 36em; padding: 2em 2.5em; z-index: 20; font-size: 18px;
        line-height: 1.5; text-align: center; color: rgba(255, 255, 255, 0.95);
        background-color: #1e1e1e; border: 2px solid #0178d4; border-radius: 4px;
      }
      .intro h1 {
        font-size: 24px; margin: 0 0 0.5em; color: #ffa62b; background: none;
      }
      .intro p { margin: 0.5em 0; }
      body.-first-byte .intro-dialog { display: none; }
      body .textual-terminal { opacity: 0; transition: opacity 0.3s ease-out; }
      body.-first-byte .textual-terminal { opacity: 1; }
      button {
        font: inherit; padding: 0.6em 1.6em; margin-top: 1em; background-color: #0178d4;
        color: #fff; border: none; border-radius: 3px; cursor: pointer;
      }
      button:hover, button:focus { background-color: #2a93e8; }
      .closed-dialog { display: none; background: rgba(0, 0, 0, 0.6); }
      body.-closed .closed-dialog { display: flex; }
      body.-closed .intro-dialog { display: none; }
      #start { display: none; }
      #start.-delay { display: inline-block; }
    </style>
    <script>
      function getStartUrl() {
        const url = new URL(window.location.href);
        const params = new URLSearchParams(url.search);
        params.delete("delay");
        return url.pathname + "?" + params.toString();
      }
      function refresh() { window.location.href = getStartUrl(); }
      // textual.js starts the terminal in window.onload; load it once the page and the font
      // are both there, then start it ourselves (the load event has passed by then).
      const pageLoaded = new Promise((done) => window.addEventListener("load", done));
      const fontLoaded = document.fonts
        ? document.fonts.load('{{ font_size }}px "Roboto Mono"').catch(() => null)
        : Promise.resolve();
      const fontTimeout = new Promise((done) => setTimeout(done, 3000));
      // Without ?fontsize=N: the largest size from 11 to 20 px that still gives the app about
      // 90 columns and 28 rows, so a small window keeps the whole screen and a large one
      // gets larger letters instead of a wide, sparse screen.
      function fittingFontSize() {
        if (new URLSearchParams(window.location.search).get("fontsize")) { return null; }
        const probe = document.createElement("canvas").getContext("2d");
        probe.font = '100px "Roboto Mono", monospace';
        const width = probe.measureText("M").width / 100 || 0.6;
        const size = Math.min(
          window.innerWidth / (90 * width), window.innerHeight / (28 * 1.32));
        return Math.max(11, Math.min(20, Math.floor(size)));
      }
      Promise.all([pageLoaded, Promise.race([fontLoaded, fontTimeout])]).then(() => {
        const size = fittingFontSize();
        if (size) { document.getElementById("terminal").dataset.fontSize = size; }
        const script = document.createElement("script");
        script.src = "{{ static }}js/textual.js";
        script.onload = () => { if (window.onload) { window.onload(new Event("load")); } };
        document.head.appendChild(script);
      });
    </script>
  </head>
  <body>
    <div class="dialog-container intro-dialog">
      <div class="intro">
        <h1>{{ title }}</h1>
        <p>{{ starting }}</p>
        <button type="button" onclick="refresh()" id="start">{{ start }}</button>
      </div>
    </div>
    <div class="dialog-container closed-dialog">
      <div class="intro">
        <h1>{{ title }}</h1>
        <p class="message">{{ ended }}</p>
        <button type="button" onclick="refresh()" id="restart">{{ restart }}</button>
      </div>
    </div>
    <div id="terminal" class="textual-terminal"
      data-session-websocket-url="{{ websocket_url }}" data-font-size="{{ font_size }}"></div>
  </body>
</html>
"""


def check_port(host: str, port: int) -> None:
    """Fail before anything is printed when the address cannot be listened on (a port in use,
    an address this computer does not have); the server binds it again a moment later."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        raise UserError(text("serve.cannot_bind", host=host, port=port, reason=exc)) from exc


#: Seconds a tab's app gets to quit by itself (it saves what is typed) after Ctrl+C, then to
#: end on SIGTERM, before it is killed. Generous for a loaded 2-core machine, where an app may
#: take a second or two to wind down; the whole stop stays within about ten seconds.
QUIT_GRACE = 4.0
TERM_GRACE = 3.0


async def stop_processes(processes: list[Any], quit_all: Any) -> None:
    """End every app process: ask each to quit (`quit_all`), then SIGTERM what is left, then
    SIGKILL. Each app runs in a process group of its own (so a terminal's Ctrl+C reaches only
    the server, which ends the apps in order); the signals go to those groups."""
    import asyncio
    import signal

    async def settle(seconds: float) -> list[Any]:
        waiting = [p for p in processes if p.returncode is None]
        if waiting:
            await asyncio.wait([asyncio.ensure_future(p.wait()) for p in waiting], timeout=seconds)
        return [p for p in processes if p.returncode is None]

    with contextlib.suppress(TimeoutError, OSError):
        await asyncio.wait_for(quit_all(), timeout=QUIT_GRACE)
    left = await settle(QUIT_GRACE)
    for signum, grace in ((signal.SIGTERM, TERM_GRACE), (signal.SIGKILL, TERM_GRACE)):
        for process in left:
            try:
                os.killpg(process.pid, signum)
            except (ProcessLookupError, PermissionError):
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signum)
        left = await settle(grace)
        if not left:
            return


def make_server(command: str, host: str, port: int, remote: bool, data: Path) -> Any:
    """A textual-serve Server for `command` with this program's page and access checks."""
    import asyncio

    import aiohttp_jinja2
    import jinja2
    from aiohttp import web
    from textual_serve.app_service import AppService
    from textual_serve.server import Server, log, to_int

    class TabApp(AppService):
        """One tab's app process, started in a process group of its own and remembered by
        the server, so that stopping the server can end it (textual-serve forgets it)."""

        def __init__(self, *args: Any, processes: set[Any], **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.processes = processes

        async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
            environment = self._build_environment(width=width, height=height)
            self._process = process = await asyncio.create_subprocess_shell(
                self.command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=environment,
                start_new_session=os.name != "nt",
            )
            self.processes.add(process)
            assert process.stdin is not None
            self._stdin = process.stdin
            return process

    class BuurttrainerServer(Server):
        def __init__(self) -> None:
            super().__init__(command, host=host, port=port, title="Buurttrainer")
            self.remote = remote
            self.names = own_host_names() if remote else set()
            self.tabs: set[asyncio.Task] = set()
            self.apps: set[TabApp] = set()
            self.processes: set[Any] = set()

        def initialize_logging(self) -> None:
            super().initialize_logging()
            import logging

            # One line per request drowns the lines a coordinator needs to read.
            logging.getLogger("aiohttp.access").setLevel(logging.WARNING)

        async def _make_app(self) -> web.Application:
            app = web.Application(middlewares=[self.guard])
            loader = jinja2.DictLoader({"index.html": PAGE})
            aiohttp_jinja2.setup(app, loader=loader, autoescape=True)
            app.add_routes(
                [
                    web.get("/", self.handle_index, name="index"),
                    web.get("/ws", self.handle_websocket, name="websocket"),
                    web.get("/download/{key}", self.handle_download, name="download"),
                    web.static("/static", self.statics_path, name="static"),
                ]
            )
            app.on_startup.append(self.on_startup)
            app.on_shutdown.append(self.on_shutdown)
            return app

        @web.middleware
        async def guard(self, request: web.Request, handler: Any) -> web.StreamResponse:
            """Only this computer's names (no DNS rebinding), no framing by other sites."""
            if not host_allowed(request.host, self.remote, self.names):
                return web.Response(status=421, text="Misdirected request\n")
            response = await handler(request)
            response.headers.setdefault("X-Frame-Options", "DENY")
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            response.headers.setdefault("Referrer-Policy", "no-referrer")
            return response

        async def handle_index(self, request: web.Request) -> web.Response:
            base = f"{request.scheme}://{request.host}"
            websocket = ("wss:" if request.scheme == "https" else "ws:") + f"//{request.host}/ws"
            context = {
                "lang": language(),
                "title": "Buurttrainer",
                "static": f"{base}/static/",
                "websocket_url": websocket,
                "font_size": min(max(to_int(request.query.get("fontsize", "16"), 16), 8), 40),
                "starting": text("serve.page.starting"),
                "start": text("serve.page.start"),
                "ended": text("serve.page.ended"),
                "restart": text("serve.page.restart"),
            }
            response = aiohttp_jinja2.render_template("index.html", request, context)
            response.headers["Cache-Control"] = "no-store"
            return response

        async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
            """One tab: its app process, fed from the browser's WebSocket (textual-serve's
            own, with the process kept track of). A WebSocket from another site's page is
            refused (cross-site WebSocket hijacking)."""
            if not origin_matches(request.headers.get("Origin"), request.scheme, request.host):
                return web.Response(status=403, text="Forbidden\n")
            tab = asyncio.current_task()
            if tab is not None:
                self.tabs.add(tab)
            websocket = web.WebSocketResponse(heartbeat=15)
            width = to_int(request.query.get("width", "80"), 80)
            height = to_int(request.query.get("height", "24"), 24)
            service: TabApp | None = None
            try:
                await websocket.prepare(request)
                service = TabApp(
                    self.command,
                    write_bytes=websocket.send_bytes,
                    write_str=websocket.send_str,
                    close=websocket.close,
                    download_manager=self.download_manager,
                    debug=self.debug,
                    processes=self.processes,
                )
                self.apps.add(service)
                await service.start(width, height)
                await self._process_messages(websocket, service)
            except asyncio.CancelledError:
                await websocket.close()
            except Exception as error:
                log.exception(error)
            finally:
                self.tabs.discard(tab)  # type: ignore[arg-type]
                if service is not None:
                    self.apps.discard(service)
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(service.stop(), timeout=QUIT_GRACE)
            return websocket

        async def quit_apps(self) -> None:
            """Ask every tab's app to quit, as closing the tab would."""
            await asyncio.gather(
                *(app.send_meta({"type": "quit"}) for app in list(self.apps)),
                return_exceptions=True,
            )

        async def on_shutdown(self, app: web.Application) -> None:
            """Ctrl+C or SIGTERM: end every tab's app now, in order (quit, so it saves what
            is typed; then SIGTERM; then SIGKILL), rather than wait for the browsers to hang
            up; then the tabs' connections."""
            await stop_processes(list(self.processes), self.quit_apps)
            tabs = list(self.tabs)
            for tab in tabs:
                tab.cancel()
            await asyncio.wait_for(asyncio.gather(*tabs, return_exceptions=True), TERM_GRACE)

        async def on_startup(self, app: web.Application) -> None:
            shown = f"[{host}]" if ":" in host else host
            where = "127.0.0.1" if host in ("0.0.0.0", "::") else shown
            print(text("serve.started", url=f"http://{where}:{port}/"), flush=True)
            lan = lan_address() if host in ("0.0.0.0", "::") else None
            if lan:
                print(text("serve.started_remote", url=f"http://{lan}:{port}/"), flush=True)
            print(text("serve.data", path=data), flush=True)
            print(text("serve.stop"), flush=True)

    return BuurttrainerServer()


def run(args: argparse.Namespace) -> int:
    from trainer.commands import open_store
    from trainer.content.loader import content_root
    from trainer.store.database import data_dir
    from trainer.web.passwords import has_password

    host, port = args.host, args.port
    remote = not is_loopback(host)
    if remote and not args.allow_remote:
        raise UserError(text("serve.remote_refused", host=host))
    if not 0 < port < 65536:
        raise UserError(text("serve.bad_port", port=port))
    data = data_dir(getattr(args, "data_dir", None)).resolve()
    with open_store(args):  # a store that cannot be opened fails here, not in every tab
        pass
    content = content_root(getattr(args, "content", None)).resolve()
    if not content.is_dir():
        raise UserError(text("cli.file_not_found", path=content))
    check_port(host, port)
    if remote:
        print(text("serve.remote_warning", host=host, port=port), file=sys.stderr)
    if not has_password(data):
        print(text("serve.no_password", data=shlex.quote(str(data))), file=sys.stderr)
    os.environ[SERVED_ENV] = "1"  # also for platforms whose shell cannot set it per command
    server = make_server(child_command(data, content, language()), host, port, remote, data)
    try:
        server.serve()
    except OSError as exc:
        raise UserError(text("serve.cannot_bind", host=host, port=port, reason=exc)) from exc
    return 0


def run_password(args: argparse.Namespace) -> int:
    """`buurttrainer trainer-password`: set the trainer password (twice, hidden; or --stdin)."""
    import getpass

    from trainer.store.database import data_dir
    from trainer.web.passwords import PasswordError, check_new, set_password

    if args.stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        try:
            password = getpass.getpass(text("password.prompt"))
            check_new(password)
            again = getpass.getpass(text("password.prompt_again"))
        except PasswordError as exc:
            raise UserError(str(exc)) from exc
        except EOFError as exc:
            raise UserError(text("password.no_input")) from exc
        if again != password:
            raise UserError(text("password.mismatch"))
    folder = data_dir(getattr(args, "data_dir", None))
    try:
        path = set_password(folder, password)
    except PasswordError as exc:
        raise UserError(str(exc)) from exc
    except OSError as exc:
        raise UserError(text("cli.cannot_write", path=folder, reason=exc)) from exc
    print(text("password.saved", path=path))
    return 0
