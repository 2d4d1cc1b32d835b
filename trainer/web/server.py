"""The browser-mode server: textual-serve with this program's page, access checks and shutdown.

textual-serve runs one app process per browser tab, each with the same --data-dir and
--content, so every tab writes to the same store (SQLite in WAL mode takes several writers).
The child knows it is served from BUURTTRAINER_SERVED=1 in the command the server runs, which
the browser cannot change; served, the trainer area asks for the trainer password.

textual-serve itself checks no Origin and no Host; the server adds both (the policy is in
`trainer.web.hosts`). textual-serve, aiohttp and jinja2 are imported only inside functions, so
importing this module stays cheap.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainer.errors import UserError
from trainer.messages import language, text
from trainer.web.hosts import host_allowed, lan_address, origin_matches, own_host_names
from trainer.web.passwords import SERVED_ENV

if TYPE_CHECKING:
    from aiohttp import web

# The start page: textual-serve's, in Dutch, with its own Roboto Mono instead of Google Fonts
# (works without internet, tells no third party who practises), and xterm.js started only
# once that font is loaded, so the character grid is measured with the font it draws with.
# It sits beside this file, so it ships in the wheel with the package.
PAGE_FOLDER = Path(__file__).parent
PAGE = "page.html.j2"


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
            loader = jinja2.FileSystemLoader(PAGE_FOLDER, encoding="utf-8")
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
            response = aiohttp_jinja2.render_template(PAGE, request, context)
            response.headers["Cache-Control"] = "no-store"
            return response

        # A refused tab gets a plain 403, which aiohttp takes from any handler; textual-serve
        # annotates its own handler more narrowly (a WebSocketResponse only).
        async def handle_websocket(  # type: ignore[override]
            self, request: web.Request
        ) -> web.StreamResponse:
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
                if tab is not None:
                    self.tabs.discard(tab)
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
