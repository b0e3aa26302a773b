"""Notification pages: the list, marking read, and which kinds come by e-mail."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from circlekeep.lib.actions import DomainError
from circlekeep.lib.forms import add_domain_error
from circlekeep.notify import actions
from circlekeep.notify.access import access_notification, notifications_visible_to
from circlekeep.notify.forms import EmailPreferencesForm

PER_PAGE = 30


@login_required
def notification_list(request):
    page = Paginator(notifications_visible_to(request.user), PER_PAGE).get_page(
        request.GET.get("page"))
    return render(request, "notify/notification_list.html", {"page": page})


@login_required
@require_POST
def mark_read(request, notification_id):
    """Mark read and go where the thing is (``open``), or come back to the list."""
    notification = access_notification(request.user, notification_id)
    actions.do_mark_notification_read(notification, actor=request.user)
    link = notification.link
    if request.POST.get("open") and link.startswith("/") and not link.startswith("//"):
        return redirect(link)
    return redirect("notify:list")


@login_required
@require_POST
def mark_all_read(request):
    count = actions.do_mark_all_notifications_read(request.user, actor=request.user)
    if count:
        messages.success(request, _("Every notification is marked read."))
    return redirect("notify:list")


@login_required
def preferences(request):
    chosen = actions.email_preferences(request.user)
    form = EmailPreferencesForm(initial={"email_kinds": [k for k, on in chosen.items() if on]})
    if request.method == "POST":
        form = EmailPreferencesForm(request.POST)
        if form.is_valid():
            try:
                selected = set(form.cleaned_data["email_kinds"])
                actions.do_set_email_preferences(
                    request.user, email={kind: kind in selected for kind in chosen},
                    actor=request.user)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Your choice of e-mails is saved."))
                return redirect("notify:preferences")
    return render(request, "notify/preferences.html", {"form": form})
