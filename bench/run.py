"""Benchmarks with budgets: `python bench/run.py` prints figure, budget and verdict per line.

Speed is measured here, never in timed tests. Each figure is the median of several runs on
this machine; the model cache is warmed first (a cold fit is reported separately).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def wall(command: list[str], runs: int = 5, env: dict[str, str] | None = None) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def per_call(function: Callable[[], object], runs: int) -> float:
    start = time.perf_counter()
    for _ in range(runs):
        function()
    return (time.perf_counter() - start) / runs


def app_ready(env: dict[str, str], runs: int = 5) -> float:
    """Seconds from spawning the app to its welcome screen taking input (median of runs)."""
    times = []
    for _ in range(runs):
        data = tempfile.mkdtemp(prefix="bt-bench-data-")
        child = {**env, "BENCH_T0": repr(time.time()), "BUURTTRAINER_DATA": data}
        out = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "app_ready.py")],
            check=True, capture_output=True, text=True, env=child, cwd=ROOT,
        )  # fmt: skip
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def report_200() -> float:
    """Milliseconds to render the HTML report of a 200-turn session (templates already compiled)."""
    from bench.review_scale import median_ms
    from trainer.content import load_content
    from trainer.conversation import Conversation
    from trainer.engine import Answer, FixedScorer
    from trainer.reports import session_report
    from trainer.store import Store

    content = load_content(ROOT / "tests" / "fixtures" / "mini")
    with Store(Path(tempfile.mkdtemp(prefix="bt-bench-report-"))) as store:
        conversation = Conversation.start(
            store, content.personas["henk"], content.dialogues["henk-kennismaking"], "Sanne"
        )
        for number in range(200):  # the knie node loops on its fallback route
            conversation.answer(Answer(f"Antwoord {number}"), FixedScorer())
        session_report(store, content, conversation.session, "html")
        return median_ms(lambda: session_report(store, content, conversation.session, "html"))


def main() -> int:
    env = {**os.environ, "BUURTTRAINER_CACHE": tempfile.mkdtemp(prefix="bt-bench-cache-")}
    os.environ.update(env)
    cli = [sys.executable, "-m", "trainer"]
    rows: list[tuple[str, float, float, str]] = []

    start = time.perf_counter()
    subprocess.run([*cli, "score", "warm up"], check=True, capture_output=True, env=env, cwd=ROOT)
    rows.append(
        ("first `score` with a cold cache (fit + save), s", time.perf_counter() - start, 60.0, "s")
    )
    rows.append(("`buurttrainer --help`, s", wall([*cli, "--help"]), 0.3, "s"))
    rows.append(
        (
            '`buurttrainer score "one answer"` end to end, s',
            wall([*cli, "score", "Hoe is dat voor u?"]),
            2.5,
            "s",
        )
    )

    rows.append(("app start to welcome screen ready (warm cache), s", app_ready(env), 1.0, "s"))
    cold = {**env, "BUURTTRAINER_CACHE": tempfile.mkdtemp(prefix="bt-bench-cold-")}
    rows.append(
        (
            "app start to welcome screen ready (cold cache: fit in worker), s",
            app_ready(cold),
            1.0,
            "s",
        )
    )

    from trainer.content import default_content_root
    from trainer.scoring.corpus import training_examples
    from trainer.scoring.loader import load_model

    model = load_model(default_content_root())
    texts = [e.text for e in training_examples()][:500] or ["Hoe is dat voor u?"]
    import itertools

    iterator = itertools.cycle(texts)
    rows.append(
        (
            "scoring one answer (in process), ms",
            per_call(lambda: model.assess(next(iterator)), 2000) * 1000,
            5.0,
            "ms",
        )
    )
    rows.append(
        (
            "scoring + explanation of one answer, ms",
            per_call(lambda: model.explain(texts[0]), 50) * 1000,
            50.0,
            "ms",
        )
    )

    rows.append(("HTML report of a 200-turn session, ms", report_200(), 200.0, "ms"))

    from bench.review_scale import ensure_store, measurements

    rows.extend(measurements(ensure_store()))

    print(f"{'benchmark':58} {'figure':>10} {'budget':>8}  verdict")
    failed = 0
    for name, figure, budget, _unit in rows:
        ok = figure <= budget
        failed += not ok
        print(f"{name:58} {figure:10.3f} {budget:8.3f}  {'ok' if ok else 'OVER BUDGET'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
