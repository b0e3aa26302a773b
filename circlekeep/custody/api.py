"""Erasure through the API: the same action and rule as the page."""

from ninja import Router, Schema, Status
from pydantic import ConfigDict

from circlekeep.circles.access import access_membership
from circlekeep.custody.actions import do_destroy_member_keys

router = Router(tags=["erasure"])


class ErasureIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"reason": "The member asked for their information to be erased",
         "confirmation": "Rosa Delgado"}]})

    reason: str
    confirmation: str  # the person's display name, full name or e-mail, typed


@router.post("/memberships/{membership_id}/erase-protected", response={204: None})
def erase_protected(request, membership_id: str, payload: ErasureIn):
    """Crypto-shred what the membership's organization holds about the member (that
    organization's admins). Other organizations' share is never touched."""
    membership = access_membership(request.user, membership_id)
    do_destroy_member_keys(membership.user, organization=membership.circle.organization,
                           actor=request.user, reason=payload.reason,
                           confirmation=payload.confirmation)
    return Status(204, None)
