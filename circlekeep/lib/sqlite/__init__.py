"""Django's SQLite backend with owner-only database files (see ``base``)."""
