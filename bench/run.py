"""Benchmarks with budgets: `python bench/run.py` runs them all and prints one table.

Each row is figure | measured | budget | verdict (ok, MISSED, or info for a figure without a
budget); the exit code is 1 when any budget is missed. Speed is measured here, never in timed
tests. Each figure is the median of several runs where a run is cheap (said per row in
docs/performance.md); the classifier cache is warmed first (a cold fit is its own row). The
review store of 100,000 sessions is built once into bench/.cache (about a minute); the
synthetic content for `check` is generated into a temporary folder on every run. A full run
takes 4 to 5.5 minutes on 2 cores; `--quick` leaves out the 25- and 50-dialogue `check` points.
What each figure measures: docs/performance.md.

The pieces live beside this file and also run on their own: app_ready.py and app_memory.py
(children started here), check_scale.py, store_writes.py, review_scale.py.
"""

from __future__ import annotations

import itertools
import os
import platform
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@dataclass
class Row:
    """One line of the table. `budget` None: a figure shown for context, with no verdict."""

    name: str
    value: float
    unit: str  # "s", "ms", "MB", "/s"
    budget: float | None = None
    higher_is_better: bool = False

    @property
    def ok(self) -> bool:
        if self.budget is None:
            return True
        return self.value >= self.budget if self.higher_is_better else self.value < self.budget

    @property
    def verdict(self) -> str:
        if self.budget is None:
            return "info"
        return "ok" if self.ok else "MISSED"

    def measured(self) -> str:
        return _number(self.value, self.unit)

    def limit(self) -> str:
        if self.budget is None:
            return "-"
        return f"{'≥' if self.higher_is_better else '<'} {_number(self.budget, self.unit)}"


def _number(value: float, unit: str) -> str:
    if unit in ("/s", "MB"):
        return f"{value:,.0f} {unit}"
    if unit == "ms":
        return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"


# ---------------------------------------------------------------------- helpers


def wall(command: list[str], runs: int = 5, env: dict[str, str] | None = None) -> float:
    """Median wall time of a subprocess, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def per_call(function: Callable[[], object], runs: int) -> float:
    """Mean seconds per call over `runs` calls (for calls too short to time one by one)."""
    start = time.perf_counter()
    for _ in range(runs):
        function()
    return (time.perf_counter() - start) / runs


def console_script() -> tuple[Path | None, str]:
    """The installed `buurttrainer` script (not a pyenv shim), and which `trainer` it runs."""
    found = Path(sysconfig.get_path("scripts")) / "buurttrainer"
    if not found.exists():
        which = shutil.which("buurttrainer")
        if which is None:
            return None, ""
        found = Path(which)
    shebang = found.read_text(errors="replace").splitlines()[0].removeprefix("#!").strip()
    python = shebang if shebang and Path(shebang).exists() else sys.executable
    probe = subprocess.run(
        [python, "-c", "import trainer; print(trainer.__file__)"],
        capture_output=True, text=True, cwd=found.parent,
    )  # fmt: skip
    return found, probe.stdout.strip()


# ---------------------------------------------------------------------- the app


def child(script: str, env: dict[str, str]) -> tuple[str, os.struct_rusage]:
    """Run a bench/ script; its stdout and its own rusage (wait4 on that one child: what
    getrusage(RUSAGE_CHILDREN) reports when it is the only child, without the other
    benchmarks' children mixed in)."""
    with tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / script)],
            stdout=subprocess.PIPE, stderr=errors, env=env, cwd=ROOT, text=True,
        )  # fmt: skip
        assert process.stdout is not None
        out = process.stdout.read()
        process.stdout.close()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"bench/{script} failed: {out}{errors.read()[-2000:]}")
    return out, usage


def app_ready(env: dict[str, str], runs: int = 5) -> tuple[float, float]:
    """Seconds from spawning the app to its welcome screen taking input, and the CPU seconds
    its main (UI) thread used until then: medians of runs."""
    times, cpus = [], []
    for _ in range(runs):
        data = tempfile.mkdtemp(prefix="bt-bench-data-")
        out, _usage = child(
            "app_ready.py", {**env, "BENCH_T0": repr(time.time()), "BUURTTRAINER_DATA": data}
        )
        wall_s, thread_s, _process_s = out.strip().splitlines()[-1].split("\t")
        times.append(float(wall_s))
        cpus.append(float(thread_s))
    return statistics.median(times), statistics.median(cpus)


def app_memory(env: dict[str, str], runs: int) -> float:
    """Peak RSS in MB (10^6 bytes) of the headless app with all content and the classifier
    loaded and the persona picker open (median of runs): the child's ru_maxrss (KiB)."""
    peaks = []
    for _ in range(runs):
        data = tempfile.mkdtemp(prefix="bt-bench-data-")
        out, usage = child("app_memory.py", {**env, "BUURTTRAINER_DATA": data})
        if not out.startswith("PickerScreen"):
            raise SystemExit(f"bench/app_memory.py did not reach the persona picker: {out}")
        peaks.append(usage.ru_maxrss * 1024 / 1e6)
    return statistics.median(peaks)


