"""The type checker is clean: mypy, with the [tool.mypy] configuration of pyproject.toml (its
`files` are the packages checked), reports no error."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT


# mypy checks our code against the installed libraries' own type hints, and those change between
# versions (aiohttp 3.9 types its signals differently from 3.14): the verdict is for the
# versions a fresh machine installs, so the oldest-versions step of .ci/run leaves it out.
@pytest.mark.newest
def test_mypy_reports_no_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        from mypy import api
    except ImportError:
        pytest.fail("mypy is missing: install the test extras ('.[test]')")
    # From the root, as a developer runs `mypy`: the configuration's `files` are relative to it.
    # A cache of this run only, so no earlier run (of another mypy, say) can colour the result.
    monkeypatch.chdir(ROOT)
    stdout, stderr, status = api.run(
        ["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(tmp_path / "cache")]
    )
    report = stdout + stderr
    assert status == 0, "mypy reports errors:\n" + report
    assert "Success: no issues found" in stdout, report
