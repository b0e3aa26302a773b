"""The home's repeated rows (task rows and the member's circle cards) written in Python.

Every person opens their home many times a day and it lists a row per task and per
circle; said with ``format_html`` a row costs a fraction of the same markup in a template
loop. The markup is the same as the rest of the site's (the design system's ``.task`` and
``.card``), and everything put into it is escaped.
"""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from circlekeep.lib.addresses import address

TASK = ('<li class="task{}"><h3 class="task-title" id="{}">{}</h3>'
        '<p class="task-explanation">{}</p><p class="task-meta">{}{}</p>'
        '<p class="task-action"><a class="button" href="{}" aria-describedby="{}">{}</a>'
        '</p></li>')


def task_list(tasks, prefix):
    """``<ul class="task-list">`` with one row per task; each row's link is described by
    its title (a screen reader lists links out of context)."""
    rows = []
    for number, task in enumerate(tasks, 1):
        tone = f" task-{task.tone}" if task.tone else ""
        badge = (format_html('<span class="badge{}">{}</span> ',
                             f" badge-{task.tone}" if task.tone else "", task.badge)
                 if task.badge else "")
        due = (format_html('<time datetime="{}">{}</time>', task.due_iso, task.due_label)
               if task.due else "")
        title_id = f"{prefix}-task-{number}"
        rows.append(format_html(TASK, tone, title_id, task.title, task.explanation, badge, due,
                                task.url, title_id, task.action))
    return format_html('<ul class="task-list">{}</ul>', mark_safe("".join(rows)))  # noqa: S308


def circle_cards(memberships):
    """The member's circles, a card each: where it stands and who facilitates it; while
    joining, the steps left; a circle closed by its organization's two-step rule says so."""
    return mark_safe("".join(_circle_card(m) for m in memberships))  # noqa: S308


def _circle_card(m):
    if m.locked:
        head = format_html(
            '<h3>{}</h3><p class="next-step">{} <a href="{}">{}</a></p>', m.circle_name,
            _("%(organization)s asks everyone in its circles to use two-step sign-in. Set it "
              "up to open this circle; your other circles are not affected.")
            % {"organization": m.organization_name},
            address("accounts:otp-setup"), _("Set up two-step sign-in"))
        return format_html('<article class="card">{}</article>', head)
    parts = [format_html(
        '<h3><a href="{}">{}</a></h3><p><span class="status status-{}">{}</span> · {} {}</p>',
        m.url, m.circle_name, m.status, m.status_label, _("Facilitated by"),
        ", ".join(m.facilitators))]
    if m.steps:
        steps = format_html_join("", '<li><a href="{}">{}</a>{}</li>', (
            (step.url, step.label,
             format_html(' <span class="muted">— {}</span>', step.note) if step.note else "")
            for step in m.steps))
        parts.append(format_html(
            '<div class="next-step"><p><strong>{}</strong></p><ol>{}</ol>'
            '<p><a href="{}">{}</a></p></div>', _("Before your first meeting:"), steps,
            m.onboarding_url, _("Your onboarding checklist")))
    elif m.next_step:
        parts.append(format_html('<p class="next-step"><strong>{}</strong> {}</p>',
                                 _("To do:"), m.next_step))
    if m.review_due and m.status == "active":
        parts.append(format_html('<p class="muted">{}</p>', _(
            "The circle's agreement is due for review at the next meeting.")))
    return format_html('<article class="card">{}</article>',
                       mark_safe("".join(parts)))  # noqa: S308
