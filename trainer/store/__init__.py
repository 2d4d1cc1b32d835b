"""The store: SQLite in the user's data folder, the only package that speaks SQL. The
connection, schema and migrations and the session records (`database`), the read queries
behind the trainer's views (`queries`), trainer reviews and corrections (`reviews`), and
export and import between laptops (`exchange`).

May import `trainer.engine` (the records it stores) and `trainer.content`; never scoring,
sessions or anything above, and never Textual.
"""
