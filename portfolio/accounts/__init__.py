"""Accounts: users and roles, passwords, login throttling, who may do what (`access`), the login
pages and the administrators' pages."""
