"""Checking a copy of the agreement: pasted text against the versions' hashes, or a PDF
against the one the signature would produce."""

from dataclasses import dataclass

from circlekeep.agreements.models import AgreementVersion, Signature
from circlekeep.agreements.pdf import signature_id_in, signature_pdf
from circlekeep.lib.canonical import sha256_of

MAX_PDF_BYTES = 5 * 1024 * 1024


@dataclass
class CheckResult:
    matches: bool
    sha256: str = ""
    version: object = None
    is_current: bool = False
    problem: str = ""


def check_text(agreement, text) -> CheckResult:
    """Match the text against every version, in every language it has."""
    digest = sha256_of(text)
    version = next((v for v in AgreementVersion.objects.filter(agreement=agreement)
                    if digest in {v.sha256, *(t["sha256"] for t in v.translations.values())}),
                   None)
    return CheckResult(version is not None, digest, version,
                       version is not None and version.pk == agreement.current_version_id)


def check_pdf(agreement, data: bytes) -> CheckResult:
    from django.utils.translation import gettext as _

    if len(data) > MAX_PDF_BYTES or not data.startswith(b"%PDF-"):
        return CheckResult(False, problem=_("This file is not a PDF made by Circlekeep."))
    signature_id = signature_id_in(data)
    signature = Signature.objects.select_related("version").filter(
        public_id=signature_id, version__agreement=agreement).first() if signature_id else None
    if signature is None:
        return CheckResult(False, problem=_("This PDF is not a signed copy of this circle's "
                                            "agreement."))
    expected = signature_pdf(signature)
    version = signature.version
    if data != expected:
        return CheckResult(False, version.sha256, version,
                           problem=_("This PDF has been changed since it was made."))
    return CheckResult(True, version.sha256, version,
                       version.pk == agreement.current_version_id)
