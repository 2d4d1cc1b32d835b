"""Browser mode: the trainer password, `serve` and its child command, the gated trainer area,
and trainees who only ever see their own sessions when the app is served.

The browser itself is driven in tests/test_browser.py; here everything runs in-process.
"""

from __future__ import annotations

import os
import shlex
import stat
import sys
from pathlib import Path
from typing import ClassVar

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from tests.conftest import MINI, run_cli
from tests.test_app import ScriptScorer, make_app, run, settle, wait_until
from trainer.app.main import BuurttrainerApp
from trainer.app.screens.author import AuthorScreen
from trainer.app.screens.dialogs import TraineeDialog
from trainer.app.screens.password import PasswordDialog
from trainer.app.screens.picker import PickerScreen
from trainer.app.screens.progress import ProgressScreen
from trainer.app.screens.review import ReviewScreen
from trainer.app.screens.welcome import WelcomeScreen
from trainer.commands import serve
from trainer.content.loader import load_content
from trainer.engine.records import Answer
from trainer.sessions.conversation import Conversation
from trainer.store.database import DB_NAME, Store
from trainer.web import hosts, passwords, server

CHEAP = {"n": 2**10}  # scrypt cost for tests that are not about the cost
PASSWORD = "geheim-voor-trainers"


# ---------------------------------------------------------------------- passwords


def test_a_password_verifies_and_a_wrong_one_does_not() -> None:
    stored = passwords.hash_password(PASSWORD, **CHEAP)
    assert passwords.verify_password(PASSWORD, stored)
    assert not passwords.verify_password("geheim-voor-trainer", stored)
    assert not passwords.verify_password("", stored)


def test_the_hash_keeps_its_parameters_and_a_random_salt() -> None:
    scheme, n, r, p, salt, key = passwords.hash_password(PASSWORD, **CHEAP).split("$")
    assert (scheme, n, r, p) == ("scrypt", str(2**10), "8", "1")
    assert PASSWORD not in salt + key
    again = passwords.hash_password(PASSWORD, **CHEAP)
    assert again.split("$")[4] != salt, "each hash has its own salt"


def test_the_default_cost_is_slow_scrypt() -> None:
    stored = passwords.hash_password(PASSWORD)
    assert stored.startswith(f"scrypt${2**17}$8$1$")
    assert passwords.verify_password(PASSWORD, stored)


@pytest.mark.parametrize(
    "damaged",
    [
        "",
        "plain-text-password",
        "md5$1$2$3$abc$def",
        "scrypt$1000$8$1$c2FsdA==$" + "A" * 44,  # N not a power of two
        "scrypt$4294967296$8$1$c2FsdA==$" + "A" * 44,  # asks for far too much memory
        "scrypt$1024$8$1$!!!$" + "A" * 44,
        "scrypt$1024$8$1$c2FsdA==$c2hvcnQ=",  # key of the wrong length
    ],
)
def test_a_damaged_hash_matches_nothing(damaged: str) -> None:
    assert not passwords.verify_password(PASSWORD, damaged)


@pytest.mark.parametrize("bad", ["", "        ", "kort"])
def test_empty_and_short_passwords_are_refused(bad: str, tmp_path: Path) -> None:
    with pytest.raises(passwords.PasswordError):
        passwords.set_password(tmp_path, bad, **CHEAP)
    assert not passwords.has_password(tmp_path)


def test_the_password_file_is_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    old = os.umask(0)
    try:
        path = passwords.set_password(folder, PASSWORD, **CHEAP)
    finally:
        os.umask(old)
    assert path.parent == folder
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert PASSWORD not in path.read_text(encoding="utf-8")
    assert passwords.check_password(folder, PASSWORD)
    assert not passwords.check_password(folder, "iets-anders-dan-dit")
    assert not passwords.check_password(tmp_path / "elders", PASSWORD), "none set: closed"


