"""The room's page: the opening for this device, then the room, driven by static/js/room.js
over the websocket (docs/rooms.md)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from circlekeep.meetings.models import Acknowledgement
from circlekeep.onboarding.progress import ONLINE_RULES
from circlekeep.rooms.access import room_entry


def websocket_url(request, meeting):
    base = settings.ROOM_WS_URL or (
        f"{'wss' if request.is_secure() else 'ws'}://{request.get_host()}")
    return f"{base}/ws/rooms/{meeting.public_id}/"


@login_required
@require_safe
def room(request, meeting_id):
    meeting, role, membership_id = room_entry(request.user, meeting_id)
    agreement = getattr(meeting.circle, "agreement", None)
    document = meeting.circle.organization.consent_document
    return render(request, "rooms/room.html", {
        "meeting": meeting, "circle": meeting.circle, "role": role,
        "ws_url": websocket_url(request, meeting), "room_id": str(meeting.public_id),
        "version": agreement.current_version if agreement else None,
        "limits": document.reporting_categories if document else [],
        "online_rules": ONLINE_RULES,
        "already_acknowledged": membership_id is not None and Acknowledgement.objects.filter(
            meeting=meeting, membership_id=membership_id).exists(),
    })
