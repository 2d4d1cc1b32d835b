"""Browser mode end to end: `buurttrainer serve` in a subprocess, headless Chromium via selenium.

A trainee opens the page, types a name, picks a persona and plays a conversation to its ending
with choice keys; the finished session must then be in the store. Two tabs at once are two app
processes writing two sessions to the same store. Served, the trainer area opens only with the
trainer password.

The terminal is drawn on a canvas, so the page's text cannot be read from the DOM; a small
script added before the page loads keeps what the app sends over its WebSocket, and the test
waits for the Dutch phrases it expects there. Screenshots go to /tmp/browser-shots/.
Needs the Debian packages chromium and chromium-driver; skipped when they are absent.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import MINI, ROOT
from trainer.messages import text
from trainer.store.database import SessionSummary, Store
from trainer.web.passwords import set_password

#: Browser mode rests on textual-serve and aiohttp: tested on the oldest versions we allow too.
pytestmark = pytest.mark.oldest

SHOTS = Path("/tmp/browser-shots")
PASSWORD = "trainer-wachtwoord-1"
WINDOW = (1280, 800)
#: Seconds Ctrl+C may take to end the server and every tab's app: the server gives each app
#: 4 s to quit and 3 s more after SIGTERM, then kills it; a loaded 2-core machine is slow to
#: start and stop processes, so the deadline has room beyond those 7 s.
STOP_DEADLINE = 20
ENTER, ESCAPE, F2 = "\ue007", "\ue00c", "\ue032"  # selenium's Keys.ENTER, ESCAPE, F2


def _find(name: str, fallback: str) -> str | None:
    found = shutil.which(name)
    return found or (fallback if os.access(fallback, os.X_OK) else None)


CHROMIUM = _find("chromium", "/usr/bin/chromium")
CHROMEDRIVER = _find("chromedriver", "/usr/bin/chromedriver")

# Keeps the app's output (what xterm.js draws) so the test can wait for a phrase on screen.
RECORD_SCREEN = """
(() => {
  const Native = window.WebSocket;
  window.__screen = "";
  window.__since = (offset) => window.__screen.slice(offset);
  window.WebSocket = function (url, protocols) {
    const socket = protocols === undefined ? new Native(url) : new Native(url, protocols);
    const decoder = new TextDecoder();
    socket.addEventListener("message", (event) => {
      if (typeof event.data !== "string") {
        window.__screen += decoder.decode(new Uint8Array(event.data), { stream: true });
      }
    });
    return socket;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
})();
"""
ESCAPES = re.compile(r"\x1b\[[0-9;:?<=>]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()#][0-9A-Za-z]|\x1b[=>78NOPc\\]")  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Served:
    """`buurttrainer serve` on a free port with its own data folder."""

    def __init__(self, data: Path, log: Path) -> None:
        self.data = data
        self.log = log
        self.stopped = False
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        command = [sys.executable, "-m", "trainer", "serve", "--port", str(self.port)]
        command += ["--data-dir", str(data), "--content", str(MINI)]
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError("serve stopped:\n" + self.output())
            try:
                with urllib.request.urlopen(self.url, timeout=2) as page:
                    if page.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("serve did not answer:\n" + self.output())

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def app_processes(self) -> list[int]:
        """The tabs' app processes: each runs in a process group of its own, so they are
        found by the data folder on their command line."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == self.process.pid:
                continue
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if str(self.data).encode() in command and state != "Z":
                found.append(int(entry.name))
        return found

    def stop(self, signum: int = signal.SIGINT) -> bool:
        """Ctrl+C (or SIGTERM) as a coordinator would, with the tabs still open; whether that
        ended the server and every app process within STOP_DEADLINE. Anything left is killed
        either way."""
        started = time.monotonic()
        self.process.send_signal(signum)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(STOP_DEADLINE)
        clean = self.process.poll() is not None
        while clean and self.app_processes() and time.monotonic() - started < STOP_DEADLINE:
            time.sleep(0.1)
        clean = clean and not self.app_processes()
        for pid in [self.process.pid, *self.app_processes()]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        self.process.wait(5)
        self.stopped = True
        return clean

    def sessions(self) -> list[SessionSummary]:
        with Store(self.data) as store:
            return store.list_sessions()


class Tab:
    """One browser window with the served app: type keys, wait for what the app draws."""

    def __init__(self, driver, served: Served, name: str) -> None:
        self.driver = driver
        self.served = served
        self.name = name
        self.handle = driver.current_window_handle
        self.offset = 0
        # Per window: each is its own target for the DevTools protocol.
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_SCREEN})
        driver.get(served.url)
        self.wait(lambda: "-first-byte" in self.body_classes(), "the app's first screen")

    def body_classes(self) -> str:
        return self.driver.execute_script("return document.body.className") or ""

    def activate(self) -> None:
        if self.driver.current_window_handle != self.handle:
            self.driver.switch_to.window(self.handle)

    def drawn(self) -> str:
        """What the app sent since the last mark, without terminal escape codes."""
        self.activate()
        raw = self.driver.execute_script("return window.__since(arguments[0])", self.offset)
        return ESCAPES.sub("", raw)

    def mark(self) -> None:
        self.activate()
        self.offset = self.driver.execute_script("return window.__screen.length")

    def wait(self, condition: Callable[[], bool], what: str, seconds: float = 20) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.1)
        self.shot("timeout")
        raise AssertionError(f"{self.name}: waited {seconds} s for {what}\n{self.served.output()}")

    def wait_for(self, phrase: str, seconds: float = 20) -> None:
        self.wait(lambda: phrase in self.drawn(), repr(phrase), seconds)

    def press(self, *keys: str, then: str | None = None) -> None:
        """Type keys into the terminal; with `then`, wait until the app draws that phrase."""
        from selenium.webdriver.common.by import By

        self.mark()
        field = self.driver.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea")
        for key in keys:
            field.send_keys(key)
        if then is not None:
            self.wait_for(then)

    def shot(self, step: str) -> Path:
        self.activate()
        time.sleep(0.4)  # the app draws its footer and xterm.js its canvas a moment later
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{self.name}-{step}.png"
        self.driver.save_screenshot(str(path))
        return path


