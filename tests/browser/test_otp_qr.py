"""The two-step QR code scans: rendered by Chromium on a phone and on a desktop, it decodes
to the otpauth address of the person's own new device, with its secret."""

import base64
import io
from urllib.parse import parse_qs, urlparse

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from circlekeep.testing import PASSWORD

pytestmark = pytest.mark.browser


def decoded(png):
    import zxingcpp
    from PIL import Image

    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


@pytest.mark.parametrize("width", [390, 1280])
def test_the_qr_code_decodes_to_the_devices_secret(live_cast, visit, width):
    tab = visit(width=width)
    tab.goto("/accounts/sign-in/")
    tab.fill("E-mail address", "mina@example.test")
    tab.fill("Password", PASSWORD)
    tab.click("Sign in")
    tab.goto("/accounts/two-step/setup/")
    tab.click("Begin setup")

    qr = tab.page.locator(".qr svg")
    box = qr.bounding_box()
    assert box["width"] >= 150 and abs(box["width"] - box["height"]) < 1  # square, not squeezed
    texts = decoded(qr.screenshot())
    assert len(texts) == 1, "the QR code on the page does not scan"
    uri = urlparse(texts[0])
    device = TOTPDevice.objects.get(user=live_cast.member, confirmed=False)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert uri.scheme == "otpauth" and uri.netloc == "totp"
    assert parse_qs(uri.query)["secret"] == [secret]
    shown = tab.page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    assert shown == secret
