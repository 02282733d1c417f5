"""What composes the store and the core: undo history, corpus import, moving annotations in and out,
entity filling, agreement jobs.

No SQL and no widgets here: the store answers every question about the database, and the TUI and
the commands call these.
"""
