import pytest
from circlekeep.testing import signed_in_client

def test_smoke(cast):
    c = signed_in_client(cast.member)
    r = c.get("/")
    assert r.status_code == 200, r.content[:2000]
    assert b"Tuesday circle" in r.content
    c = signed_in_client(cast.facilitator)
    r = c.get("/")
    assert r.status_code == 200, r.content[:2000]
    assert b"Mina" in r.content
