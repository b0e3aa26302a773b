"""A developer opens the browsable API docs: every operation renders, with its examples,
under the site's strict Content-Security-Policy, and nothing is refused by it."""

import pytest

from circlekeep.api.main import api

pytestmark = pytest.mark.browser

# Collects every Content-Security-Policy refusal the page meets, before any script of the
# page runs.
LISTEN = """
window.__refusals = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__refusals.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def operation_count():
    return sum(len(ops) for ops in api.get_openapi_schema()["paths"].values())


def test_the_api_docs_render_every_operation_under_the_strict_policy(live_server, visit):
    tab = visit()
    console = []
    tab.page.on("console", lambda message: console.append((message.type, message.text)))
    tab.page.on("pageerror", lambda error: console.append(("pageerror", str(error))))
    tab.context.add_init_script(LISTEN)

    response = tab.page.goto("/api/v1/docs")
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "style-src 'self';" in f"{policy};"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    operations = tab.page.locator(".opblock")
    operations.first.wait_for()
    assert operations.count() == operation_count()
    assert "Everything the pages do" in tab.page.inner_text(".information-container")
    tab.check()

    move = tab.page.locator("#operations-meetings-circlekeep_meetings_api_move")
    move.locator(".opblock-summary-control").click()
    move.locator(".body-param__example").wait_for()
    assert "2027-05-12T18:30:00+02:00" in move.locator(".body-param__example").inner_text()

    assert tab.page.evaluate("window.__refusals") == []
    assert [entry for entry in console if entry[0] in ("error", "pageerror")] == []
