"""Key files a trial keeps in ./var, created on first use with owner-only permissions."""

import os
import secrets
from pathlib import Path


def read_or_create_secret(path: Path, nbytes: int = 48) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        value = secrets.token_urlsafe(nbytes)
        handle.write(value)
    return value
