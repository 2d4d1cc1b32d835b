"""Child process for the memory benchmark: the app as `buurttrainer` runs it, headless.

It loads all shipped content (personas, dialogues, the sociale kaart) and opens the store as
the CLI does, starts the app with its own classifier factory (the classifier from the cache in
BUURTTRAINER_CACHE, or fitted in the worker when the cache is cold), waits until the classifier
is ready, then opens the persona picker (key `o` on the welcome screen) as a returning trainee.
The parent measures this process's peak RSS; the child prints the screen it ended on (so the
parent can check it got there) and its own peak RSS in KiB.
"""

from __future__ import annotations

import asyncio
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from trainer.app.main import BuurttrainerApp
from trainer.content.loader import default_content_root, load_content
from trainer.store.database import Store, data_dir


async def main() -> str:
    content = load_content(default_content_root())
    with Store(data_dir(None)) as store:
        store.set_setting("trainee", "Bench")  # a returning trainee: no name to type first
        app = BuurttrainerApp(content, store)
        async with app.run_test(size=(100, 34)) as pilot:
            while app.scorer_state == "loading":
                await pilot.pause(0.05)
            if app.scorer_state != "ready":
                raise SystemExit(f"classifier failed: {app.scorer_error}")
            await pilot.press("o")  # the welcome screen's key for practising
            await pilot.pause(0.3)  # the picker composes its cards and reads best outcomes
            return type(app.screen).__name__


if __name__ == "__main__":
    screen = asyncio.run(main())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{screen}\t{peak}")
