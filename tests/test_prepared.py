import pytest

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


def test_it_refuses_a_query_that_ignores_its_parameter(db):
    broken = PreparedQuery(lambda value: Membership.objects.all())
    with pytest.raises(ValueError, match="does not use each of its parameters"):
        broken.rows(1)
