"""Shared fixtures: a small content root, a private data folder, and ways to run the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from trainer.cli import main
from trainer.messages import set_language

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"

#: Modules that only the full suite runs (see the markers in pyproject.toml): the second step of
#: .ci/run, on the oldest versions we allow, runs the rest and the slow tests marked `oldest`
#: (`-m "(not slow or oldest) and not snapshot"`).
SLOW = {"test_browser", "test_fuzz_cli", "test_fuzz_content", "test_fuzz_engine", "test_crash",
        "test_concurrency"}  # fmt: skip
SNAPSHOT = {"test_snapshots"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        if module in SLOW:
            item.add_marker(pytest.mark.slow)
        if module in SNAPSHOT:
            item.add_marker(pytest.mark.snapshot)


@pytest.fixture(autouse=True)
def _dutch_and_private(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every test speaks Dutch and writes to its own data folder, never the user's."""
    set_language("nl")
    monkeypatch.setenv("BUURTTRAINER_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("BUURTTRAINER_CONTENT", raising=False)
    monkeypatch.delenv("BUURTTRAINER_LANG", raising=False)


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A writable copy of the small fixture content root (one persona, one dialogue)."""
    target = tmp_path / "content"
    shutil.copytree(MINI, target)
    return target


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run `buurttrainer ARGS` in-process; returns (exit code, stdout, stderr)."""
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse exits for --help, --version and usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def run_process(
    *args: str, stdin: str = "", env: dict[str, str] | None = None, cwd: Path | None = None
):
    """Run `python -m trainer ARGS` in a fresh process, as a user would from a shell."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "trainer", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or ROOT,
        timeout=120,
    )