# ---------------------------------------------------------------------- in process


def report_200() -> float:
    """Milliseconds to render the HTML report of a 200-turn session (templates already compiled)."""
    from bench.review_scale import median_ms
    from trainer.content.loader import load_content
    from trainer.engine.records import Answer, FixedScorer
    from trainer.reports import session_report
    from trainer.sessions.conversation import Conversation
    from trainer.store.database import Store

    content = load_content(ROOT / "tests" / "fixtures" / "mini")
    with Store(Path(tempfile.mkdtemp(prefix="bt-bench-report-"))) as store:
        conversation = Conversation.start(
            store, content.personas["henk"], content.dialogues["henk-kennismaking"], "Sanne"
        )
        for number in range(200):  # the knie node loops on its fallback route
            conversation.answer(Answer(f"Antwoord {number}"), FixedScorer())
        session_report(store, content, conversation.session, "html")
        return median_ms(lambda: session_report(store, content, conversation.session, "html"))


def scoring_rows() -> list[Row]:
    from trainer.content.loader import default_content_root, load_content
    from trainer.engine.records import Answer
    from trainer.scoring.corpus import training_examples
    from trainer.scoring.loader import load_model
    from trainer.sessions.conversation import Conversation
    from trainer.store.database import Store

    model = load_model(default_content_root())
    texts = [e.text for e in training_examples()][:500] or ["Hoe is dat voor u?"]
    iterator = itertools.cycle(texts)
    rows = [
        Row(
            "scoring one answer (in process)",
            per_call(lambda: model.assess(next(iterator)), 2000) * 1000, "ms", 5.0,
        ),
        Row(
            "scoring + explanation of one answer",
            per_call(lambda: model.explain(texts[0]), 50) * 1000, "ms", 50.0,
        ),
    ]  # fmt: skip
    # What the app's worker runs per typed answer: explained scoring, the services named
    # (sociale kaart) and the engine step. Shown for context; the budget above is the scoring.
    content = load_content(default_content_root())
    scorer = model.explaining()
    dialogue = sorted(content.dialogues.values(), key=lambda d: d.id)[0]
    with Store(Path(tempfile.mkdtemp(prefix="bt-bench-step-"))) as store:
        conversation = Conversation.start(
            store, content.personas[dialogue.persona], dialogue, "Bench", kaart=content.kaart
        )
        step = per_call(lambda: conversation.compute(Answer(next(iterator)), scorer), 200)
    rows.append(Row("a typed answer in the app: scoring, services, engine step", step * 1000, "ms"))
    return rows


# ---------------------------------------------------------------------- main


def machine() -> list[str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.release()}",
        f"CPUs: {os.cpu_count()} ({usable} usable), {cpu}",
        f"load average at start (1/5/15 min): {load}",
    ]


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Run every benchmark and print the table.")
    parser.add_argument(
        "--quick", action="store_true",
        help="`check` at 100 dialogues only, without the 25 and 50 that show it grows linearly "
        "(info rows): about 3.5 instead of 5 minutes here; every budget is still measured",
    )  # fmt: skip
    quick = parser.parse_args().quick
    # Every temporary folder of this run (caches, stores, synthetic content) goes in one,
    # removed at the end.
    tempfile.tempdir = tempfile.mkdtemp(prefix="bt-bench-")
    try:
        return _run(quick)
    finally:
        shutil.rmtree(tempfile.tempdir, ignore_errors=True)


