"""Exporting a filtered project list: Excel, CSV and an OC4IDS package, one `render` for the page and the CLI."""