def needs_browser() -> None:
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip(
            "headless Chromium needs the Debian packages chromium and chromium-driver "
            f"(chromium: {CHROMIUM or 'absent'}, chromedriver: {CHROMEDRIVER or 'absent'})"
        )
    pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    pytest.importorskip("textual_serve", reason="textual-serve is not installed")


@pytest.fixture
def driver(tmp_path: Path):
    needs_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="chromium-", dir=tmp_path)
    for argument in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-renderer-backgrounding", "--disable-background-timer-throttling",
        "--disable-backgrounding-occluded-windows", f"--user-data-dir={profile}",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
    ):  # fmt: skip
        options.add_argument(argument)
    browser = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        yield browser
    finally:
        browser.quit()


def shown(key: str, **params: object) -> str:
    """The first words of a message: enough to know it is on screen, short enough that the
    app has not wrapped it over two lines."""
    return " ".join(text(key, **params).split()[:4])


@pytest.fixture
def served(driver, tmp_path: Path) -> Iterator[Served]:
    """The server, started after the browser and stopped while its tabs are still open."""
    data = tmp_path / "groep"
    set_password(data, PASSWORD, n=2**12)
    server = Served(data, tmp_path / "serve.log")
    try:
        yield server
    finally:
        if not server.stopped:
            assert server.stop(), "Ctrl+C left the server or an app process running"


def new_window(driver) -> None:
    driver.switch_to.new_window("window")
    driver.set_window_size(*WINDOW)


def start_practising(tab: Tab, trainee: str) -> None:
    """Welcome: type the name; then the persona picker, and the first persona."""
    tab.wait_for(shown("app.welcome.ask_name"))
    tab.press(trainee, ENTER, then=shown("app.welcome.who", name=trainee))
    tab.press("o", then=shown("app.picker.title"))
    tab.press("b", then=shown("app.talk.free_hint"))
    tab.press(F2, then=shown("app.talk.pick_hint"))  # pick from numbered answers


def answer(tab: Tab, trainee: str, number: str) -> None:
    """Pick a numbered answer and wait until the store has the turn (each turn is committed
    the moment it is played)."""
    before = turns_of(tab.served, trainee)
    tab.press(number)
    tab.wait(lambda: turns_of(tab.served, trainee) > before, f"turn {before + 1} of {trainee}")


