"""Queries and writes over a session. They flush; the caller (route or command) commits."""
