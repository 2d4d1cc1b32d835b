"""The app's own Textual messages, in a leaf module: the app posts them, screens handle them,
and neither needs to import the other for it."""

from __future__ import annotations

from textual.message import Message


class TraineeChanged(Message):
    """Posted to the current screen when someone else starts practising."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
