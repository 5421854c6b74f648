"""Reading plan tables and quarterly figures from Excel and CSV files (no Flask here)."""
