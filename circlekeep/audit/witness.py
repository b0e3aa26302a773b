"""The witness: the trail's signed heads, kept where the database's owner cannot quietly
rewrite them.

Whoever holds the database but not the signing key could delete the newest events and the
checkpoints that sign them, and leave a shorter trail that looks whole. So each signed
head is also handed, once its transaction has committed, to one or more witnesses:

- a file, one JSON line per head, only ever appended to (``AUDIT_WITNESS_PATH``); in
  production on a separate volume the database's owner cannot write, ideally append-only
  (``chattr +a``);
- syslog (``AUDIT_WITNESS_SYSLOG``: a socket such as ``/dev/log``, or ``host:port`` over
  UDP), for a log server kept by someone else;
- an HTTP endpoint that receives each head as a JSON POST (``AUDIT_WITNESS_URL``).

``manage.py audit verify`` reads the file back and holds the database to it; syslog and
HTTP witnesses cannot be read back from here. A witness that fails never costs the audit
event: the head stays signed in the database, a warning is logged (a head carries nothing
protected) and verify reports the heads the file has not seen.
"""

import json
import logging
import os
import urllib.parse
import urllib.request
from logging.handlers import SysLogHandler
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)
SYSLOG_PREFIX = "circlekeep-audit-head "


def entry_line(entry: dict) -> str:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"))


def configured() -> list[str]:
    """The kinds of witness in use: "file", "syslog", "http"."""
    return [kind for kind, setting in (("file", "AUDIT_WITNESS_PATH"),
                                       ("syslog", "AUDIT_WITNESS_SYSLOG"),
                                       ("http", "AUDIT_WITNESS_URL"))
            if getattr(settings, setting, "")]


def publish(entry: dict) -> None:
    """Hand one signed head to every configured witness; never raises."""
    line = entry_line(entry)
    senders = {"file": _append_to_file, "syslog": _send_to_syslog, "http": _post}
    for kind in configured():
        try:
            senders[kind](line)
        except Exception as error:  # a witness may fail in any way; the trail must not
            logger.warning("The audit witness (%s) did not take the signed head at #%s: %s",
                           kind, entry.get("sequence"), type(error).__name__)


def _append_to_file(line):
    # No directories are made: a witness volume that is not mounted must fail loudly, not
    # quietly become a file on the app node's own disk.
    path = Path(settings.AUDIT_WITNESS_PATH)
    data = (line + "\n").encode()
    # O_APPEND: each head is one write at the end, whoever else is appending.
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        if os.write(descriptor, data) != len(data):
            raise OSError("short write")
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class _StrictSysLogHandler(SysLogHandler):
    """A syslog handler that lets a failure be seen instead of printing it."""

    def handleError(self, record):
        raise  # called from the handler's own except block, so this re-raises


_syslog_handlers: dict[str, SysLogHandler] = {}


def _syslog_address(text):
    if text.startswith("/"):
        return text
    host, _, port = text.rpartition(":") if ":" in text else (text, "", "514")
    return (host, int(port))


def _send_to_syslog(line):
    address = settings.AUDIT_WITNESS_SYSLOG
    handler = _syslog_handlers.get(address)
    try:
        if handler is None:
            handler = _syslog_handlers[address] = _StrictSysLogHandler(
                address=_syslog_address(address), facility=SysLogHandler.LOG_AUTHPRIV)
        handler.emit(logging.LogRecord("circlekeep.audit.witness", logging.INFO, __file__, 0,
                                       SYSLOG_PREFIX + line, None, None))
    except Exception:
        _syslog_handlers.pop(address, None)
        if handler is not None:
            handler.close()
        raise


def _post(line):
    url = settings.AUDIT_WITNESS_URL
    if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
        raise ValueError("AUDIT_WITNESS_URL must be an http(s) address")
    request = urllib.request.Request(url, data=line.encode(), method="POST",  # noqa: S310 - http(s) only, checked above
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=settings.AUDIT_WITNESS_TIMEOUT) as response:  # noqa: S310
        if not 200 <= response.status < 300:
            raise OSError(f"HTTP {response.status}")


def read_file():
    """Yield (line number, entry or None) for each line of the witness file; None for a
    line that is not a head. Nothing if there is no file witness or no file yet; OSError
    if the file cannot be read."""
    if not settings.AUDIT_WITNESS_PATH:
        return
    path = Path(settings.AUDIT_WITNESS_PATH)
    if not path.exists():
        return
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, 1):
            try:
                entry = json.loads(line)
            except ValueError:
                entry = None
            yield number, entry if isinstance(entry, dict) else None