def test_trainer_password_command_reads_stdin(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", _Lines("kort\n"))
    code, _, err = run_cli(capsys, "trainer-password", "--stdin")
    assert code == 1 and "te kort" in err
    monkeypatch.setattr("sys.stdin", _Lines(PASSWORD + "\n"))
    code, out, _ = run_cli(capsys, "trainer-password", "--stdin")
    assert code == 0 and "opgeslagen" in out
    assert passwords.check_password(data_dir, PASSWORD)
    assert stat.S_IMODE(passwords.password_path(data_dir).stat().st_mode) == 0o600


def test_trainer_password_command_asks_twice(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    typed = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    code, _, err = run_cli(capsys, "trainer-password")
    assert code == 1 and "niet gelijk" in err
    assert not passwords.has_password(data_dir)
    typed = iter([PASSWORD, PASSWORD])
    code, _, _ = run_cli(capsys, "trainer-password")
    assert code == 0 and passwords.check_password(data_dir, PASSWORD)


class _Lines:
    """A stand-in for stdin that is not a terminal."""

    def __init__(self, data: str) -> None:
        self.lines = data.splitlines(keepends=True)

    def readline(self) -> str:
        return self.lines.pop(0) if self.lines else ""


# ---------------------------------------------------------------------- serve


class FakeServer:
    """Records what `serve` would run instead of listening on a port."""

    made: ClassVar[list[dict]] = []

    def __init__(self, command: str, host: str, port: int, remote: bool, data: Path) -> None:
        FakeServer.made.append(
            {"command": command, "host": host, "port": port, "remote": remote, "data": data}
        )

    def serve(self) -> None:
        pass


@pytest.fixture
def fake_server(monkeypatch: pytest.MonkeyPatch) -> type[FakeServer]:
    FakeServer.made = []
    monkeypatch.setattr(serve, "make_server", FakeServer)
    monkeypatch.setattr(serve, "check_port", lambda host, port: None)
    # `serve` marks its own process as served; undone after the test.
    monkeypatch.setenv(serve.SERVED_ENV, "")
    return FakeServer


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "trainer-laptop"])
def test_serve_refuses_a_host_beyond_this_computer_without_the_flag(
    host: str, capsys: pytest.CaptureFixture[str], fake_server: type[FakeServer]
) -> None:
    code, _, err = run_cli(capsys, "serve", "--host", host)
    assert code == 1
    assert "--allow-remote" in err and host in err
    assert not fake_server.made, "nothing was served"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_hosts_need_no_flag(host: str) -> None:
    assert hosts.is_loopback(host)


def test_serve_with_allow_remote_warns_what_it_exposes(
    capsys: pytest.CaptureFixture[str], fake_server: type[FakeServer]
) -> None:
    code, _, err = run_cli(capsys, "serve", "--host", "0.0.0.0", "--allow-remote", "--port", "8123")
    assert code == 0
    assert "Let op" in err and "iedereen" in err and "trainerwachtwoord" in err
    (made,) = fake_server.made
    assert made["remote"] and made["port"] == 8123


def test_serve_builds_the_child_command_on_the_same_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fake_server: type[FakeServer]
) -> None:
    data = tmp_path / "groep"
    code, _, err = run_cli(
        capsys, "serve", "--data-dir", str(data), "--content", str(MINI), "--lang", "en"
    )
    assert code == 0
    assert "trainer-password" in err, "no password yet: says how to set one"
    (made,) = fake_server.made
    assert made["host"] == "127.0.0.1" and made["port"] == 8000 and not made["remote"]
    assert (data / DB_NAME).exists(), "the store is opened up front, not first in a tab"
    words = shlex.split(made["command"])
    assert words[:3] == ["exec", "env", "BUURTTRAINER_SERVED=1"]
    assert words[3:6] == [sys.executable, "-m", "trainer"]
    options = dict(zip(words[6::2], words[7::2], strict=True))
    assert options == {"--data-dir": str(data.resolve()), "--content": str(MINI), "--lang": "en"}
    assert os.environ.get(serve.SERVED_ENV) == "1"


