"""The command line as users and scripts use it: names, options, exit codes, formats."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli, run_process
from trainer import __version__


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--version")
    assert code == 0 and out.strip() == f"buurttrainer {__version__}"


def test_help_is_lazy() -> None:
    code = (
        "import sys; from trainer.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('sklearn', 'textual', 'jinja2', 'yaml') if m in sys.modules]\n"
        "sys.exit(1 if heavy else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_no_subcommand_starts_the_app_with_the_global_options(
    mini: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from trainer.app.main import BuurttrainerApp

    started = []

    def fake_run(self: BuurttrainerApp, *args: object, **kwargs: object) -> None:
        started.append((self.content.root, self.store.folder, sorted(self.content.personas)))

    monkeypatch.setattr(BuurttrainerApp, "run", fake_run)
    code, _, err = run_cli(capsys, "--content", str(mini), "--data-dir", str(tmp_path / "d"))
    assert code == 0, err
    assert started == [(mini, tmp_path / "d", ["henk"])]


def test_content_from_environment(
    mini: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BUURTTRAINER_CONTENT", str(mini))
    code, out, _ = run_cli(capsys, "check", "--format", "json")
    assert code == 0 and json.loads(out)["dialogues"][0]["id"] == "henk-kennismaking"


def test_options_after_the_subcommand(mini: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--content", str(mini), "check", "--lang", "en")
    assert code == 0 and "All good" in out


@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
def test_graph(mini: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    code, out, _ = run_cli(
        capsys, "graph", "henk-kennismaking", "--format", fmt, "--content", str(mini)
    )
    assert code == 0
    if fmt == "mermaid":
        assert out.startswith("flowchart TD")
        assert ":::end_connected" in out  # endings look different
        assert '-->|"1: listening"|' in out  # choices: solid edges with skills
        assert '-.->|"referral en trust #gt;= 40"|' in out  # routes: dashed, with conditions
    else:
        assert out.startswith('digraph "henk-kennismaking"')
        assert "doubleoctagon" in out and "style=dashed" in out and 'label="listening"' in out


def test_graph_unknown_dialogue(mini: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "graph", "henk-kennismakin", "--content", str(mini))
    assert code == 1 and "henk-kennismaking" in err and "Traceback" not in err


def test_play_choices_from_stdin_records_session(mini: Path, data_dir: Path) -> None:
    result = run_process(
        "play", "henk", "--choices", "--trainee", "Fatima", "--content", str(mini), stdin="1\n1\n"
    )
    assert result.returncode == 0, result.stderr
    assert "Einde: verbonden met een buur" in result.stdout
    assert "Mijn vak, ja. Dat zou ik best willen, Fatima." in result.stdout
    sessions = json.loads(run_process("sessions", "--format", "json").stdout)
    assert len(sessions) == 1
    assert {k: sessions[0][k] for k in ("trainee", "persona", "dialogue", "turns", "outcome")} == {
        "trainee": "Fatima", "persona": "henk", "dialogue": "henk-kennismaking", "turns": 2,
        "outcome": "connected",
    }  # fmt: skip
    assert {"id", "started"} <= set(sessions[0])


def test_play_bad_input_is_asked_again(mini: Path) -> None:
    result = run_process("play", "henk", "--choices", "--content", str(mini), stdin="7\nnee\n2\n")
    assert result.returncode == 0
    assert result.stdout.count("Kies een nummer van 1 tot 2.") == 2
    assert "de deur ging dicht" in result.stdout


def test_play_free_text(mini: Path) -> None:
    result = run_process(
        "play", "henk", "--content", str(mini), stdin="Hoe voelt u zich vandaag?\n"
    )
    assert result.returncode == 0
    assert "vaardigheden: luisteren" in result.stdout
    assert "buurttrainer play --resume" in result.stdout  # input ended before the conversation


def test_play_unknown_persona(mini: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "play", "hnek", "--content", str(mini))
    assert code == 1 and "'henk'" in err


def test_play_script_reports_pass_and_fail(mini: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = mini / "dialogues" / "henk-kennismaking.tests.yaml"
    code, out, _ = run_cli(capsys, "play", "henk", "--content", str(mini), "--script", str(script))
    assert code == 0 and "4 van 4 playthroughs geslaagd." in out
    script.write_text(
        script.read_text(encoding="utf-8").replace("path: [deur, dicht]", "path: [deur, knie]"),
        encoding="utf-8",
    )
    code, out, _ = run_cli(capsys, "play", "henk", "--content", str(mini), "--script", str(script))
    assert code == 1
    assert "verwacht pad:  deur > knie" in out and "gespeeld pad:  deur > dicht" in out


def test_sessions_table_and_filters(mini: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_process(
        "play", "henk", "--choices", "--trainee", "Joost", "--content", str(mini), stdin="2\n"
    )
    code, out, _ = run_cli(capsys, "sessions")
    assert code == 0 and "Joost" in out and "de deur ging dicht" in out
    assert run_cli(capsys, "sessions", "--trainee", "Niemand")[1].strip() == "Nog geen sessies."
    code, out, _ = run_cli(capsys, "sessions", "--persona", "henk", "--format", "json")
    assert len(json.loads(out)) == 1
    code, _, err = run_cli(capsys, "sessions", "--since", "gisteren")
    assert code == 1 and "JJJJ-MM-DD" in err


def test_corrupt_database_is_a_clear_error(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "buurttrainer.sqlite3").write_bytes(b"kapot" * 1000)
    code, _, err = run_cli(capsys, "sessions")
    assert code == 1 and "database" in err and "Traceback" not in err


def _read_until(proc: subprocess.Popen, needle: str, timeout: float = 30) -> str:
    seen = ""
    deadline = time.monotonic() + timeout
    while needle not in seen:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"timed out waiting for {needle!r}; got {seen!r}"
        ready, _, _ = select.select([proc.stdout], [], [], remaining)
        if ready:
            chunk = os.read(proc.stdout.fileno(), 4096).decode()
            assert chunk, f"process ended early; got {seen!r}"
            seen += chunk
    return seen


def test_sigkill_loses_no_turn_and_session_resumes(mini: Path, data_dir: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "trainer", "play", "henk", "--choices", "--content", str(mini)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT, env=os.environ.copy(),
    )  # fmt: skip
    try:
        _read_until(proc, "Goedemiddag")
        proc.stdin.write(b"1\n")
        proc.stdin.flush()
        _read_until(proc, "Sinds Riet")  # the reply is printed after the turn is committed
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        proc.kill()
    sessions = json.loads(run_process("sessions", "--format", "json").stdout)
    assert sessions[0]["turns"] == 1 and sessions[0]["outcome"] is None
    check = subprocess.run(
        ["sqlite3" if False else sys.executable, "-c",
         "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])",
         str(data_dir / "buurttrainer.sqlite3")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert check.stdout.strip() == "ok"
    resumed = run_process("play", "--resume", "--content", str(mini), stdin="1\n")
    assert resumed.returncode == 0, resumed.stderr
    assert "hervat bij beurt 2" in resumed.stdout
    assert "Einde: verbonden met een buur" in resumed.stdout
    final = json.loads(run_process("sessions", "--format", "json").stdout)
    assert len(final) == 1 and final[0]["turns"] == 2 and final[0]["outcome"] == "connected"


def test_resume_finished_session_is_refused(mini: Path) -> None:
    run_process("play", "henk", "--choices", "--content", str(mini), stdin="2\n")
    session = json.loads(run_process("sessions", "--format", "json").stdout)[0]["id"]
    result = run_process("play", "--resume", session[:8], "--content", str(mini))
    assert result.returncode == 1 and "al afgelopen" in result.stderr


def test_play_asks_again_after_an_answer_that_is_too_long(mini: Path) -> None:
    """A paste accident is not an answer: play says so and the conversation goes on."""
    result = run_process(
        "play", "henk", "--content", str(mini), stdin="x" * 2500 + "\nHoe gaat het met u?\n"
    )
    assert result.returncode == 0, result.stderr
    assert "je antwoord is te lang (2500 tekens)" in result.stdout
    assert "Jij: Hoe gaat het met u?" in result.stdout


def test_graph_takes_a_persona_with_one_dialogue(capsys) -> None:
    by_persona = run_cli(capsys, "graph", "lodewijk")
    by_dialogue = run_cli(capsys, "graph", "lodewijk-aan-de-deur")
    assert by_persona[0] == 0 and by_persona == by_dialogue
    code, _, err = run_cli(capsys, "graph", "lodewij")
    assert code == 1 and "Bedoelde je 'lodewijk'?" in err


def test_graph_and_play_list_a_personas_dialogues_when_there_are_several(
    mini: Path, capsys
) -> None:
    source = mini / "dialogues" / "henk-kennismaking.yaml"
    second = source.read_text(encoding="utf-8").replace(
        "id: henk-kennismaking", "id: henk-tweede", 1
    )
    (mini / "dialogues" / "henk-tweede.yaml").write_text(second, encoding="utf-8")
    for argv in (("graph", "henk"), ("play", "henk")):
        code, out, err = run_cli(capsys, *argv, "--content", str(mini))
        assert code == 1 and not out, out
        assert "henk-kennismaking, henk-tweede" in err and "Kies er een" in err
    code, out, _ = run_cli(capsys, "graph", "henk-tweede", "--content", str(mini))
    assert code == 0 and "henk-tweede" in out
