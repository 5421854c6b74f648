"""Importing plan tables and quarterly progress templates from Excel and CSV: safe reading
(`tables`), the two kinds (`project_tables`, `progress_templates`), and one upload → preview →
confirm flow (`flow`) that the page and the CLI share."""