def test_a_port_in_use_is_reported_before_anything_is_served() -> None:
    import socket

    from trainer.errors import UserError

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(UserError, match="al in gebruik"):
            server.check_port("127.0.0.1", port)


def test_child_command_quotes_awkward_paths(tmp_path: Path) -> None:
    data = tmp_path / "map met spatie; rm -rf x"
    command = server.child_command(data, MINI, "nl", python="/usr/bin/python3")
    assert shlex.split(command)[6:8] == ["--data-dir", str(data)]


@pytest.mark.parametrize(
    ("header", "remote", "allowed"),
    [
        ("127.0.0.1:8000", False, True),
        ("localhost:8000", False, True),
        ("[::1]:8000", False, True),
        ("192.168.1.20:8000", False, False),
        ("evil.example:8000", False, False),  # DNS rebinding
        ("192.168.1.20:8000", True, True),
        ("trainer-laptop:8000", True, True),
        ("evil.example:8000", True, False),
        ("", True, False),
    ],
)
def test_host_header_check(header: str, remote: bool, allowed: bool) -> None:
    assert hosts.host_allowed(header, remote, names={"trainer-laptop"}) is allowed


def test_websocket_origin_must_be_the_page_itself() -> None:
    assert hosts.origin_matches("http://127.0.0.1:8000", "http", "127.0.0.1:8000")
    assert not hosts.origin_matches("http://evil.example", "http", "127.0.0.1:8000")
    assert not hosts.origin_matches(None, "http", "127.0.0.1:8000")


# ---------------------------------------------------------------------- the gated trainer area


def served_app(data: Path, trainee: str | None = None, password: bool = True) -> BuurttrainerApp:
    if password:
        passwords.set_password(data, PASSWORD, **CHEAP)
    store = Store(data)
    content = load_content(MINI)
    app = BuurttrainerApp(content, store, scorer_factory=lambda _: ScriptScorer(), served=True)
    if trainee:
        app.trainee = trainee
    return app


async def type_password(pilot: Pilot, value: str) -> None:
    dialog = pilot.app.screen
    assert isinstance(dialog, PasswordDialog)
    field = dialog.query_one("#password", Input)
    assert field.password, "typed as dots"
    field.value = value
    await pilot.press("enter")
    await settle(pilot)
    await wait_until(pilot, lambda: not field.disabled or pilot.app.screen is not dialog)
    await pilot.pause()


def test_served_review_asks_the_password_first(data_dir: Path) -> None:
    app = served_app(data_dir, "Sanne")

    async def script(pilot: Pilot) -> None:
        await pilot.press("r")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PasswordDialog)
        await type_password(pilot, "niet-het-wachtwoord")
        assert app.screen is dialog, "a wrong password keeps it closed"
        assert "klopt niet" in str(dialog.query_one("#password-status", Static).render())
        assert not any(isinstance(s, ReviewScreen) for s in app.screen_stack)
        await type_password(pilot, PASSWORD)
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, PasswordDialog), "left the trainer area: asked again"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)

    run(app, script)


def test_three_wrong_passwords_close_the_dialog(data_dir: Path) -> None:
    app = served_app(data_dir, "Sanne")

    async def script(pilot: Pilot) -> None:
        await pilot.press("r")
        await pilot.pause()
        for attempt in ("fout-een-1", "fout-twee-2", "fout-drie-3"):
            await type_password(pilot, attempt)
        assert isinstance(app.screen, WelcomeScreen)

    run(app, script)


def test_served_author_preview_and_palette_are_gated_too(data_dir: Path) -> None:
    app = served_app(data_dir, "Sanne")

    async def script(pilot: Pilot) -> None:
        titles = {c.title: c for c in app.get_system_commands(app.screen)}
        titles["Dialoog uitproberen (auteurs)"].callback()
        await pilot.pause()
        assert isinstance(app.screen, PasswordDialog)
        await type_password(pilot, PASSWORD)
        assert isinstance(app.screen, AuthorScreen)

    run(app, script)


