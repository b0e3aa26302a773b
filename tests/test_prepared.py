import pytest

from circlekeep.accounts.actions import do_record_sign_in
from circlekeep.accounts.backends import USER_WITH_FLAGS, user_with_flags
from circlekeep.circles.models import Membership
from circlekeep.home.dashboard import MEMBER_CIRCLES
from circlekeep.lib.prepared import PreparedQuery

pytestmark = pytest.mark.django_db


def test_a_prepared_query_returns_what_the_orm_returns(cast):
    for user in (cast.member, cast.facilitator, cast.admin):
        prepared = USER_WITH_FLAGS.instances(user.pk)[0]
        orm = user_with_flags().get(pk=user.pk)
        assert (prepared.pk, bool(prepared.flag_staff), bool(prepared.flag_guardian)) == (
            orm.pk, orm.flag_staff, orm.flag_guardian)
    rows = MEMBER_CIRCLES.rows(cast.member.pk)
    assert len(rows) == 1 and rows[0][4] == "Tuesday circle"


def test_prepared_instances_carry_every_field_as_the_orm_converts_it(cast):
    """Times, UUIDs and flags come back as Python values (SQLite stores them as text and
    integers), and the instance is a saved row."""
    do_record_sign_in(cast.member)
    for user in (cast.member, cast.facilitator, cast.admin):
        prepared = USER_WITH_FLAGS.instances(user.pk)[0]
        orm = user_with_flags().get(pk=user.pk)
        for field in type(orm)._meta.concrete_fields:
            assert getattr(prepared, field.attname) == getattr(orm, field.attname), field.name
        for flag in ("flag_staff", "flag_member_2fa", "flag_guardian"):
            assert bool(getattr(prepared, flag)) == bool(getattr(orm, flag))
        assert not prepared._state.adding and prepared._state.db == "default"
    assert USER_WITH_FLAGS.instances(-1) == []


def test_it_refuses_a_query_that_ignores_its_parameter(db):
    broken = PreparedQuery(lambda value: Membership.objects.all())
    with pytest.raises(ValueError, match="does not use each of its parameters"):
        broken.rows(1)
