"""The audit trail. ``record`` is the only code that inserts audit rows."""

from circlekeep.audit.recording import record

__all__ = ["record"]
