"""The quarterly progress report: `data` assembles it from the database, `pdf` draws it.

Neither imports Flask; `pdf` does not touch the database either.
"""
