"""The home page's list of a person's own circles, through the API."""

from ninja import Router

from circlekeep.circles.api import MembershipOut
from circlekeep.home.dashboard import member_circles

router = Router(tags=["home"])


@router.get("/memberships", response=list[MembershipOut])
def my_memberships(request):
    """The signed-in person's own memberships (the member dashboard)."""
    me = request.user
    return [{"id": m.membership_id, "circle_id": m.circle_id, "user_id": me.public_id,
             "display_name": me.display_name, "status": m.status,
             "status_changed_at": m.status_changed_at} for m in member_circles(me)]
