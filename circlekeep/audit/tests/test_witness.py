"""Signed heads leave the database for a witness, only once committed, and a witness that
fails costs nothing but a warning."""

import io
import json
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from circlekeep import audit
from circlekeep.audit.chain import checkpoint_message, message_signature_is_valid, public_key_text
from circlekeep.audit.models import AuditCheckpoint, AuditEvent
from circlekeep.audit.recording import checkpoint_now
from circlekeep.audit.tests.tampering import events, last
from circlekeep.audit.verify import verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_append_signed(settings):
    settings.AUDIT_SIGN_EVERY_SECONDS = 0
    # The cast's last signature promised the next within seconds, under the old setting;
    # sign once more under the new one (on a slow machine the head may already be signed,
    # so first give it something new to sign).
    if checkpoint_now() is None:
        with transaction.atomic():
            audit.record("vault.kek.rotated", actor=None, target=None, data={"keys": 0})
        checkpoint_now()


def witness_lines(settings):
    path = Path(settings.AUDIT_WITNESS_PATH)
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_a_signed_head_reaches_the_witness_file_once_its_transaction_commits(
        cast, settings, every_append_signed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        events(1, cast.member)
    assert witness_lines(settings) == []  # not before the commit
    for callback in callbacks:
        callback()
    [line] = witness_lines(settings)
    checkpoint = AuditCheckpoint.objects.get(sequence=last())
    assert line == checkpoint.witness_entry()
    assert line["hash"] == AuditEvent.objects.get(sequence=last()).hash
    assert line["public_key"] == public_key_text()
    message = checkpoint_message(
        sequence=line["sequence"], event_hash=line["hash"], previous=line["previous"],
        previous_digest=line["previous_digest"], due_sequence=line["due_sequence"],
        due_us=line["due_us"], at_us=line["at_us"])
    assert message_signature_is_valid(message, line["signature"], line["public_key"])
    assert verify().ok


def test_a_rolled_back_head_never_reaches_the_witness(
        cast, settings, every_append_signed, django_capture_on_commit_callbacks):
    start = last()
    with (django_capture_on_commit_callbacks(execute=True), pytest.raises(ZeroDivisionError),
          transaction.atomic()):
        events(1, cast.member)
        1 / 0  # noqa: B018 - the action fails after its event was signed
    assert last() == start
    assert witness_lines(settings) == []


def test_a_failing_witness_keeps_the_event_and_verify_reports_the_gap(
        cast, settings, tmp_path, every_append_signed, django_capture_on_commit_callbacks,
        caplog):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    settings.AUDIT_WITNESS_PATH = str(blocker / "audit-witness.jsonl")
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        events(1, cast.member)
    assert AuditEvent.objects.filter(sequence=last(), actor=cast.member).exists()
    assert AuditCheckpoint.objects.filter(sequence=last()).exists()
    assert [r.getMessage() for r in caplog.records] == [
        f"The audit witness (file) did not take the signed head at #{last()}: "
        "NotADirectoryError"]
    settings.AUDIT_WITNESS_PATH = str(tmp_path / "audit-witness.jsonl")
    result = verify()
    assert result.ok
    assert any(note.startswith("The witness file has not seen the newest") for note in
               result.notes)


def test_syslog_receives_each_signed_head(cast, settings, every_append_signed,
                                         django_capture_on_commit_callbacks):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(("127.0.0.1", 0))
        server.settimeout(5)
        settings.AUDIT_WITNESS_PATH = ""
        settings.AUDIT_WITNESS_SYSLOG = f"127.0.0.1:{server.getsockname()[1]}"
        with django_capture_on_commit_callbacks(execute=True):
            events(1, cast.member)
        datagram = server.recv(65536).decode()
    assert "circlekeep-audit-head " in datagram
    entry = json.loads(datagram.split("circlekeep-audit-head ", 1)[1].rstrip("\x00"))
    assert entry == AuditCheckpoint.objects.get(sequence=last()).witness_entry()


def test_an_http_endpoint_receives_each_signed_head(cast, settings, every_append_signed,
                                                   django_capture_on_commit_callbacks):
    received = []

    class Witness(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            received.append((self.headers["Content-Type"], json.loads(self.rfile.read(length))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Witness)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings.AUDIT_WITNESS_PATH = ""
        settings.AUDIT_WITNESS_URL = f"http://127.0.0.1:{server.server_address[1]}/heads"
        with django_capture_on_commit_callbacks(execute=True):
            events(1, cast.member)
    finally:
        server.shutdown()
        server.server_close()
    assert received == [("application/json",
                         AuditCheckpoint.objects.get(sequence=last()).witness_entry())]


def test_verify_says_when_it_cannot_read_the_witness_back(cast, settings):
    settings.AUDIT_WITNESS_PATH = ""
    settings.AUDIT_WITNESS_SYSLOG = "/dev/log"
    result = verify()
    assert result.ok
    assert result.notes == ["The witness (syslog) cannot be read back from here: the "
                            "database was checked on its own; compare the newest signed "
                            "heads there by hand."]


def test_a_forged_head_in_the_witness_is_skipped_not_trusted(
        cast, settings, every_append_signed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        events(2, cast.member)
    [_first, second] = witness_lines(settings)
    forged = dict(second, sequence=second["sequence"] + 100)
    with open(settings.AUDIT_WITNESS_PATH, "a") as witness:
        witness.write(json.dumps(forged) + "\nnot a head\n")
    result = verify()
    assert result.ok and result.witnessed == 3
    assert result.notes == [
        "1 line(s) of the witness file (the first is line 4) are not signed heads; they were "
        "skipped.",
        "1 line(s) of the witness file (the first is line 3) are not validly signed; they "
        "were skipped."]


def test_the_verify_command_names_every_problem_and_exits_non_zero(
        cast, settings, every_append_signed, django_capture_on_commit_callbacks):
    from circlekeep.audit.tests.tampering import record_rule_suspended, sql, truncate

    with django_capture_on_commit_callbacks(execute=True):
        events(3, cast.member)
    end = last()
    with record_rule_suspended():
        truncate(end - 2)
        sql("UPDATE audit_auditevent SET reason = 'quietly' WHERE sequence = %s", [end - 5])
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify", stdout=io.StringIO(), stderr=err)
    assert exit_info.value.code == 1
    assert err.getvalue().splitlines() == [
        f"TAMPERED at #{end} (truncated): the trail was truncated: the witness saw #{end} "
        f"(hash {witness_lines(settings)[-1]['hash'][:16]}…) but the database ends at "
        f"#{end - 2}",
        f"TAMPERED at #{end - 5} (changed): event #{end - 5}'s columns reason differ from its "
        "record (changed after it was written)",
        *(["TAMPERED at #0 (rule-removed): the database rule that ties each event's record to "
           "its columns was removed: restore it before trusting the trail"]
          if connection.vendor == "postgresql" else [])]


def test_the_deployment_check_asks_for_a_witness_that_can_be_written(settings, tmp_path):
    from circlekeep.audit.apps import check_witness

    settings.AUDIT_WITNESS_PATH = str(tmp_path / "audit-witness.jsonl")
    assert check_witness() == []
    settings.AUDIT_WITNESS_PATH = str(tmp_path / "unmounted" / "audit-witness.jsonl")
    assert [w.id for w in check_witness()] == ["audit.W002"]
    settings.AUDIT_WITNESS_PATH = ""
    assert [w.id for w in check_witness()] == ["audit.W001"]
    settings.AUDIT_WITNESS_URL = "https://witness.example.org/heads"
    assert check_witness() == []
