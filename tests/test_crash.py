"""Crash safety: `play` and the app killed with SIGKILL at random moments lose no answer that
was acknowledged, leave an intact store, and the session resumes to its ending.

The moments are random but seeded, so a failure replays. "Acknowledged" is what a trainee saw:
`play` prints an answer (`Jij: ...`) only after the turn is committed, and the app driver
prints `BEURT n` once the screen shows the reply. An answer sent but not yet acknowledged may or
may not be in the store; what is there must be exactly the answers given, in order.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_process
from trainer.store.database import DB_NAME, Store

# A shipped playthrough: "luisteren en dan een ruil met Ria", eight picked answers.
ANSWERS = [1, 1, 1, 1, 1, 1, 1, 2]
ENDING = "Einde: verbonden met een buur"


def _integrity(data_dir: Path) -> str:
    with sqlite3.connect(data_dir / DB_NAME) as db:
        return db.execute("PRAGMA integrity_check").fetchone()[0]


def _recorded(data_dir: Path) -> list[tuple[str, list[int]]]:
    """Per session: its id and the choices (1-based) its turns recorded, in order."""
    if not (data_dir / DB_NAME).exists():
        return []
    with Store(data_dir) as store:
        return [
            (s.id, [t.choice + 1 for t in store.turns(s.id) if t.choice is not None])
            for s in store.list_sessions()
        ]


def _kill_after(proc: subprocess.Popen, marker: bytes, seen: int, extra: float) -> int:
    """Once the process has printed `marker` `seen` times, let it run `extra` seconds more,
    SIGKILL it, and count the acknowledgements it printed by then."""
    output = b""
    os.set_blocking(proc.stdout.fileno(), False)
    deadline = time.monotonic() + 60
    while output.count(marker) < seen and proc.poll() is None:
        assert time.monotonic() < deadline, f"never saw {seen} x {marker!r}: {output[-300:]!r}"
        time.sleep(0.002)
        output += proc.stdout.read() or b""
    time.sleep(extra)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    output += proc.stdout.read() or b""
    return output.count(marker)


def _check_and_resume(data_dir: Path, acknowledged: int) -> None:
    sessions = _recorded(data_dir)
    if sessions:
        assert _integrity(data_dir) == "ok"
    else:  # killed before the session existed: then nothing was acknowledged
        assert acknowledged == 0
        return
    [(_, given)] = sessions
    assert acknowledged <= len(given), "an acknowledged answer was lost"
    assert given == ANSWERS[: len(given)], "the store holds exactly the answers given, in order"
    if len(given) == len(ANSWERS):
        return
    rest = "".join(f"{n}\n" for n in ANSWERS[len(given) :])
    resumed = run_process("play", "--resume", "--choices", stdin=rest)
    assert resumed.returncode == 0, resumed.stderr
    assert f"hervat bij beurt {len(given) + 1}" in resumed.stdout
    assert ENDING in resumed.stdout
    [(_, final)] = _recorded(data_dir)
    assert final == ANSWERS


@pytest.mark.parametrize("seed", range(6))
def test_play_killed_at_a_random_moment_loses_nothing(seed: int, data_dir: Path) -> None:
    rng = random.Random(seed)
    proc = subprocess.Popen(
        [sys.executable, "-m", "trainer", "play", "lodewijk", "--choices"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT,
    )  # fmt: skip
    try:
        # All answers at once, as a fast typist would: the kill lands anywhere from start-up
        # to mid-commit of a later turn.
        proc.stdin.write("".join(f"{n}\n" for n in ANSWERS).encode())
        proc.stdin.close()
        # Killed after a random number of acknowledged answers, a few milliseconds into the
        # next one (mostly mid-commit, as the next answer is already waiting).
        seen = rng.randrange(len(ANSWERS))
        acknowledged = _kill_after(proc, b"\nJij: ", seen, rng.uniform(0, 0.02))
    finally:
        proc.kill()
    _check_and_resume(data_dir, acknowledged)


APP_DRIVER = """
import asyncio, sys
from pathlib import Path
from tests.test_app import make_app, open_persona, settle, _picker_position
from trainer.content.loader import load_content
from tests.conftest import ROOT

async def main():
    app = make_app(Path(sys.argv[1]), load_content(ROOT))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_persona(pilot, number=_picker_position(pilot, "lodewijk"))
        if not app.prefer_choices:
            await pilot.press("f2")
            await pilot.pause()
        for number, choice in enumerate(ANSWERS, start=1):
            await pilot.press(str(choice))
            await settle(pilot)
            print(f"BEURT {number}", flush=True)
        await asyncio.sleep(60)

asyncio.run(main())
""".replace("ANSWERS", repr(ANSWERS))


@pytest.mark.parametrize("seed", range(3))
def test_the_app_killed_at_a_random_moment_loses_nothing(seed: int, data_dir: Path) -> None:
    rng = random.Random(100 + seed)
    proc = subprocess.Popen(
        [sys.executable, "-c", APP_DRIVER, str(data_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT,
    )  # fmt: skip
    try:
        seen = rng.randrange(len(ANSWERS))
        acknowledged = _kill_after(proc, b"BEURT ", seen, rng.uniform(0, 0.15))
    finally:
        proc.kill()
    _check_and_resume(data_dir, acknowledged)


def test_a_typed_answer_survives_a_kill_before_it_is_scored(mini: Path, data_dir: Path) -> None:
    """The draft is stored before scoring starts; after a kill the app offers it again."""
    from trainer.content.loader import load_content
    from trainer.sessions.conversation import Conversation

    content = load_content(mini)
    with Store(data_dir) as store:
        talk = Conversation.start(
            store, content.personas["henk"], content.dialogues["henk-kennismaking"], "Sanne"
        )
        session = talk.session
    driver = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from trainer.store.database import Store\n"
        "store = Store(Path(sys.argv[1]))\n"
        "store.save_draft(sys.argv[2], 'Wat fijn dat u opendoet. Hoe gaat het?')\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    killed = subprocess.run([sys.executable, "-c", driver, str(data_dir), session], cwd=ROOT)
    assert killed.returncode == -signal.SIGKILL
    assert _integrity(data_dir) == "ok"
    with Store(data_dir) as store:
        assert store.draft(session) == "Wat fijn dat u opendoet. Hoe gaat het?"
    listed = json.loads(run_process("sessions", "--format", "json").stdout)
    assert [s["id"] for s in listed] == [session]