def _run(quick: bool) -> int:
    began = time.perf_counter()
    for line in machine():
        print(line)
    print(flush=True)
    env = {**os.environ, "BUURTTRAINER_CACHE": tempfile.mkdtemp(prefix="bt-bench-cache-")}
    os.environ.update(env)
    cli = [sys.executable, "-m", "trainer"]
    rows: list[Row] = []
    details: list[str] = []

    def progress(what: str) -> None:
        print(f"[{time.perf_counter() - began:5.0f} s] {what}", file=sys.stderr, flush=True)

    # 1. Start-up of the command line.
    progress("command line")
    start = time.perf_counter()
    subprocess.run([*cli, "score", "warm up"], check=True, capture_output=True, env=env, cwd=ROOT)
    rows.append(Row("first `score` with a cold cache (fit + save)", time.perf_counter() - start,
                    "s", 60.0))  # fmt: skip
    rows.append(Row("`buurttrainer --help` (python -m trainer --help, median of 7)",
                    wall([*cli, "--help"], runs=7), "s", 0.3))  # fmt: skip
    script, package = console_script()
    if script is not None:
        rows.append(Row("`buurttrainer --help` via the installed console script",
                        wall([str(script), "--help"], runs=7), "s"))  # fmt: skip
        checkout = package.startswith(str(ROOT))
        details.append(
            f"console script: {script}; it runs {package or '?'}"
            + ("" if checkout else " (an installed copy, not this checkout)")
        )
    rows.append(Row('`buurttrainer score "one answer"` end to end',
                    wall([*cli, "score", "Hoe is dat voor u?"]), "s", 2.5))  # fmt: skip

    # 2. The app: start and memory.
    progress("app start")
    ready, cpu = app_ready(env)
    rows.append(Row("app start to welcome screen ready (warm cache)", ready, "s", 1.0))
    rows.append(Row("app start: CPU of the UI thread until ready (warm cache)", cpu, "s"))
    cold = {**env, "BUURTTRAINER_CACHE": tempfile.mkdtemp(prefix="bt-bench-cold-")}
    ready, cpu = app_ready(cold)
    rows.append(Row("app start to welcome screen ready (cold cache: fit in worker)", ready, "s",
                    1.0))  # fmt: skip
    progress("app memory")
    rows.append(Row("app peak memory: content + classifier, persona picker open",
                    app_memory(env, runs=3), "MB", 300.0))  # fmt: skip
    cold = {**env, "BUURTTRAINER_CACHE": tempfile.mkdtemp(prefix="bt-bench-cold-")}
    rows.append(Row("app peak memory, cold cache (classifier fitted in the worker)",
                    app_memory(cold, runs=1), "MB", 300.0))  # fmt: skip

    # 3. Scoring.
    progress("scoring")
    rows.extend(scoring_rows())

    # 4. `check` on synthetic content.
    from bench.check_scale import BUDGET_S, NODES, SIZES, measure

    sizes = SIZES[-1:] if quick else SIZES
    progress(f"check on {', '.join(map(str, sizes))} synthetic dialogues (the slow part)")
    with tempfile.TemporaryDirectory(prefix="bt-bench-check-") as folder:
        scale = measure(Path(folder), sizes=sizes)
    for r in scale:
        size = int(r["dialogues"])
        rows.append(Row(f"`check`, {size} dialogues of {NODES} nodes ({r['mb']:.0f} MB YAML)",
                        r["wall"], "s", BUDGET_S if size == 100 else None))  # fmt: skip
    details.append(
        "check per dialogue (linear if equal): "
        + ", ".join(
            f"{int(r['dialogues'])}: {r['wall'] / r['dialogues'] * 1000:.0f} ms "
            f"({r['cpu'] / r['dialogues'] * 1000:.0f} ms CPU)"
            for r in scale
        )
        + "; plain text `check`, no `reach` walk (that is --format json), no classifier"
    )

    # 5. Durable store writes.
    progress("store writes")
    from bench import store_writes

    found = store_writes.measure()
    rows.append(Row("store: turns recorded durably (one commit each)", found["record"], "/s",
                    store_writes.BUDGET, higher_is_better=True))  # fmt: skip
    rows.append(Row("store: typed answers (draft + turn: two commits)", found["draft"], "/s"))
    rows.append(Row("disk floor: bare SQLite commits (WAL, synchronous=FULL)", found["bare"],
                    "/s"))  # fmt: skip
    details.append(
        f"store: a turn record is {found['size']:.0f} bytes of JSON; in the same rounds the "
        f"store records {found['ratio']:.2f} turns per bare commit the disk allows"
    )

    # 6. Reports.
    progress("report")
    rows.append(Row("HTML report of a 200-turn session", report_200(), "ms", 200.0))

    # 7. Review queries on 100,000 sessions.
    progress("review at 100,000 sessions")
    from bench.review_scale import ensure_store, measurements

    review = measurements(ensure_store())
    worst = max(review, key=lambda r: r[1])
    label = worst[0].removeprefix("review at 100k: ").removesuffix(", ms")
    rows.append(Row(f"review queries at 100,000 sessions (worst of {len(review)})", worst[1],
                    "ms", worst[2]))  # fmt: skip
    details.append(
        f"review at 100k, the worst: {label}; each query: "
        + "; ".join(
            f"{n.removeprefix('review at 100k: ').removesuffix(', ms')} {v:.1f}"
            for n, v, _, _ in review
        )
        + " (ms)"
    )

    # The table.
    width = max(len(r.name) for r in rows)
    print(f"| {'figure':{width}} | {'measured':>10} | {'budget':>11} | verdict |")
    print(f"|{'-' * (width + 2)}|{'-' * 11}:|{'-' * 12}:|---------|")
    for r in rows:
        print(f"| {r.name:{width}} | {r.measured():>10} | {r.limit():>11} | {r.verdict:7} |")
    print()
    for line in details:
        print(f"- {line}")
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"- load average at the end: {load}; total time {time.perf_counter() - began:.0f} s")
    missed = [r.name for r in rows if not r.ok]
    if missed:
        print(f"\nMISSED {len(missed)} budget(s): " + "; ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
