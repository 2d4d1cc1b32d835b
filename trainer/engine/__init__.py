"""The engine: one conversation step, pure and deterministic. Its records (`records`:
Assessment, State, Answer, Turn), the step itself (`step`), judging the services an answer
names (`judging`), playthrough tests (`playthrough`), the explorer that walks every way through
a dialogue (`explorer`) and the author preview's reasoning (`preview`).

May import `trainer.content` and the leaf modules below it; never the scorer, the store or
anything above them, and never Textual. It never prints and never touches a file.
"""
