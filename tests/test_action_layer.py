"""State changes happen only in actions, each with its audit event, all or nothing."""

import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import circlekeep
from circlekeep.accounts import actions as account_actions
from circlekeep.accounts.models import User
from circlekeep.audit.models import AuditEvent
from circlekeep.circles import actions as circle_actions
from circlekeep.circles.models import Membership, MembershipChange
from circlekeep.lib.actions import action

ROOT = Path(__file__).resolve().parent.parent
INTERFACE_FILES = ("views.py", "api.py", "consumers.py", "forms.py", "dashboard.py")
WRITE = re.compile(r"\.(save|delete|bulk_create|bulk_update|get_or_create|update_or_create)\(|"
                   r"objects\.create\(|\)\.update\(|\.objects\.update\(")


def interface_sources():
    for path in sorted((ROOT / "circlekeep").rglob("*.py")):
        if path.name in INTERFACE_FILES or "management/commands" in path.as_posix():
            yield path


def test_views_api_forms_and_commands_never_write_models():
    offenders = []
    for path in interface_sources():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if WRITE.search(line) and not line.strip().startswith("#"):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def all_actions():
    for module_info in pkgutil.walk_packages(circlekeep.__path__, "circlekeep."):
        if module_info.name.endswith(".actions"):
            module = importlib.import_module(module_info.name)
            for name, function in inspect.getmembers(module, inspect.isfunction):
                if name.startswith("do_") and function.__module__ == module.__name__:
                    yield name, function


def test_every_do_function_is_an_action():
    assert [name for name, f in all_actions() if not getattr(f, "is_action", False)] == []


def audited_in_tests():
    """Names of do_* functions called by a test that also asserts audit events."""
    names = set()
    for path in list((ROOT / "circlekeep").rglob("tests/test_*.py")) + list(
            (ROOT / "tests").glob("test_*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                source = ast.unparse(node)
                if "assert_events(" in source:
                    names.update(re.findall(r"\b(do_\w+)\(", source))
    return names


def test_every_action_has_a_test_that_asserts_its_audit_events():
    covered = audited_in_tests()
    assert sorted(name for name, _ in all_actions() if name not in covered) == []


@pytest.mark.django_db
def test_a_domain_write_outside_an_action_is_refused(cast):
    cast.member.display_name = "Sneaky"
    with pytest.raises(AssertionError, match="outside an action"):
        cast.member.save()
    assert User.objects.get(pk=cast.member.pk).display_name == "Mina"


@pytest.mark.django_db
def test_an_action_that_writes_without_an_audit_event_is_refused(cast):
    @action
    def do_silent_rename(user):
        user.display_name = "Silent"
        user.save(update_fields=["display_name"])

    with pytest.raises(AssertionError, match="without recording an audit event"):
        do_silent_rename(cast.member)
    assert User.objects.get(pk=cast.member.pk).display_name == "Mina"


@pytest.mark.django_db
def test_a_crash_after_the_audit_event_leaves_neither_change_nor_event(cast, monkeypatch):
    real_record = circle_actions.audit.record

    def record_then_crash(*args, **kwargs):
        real_record(*args, **kwargs)
        raise RuntimeError("power cut")

    monkeypatch.setattr(circle_actions.audit, "record", record_then_crash)
    events, changes = AuditEvent.objects.count(), MembershipChange.objects.count()
    with pytest.raises(RuntimeError):
        circle_actions.do_change_membership_status(cast.membership, "suspended",
                                                   actor=cast.facilitator, reason="x")
    assert Membership.objects.get(pk=cast.membership.pk).status == "active"
    assert (AuditEvent.objects.count(), MembershipChange.objects.count()) == (events, changes)


@pytest.mark.django_db
def test_a_crash_before_the_audit_event_leaves_no_change(cast, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(account_actions.audit, "record", crash)
    with pytest.raises(RuntimeError):
        account_actions.do_update_profile(cast.member, display_name="Changed", pronouns="",
                                          language="en", time_zone="UTC", actor=cast.member)
    assert User.objects.get(pk=cast.member.pk).display_name == "Mina"


@pytest.mark.django_db
def test_audit_data_refuses_protected_fields(cast):
    from circlekeep import audit

    @action
    def do_leaky(user):
        audit.record("account.profile.changed", actor=user, target=user, subject=user,
                     data={"note": "what was said"})

    with pytest.raises(ValueError, match="protected fields"):
        do_leaky(cast.member)


@pytest.mark.django_db
def test_unknown_event_types_are_refused(cast):
    from circlekeep import audit

    @action
    def do_typo(user):
        audit.record("acount.typo", actor=user, target=user)

    with pytest.raises(ValueError, match="Unknown audit event type"):
        do_typo(cast.member)


@pytest.mark.django_db
def test_events_carry_the_request_id_and_actor_role(cast):
    from circlekeep.testing import signed_in_client

    client = signed_in_client(cast.facilitator)
    response = client.post(f"/circles/memberships/{cast.membership.public_id}/",
                           {"status": "suspended", "reason": "Paused for now"})
    assert response.status_code == 302
    event = AuditEvent.objects.filter(event_type="circle.member.status.changed").latest(
        "sequence")
    assert event.request_id == response["X-Request-Id"]
    assert (event.actor_role, event.circle, event.subject) == ("facilitator", cast.circle,
                                                               cast.member)
    # The reason is protected text about the member: sealed, never copied into the trail.
    assert event.reason == "" and event.data["reason_given"] is True
    assert "Paused for now" not in str(event.data)
