"""Entry point for `flask --app wsgi …` and for WSGI servers."""
from portfolio import create_app

app = create_app()
