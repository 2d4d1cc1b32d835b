"""The Textual app: a thin layer of screens over the core (content, engine, scoring, store,
sessions, reports) and the web package's password lock.

May import the core and `trainer.web`; nothing in the core imports from here. The CLI starts it
through `trainer.commands.app`, only when the app runs, so `buurttrainer --help` and the
scripted commands never load Textual.
"""
