"""Every API operation, fuzzed from the published OpenAPI schema.

Schemathesis reads ``/api/v1/openapi.json`` from the application, generates requests from
it (ones the schema allows and ones it forbids) and sends them through the whole WSGI
stack, each with a member's or an admin's token. Path ids are either generated or, half
the time, ids of real objects of the cast, so that requests reach the actions behind
404s. Destructive operations are included: each example runs in a savepoint that is
rolled back, so every request meets the same data. Two promises are checked: no server
error, whatever the input, and no success for a request the schema forbids.
"""

from datetime import timedelta

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import negative_data_rejection

from circlekeep.accounts.actions import do_create_api_token
from circlekeep.testing import just_signed_in

APPLICATION = WSGIHandler()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APPLICATION)

# Bounded and reproducible: the same examples on every run (derandomized, no example
# database), a few seconds per operation, about a minute for the whole API on two cores.
# Generated requests only: the examples the schema documents name objects that do not
# exist here (tests/test_api_docs.py checks them against their schemas), and schemathesis
# cannot run them alongside the strategies given below.
EXAMPLES = settings(max_examples=30, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck),
                    phases=[Phase.reuse, Phase.generate, Phase.target, Phase.shrink])
CHECKS = [not_a_server_error, negative_data_rejection]


@pytest.fixture
def principals(cast):
    """A member's and an admin's token (made by the real action) and token id."""
    made = {who: do_create_api_token(user, name="fuzzing", days=1, actor=user,
        proof=just_signed_in(user))
            for who, user in (("member", cast.member), ("admin", cast.admin))}
    return {who: (secret, str(token.public_id)) for who, (token, secret) in made.items()}


@pytest.fixture
def known_ids(cast):
    """Public ids of real objects, by the path parameter names the API uses."""
    from circlekeep.accounts.models import Invitation
    from circlekeep.agreements.models import Agreement, Signature
    from circlekeep.consent.models import ConsentRecord
    from circlekeep.disclosures.actions import do_record_disclosure, do_sign_authorization
    from circlekeep.incidents.actions import (
        do_draft_notification,
        do_record_privacy_incident,
        do_report_concern,
    )
    from circlekeep.meetings.actions import do_schedule_meetings
    from circlekeep.orgs.models import StaffRole

    meeting = do_schedule_meetings(cast.circle, starts_at=timezone.now() + timedelta(days=2),
                                   duration_minutes=60, recurrence="none", mode="online",
                                   actor=cast.facilitator).meetings.get()
    concern = do_report_concern(cast.circle, kind="intentional", body="A concern.",
                                visibility="facilitators", actor=cast.member)
    authorization = do_sign_authorization(
        cast.membership, recipient="Dr. Lee", information=["attendance"], purpose="Care",
        expires_on=timezone.localdate() + timedelta(days=30), typed_name="Mina Tester",
        actor=cast.member)
    disclosure = do_record_disclosure(authorization, information=["attendance"],
                                      summary="Dates", actor=cast.facilitator)
    incident = do_record_privacy_incident(cast.org, title="Lost phone", exposed="Names",
                                          discovered_at=timezone.now(), actor=cast.admin)
    notification = do_draft_notification(incident, kind="authority", recipient="Regulator",
                                         draft="Draft", actor=cast.admin)
    ids = {
        "org_id": cast.org.public_id,
        "circle_id": cast.circle.public_id,
        "membership_id": cast.membership.public_id,
        "facilitation_id": cast.circle.facilitations.first().public_id,
        "invitation_id": Invitation.objects.filter(user=cast.member).first().public_id,
        "role_id": StaffRole.objects.filter(user=cast.facilitator).first().public_id,
        "version_id": Agreement.objects.get(circle=cast.circle).current_version.public_id,
        "signature_id": Signature.objects.filter(membership=cast.membership).first().public_id,
        "document_id": cast.org.consent_document.public_id,
        "record_id": ConsentRecord.objects.filter(subject=cast.member).first().public_id,
        "meeting_id": meeting.public_id,
        "concern_id": concern.public_id,
        "authorization_id": authorization.public_id,
        "disclosure_id": disclosure.public_id,
        "incident_id": incident.public_id,
        "notification_id": notification.public_id,
    }
    return {name: str(value) for name, value in ids.items()}


@pytest.fixture
def _requests_keep_the_test_transaction():
    """A WSGI server closes stale connections around each request; under test that would
    close the connection that holds the test's transaction (Django's test client makes
    the same exception)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("_requests_keep_the_test_transaction")
@schema.parametrize()
@schema.given(who=st.sampled_from(["member", "admin"]), real_ids=st.booleans())
@EXAMPLES
def test_the_api_answers_generated_requests_without_server_errors(case, who, real_ids,
                                                                  principals, known_ids):
    secret, token_id = principals[who]
    if real_ids and case.path_parameters:
        ids = {**known_ids, "token_id": token_id}
        case.path_parameters = {name: ids.get(name, value)
                                for name, value in case.path_parameters.items()}
    if not case.operation.schema.is_security_param_negated(case):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {secret}"}
    with transaction.atomic():
        case.call_and_validate(checks=CHECKS)
        transaction.set_rollback(True)
