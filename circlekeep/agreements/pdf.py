"""The signed agreement as a PDF, made the same way every time.

The PDF carries the signature's id in its keywords. Checking a PDF rebuilds it from the
stored signature and compares the bytes: any change to the file, visible or not, shows.
"""

import re
from datetime import UTC
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF

FONTS = Path(__file__).resolve().parent.parent / "lib" / "fonts"
MARKER = "circlekeep-signature:"
_MARKER_RE = re.compile(rb"circlekeep-signature:([0-9a-f-]{36})")


def signature_pdf(signature) -> bytes:
    """The PDF of the text signed, in the language it was signed in."""
    version = signature.version
    language = signature.language
    signed_at = signature.signed_at.astimezone(UTC)
    pdf = FPDF(format="A4")
    pdf.set_creation_date(signed_at)
    pdf.set_title(f"Circle agreement v{version.number}")
    pdf.set_keywords(f"{MARKER}{signature.public_id}")
    pdf.set_creator("Circlekeep")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def paragraph(text, size=11, style="", gap=2):
        pdf.set_font("DejaVu", style, size)
        pdf.multi_cell(width, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    lines = version.reading(language).text.rstrip("\n").split("\n")
    paragraph(lines[0], size=16, style="B", gap=4)
    for line in lines[1:]:
        if line:
            paragraph(line, gap=1)
        else:
            pdf.ln(2)
    with translation.override(language):
        pdf.ln(6)
        paragraph(_("Signed by %(name)s on %(when)s (UTC).")
                  % {"name": signature.typed_name,
                     "when": signed_at.strftime("%Y-%m-%d %H:%M:%S")}, style="B")
        paragraph(_("SHA-256 of the agreement's text:"), size=9)
        paragraph(signature.text_sha256, size=9)
        paragraph(_("Anyone in the circle can check this file or the text against that hash "
                    "on the agreement's page in Circlekeep."), size=9)
    return bytes(pdf.output())


def signature_id_in(data: bytes):
    match = _MARKER_RE.search(data)
    return match.group(1).decode() if match else None
