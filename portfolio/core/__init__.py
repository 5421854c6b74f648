"""What every area shares: settings, the database and its column types, security, the audit
trail, errors, web helpers, formatting and parsing of figures, and the limits on input."""
