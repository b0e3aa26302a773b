"""Each role's main pages on a phone (390 px) and on a desktop: nothing scrolls sideways
and axe-core finds no serious problem (both checked by the conftest on every page), and
the navigation folds behind a menu button that works with a keyboard."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from circlekeep.incidents.actions import do_report_concern
from circlekeep.meetings.actions import do_schedule_meetings
from circlekeep.testing import PASSWORD, totp_now
from circlekeep.training.actions import do_set_up_programme, do_submit_quiz

pytestmark = pytest.mark.browser

WIDTHS = [390, 1280]


def sign_in(tab, user, *, staff):
    tab.goto("/accounts/sign-in/")
    tab.fill("E-mail address", user.email)
    tab.fill("Password", PASSWORD)
    tab.click("Sign in")
    if staff:
        tab.fill("Code", totp_now(TOTPDevice.objects.get(user=user), ahead=1))
        tab.click("Verify")


def tour(tab, paths):
    for path in paths:
        response = tab.page.goto(path)
        assert response.status == 200, f"{path} answered {response.status}"
        tab.check()


@pytest.fixture
def meeting(live_cast):
    starts = (timezone.now() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    series = do_schedule_meetings(live_cast.circle, starts_at=starts, duration_minutes=90,
                                  recurrence="weekly", until=(starts + timedelta(weeks=3)).date(),
                                  mode="in_person", place="Room 4, Riverside Centre",
                                  actor=live_cast.facilitator)
    return series.meetings.order_by("starts_at").first()


@pytest.fixture
def concern(live_cast):
    return do_report_concern(live_cast.circle, kind="accidental", visibility="facilitators",
                             body="A name was mentioned outside the circle.",
                             actor=live_cast.member)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_members_pages_fit(live_cast, meeting, concern, visit, width):
    cast = live_cast
    tab = visit(width=width)
    sign_in(tab, cast.member, staff=False)
    circle, membership = cast.circle.public_id, cast.membership.public_id
    tour(tab, ["/", f"/circles/{circle}/", f"/meetings/{meeting.public_id}/",
               f"/meetings/{meeting.public_id}/ritual/", "/meetings/schedule/",
               "/meetings/schedule/?view=month", "/meetings/calendar/",
               f"/meetings/memberships/{membership}/attendance/",
               f"/agreements/circles/{circle}/", "/consent/", "/notes/mine/",
               "/disclosures/", "/audit/mine/", "/accounts/profile/", "/accounts/security/",
               f"/circles/memberships/{membership}/",
               f"/circles/memberships/{membership}/onboarding/",
               f"/incidents/circles/{circle}/report/",
               f"/incidents/concerns/{concern.public_id}/"])


@pytest.mark.parametrize("width", WIDTHS)
def test_a_facilitators_pages_fit(live_cast, meeting, concern, visit, width):
    cast = live_cast
    tab = visit(width=width)
    sign_in(tab, cast.facilitator, staff=True)
    membership = cast.membership.public_id
    circle = cast.circle.public_id
    tour(tab, ["/", f"/circles/{circle}/", f"/meetings/circles/{circle}/",
               f"/meetings/{meeting.public_id}/", f"/meetings/{meeting.public_id}/ritual/",
               "/meetings/schedule/?view=month", f"/circles/memberships/{membership}/",
               f"/circles/memberships/{membership}/onboarding/",
               f"/meetings/memberships/{membership}/attendance/",
               f"/agreements/circles/{circle}/", f"/incidents/circles/{circle}/",
               f"/disclosures/memberships/{membership}/", "/circles/new/",
               f"/incidents/concerns/{concern.public_id}/", f"/notes/meetings/{meeting.public_id}/",
               f"/circles/{circle}/invite/", f"/circles/{circle}/edit/",
               f"/agreements/circles/{circle}/propose/"])


@pytest.mark.parametrize("width", WIDTHS)
def test_an_admins_pages_fit(live_cast, meeting, visit, width):
    cast = live_cast
    tab = visit(width=width)
    sign_in(tab, cast.admin, staff=True)
    org = cast.org.public_id
    tour(tab, ["/", f"/circles/organizations/{org}/", f"/org/{org}/staff/",
               f"/circles/organizations/{org}/invitations/", f"/org/{org}/settings/",
               f"/consent/organizations/{org}/", f"/agreements/templates/{org}/",
               "/audit/", "/audit/security/", "/meetings/schedule/",
               f"/circles/{cast.circle.public_id}/", "/accounts/tokens/"])


@pytest.mark.parametrize("width", WIDTHS)
def test_the_training_pages_fit(live_cast, visit, width):
    cast = live_cast
    programme = do_set_up_programme(cast.org, actor=cast.admin)
    module = programme.modules.get(key="online")
    attempt = do_submit_quiz(module, answers=[0] * len(module.questions),
                             actor=cast.facilitator)
    tab = visit(width=width)
    sign_in(tab, cast.facilitator, staff=True)
    org = cast.org.public_id
    tour(tab, [f"/training/{org}/", f"/training/modules/{module.public_id}/",
               f"/training/attempts/{attempt.public_id}/", "/training/verify/"])
    admin = visit(width=width)
    sign_in(admin, cast.admin, staff=True)
    tour(admin, [f"/training/{org}/", f"/training/{org}/settings/", f"/training/{org}/practice/",
                 f"/training/modules/{module.public_id}/edit/"])


@pytest.mark.parametrize("width", WIDTHS)
def test_the_feedback_pages_fit(live_cast, visit, width):
    from circlekeep.feedback.actions import do_close_round, do_share_summary
    from circlekeep.feedback.tests.helpers import Browser, members, open_round

    cast = live_cast
    released = open_round(cast.circle, cast.facilitator)
    people = [cast.member, *members(cast.circle, 4, actor=cast.facilitator)]
    for number, person in enumerate(people):
        Browser(released).receive(person).send(
            {"q1": 1 + number, "q2": "A long answer without spaces: " + "x" * 120})
    do_close_round(released, actor=cast.facilitator)
    do_share_summary(released, actor=cast.facilitator, summary="Themes " + "y" * 150)
    below = do_close_round(open_round(cast.circle, cast.facilitator), actor=cast.facilitator)
    current = open_round(cast.circle, cast.facilitator)
    facilitator = visit(width=width)
    sign_in(facilitator, cast.facilitator, staff=True)
    tour(facilitator, [f"/feedback/circles/{cast.circle.public_id}/",
                       f"/feedback/rounds/{released.public_id}/",
                       f"/feedback/rounds/{below.public_id}/",
                       f"/feedback/rounds/{current.public_id}/",
                       f"/feedback/rounds/{current.public_id}/close/"])
    member = visit(width=width)
    sign_in(member, cast.member, staff=False)
    tour(member, [f"/feedback/circles/{cast.circle.public_id}/",
                  f"/feedback/rounds/{current.public_id}/",
                  f"/feedback/rounds/{released.public_id}/"])


@pytest.mark.parametrize("width", WIDTHS)
def test_an_auditors_pages_fit(live_cast, visit, width):
    tab = visit(width=width)
    sign_in(tab, live_cast.auditor, staff=True)
    tour(tab, ["/", "/audit/", "/audit/security/", "/audit/mine/", "/accounts/security/"])


def test_the_menu_folds_on_a_phone_and_opens_with_the_keyboard(live_cast, visit):
    tab = visit(width=390)
    sign_in(tab, live_cast.member, staff=False)
    button = tab.page.get_by_role("button", name="Menu")
    consent = tab.page.get_by_role("link", name="My consent")
    assert button.get_attribute("aria-expanded") == "false" and not consent.is_visible()
    button.focus()
    tab.page.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true" and consent.is_visible()
    tab.check()
    tab.page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false" and not consent.is_visible()
    assert tab.page.evaluate("document.activeElement.className").startswith("menu-button")
    button.click()
    consent.click()
    tab.page.wait_for_load_state()
    assert tab.page.url.endswith("/consent/")


def test_on_a_desktop_the_navigation_shows_without_a_menu_button(live_cast, visit):
    tab = visit(width=1280)
    sign_in(tab, live_cast.member, staff=False)
    assert not tab.page.get_by_role("button", name="Menu").is_visible()
    assert tab.page.get_by_role("link", name="My consent").is_visible()


def test_without_scripts_the_navigation_stays_reachable_on_a_phone(browser, live_server,
                                                                  live_cast):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                  viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto("/accounts/sign-in/")
    page.get_by_label("E-mail address", exact=True).fill(live_cast.member.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    assert page.get_by_role("link", name="My consent").is_visible()
    context.close()
