"""A training certificate as a PDF: who holds it, what it covers, when it expires, and the
code anyone can check on the public verification page."""

from datetime import UTC
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF

FONTS = Path(__file__).resolve().parent.parent / "lib" / "fonts"


def certificate_pdf(certificate) -> bytes:
    """The certificate in its holder's language, made the same way every time."""
    holder, organization = certificate.holder, certificate.programme.organization
    issued = certificate.issued_at.astimezone(UTC)
    with translation.override(holder.language or "en"):
        pdf = FPDF(format="A4", orientation="landscape")
        pdf.set_creation_date(issued)
        pdf.set_title(_("Confidentiality training certificate"))
        pdf.set_creator("Circlekeep")
        pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        pdf.set_margins(25, 25, 25)
        pdf.add_page()
        width = pdf.w - pdf.l_margin - pdf.r_margin

        def line(text, size=12, style="", gap=3):
            pdf.set_font("DejaVu", style, size)
            pdf.multi_cell(width, size * 0.55, text, align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(gap)

        pdf.ln(10)
        line(_("Confidentiality training certificate"), size=24, style="B", gap=8)
        line(_("This certifies that"), gap=2)
        line(holder.display_name, size=20, style="B", gap=4)
        line(_("completed %(organization)s's confidentiality training for facilitators "
               "(%(hours)s hours): the agreement and its review, informed consent and its "
               "limits, mandatory reporting, minors and guardians, documentation, handling "
               "a breach, and online rooms.")
             % {"organization": organization.name, "hours": certificate.hours}, gap=8)
        line(_("%(kind)s issued %(issued)s · valid until %(expires)s (UTC)")
             % {"kind": certificate.get_kind_display(), "issued": issued.date().isoformat(),
                "expires": certificate.expires_at.astimezone(UTC).date().isoformat()},
             style="B", gap=8)
        line(_("Verification code: %(code)s") % {"code": certificate.code}, size=14,
             style="B", gap=2)
        line(_("Check it at %(url)s") % {
            "url": settings.SITE_URL.rstrip("/") + reverse("training:verify")}, size=10)
        return bytes(pdf.output())
