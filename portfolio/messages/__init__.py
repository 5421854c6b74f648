"""In-app messages (消息) and the e-mail that may go with each, through the SMTP server the
environment names (README.md, "E-mail")."""
