"""Concurrent actions never fork the chain or leave gaps in the sequence."""

import threading

import pytest
from django.db import close_old_connections, connection

from circlekeep.accounts.actions import do_record_sign_in
from circlekeep.audit.models import AuditEvent, AuditHead
from circlekeep.audit.verify import verify

WORKERS = 8
ACTIONS_EACH = 500


@pytest.mark.django_db(transaction=True)
def test_eight_workers_doing_500_actions_each_keep_one_unbroken_chain(live_cast):
    users = [u for u in live_cast.principals().values() if u is not None]
    users.append(live_cast.other_admin)
    start = AuditHead.objects.get(pk=1).sequence
    errors = []
    barrier = threading.Barrier(WORKERS)

    def work(user):
        try:
            barrier.wait()
            for _ in range(ACTIONS_EACH):
                do_record_sign_in(user)
        except Exception as error:  # reported below, with the worker's own traceback lost
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(users[i],)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()
    assert errors == []
    end = AuditHead.objects.get(pk=1).sequence
    assert end - start == WORKERS * ACTIONS_EACH
    sequences = list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, end + 1))
    result = verify()
    assert result.ok, result.problem
    assert result.events == end
