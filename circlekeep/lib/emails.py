"""E-mail from templates in ``templates/emails/``, in the recipient's language.

E-mails carry no protected content: no circle names, no notes, no other members.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def send_templated_email(name, *, to, context, language="en"):
    """Send ``emails/<name>-subject.txt`` and ``-body.txt`` once the transaction commits."""

    def send():
        with translation.override(language):
            full_context = {"site_url": settings.SITE_URL, **context}
            subject = render_to_string(f"emails/{name}-subject.txt", full_context).strip()
            body = render_to_string(f"emails/{name}-body.txt", full_context)
        message = EmailMultiAlternatives(subject, body, to=[to])
        message.send()

    transaction.on_commit(send)
