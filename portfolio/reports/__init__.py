"""The quarterly progress report: `data` assembles it from the database, `pdf` draws it, the
views and the CLI only call them."""
