"""Django's SQLite backend, with the database file created owner-only (0600).

A trial keeps everything in one SQLite file: the audit trail, who is in which circle, and
the ciphertext of protected fields. Another account on the same machine must not be able
to copy it. SQLite gives its -wal, -shm and -journal files the database file's own mode,
so creating the database file owner-only before SQLite opens it covers them all; files
made by an older version are tightened the first time this process opens them.
"""

import os
from pathlib import Path

from django.db.backends.sqlite3 import base

COMPANIONS = ("", "-wal", "-shm", "-journal")

_tightened: set[str] = set()


def make_private(path: str) -> None:
    """Create ``path`` owner-only if it is missing; tighten it and its companions."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except FileNotFoundError:
        return  # no such folder: SQLite says so in its own words
    if path in _tightened:
        return
    for suffix in COMPANIONS:
        companion = Path(path + suffix)
        try:
            status = companion.stat()
        except FileNotFoundError:
            continue
        # A file that belongs to someone else is theirs to protect; chmod would fail.
        if status.st_uid == os.getuid() and status.st_mode & 0o077:
            companion.chmod(0o600)
    _tightened.add(path)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        database = str(conn_params["database"])
        if not (self.creation.is_in_memory_db(database) or database.startswith("file:")):
            make_private(database)
        return super().get_new_connection(conn_params)
