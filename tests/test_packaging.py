"""A normal, non-editable install must carry the shipped content, corpus and app styles."""

from __future__ import annotations

import zipfile
from pathlib import Path

from tests.conftest import ROOT


def test_wheel_contains_content_and_corpus(tmp_path: Path) -> None:
    from hatchling.builders.wheel import WheelBuilder

    wheel = Path(
        next(iter(WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"])))
    )
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in (ROOT / "personas").glob("*.yaml"):
        assert f"trainer/_content/personas/{shipped.name}" in names
    for shipped in (ROOT / "dialogues").glob("*.yaml"):
        assert f"trainer/_content/dialogues/{shipped.name}" in names
    for shipped in (ROOT / "corpus").glob("*.csv"):
        assert f"trainer/_corpus/{shipped.name}" in names
    for shipped in (ROOT / "corpus" / "heldout").glob("*.csv"):
        assert f"trainer/_corpus/heldout/{shipped.name}" in names
    for style in (ROOT / "trainer" / "app").rglob("*.tcss"):
        assert style.relative_to(ROOT).as_posix() in names, "the app's styles ship too"
    for template in (ROOT / "trainer" / "reports" / "templates").glob("*.j2"):
        assert template.relative_to(ROOT).as_posix() in names, "report templates ship too"
    assert "trainer/web/page.html.j2" in names, "the browser mode's start page ships too"
    assert "trainer/_content/sociale-kaart.yaml" in names, "the sociale kaart ships too"
    assert "trainer/cli.py" in names
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "buurttrainer = trainer.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()
