"""Audit and vault budgets, measured in one process on a fresh database.

- ``audit verify`` events per second beside a bare SHA-256 chain over the same bytes;
- an audited, encrypted write action beside the same action with the audit event and the
  encryption taken out (what those two layers cost).
"""

import hashlib
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EVENTS = int(os.environ.get("BENCH_AUDIT_EVENTS", "10000"))
WRITES = int(os.environ.get("BENCH_WRITES", "400"))


def main():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from circlekeep.accounts.actions import do_record_sign_in
    from circlekeep.audit.models import AuditEvent
    from circlekeep.audit.verify import _canonical_of, _rows, verify
    from circlekeep.testing import build_cast

    cast = build_cast()
    have = AuditEvent.objects.count()
    for _ in range(max(0, EVENTS - have)):
        do_record_sign_in(cast.member)

    # The same bytes the verifier hashes, read beforehand; the bare chain only hashes,
    # each step over the previous digest and the event's canonical bytes.
    rows = list(_rows(5000))
    payloads = [_canonical_of(row) for row in rows]
    verify_rates, bare_rates = [], []
    for _ in range(3):
        result = verify()
        assert result.ok, result.problem
        verify_rates.append(result.events_per_second)
        started = time.perf_counter()
        previous = "0" * 64
        for payload in payloads:
            previous = hashlib.sha256(previous.encode() + b"\n" + payload).hexdigest()
        bare_rates.append(len(payloads) / (time.perf_counter() - started))
    verify_rate, bare_rate = statistics.median(verify_rates), statistics.median(bare_rates)

    action_time, direct_time = measure_writes(cast)

    print(f"audit verify        {verify_rate:>12,.0f} events/s  ({len(rows)} events)")
    print(f"bare SHA-256 chain  {bare_rate:>12,.0f} events/s")
    ratio = verify_rate / bare_rate
    print(f"verify ÷ bare = {ratio:.2f}  (target ≥ 0.5: {'met' if ratio >= 0.5 else 'MISSED'})")
    print()
    print(f"audited, encrypted write   {action_time * 1e3:>8.3f} ms")
    print(f"same write, plain          {direct_time * 1e3:>8.3f} ms")
    cost = action_time / direct_time
    print(f"audited ÷ plain = {cost:.2f}×  (target ≤ 1.3×: {'met' if cost <= 1.3 else 'MISSED'})")
    return 0 if ratio >= 0.5 and cost <= 1.3 else 1


def measure_writes(cast):
    """Suspend and reinstate a member, with a reason, through the real action; then the
    same action with audit.record and vault.seal replaced by plain equivalents."""
    from circlekeep import audit, vault
    from circlekeep.circles import actions
    from circlekeep.vault.fields import Sealed

    def run(n):
        started = time.perf_counter()
        for i in range(n):
            actions.do_change_membership_status(
                cast.membership, "suspended" if i % 2 == 0 else "active",
                actor=cast.facilitator, reason=f"Reason number {i} for the pause")
        return (time.perf_counter() - started) / n

    real_record, real_seal = audit.record, vault.seal

    def plain_seal(instance, field_name, text):
        setattr(instance, field_name, Sealed(text))

    timings = {"action": [], "plain": []}
    for _ in range(3):
        timings["action"].append(run(WRITES))
        actions.audit.record = lambda *args, **kwargs: None
        actions.vault.seal = plain_seal
        try:
            timings["plain"].append(run(WRITES))
        finally:
            actions.audit.record, actions.vault.seal = real_record, real_seal
    return statistics.median(timings["action"]), statistics.median(timings["plain"])


if __name__ == "__main__":
    sys.exit(main())
