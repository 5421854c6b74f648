"""Every limit on what people type, defined once: forms, imports, the seed loader and the API
all check against these."""
from decimal import Decimal

FIRST_YEAR = 1949
LAST_YEAR = 2100
"""Years a plan, a project or a report may name."""

MAX_AMOUNT = Decimal(100_000_000)
"""万元；anything larger (one trillion yuan) is a typing mistake, not a project."""
MAX_AMOUNT_TEXT = "100,000,000"

NAME_LENGTH = 200
SITE_LENGTH = 100
UNIT_LENGTH = 200
CONTENT_LENGTH = 5000
PROGRESS_TEXT_LENGTH = 2000
NOTE_LENGTH = 500
USERNAME_LENGTH = 50

MAX_ID = 2**31 - 1
"""The largest id or page number taken from a URL or a form; beyond it nothing exists (and databases overflow)."""

API_PAGE_SIZE_MAX = 500
"""The most projects one page of /api/v1/projects holds (`per_page`)."""
