"""Stored judgements (研判结果): each project judged once by the pure rules (`portfolio.rules`)
whenever its facts change, kept in the database for every date, and read by every output.

A judgement changes only at dates its facts name, so a project's judgements are stored as rows
valid over intervals of *moments* (`moments.py`): one moment per day for the lists (the day's
own 报告期), and between a quarter's last day and the next day one more moment for that
quarter's report (the quarter as 报告期). `operations.judge` evaluates the rules at every
breakpoint and merges equal neighbours; the session hooks of `tracking.py` re-judge, in the same
transaction, every project whose facts a flush changed; `queries.py` reads them.
"""
