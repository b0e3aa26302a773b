"""Charts draw under the strict Content-Security-Policy, at desktop and phone widths, with
nothing refused by the policy and no script error."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from circlekeep.testing import PASSWORD, totp_now

pytestmark = pytest.mark.browser

LISTEN = """
window.__refusals = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__refusals.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""
# Whether anything was painted on the chart's canvas (a blank canvas is all transparent).
PAINTED = """(canvas) => {
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) return true;
  return false;
}"""


@pytest.mark.parametrize("width", [390, 1280])
def test_the_onboarding_funnel_draws_under_the_strict_policy(live_cast, visit, width):
    tab = visit(width=width)
    errors = []
    tab.page.on("pageerror", lambda error: errors.append(str(error)))
    tab.page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    tab.context.add_init_script(LISTEN)
    tab.goto("/accounts/sign-in/")
    tab.fill("E-mail address", live_cast.facilitator.email)
    tab.fill("Password", PASSWORD)
    tab.click("Sign in")
    tab.fill("Code", totp_now(TOTPDevice.objects.get(user=live_cast.facilitator), ahead=1))
    tab.click("Verify")
    tab.goto(f"/circles/{live_cast.circle.public_id}/")
    canvas = tab.page.locator("canvas[data-chart]")
    tab.page.wait_for_function("document.querySelector('canvas[data-chart]').width > 0")
    assert canvas.evaluate(PAINTED)
    assert canvas.bounding_box()["width"] <= width
    tab.page.get_by_text("The figures as a table").click()
    assert "Cleared to take part" in tab.page.locator("details table").inner_text()
    assert tab.page.evaluate("window.__refusals") == []
    assert errors == []
