"""Child process for the start-up benchmark: start the app as `buurttrainer` does (headless),
print the seconds from process spawn (BENCH_T0, set by the parent) to the welcome screen being
ready for input, then leave at once without waiting for the classifier worker.

Also printed, tab-separated after it: the CPU seconds of the main (UI) thread until then, which
is about what the wall time would be on an idle machine, and of the whole process (the
classifier worker thread included)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from trainer.app.main import BuurttrainerApp
from trainer.app.screens.welcome import WelcomeScreen
from trainer.content.loader import default_content_root, load_content
from trainer.store.database import Store, data_dir


class TimedApp(BuurttrainerApp):
    def on_ready(self) -> None:
        self.call_after_refresh(self._report)

    def _report(self) -> None:
        assert isinstance(self.screen, WelcomeScreen)
        wall = time.time() - float(os.environ["BENCH_T0"])
        os.write(1, f"{wall:.4f}\t{time.thread_time():.4f}\t{time.process_time():.4f}\n".encode())
        os._exit(0)


if __name__ == "__main__":
    store = Store(data_dir(None))
    TimedApp(load_content(default_content_root()), store).run(headless=True)
