"""The base of the app's screens: a Screen whose `self.app` is typed as BuurttrainerApp.

Textual types `self.app` as `App[Any]`, which has none of the app's own state (content, store,
trainee) or navigation (`show_debrief`, ...). The narrower type is for the type checker only, the
way Textual declares its own `app` (`textual.getters.app`): at run time `self.app` is Textual's
property as before, and no screen imports `trainer.app.main`, which imports the screens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from textual.screen import Screen

if TYPE_CHECKING:
    from textual import getters

    from trainer.app.main import BuurttrainerApp

ResultType = TypeVar("ResultType")


class AppScreen(Screen[ResultType]):
    """A screen of the Buurttrainer app: `self.app` typed, nothing else added."""

    if TYPE_CHECKING:
        app = getters.app(BuurttrainerApp)
