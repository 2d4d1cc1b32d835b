"""Bad input at scale for the command line (issue 8): arguments, paths, data folders, stores.

The contract: whatever a user types or points the program at, `buurttrainer` exits with a
non-zero code and one line on stderr in Dutch ("fout: ..."), never a traceback and never the
"onverwachte fout" of an unforeseen exception. Covered here:
- bad arguments for every subcommand, found from the parser itself so new subcommands are
  covered too: unknown flags, options without their value, values of the wrong type, values
  outside the choices, missing positionals; and the global options;
- missing files and folders for --content, --script, PATH arguments, -o/--output and import;
- a --data-dir that is a file, a store file of random bytes, an empty store file (that is a new,
  empty SQLite database, so it works), a real store truncated at several points, a real store
  with random bytes overwritten, a folder where the store file should be, an unreadable store
  (skipped as root);
- `check --format json` (with the reach walk) on mutated shipped dialogues;
- a few of the above through a real `python -m trainer` process, and invalid UTF-8 on stdin.

Every case here once failed (argparse's English usage text, a damaged store surfacing as an
unexpected error, `check` reading a pipe or a refused 50 MB file, an undecodable draft) and is
kept as a regression test.

Reproducible by default (`derandomize=True`, fixed example counts); for a longer run with fresh
random examples set BUURTTRAINER_FUZZ_SCALE (see tests/test_fuzz_content.py).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import json
import os
import shutil
import signal
import sqlite3
import sys
import tempfile
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import MINI, run_cli, run_process
from tests.fuzzing import fuzz
from trainer.cli import build_parser
from trainer.content.loader import load_content
from trainer.engine.records import Answer, FixedScorer
from trainer.sessions.conversation import Conversation
from trainer.store.database import DB_NAME, Store


def assert_clear_error(code: int, err: str) -> None:
    """Non-zero, one line, Dutch, from the user-error path: not argparse's English usage text,
    not the 'onverwachte fout' of an exception nobody foresaw, not a traceback."""
    assert code != 0, err
    assert "Traceback" not in err, err
    lines = err.strip().split("\n")  # not splitlines(): it also splits on \x1c and the like
    assert len(lines) == 1, err
    assert lines[0].startswith("fout: "), err


def assert_no_traceback(code: int, err: str) -> None:
    assert "Traceback" not in err, err
    assert len(err.strip().split("\n")) <= 1, err
    if code != 0:
        assert err.strip(), "a failure must say why on stderr"


# --------------------------------------------------------------------------- bad arguments


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    [action] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def _bad_arguments() -> list[list[str]]:
    """Per subcommand: an unknown flag; every option that takes a value without it, with a
    value of the wrong type or outside its choices; required positionals left out."""
    cases: list[list[str]] = [
        ["--bogus"], ["--lang", "fr"], ["--content"], ["--data-dir"],
        ["onbekend-commando"],
    ]  # fmt: skip
    for name, sub in _subcommands().items():
        cases.append([name, "--bogus"])
        cases.append([name, "-Z"])
        required = [a for a in sub._actions if not a.option_strings and a.nargs in (None, "+")]
        if required:
            cases.append([name])  # a required positional missing
        for action in sub._actions:
            if not action.option_strings or action.nargs == 0 or action.nargs == "?":
                continue
            option = action.option_strings[-1]
            cases.append([name, option])  # no value
            if action.type is int:
                cases.append([name, option, "twee"])
            if action.choices:
                cases.append([name, option, "geen-keuze"])
        for action in sub._actions:
            if not action.option_strings and action.choices:
                cases.append([name, "geen-keuze", "x"])
    return cases


BAD_ARGUMENTS = _bad_arguments()


def test_every_subcommand_is_covered() -> None:
    covered = {case[0] for case in BAD_ARGUMENTS}
    assert set(_subcommands()) <= covered
    assert len(BAD_ARGUMENTS) > 3 * len(_subcommands())


@pytest.mark.parametrize("argv", BAD_ARGUMENTS, ids=" ".join)
def test_bad_arguments_are_refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    # Parsing must fail, so that nothing runs (no app, no server) whatever the case.
    with pytest.raises(SystemExit) as refused, contextlib.redirect_stderr(io.StringIO()):
        build_parser().parse_args(argv)
    assert refused.value.code == 2
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and not out
    assert err.strip() and "Traceback" not in err


def test_bad_arguments_give_one_dutch_line(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["check", "--format", "xml"], ["play", "--bogus"], ["test", "--random", "x"]):
        code, _, err = run_cli(capsys, *argv)
        assert_clear_error(code, err)


# --------------------------------------------------------------------------- missing paths


@pytest.fixture
def nowhere(tmp_path: Path) -> Path:
    return tmp_path / "bestaat-niet"


def test_missing_files_and_folders(
    mini: Path, nowhere: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain_file = tmp_path / "gewoon-bestand"
    plain_file.write_text("x\n", encoding="utf-8")
    cases = [
        ["play", "henk", "--content", str(nowhere)],
        ["graph", "henk-kennismaking", "--content", str(nowhere)],
        ["unmatched", "henk-kennismaking", "--content", str(nowhere)],
        ["play", "henk", "--content", str(mini), "--script", str(nowhere / "x.tests.yaml")],
        ["test", str(nowhere / "x.tests.yaml"), "--content", str(mini)],
        ["import", str(nowhere / "sessies.jsonl")],
        ["import", str(tmp_path)],
        ["report", "--cohort", "-o", str(nowhere / "rapport.html")],
        ["export", "-o", str(nowhere / "export.jsonl")],
        ["export", "-o", str(tmp_path)],
        ["new", "persona", "truus", "--content", str(plain_file)],
        ["play", "--resume", "0000", "--content", str(mini)],
        ["report", "0000"],
    ]
    for argv in cases:
        code, _, err = run_cli(capsys, *argv)
        assert_clear_error(code, err)


@pytest.mark.parametrize("command", ["check", "test"])
def test_check_and_test_report_a_missing_folder_as_a_problem(
    command: str, nowhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`check` and `test` report content problems compiler-style on stdout, by design."""
    cases = [[command, "--content", str(nowhere)]]
    if command == "check":
        cases.append([command, str(nowhere)])
    for argv in cases:
        code, out, err = run_cli(capsys, *argv)
        assert code == 1 and "Traceback" not in out + err
        assert f"{nowhere}:1:1: fout no-content" in out