def turns_of(served: Served, trainee: str) -> int:
    return sum(s.turns for s in served.sessions() if s.trainee == trainee)


def finish(tab: Tab, trainee: str, *choices: str) -> None:
    """Answer with choice keys until the conversation's ending shows."""
    for number in choices[:-1]:
        answer(tab, trainee, number)
    tab.press(choices[-1], then=shown("app.talk.ended", outcome=""))


def test_a_trainee_plays_a_conversation_in_the_browser(driver, served: Served) -> None:
    started = time.monotonic()
    tab = Tab(driver, served, "tab1")
    tab.wait_for(shown("app.welcome.ask_name"))
    tab.shot("1-welcome")
    tab.press("Sanne", ENTER, then=shown("app.welcome.who", name="Sanne"))
    tab.press("o", then=shown("app.picker.title"))
    tab.shot("2-picker")
    tab.press("b", then=shown("app.talk.free_hint"))
    tab.press(F2, then=shown("app.talk.pick_hint"))
    tab.shot("3-conversation")
    finish(tab, "Sanne", "1", "1")
    tab.shot("4-ended")
    tab.press(ENTER, then=shown("app.debrief.skills"))
    tab.shot("5-debrief")

    (session,) = served.sessions()
    assert session.trainee == "Sanne" and session.persona == "henk"
    assert session.finished and session.outcome == "connected" and session.turns == 2

    # The trainer area, served: the password first, then the session table.
    # Escape on its own: followed at once by another key, a terminal reads Alt+key.
    tab.press(ESCAPE, then=shown("app.picker.title"))
    tab.press(ESCAPE, then=shown("app.welcome.review"))
    tab.press("r", then=shown("app.password.question"))
    tab.shot("6-password")
    tab.press("niet-goed-dus", ENTER, then=shown("app.password.wrong"))
    tab.shot("7-wrong-password")
    listed = text("app.review.status", first=1, last=1, total=1, page=1, pages=1, sort="")
    tab.press(PASSWORD, ENTER, then=listed.split(" ·")[0])
    tab.shot("8-review")
    tab.press(ESCAPE, then=shown("app.welcome.review"))
    tab.press("q")  # quit: the page says the session has ended, in Dutch
    tab.wait(lambda: "-closed" in tab.body_classes(), "the page for an ended session")
    tab.shot("9-closed")
    assert time.monotonic() - started < 60


def test_two_tabs_at_once_write_two_sessions(driver, served: Served) -> None:
    first = Tab(driver, served, "tabA")
    new_window(driver)
    second = Tab(driver, served, "tabB")
    start_practising(first, "Anna")
    start_practising(second, "Bram")
    assert {s.trainee for s in served.sessions()} == {"Anna", "Bram"}, "both open at once"
    answer(first, "Anna", "1")
    answer(second, "Bram", "1")
    finish(first, "Anna", "2")
    finish(second, "Bram", "1")
    first.shot("ended")
    second.shot("ended")

    sessions = {s.trainee: s for s in served.sessions()}
    assert set(sessions) == {"Anna", "Bram"}
    assert all(s.finished and s.turns == 2 for s in sessions.values())
    assert sessions["Anna"].outcome != sessions["Bram"].outcome, "each tab its own answers"


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_stopping_the_server_ends_every_app_and_keeps_what_was_typed(
    driver, served: Served, signum: int
) -> None:
    """Two tabs open, one with an answer typed but not sent: stopping the server ends the
    server and both apps within the deadline, and the typed answer is kept as the draft the
    next visit shows."""
    first = Tab(driver, served, "stop1")
    new_window(driver)
    second = Tab(driver, served, "stop2")
    start_practising(first, "Noor")
    start_practising(second, "Piet")
    second.press(F2, then=shown("app.talk.free_hint"))  # back to typing
    second.press("hoe gaat het nu met u", then="hoe gaat het nu")
    assert len(served.app_processes()) == 2
    assert served.stop(signum), "stopping left the server or an app process running"
    with Store(served.data) as store:
        (session,) = [s for s in store.list_sessions() if s.trainee == "Piet"]
        assert store.draft(session.id) == "hoe gaat het nu met u"
