"""The JSON API (/api/v1): named tokens of an account, the read and write endpoints, their
OpenAPI document and the page that renders it."""
