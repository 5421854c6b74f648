"""The home page: where the portfolio stands and which projects need attention."""