def test_graph_output_into_a_missing_folder(
    mini: Path, nowhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(
        capsys, "graph", "henk-kennismaking", "--content", str(mini), "-o", str(nowhere / "x.md")
    )
    assert_clear_error(code, err)


def test_unmatched_with_a_missing_content_folder(
    nowhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "unmatched", "--content", str(nowhere))
    assert_clear_error(code, err)


def test_check_of_a_stray_file_is_not_all_good(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stray = tmp_path / "ergens.yaml"
    stray.write_text("id: [kapot\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "check", str(stray))
    assert code == 1, out


# --------------------------------------------------------------------------- data folder and store


@functools.cache
def _real_store() -> bytes:
    """A store with 40 sessions of two trainees, closed (its WAL checkpointed), as bytes."""
    content = load_content(MINI)
    dialogue, persona = content.dialogues["henk-kennismaking"], content.personas["henk"]
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        with Store(folder) as store:
            for number in range(40):
                trainee = f"Deelnemer {number % 2}"
                conversation = Conversation.start(store, persona, dialogue, trainee)
                conversation.answer(Answer.pick(number % 2), FixedScorer())
        assert sorted(p.name for p in folder.iterdir()) == [DB_NAME]
        return (folder / DB_NAME).read_bytes()


@pytest.fixture
def real_store() -> bytes:
    return _real_store()


STORE_COMMANDS = (
    ["sessions"],
    ["export"],
    ["report", "--cohort"],
    ["sessions", "--format", "json"],
)


def _store_with(data_dir: Path, body: bytes) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / DB_NAME).write_bytes(body)


def test_data_dir_that_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "bestand"
    target.write_text("geen map\n", encoding="utf-8")
    for argv in (*STORE_COMMANDS, ["play", "henk", "--choices", "--content", str(MINI)]):
        code, _, err = run_cli(capsys, *argv, "--data-dir", str(target))
        assert_clear_error(code, err)
        assert "database" in err and str(target) in err


def test_store_file_that_is_a_folder(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (data_dir / DB_NAME).mkdir(parents=True)
    for argv in STORE_COMMANDS:
        code, _, err = run_cli(capsys, *argv)
        assert_clear_error(code, err)


@fuzz(12)
@given(body=st.binary(min_size=2, max_size=8192))
def test_store_of_random_bytes(body: bytes) -> None:
    """Bytes that are not an SQLite file: refused when the store is opened."""
    with tempfile.TemporaryDirectory() as folder:
        _store_with(Path(folder), body)
        for argv in STORE_COMMANDS[:2]:
            code, _, err = _run(*argv, "--data-dir", folder)
            assert_clear_error(code, err)
            assert "database" in err


@pytest.mark.parametrize("body", [b"", b"\x01"], ids=["empty", "one-byte"])
def test_empty_store_file_is_a_new_empty_store(
    body: bytes, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """SQLite reads an empty file (and a one-byte file: no page at all) as an empty
    database: the store is set up in it and works, so there is no error to give."""
    _store_with(data_dir, body)
    code, out, err = run_cli(capsys, "sessions")
    assert (code, out.strip(), err) == (0, "Nog geen sessies.", "")


@pytest.mark.parametrize("keep", [0.01, 0.25, 0.5, 0.9, 0.99])
def test_truncated_store(
    keep: float, real_store: bytes, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Cut short: refused on opening (the header says how long it should be), except when only
    the last page is cut, which the first query that reads it finds."""
    _store_with(data_dir, real_store[: int(len(real_store) * keep)])
    for argv in STORE_COMMANDS:
        code, _, err = run_cli(capsys, *argv)
        if keep == 0.99 and code == 0 and not err:  # this command never read the last page
            continue
        assert_clear_error(code, err)
        assert "database" in err


@fuzz(8)
@given(data=st.data())
def test_store_with_bytes_overwritten(data: st.DataObject) -> None:
    """Random damage inside a real store: whatever the commands make of it, no traceback and at
    most one line on stderr."""
    body = bytearray(_real_store())
    for _ in range(data.draw(st.integers(1, 20))):
        at = data.draw(st.integers(100, len(body) - 16))
        body[at : at + 16] = data.draw(st.binary(min_size=16, max_size=16))
    with tempfile.TemporaryDirectory() as folder:
        _store_with(Path(folder), bytes(body))
        for argv in STORE_COMMANDS[:2]:
            code, _, err = _run(*argv, "--data-dir", folder)
            assert_no_traceback(code, err)


def _damaged_table(real_store: bytes, table: str) -> bytes:
    """The store with the root page of `table` overwritten: the schema still reads fine, the
    first query on that table finds the damage."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / DB_NAME
        path.write_bytes(real_store)
        with contextlib.closing(sqlite3.connect(path)) as db:
            root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,))
            page = root.fetchone()[0]
            size = db.execute("PRAGMA page_size").fetchone()[0]
    body = bytearray(real_store)
    body[(page - 1) * size : page * size] = b"\x0d" + b"\xff" * (size - 1)
    return bytes(body)


@pytest.mark.parametrize("damage", ["sessions-table", "trainee-name"])
def test_damaged_store_is_a_clear_error(
    damage: str, real_store: bytes, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if damage == "sessions-table":
        _store_with(data_dir, _damaged_table(real_store, "sessions"))
    else:
        _store_with(data_dir, real_store)
        with contextlib.closing(sqlite3.connect(data_dir / DB_NAME)) as db:
            db.execute("UPDATE trainees SET name = CAST(X'C328' AS TEXT) WHERE id = 1")
            db.commit()
    failures = []
    for argv in STORE_COMMANDS:
        code, _, err = run_cli(capsys, *argv)
        if code == 0 and not err:  # a valid result: this command never read the damage
            continue
        try:
            assert_clear_error(code, err)
        except AssertionError:
            failures.append((argv, code, err.strip()))
    assert not failures, failures


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_unreadable_store(
    real_store: bytes, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if os.geteuid() == 0:
        pytest.skip("running as root: chmod 000 does not stop root from reading the store")
    _store_with(data_dir, real_store)
    (data_dir / DB_NAME).chmod(0)
    try:
        for argv in STORE_COMMANDS:
            code, _, err = run_cli(capsys, *argv)
            assert_clear_error(code, err)
    finally:
        (data_dir / DB_NAME).chmod(0o600)


def _run(*argv: str) -> tuple[int, str, str]:
    """`run_cli` without pytest's capsys (Hypothesis runs many examples in one test)."""
    from trainer.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


# --------------------------------------------------------------------------- check on bad content


@fuzz(5)
@given(data=st.data())
def test_check_json_on_mutated_dialogues(data: st.DataObject) -> None:
    """`check --format json` (which also walks every playable dialogue) on a broken copy."""
    from tests.test_fuzz_content import content_root, mutated, pair

    files: dict[str, str | bytes] = dict(pair("lodewijk"))
    name = "dialogues/lodewijk-aan-de-deur.yaml"
    files[name] = data.draw(mutated(files[name]))
    with content_root(files) as root:
        code, out, err = _run("check", str(root), "--format", "json")
    assert code in (0, 1) and not err, err
    report = json.loads(out)
    assert (code == 1) == any(p["severity"] == "error" for p in report["problems"])
    for problem in report["problems"]:
        assert problem["line"] >= 1 and problem["col"] >= 1 and problem["message"]


class Hang(BaseException):
    """Raised by `deadline`; a BaseException so that main()'s catch-all cannot swallow it."""


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    def expired(signum: int, frame: object) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_check_does_not_hang_on_a_pipe(mini: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.mkfifo(mini / "personas" / "pijp.yaml")
    with deadline(2):
        code, out, _ = run_cli(capsys, "check", str(mini))
    assert code == 1 and "pijp.yaml:1:1: fout file-unreadable" in out


def test_check_does_not_read_a_refused_huge_file(
    mini: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with (mini / "dialogues" / "groot.yaml").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: quick to make, 50 MB to read
    tracemalloc.start()
    try:
        code, out, _ = run_cli(capsys, "check", str(mini))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 1 and "groot.yaml:1:1: fout file-too-large" in out
    assert peak < 20_000_000, peak


# --------------------------------------------------------------------------- stdin, processes


def test_play_with_undecodable_input(
    mini: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import trainer.commands.play as play

    monkeypatch.setattr(play, "_scorer_for", lambda *args, **kwargs: FixedScorer())
    raw = b"Hoe gaat het \xff\xfe met u?\n".decode("utf-8", "surrogateescape")
    monkeypatch.setattr(sys, "stdin", io.StringIO(raw))
    code, out, err = run_cli(capsys, "play", "henk", "--content", str(mini))
    assert code == 0 and "Traceback" not in err, err
    assert "\ufffd" in out


@pytest.mark.oldest  # check and its exit codes through a real process, on either end
def test_through_a_real_process(tmp_path: Path) -> None:
    target = tmp_path / "bestand"
    target.write_text("geen map\n", encoding="utf-8")
    result = run_process("sessions", "--data-dir", str(target))
    assert_clear_error(result.returncode, result.stderr)
    result = run_process("check", "--bogus")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    folder = tmp_path / "kapot"
    _store_with(folder, os.urandom(5000))
    result = run_process("export", "--data-dir", str(folder))
    assert_clear_error(result.returncode, result.stderr)
    content = tmp_path / "inhoud"
    shutil.copytree(MINI, content)
    (content / "dialogues" / "diep.yaml").write_text("[" * 10_000, encoding="utf-8")
    result = run_process("check", str(content))
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert "diep.yaml:1:1:" in result.stdout and ": fout too-complex" in result.stdout
