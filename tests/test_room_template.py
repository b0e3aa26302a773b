"""The online room's page renders for a member and a facilitator, and every script it runs,
the imported crypto module included, is named with its subresource integrity digest."""

import base64
import hashlib
import re
import uuid
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.utils import timezone

STATIC = Path(__file__).resolve().parents[1] / "static"
TAG = re.compile(r"<(script|link)\b([^>]*)>", re.IGNORECASE)
ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')


def room_context(role="member", **overrides):
    starts = timezone.now() + timedelta(minutes=10)
    context = {
        "meeting": SimpleNamespace(public_id=uuid.uuid4(), starts_at=starts,
                                   ends_at=starts + timedelta(minutes=90)),
        "circle": SimpleNamespace(name="Tuesday evening circle"),
        "role": role,
        "ws_url": "wss://rooms.example.test/ws/rooms/abc/",
        "room_id": "abc",
        "version": SimpleNamespace(clauses=[SimpleNamespace(title="Names stay here",
                                                            text="We do not repeat who came.")]),
        "limits": ["A risk of serious harm may be reported."],
        "online_rules": ["Be alone in the room you join from."],
        "already_acknowledged": False,
    }
    context.update(overrides)
    return context


def render(rf, role="member", **overrides):
    request = rf.get("/meetings/x/room/")
    request.user = AnonymousUser()
    request.csp_nonce = "n0nce"
    return render_to_string("rooms/room.html", room_context(role, **overrides), request=request)


def digest(path):
    raw = hashlib.sha384((STATIC / path).read_bytes()).digest()
    return "sha384-" + base64.b64encode(raw).decode()


@pytest.mark.parametrize("role", ["member", "facilitator"])
def test_every_script_and_imported_module_carries_its_integrity(rf, role):
    page = render(rf, role)
    tags = [(kind.lower(), dict(ATTR.findall(attrs))) for kind, attrs in TAG.findall(page)]
    scripts = [attrs for kind, attrs in tags if kind == "script"]
    preloads = [attrs for kind, attrs in tags
                if kind == "link" and attrs.get("rel") == "modulepreload"]
    assert {"/static/js/room.js"} <= {s.get("src") for s in scripts}
    assert [p["href"] for p in preloads] == ["/static/js/room-crypto.js"]
    for attrs in scripts + preloads:
        url = attrs.get("src") or attrs["href"]
        assert attrs.get("integrity") == digest(url.removeprefix("/static/")), url
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "inline script"
    assert " style=" not in page
    # Every module room.js imports is preloaded with a digest, or the browser would run it
    # unchecked.
    imported = re.findall(r'from "\./([\w-]+\.js)"', (STATIC / "js" / "room.js").read_text())
    assert {f"/static/js/{name}" for name in imported} <= {p["href"] for p in preloads}


def test_the_room_carries_what_its_script_needs(rf):
    page = render(rf, "facilitator")
    assert 'id="room"' in page
    assert 'data-ws-url="wss://rooms.example.test/ws/rooms/abc/"' in page
    assert 'data-room="abc"' in page
    assert 'data-role="facilitator"' in page
    assert 'data-state="opening"' in page
    assert "Names stay here" in page and "Be alone in the room you join from." in page
    assert "What end-to-end means here" in page
    assert 'id="room-end"' in page  # the facilitator's confirmation before ending


def test_a_member_sees_no_facilitator_controls(rf):
    page = render(rf, "member", version=None)
    assert "I acknowledge and ask to enter" in page
    assert "data-waiting-list" not in page and 'id="room-end"' not in page
