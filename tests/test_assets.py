"""Every script and stylesheet a page loads comes from this site with a subresource
integrity digest that matches the file served, and no page carries inline script."""

import base64
import hashlib
import re

import pytest

from circlekeep.testing import signed_in_client

TAG = re.compile(r"<(script|link)\b([^>]*)>", re.IGNORECASE)
ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')


def _assets(page):
    for kind, attributes in TAG.findall(page):
        attrs = dict(ATTR.findall(attributes))
        if kind.lower() == "link" and attrs.get("rel") != "stylesheet":
            continue
        yield kind.lower(), attrs


def _served(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("who,path", [
    (None, "/accounts/sign-in/"),
    ("member", "/"),
    ("member", "/audit/mine/"),
    ("admin", "/api/v1/docs"),
])
def test_every_asset_has_a_matching_integrity_digest(cast, who, path):
    client = signed_in_client(getattr(cast, who) if who else None)
    response = client.get(path, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assets = list(_assets(page))
    assert assets, f"{path} loads no stylesheet or script"
    for kind, attrs in assets:
        url = attrs.get("src" if kind == "script" else "href")
        assert url and url.startswith("/static/"), f"{kind} on {path} not from the site: {url}"
        assert "integrity" in attrs, f"{url} on {path} has no integrity digest"
        digest = hashlib.sha384(_served(client, url)).digest()
        assert attrs["integrity"] == "sha384-" + base64.b64encode(digest).decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), f"inline script on {path}"
