"""Browser mode: the server (`server`), its host policy (`hosts`), the start page
(`page.html.j2`) and the trainer password (`passwords`).

May import the core below it (store, content, messages, files, errors); never the app, the
commands or the CLI, and never Textual itself. textual-serve and aiohttp are imported only
inside functions, so importing this package stays cheap.
"""
