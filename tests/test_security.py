"""Security and privacy: templates cannot reach Python or files, ids cannot leave their folders,
and everything holding conversations is readable by its owner only."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.conftest import run_cli
from trainer.content.loader import load_content
from trainer.store.database import DB_NAME

# Known jinja2 sandbox escapes (SSTI payloads), each of which would create the canary file
# or show Python internals if it worked.
ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ persona.__class__.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os.system('touch CANARY') }}",
    "{{ joiner.__init__.__globals__.os.popen('touch CANARY').read() }}",
    "{{ namespace.__init__.__globals__.os.system('touch CANARY') }}",
    "{{ lipsum.__globals__['os'].system('touch CANARY') }}",
    "{{ self.__init__.__globals__.__builtins__.open('CANARY', 'w') }}",
    "{{ self._TemplateReference__context }}",
    "{{ range.__globals__ }}",
    "{{ '{0.__class__.__mro__}'.format(persona) }}",
    "{{ trainee.__class__.__base__.__subclasses__() }}",
    "{{ flags.__class__.__init__.__globals__ }}",
    "{% include '/etc/passwd' %}",
    "{% import 'os' as os %}",
    "{% extends '/etc/passwd' %}",
]


@pytest.mark.parametrize("payload", ESCAPES)
def test_a_template_cannot_escape_the_sandbox(
    payload: str, mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    dialogue = mini / "dialogues" / "henk-kennismaking.yaml"
    body = dialogue.read_text(encoding="utf-8")
    line = "Ach, het gaat. Die knie, hè."
    assert line in body
    dialogue.write_text(body.replace(line, payload.replace("CANARY", str(tmp_path / "x"))))
    code, out, err = run_cli(capsys, "check", "--content", str(mini))
    assert code == 1, "check refuses the line"
    assert "henk-kennismaking.yaml:" in out and "Traceback" not in out + err
    assert not (tmp_path / "x").exists()
    assert "/root:" not in out and "<class" not in out and "__globals__" not in out.split("^")[-1]


def test_a_template_error_at_play_time_is_not_run(mini: Path) -> None:
    """Even unchecked content (the engine renders what it is given) stays in the sandbox."""
    from jinja2.exceptions import SecurityError, UndefinedError

    from trainer.content.templates import render

    for payload in ESCAPES[:12]:
        with pytest.raises((SecurityError, UndefinedError, TypeError)):
            render(payload, {"persona": {"name": "Henk"}, "trainee": "Sam", "flags": set()})


@pytest.mark.parametrize(
    "args",
    [
        ("play", "../../etc/passwd", "--choices"),
        ("play", "../personas/henk"),
        ("graph", "../dialogues/henk-kennismaking"),
        ("graph", "/etc/passwd"),
        ("unmatched", "../x"),
        ("new", "persona", "../uitgebroken"),
        ("new", "persona", "/tmp/uitgebroken"),
    ],
)
def test_ids_on_the_command_line_cannot_leave_their_folders(
    args: tuple[str, ...], mini: Path, tmp_path: Path, capsys
) -> None:
    before = {p for p in tmp_path.rglob("*")}
    code, out, err = run_cli(capsys, *args, "--content", str(mini))
    assert code != 0
    assert "Traceback" not in out + err and err.strip()
    data = tmp_path / "data"
    assert {p for p in tmp_path.rglob("*")} - before <= {data, *data.rglob("*")}, (
        "nothing is written outside the data folder"
    )
    assert not Path("/tmp/uitgebroken.yaml").exists()


def test_ids_in_files_cannot_name_paths(mini: Path) -> None:
    dialogue = mini / "dialogues" / "henk-kennismaking.yaml"
    body = dialogue.read_text(encoding="utf-8")
    dialogue.write_text(body.replace("persona: henk", "persona: ../../personas/henk"))
    content = load_content(mini)
    assert any(p.code == "bad-id" for p in content.problems), content.problems
    assert "henk-kennismaking" not in {d for d, x in content.dialogues.items() if x.playable}


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_store_its_log_and_folder_are_owner_only(mini: Path, data_dir: Path) -> None:
    from trainer.engine.records import Answer
    from trainer.sessions.conversation import Conversation
    from trainer.store.database import Store

    content = load_content(mini)
    with Store(data_dir) as store:
        talk = Conversation.start(
            store, content.personas["henk"], content.dialogues["henk-kennismaking"], "Sanne"
        )
        talk.answer(Answer.pick(0), None)
        files = sorted(data_dir.glob(DB_NAME + "*"))
        assert {f.name for f in files} >= {DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm"}
        for path in files:
            assert _mode(path) & 0o077 == 0, path.name
    assert _mode(data_dir) & 0o077 == 0
