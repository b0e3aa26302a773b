"""Audit and vault budgets, measured in one process on a fresh database.

- ``audit verify`` events per second beside a bare SHA-256 chain over the same bytes;
- an audited, encrypted write action beside the same action with the audit event and the
  encryption taken out (what those two layers cost);
- for reference, what signing every append (and publishing it to the witness) would cost
  instead of signing the head every AUDIT_SIGN_EVERY_SECONDS.
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
WRITES = int(os.environ.get("BENCH_WRITES", "60"))
ROUNDS = int(os.environ.get("BENCH_WRITE_ROUNDS", "15"))
# Each verification of 10,000 events takes tens of milliseconds: enough alternating rounds
# that a burst of load from elsewhere does not decide the median.
VERIFY_ROUNDS = int(os.environ.get("BENCH_VERIFY_ROUNDS", "9"))


def main():
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from circlekeep.accounts.actions import do_record_sign_in
    from circlekeep.audit.models import AuditEvent
    from circlekeep.audit.verify import verify
    from circlekeep.testing import build_cast

    cast = build_cast()
    have = AuditEvent.objects.count()
    for _ in range(max(0, EVENTS - have)):
        do_record_sign_in(cast.member)

    # The bare chain: have the database read every event's stored bytes (every column and
    # the record) in order, and hash the records into a chain, with none of the
    # verifier's checks. That is the least any verification must do now that it compares
    # each event's columns with its record; the database touches the columns as cheaply
    # as it can (the sum of their lengths). The chain over the records alone, as before
    # that comparison, and hashing alone, with the bytes already in memory, are shown
    # beside it for reference.
    from django.db import connection

    from circlekeep.audit.chain import CANONICAL_COLUMNS

    every_column = " + ".join(f"coalesce(length(CAST({c} AS TEXT)), 0)"
                              for c in CANONICAL_COLUMNS)

    def bare_chain(touch_columns=True):
        started = time.perf_counter()
        previous, count, last = "0" * 64, 0, 0
        touched = f", {every_column}" if touch_columns else ""
        with connection.cursor() as cursor:
            while True:
                cursor.execute(f"SELECT sequence, record{touched} FROM audit_auditevent "
                               "WHERE sequence > %s ORDER BY sequence LIMIT 50000", [last])
                rows = cursor.fetchall()
                if not rows:
                    break
                for _seq, record, *_lengths in rows:
                    previous = hashlib.sha256(f"{previous}\n{record}".encode()).hexdigest()
                count += len(rows)
                last = rows[-1][0]
        return count / (time.perf_counter() - started)

    records = list(AuditEvent.objects.order_by("sequence").values_list("record", flat=True))
    verify_rates, bare_rates, record_rates, memory_rates = [], [], [], []
    for _ in range(VERIFY_ROUNDS):
        result = verify()
        assert result.ok, result.problem
        verify_rates.append(result.events_per_second)
        bare_rates.append(bare_chain())
        record_rates.append(bare_chain(touch_columns=False))
        started = time.perf_counter()
        previous = "0" * 64
        for record in records:
            previous = hashlib.sha256(f"{previous}\n{record}".encode()).hexdigest()
        memory_rates.append(len(records) / (time.perf_counter() - started))
    verify_rate, bare_rate = statistics.median(verify_rates), statistics.median(bare_rates)
    record_rate, memory_rate = statistics.median(record_rates), statistics.median(memory_rates)
    checkpoints = result.checkpoints

    action_time, direct_time, cost = measure_writes(cast)
    every_time, _direct, every_cost = measure_writes(cast, sign_every_append=True)
    sign_us, check_us = measure_signatures()

    print(f"database: {connection.vendor}")
    print(f"audit verify        {verify_rate:>12,.0f} events/s  ({len(records)} events, "
          f"{checkpoints} checkpoints)")
    print(f"bare SHA-256 chain  {bare_rate:>12,.0f} events/s  (every stored byte read, records "
          "hashed)")
    print(f"  (records alone, read and hashed: {record_rate:,.0f} events/s; hashing alone, "
          f"bytes in memory: {memory_rate:,.0f} events/s)")
    ratio = statistics.median(v / b for v, b in zip(verify_rates, bare_rates, strict=True))
    print(f"verify ÷ bare = {ratio:.2f}  (median of {VERIFY_ROUNDS} alternating rounds; "
          f"target ≥ 0.5: {'met' if ratio >= 0.5 else 'MISSED'})")
    print()
    print(f"audited, encrypted write   {action_time * 1e3:>8.3f} ms")
    print(f"same write, plain          {direct_time * 1e3:>8.3f} ms")
    print(f"  (median of {ROUNDS} alternating rounds of {WRITES} writes each)")
    print(f"audited ÷ plain = {cost:.2f}×  (target ≤ 1.3×: {'met' if cost <= 1.3 else 'MISSED'})")
    print()
    print(f"for reference, signing every append: {every_time * 1e3:.3f} ms per write, "
          f"{every_cost:.2f}× plain")
    print(f"  (Ed25519: sign {sign_us:.0f} µs, check {check_us:.0f} µs; the head is signed at "
          f"most every {settings.AUDIT_SIGN_EVERY_SECONDS} s or "
          f"{settings.AUDIT_CHECKPOINT_EVERY} events instead)")
    return 0 if ratio >= 0.5 and cost <= 1.3 else 1


def measure_signatures():
    """Microseconds to sign a checkpoint and to check its signature."""
    from circlekeep.audit.chain import message_signature_is_valid, public_key_text, sign_message

    message, key = b"circlekeep-audit-checkpoint-v2:" + b"0" * 200, public_key_text()
    signature, n = sign_message(message), 2000
    started = time.perf_counter()
    for _ in range(n):
        sign_message(message)
    signing = (time.perf_counter() - started) / n
    started = time.perf_counter()
    for _ in range(n):
        message_signature_is_valid(message, signature, key)
    return signing * 1e6, (time.perf_counter() - started) / n * 1e6


def measure_writes(cast, *, sign_every_append=False):
    """Suspend and reinstate a member, with a reason, through the real action; then the
    same action with audit.record and vault.seal replaced by plain equivalents."""
    from django.conf import settings

    from circlekeep import audit, vault
    from circlekeep.audit.recording import checkpoint_now
    from circlekeep.circles import actions
    from circlekeep.vault.fields import Sealed

    every = settings.AUDIT_SIGN_EVERY_SECONDS
    if sign_every_append:
        settings.AUDIT_SIGN_EVERY_SECONDS = 0
        checkpoint_now()  # start the new cadence now

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

    # Short alternating rounds, so that drift in the machine's speed hits both alike.
    run(20)
    action_times, plain_times, ratios = [], [], []
    for _ in range(ROUNDS):
        action = run(WRITES)
        actions.audit.record = lambda *args, **kwargs: None
        actions.vault.seal = plain_seal
        try:
            plain = run(WRITES)
        finally:
            actions.audit.record, actions.vault.seal = real_record, real_seal
        action_times.append(action)
        plain_times.append(plain)
        ratios.append(action / plain)
    settings.AUDIT_SIGN_EVERY_SECONDS = every
    checkpoint_now()
    return (statistics.median(action_times), statistics.median(plain_times),
            statistics.median(ratios))


if __name__ == "__main__":
    sys.exit(main())