def test_served_without_a_password_the_trainer_area_says_how_to_set_one(data_dir: Path) -> None:
    app = served_app(data_dir, "Sanne", password=False)

    async def script(pilot: Pilot) -> None:
        await pilot.press("r")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PasswordDialog)
        assert not dialog.query("#password"), "nothing to type"
        assert "buurttrainer trainer-password" in str(dialog.query_one("#not-set").render())
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)

    run(app, script)


def test_not_served_the_trainer_area_opens_without_a_password(data_dir: Path) -> None:
    passwords.set_password(data_dir, PASSWORD, **CHEAP)
    app = make_app(data_dir, load_content(MINI))
    assert not app.served

    async def script(pilot: Pilot) -> None:
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)

    run(app, script)


def test_the_served_flag_comes_from_the_environment(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = load_content(MINI)
    store = Store(data_dir)
    monkeypatch.setenv(serve.SERVED_ENV, "1")
    assert BuurttrainerApp(content, store, scorer_factory=lambda _: None).served
    monkeypatch.setenv(serve.SERVED_ENV, "0")
    assert not BuurttrainerApp(content, store, scorer_factory=lambda _: None).served
    store.close()


# ---------------------------------------------------------------------- own sessions only


def sessions_of(data: Path, trainees: dict[str, int]) -> None:
    """Unfinished and finished sessions with Henk for each trainee."""
    content = load_content(MINI)
    store = Store(data)
    persona, dialogue = content.personas["henk"], content.dialogues["henk-kennismaking"]
    for trainee, finished in trainees.items():
        for _ in range(finished):
            done = Conversation.start(store, persona, dialogue, trainee)
            done.answer(Answer.pick(0), None)
            done.answer(Answer.pick(0), None)
            assert done.ended
        Conversation.start(store, persona, dialogue, trainee).answer(Answer.pick(0), None)
    store.set_setting("trainee", "Anna")  # as a terminal user on this computer left it
    store.close()


def test_served_trainees_only_see_their_own_sessions(data_dir: Path) -> None:
    sessions_of(data_dir, {"Anna": 2, "Bram": 1})
    app = served_app(data_dir)

    async def script(pilot: Pilot) -> None:
        welcome = app.screen
        assert isinstance(welcome, WelcomeScreen)
        assert app.trainee is None, "served: no remembered name from another tab"
        assert welcome.query_one("#name", Input).has_focus
        welcome.query_one("#name", Input).value = "Chris"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        assert not picker.query_one("#resume").display, "others' unfinished sessions stay hidden"
        assert picker.best == {}
        await pilot.press("escape", "v")
        await pilot.pause()
        assert isinstance(app.screen, ProgressScreen) and app.screen.rows == []
        await pilot.press("escape", "d")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, TraineeDialog)
        assert not dialog.query(OptionList), "served: no list of who else practised"
        dialog.query_one("#new-name", Input).value = "Bram"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        progress = app.screen
        assert isinstance(progress, ProgressScreen)
        assert {r.trainee for r in progress.rows} == {"Bram"} and len(progress.rows) == 2
        await pilot.press("escape", "o")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, PickerScreen) and picker.query_one("#resume").display
        assert picker.unfinished(picker.persona).trainee == "Bram"
        await settle(pilot)

    run(app, script)
    store = Store(data_dir)
    assert store.setting("trainee") == "Anna", "served names are not remembered for the next tab"
    store.close()


def test_without_a_name_no_screen_lists_anyones_sessions(data_dir: Path) -> None:
    sessions_of(data_dir, {"Anna": 1})
    app = served_app(data_dir)

    async def script(pilot: Pilot) -> None:
        assert app.trainee is None
        app.push_screen(ProgressScreen())
        await pilot.pause()
        assert app.screen.rows == []
        app.pop_screen()
        app.push_screen(PickerScreen())
        await pilot.pause()
        picker = app.screen
        assert picker.best == {} and picker.unfinished(picker.persona) is None

    run(app, script)
