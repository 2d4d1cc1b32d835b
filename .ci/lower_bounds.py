"""Print pip constraints that pin every dependency of pyproject.toml to its lower bound.

The second step of .ci/run installs the project with these, so the oldest versions our ranges
allow are tested as well as the newest. Each requirement must have a `>=` bound: one without
is an error here, so a new dependency cannot slip in untested.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(.*)$")


def lower_bounds(pyproject: Path) -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    pins = []
    for requirement in requirements:
        match = REQUIREMENT.match(requirement.split(";")[0])
        bound = re.search(r">=\s*([0-9][^,\s]*)", match[3]) if match else None
        if not match or not bound or "<" not in match[3]:
            raise SystemExit(f"{pyproject}: '{requirement}' needs a '>=' and a '<' bound")
        pins.append(f"{match[1]}=={bound[1]}")
    return pins


if __name__ == "__main__":
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent)
    print("\n".join(lower_bounds(root / "pyproject.toml")))
