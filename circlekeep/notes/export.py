"""A member's record as a PDF: their signed progress notes with addenda, attendance,
consents and agreement signatures. Other members appear nowhere: notes and addenda are
the reviewed, redacted versions, and nothing else names anyone but the member and their
facilitators. Which notes are in it follows the one reading rule
(``access.progress_notes_readable_by``)."""

from django.utils.translation import gettext as _
from fpdf import FPDF

from circlekeep import vault
from circlekeep.agreements.pdf import FONTS


def record_lines(membership, *, actor, reason):
    """The record as (style, text) lines; every protected read is recorded."""
    from circlekeep.agreements.models import Signature
    from circlekeep.consent.models import ConsentRecord
    from circlekeep.meetings.models import Attendance
    from circlekeep.notes.access import progress_notes_readable_by
    from circlekeep.notes.actions import addendum_texts
    from circlekeep.notes.models import Addendum, ProgressNote

    user = membership.user
    lines = [("title", _("Record of %(name)s") % {"name": user.full_name or user.display_name}),
             ("text", _("Circle: %(circle)s") % {"circle": membership.circle.name}), ("gap", "")]
    notes = list(progress_notes_readable_by(actor).filter(membership=membership)
                 .select_related("group_note__meeting", "membership__user",
                                 "membership__circle", "signed_by")
                 .order_by("group_note__meeting__starts_at"))
    bodies = vault.reveal_many(notes, "body", actor=actor, reason=reason)
    addenda = list(Addendum.objects.filter(progress_note__in=notes, added_at__isnull=False)
                   .select_related("author", "membership__user", "membership__circle"))
    texts = addendum_texts(addenda, actor=actor, reason=reason)
    lines.append(("heading", _("Progress notes")))
    for note, body in zip(notes, bodies, strict=True):
        lines.append(("subheading", _("Meeting of %(date)s, signed by %(name)s") % {
            "date": note.group_note.meeting.starts_at.date().isoformat(),
            "name": note.signed_by.display_name}))
        lines.append(("text", str(body)))
        for addendum, text in zip(addenda, texts, strict=True):
            if addendum.progress_note_id == note.pk:
                lines.append(("text", _("Addendum by %(name)s on %(date)s: %(text)s") % {
                    "name": addendum.author.display_name,
                    "date": addendum.created_at.date().isoformat(), "text": text}))
    withheld = ProgressNote.objects.filter(membership=membership, signed_at__isnull=False
                                           ).exclude(pk__in=[n.pk for n in notes]).exists()
    if withheld:
        lines.append(("text", _(
            "Your organization does not release progress notes in this app, so they are not "
            "in this copy. You have a right of access to your record: ask your facilitator "
            "or your organization, who can export it with your notes.")))
    elif not notes:
        lines.append(("text", _("No signed progress notes.")))
    lines += [("gap", ""), ("heading", _("Attendance"))]
    for record in Attendance.objects.filter(membership=membership).select_related(
            "meeting").order_by("meeting__starts_at"):
        lines.append(("text", f"{record.meeting.starts_at.date().isoformat()}: "
                              f"{record.get_status_display()}"))
    lines += [("gap", ""), ("heading", _("Consent"))]
    for record in ConsentRecord.objects.filter(subject=user,
                                               organization=membership.circle.organization
                                               ).select_related("document"):
        withdrawn = (_(", withdrawn %(date)s") % {"date": record.withdrawn_at.date()
                                                  .isoformat()}
                     if record.withdrawn_at else "")
        title = record.document.reading(record.language).title  # the text consented to
        lines.append(("text", f"{title} v{record.document.version} "
                              f"({record.get_role_display()}): "
                              f"{record.given_at.date().isoformat()}{withdrawn}"))
    lines += [("gap", ""), ("heading", _("Agreement signatures"))]
    for signature in Signature.objects.filter(membership=membership).select_related(
            "version").order_by("signed_at"):
        lines.append(("text", _("Version %(number)d, signed %(date)s as %(name)s, SHA-256 "
                                "%(hash)s") % {
            "number": signature.version.number, "date": signature.signed_at.date()
            .isoformat(), "name": signature.typed_name, "hash": signature.text_sha256}))
    return lines


def record_pdf(lines) -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    sizes = {"title": (16, "B"), "heading": (13, "B"), "subheading": (11, "B"),
             "text": (10, "")}
    for style, text in lines:
        if style == "gap":
            pdf.ln(4)
            continue
        size, weight = sizes[style]
        pdf.set_font("DejaVu", weight, size)
        pdf.multi_cell(width, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    return bytes(pdf.output())
