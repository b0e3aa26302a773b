"""Names people are shown by hold no control or invisible formatting characters.

A right-to-left override or a zero-width space lets one person's name pass for another's
in a roster, the audit trail or a signature; a control character breaks exports.
"""

import pytest
from django.test import Client

from circlekeep.accounts.actions import do_create_api_token, do_update_profile
from circlekeep.accounts.models import User
from circlekeep.agreements.actions import do_sign_agreement
from circlekeep.agreements.models import Agreement
from circlekeep.lib.actions import DomainError
from circlekeep.testing import just_signed_in, make_member, signed_in_client

pytestmark = pytest.mark.django_db

HIDDEN = {
    "right-to-left override": "\u202e",
    "left-to-right embedding": "\u202a",
    "first strong isolate": "\u2068",
    "zero-width space": "\u200b",
    "zero-width joiner": "\u200d",
    "word joiner": "\u2060",
    "byte-order mark": "\ufeff",
    "bell": "\x07",
    "escape": "\x1b",
}
MESSAGE = "A name cannot contain control characters or invisible formatting characters"


def profile(user, **changes):
    fields = {"display_name": user.display_name, "pronouns": user.pronouns,
              "language": user.language, "time_zone": user.time_zone,
              "full_name": user.full_name, "other_names": user.other_names}
    fields.update(changes)
    return do_update_profile(user, actor=user, **fields)


@pytest.mark.parametrize("char", HIDDEN.values(), ids=HIDDEN.keys())
@pytest.mark.parametrize("field", ["display_name", "full_name", "pronouns", "other_names"])
def test_it_refuses_hidden_characters_in_every_name_field(cast, field, char):
    with pytest.raises(DomainError) as refused:
        profile(cast.member, **{field: f"Mi{char}na"})
    assert refused.value.field == field and MESSAGE in str(refused.value.message)
    stored = User.objects.get(pk=cast.member.pk)
    assert (stored.display_name, stored.full_name, stored.pronouns, stored.other_names) == (
        "Mina", "Mina Tester", "", "")


@pytest.mark.parametrize("name", ["José María Núñez", "Nguyễn Thị Minh", "محمد الأحمد",
                                  "李小龙", "Zoë O'Brien-Smith", "Ngũgĩ wa Thiong'o"])
def test_names_in_every_script_are_welcome_and_their_disguises_are_not(cast, name):
    user = profile(cast.member, display_name=name, full_name=name, other_names=name)
    assert (user.display_name, user.full_name, user.other_names) == (name, name, name)
    with pytest.raises(DomainError):
        profile(cast.member, display_name="\u202e" + name)


def test_the_profile_page_shows_the_refusal_beside_the_field(cast):
    response = signed_in_client(cast.member).post("/accounts/profile/", {
        "display_name": "Fran\u202e", "full_name": "Mina Tester", "pronouns": "",
        "language": "en", "time_zone": "UTC", "other_names": "", "phone": ""})
    assert response.status_code == 200
    assert MESSAGE in " ".join(response.context["form"].errors["display_name"])
    assert User.objects.get(pk=cast.member.pk).display_name == "Mina"


def test_the_api_refuses_a_hidden_character_with_the_field(cast):
    _token, secret = do_create_api_token(cast.member, name="t", days=1, actor=cast.member,
        proof=just_signed_in(cast.member))
    response = Client().put("/api/v1/me", {"display_name": "Fran\u200b"},
                            content_type="application/json",
                            HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 400
    assert response.json()["field"] == "display_name"
    assert MESSAGE in response.json()["detail"]


def test_a_new_account_cannot_start_with_a_disguised_name(cast):
    with pytest.raises(DomainError) as refused:
        make_member(cast.circle, "pat@example.test", name="Fran\u2066", actor=cast.facilitator)
    assert refused.value.field == "display_name"
    assert not User.objects.filter(email="pat@example.test", is_active=True).exists()


def test_a_typed_signature_with_a_hidden_character_is_refused_by_name(cast):
    pat = make_member(cast.circle, "pat@example.test", name="Pat", actor=cast.facilitator,
                      status="onboarding").user
    version = Agreement.objects.get(circle=cast.circle).current_version
    with pytest.raises(DomainError) as refused:
        do_sign_agreement(version, typed_name="Pat\u200b Tester", actor=pat)
    assert refused.value.field == "typed_name" and MESSAGE in str(refused.value.message)
