"""Writing files that hold conversations (exports, reports): owner-only, whatever the umask."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TextIO


def open_private(path: Path) -> TextIO:
    """A new or truncated text file that only its owner can read."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its old mode through O_TRUNC
    return os.fdopen(fd, "w", encoding="utf-8")


def write_private(path: Path, content: str) -> Path:
    with open_private(path) as handle:
        handle.write(content)
    return path
