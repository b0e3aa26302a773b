"""Nothing typed is lost: a form sent after the session ended comes back, filled in, after
signing in again; it is kept sealed, for its author only, and only once."""

import json
import re
import time

import pytest
from django.test import Client

from circlekeep.accounts.actions import do_keep_form_draft, do_restore_form_draft
from circlekeep.accounts.middleware import SEEN_KEY
from circlekeep.accounts.models import FormDraft
from circlekeep.agreements.models import Proposal
from circlekeep.testing import PASSWORD, assert_events, audit_mark, signed_in_client
from circlekeep.vault.crypto import VaultError
from circlekeep.vault.drafts import open_draft

pytestmark = pytest.mark.django_db
TEXT = "Phones stay in our bags until the closing round."


def gone_idle(user):
    client = signed_in_client(user)
    session = client.session
    session[SEEN_KEY] = int(time.time()) - 31 * 60
    session.save()
    return client


def proposal_url(cast):
    return f"/agreements/circles/{cast.circle.public_id}/propose/"


def send_proposal_after_timeout(cast, client=None):
    client = client or gone_idle(cast.member)
    url = proposal_url(cast)
    response = client.post(url, {"kind": "add", "title": "Phones", "text": TEXT,
                                 "reason": "Focus", "once": "abc",
                                 "csrfmiddlewaretoken": "x" * 32},
                           HTTP_REFERER=f"http://testserver{url}")
    return client, response


def restored_fields(page):
    match = re.search(r'<script id="restored-form" type="application/json">(.*?)</script>',
                      page, re.S)
    return json.loads(match.group(1)) if match else None


def test_a_form_sent_after_the_session_ended_comes_back_after_sign_in(cast):
    client, response = send_proposal_after_timeout(cast)
    url = proposal_url(cast)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/sign-in/?next={url.replace('/', '%2F')}"
    assert Proposal.objects.count() == 0  # nothing was sent while signed out
    signed_in = client.post(response["Location"], {"username": "mina@example.test",
                                                   "password": PASSWORD, "next": url})
    assert signed_in["Location"] == url
    page = client.get(url).content.decode()
    fields = restored_fields(page)
    assert fields["text"] == [TEXT] and fields["title"] == ["Phones"]
    # Never the tokens: the page carries its own fresh ones.
    assert not {"csrfmiddlewaretoken", "once"} & set(fields)
    assert "back in the form" in page
    # Once: the sealed copy is gone, and a reload shows an empty form.
    assert FormDraft.objects.count() == 0
    assert restored_fields(client.get(url).content.decode()) is None


def test_the_kept_form_is_sealed_and_unreadable_without_the_vault(cast, settings):
    send_proposal_after_timeout(cast)
    draft = FormDraft.objects.get()
    assert TEXT not in draft.sealed_fields and "Phones" not in draft.sealed_fields
    assert open_draft(draft.public_id, cast.member.pk, draft.sealed_fields)["text"] == [TEXT]
    # The database without the keyring's key-encryption key cannot open it.
    current = settings.VAULT_KEYRING["current"]
    settings.VAULT_KEYRING = {"current": current, "keys": {current: b"\0" * 32}}
    with pytest.raises(VaultError):
        open_draft(draft.public_id, cast.member.pk, draft.sealed_fields)


def test_the_kept_form_opens_only_for_the_account_that_typed_it(cast):
    client, _ = send_proposal_after_timeout(cast)
    draft = FormDraft.objects.get()
    with pytest.raises(VaultError):
        open_draft(draft.public_id, cast.other_member.pk, draft.sealed_fields)
    # Someone else signing in on the same browser gets nothing back.
    client.post("/accounts/sign-in/", {"username": cast.other_member.email,
                                       "password": PASSWORD, "next": proposal_url(cast)})
    assert do_restore_form_draft(cast.other_member, draft_id=draft.public_id,
                                 path=proposal_url(cast)) is None
    assert FormDraft.objects.filter(pk=draft.pk).exists()


def test_a_form_forged_by_another_site_is_not_kept(cast):
    client = gone_idle(cast.member)
    client.handler.enforce_csrf_checks = True
    _, response = send_proposal_after_timeout(cast, client)
    assert response.status_code == 302
    assert FormDraft.objects.count() == 0


def test_a_concern_that_may_be_anonymous_is_never_kept(cast):
    """Keeping it would tie a possibly anonymous report to the account that sent it."""
    client = gone_idle(cast.member)
    url = f"/incidents/circles/{cast.circle.public_id}/report/"
    response = client.post(url, {"kind": "accidental", "body": TEXT, "visibility": "anonymous",
                                 "raise_in_group": "no"}, HTTP_REFERER=f"http://testserver{url}")
    assert response.status_code == 302
    assert FormDraft.objects.count() == 0


def test_passwords_and_codes_are_never_kept(cast):
    client = gone_idle(cast.member)
    client.post("/accounts/security/password/",
                {"old_password": PASSWORD, "new_password1": "n" * 20, "code": "123456"},
                HTTP_REFERER="http://testserver/accounts/security/password/")
    assert FormDraft.objects.count() == 0  # nothing left worth keeping


def test_keeping_and_restoring_a_form_are_audited_without_its_text(cast):
    page = proposal_url(cast)
    mark = audit_mark()
    draft = do_keep_form_draft(cast.member, path=page, fields={"body": [TEXT]})
    fields = do_restore_form_draft(cast.member, draft_id=draft.public_id, path=page)
    assert fields == {"body": [TEXT]}
    assert_events(mark, [("account.form_draft.kept", cast.member, cast.member),
                         ("account.form_draft.restored", cast.member, cast.member)])
    assert do_restore_form_draft(cast.member, draft_id=draft.public_id, path=page) is None


def test_an_expired_draft_is_not_restored(cast, settings):
    settings.FORM_DRAFT_MINUTES = 0
    draft = do_keep_form_draft(cast.member, path="/x/", fields={"body": [TEXT]})
    assert do_restore_form_draft(cast.member, draft_id=draft.public_id, path="/x/") is None


def test_stay_signed_in_restarts_the_idle_clock(cast):
    client = signed_in_client(cast.member)
    session = client.session
    session[SEEN_KEY] = int(time.time()) - 29 * 60
    session.save()
    assert client.post("/accounts/session/keep/").status_code == 204
    assert time.time() - client.session[SEEN_KEY] < 5
    assert Client().post("/accounts/session/keep/").status_code == 302


def test_every_signed_in_page_carries_the_idle_warning(cast, settings):
    settings.IDLE_WARNING = __import__("datetime").timedelta(minutes=2)
    page = signed_in_client(cast.facilitator).get("/").content.decode()
    assert 'role="alertdialog"' in page and "Stay signed in" in page
    assert 'data-warn-seconds="120"' in page
    assert "idle-warning" not in Client().get("/accounts/sign-in/").content.decode()
