"""The training pages and their API twins, as a facilitator, an admin and the public use
them."""

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from circlekeep.accounts.actions import do_update_profile
from circlekeep.testing import make_api_token, page_of, signed_in_client
from circlekeep.training import actions
from circlekeep.training.models import Attempt, Certificate

pytestmark = pytest.mark.django_db


def programme_of(cast):
    return actions.do_set_up_programme(cast.org, actor=cast.admin)


def answers_form(module, right=True):
    data = {}
    for number, question in enumerate(module.questions, start=1):
        choices = len(question["texts"]["en"]["choices"])
        data[f"q{number}"] = str(question["answer"] if right
                                 else (question["answer"] + 1) % choices)
    return data


def test_an_admin_sets_the_programme_up_from_the_training_page(cast):
    client = signed_in_client(cast.admin)
    url = f"/training/{cast.org.public_id}/"
    assert "Set up the training" in page_of(client.get(url))
    response = client.post(f"/training/{cast.org.public_id}/set-up/")
    assert response.status_code == 302
    page = page_of(client.get(url))
    assert "The agreement" in page or "agreement" in page.lower()
    assert cast.org.training_programme.modules.count() == 10


def test_a_facilitator_reads_fails_sees_why_and_cannot_retake_at_once(cast):
    programme = programme_of(cast)
    module = programme.modules.get(key="agreement")
    client = signed_in_client(cast.facilitator)
    page = page_of(client.get(f"/training/modules/{module.public_id}/"))
    assert escape(module.text("en")["title"]) in page
    assert escape(module.question_texts("en")[0]["prompt"]) in page
    response = client.post(f"/training/modules/{module.public_id}/",
                           answers_form(module, right=False))
    attempt = Attempt.objects.get(user=cast.facilitator)
    assert response["Location"] == f"/training/attempts/{attempt.public_id}/"
    result = page_of(client.get(response["Location"]))
    assert "Not passed" in result and "Your answer, not right:" in result
    # The key comes with a pass, not with a failure that could be retaken at once.
    assert escape(module.question_texts("en")[0]["explanation"]) not in result
    assert "The right answer:" not in result
    page = page_of(client.get(f"/training/modules/{module.public_id}/"))
    assert "You can take this quiz again from" in page
    # Another trainee cannot read someone else's attempt.
    other = signed_in_client(cast.other_facilitator)
    assert other.get(f"/training/attempts/{attempt.public_id}/").status_code == 404


def test_an_unanswered_question_is_named_and_nothing_is_recorded(cast):
    module = programme_of(cast).modules.get(key="consent")
    data = answers_form(module)
    del data["q2"]
    response = signed_in_client(cast.facilitator).post(
        f"/training/modules/{module.public_id}/", data)
    assert response.status_code == 200
    assert "Choose an answer to this question." in page_of(response)
    assert not Attempt.objects.exists()


def test_the_module_page_is_in_the_readers_language(cast):
    module = programme_of(cast).modules.get(key="online")
    do_update_profile(cast.facilitator, display_name="Fran", pronouns="", language="es",
                      time_zone="UTC", actor=cast.facilitator)
    page = page_of(signed_in_client(cast.facilitator).get(
        f"/training/modules/{module.public_id}/"))
    assert escape(module.text("es")["title"]) in page


def finish(cast, client, user=None):
    programme = cast.org.training_programme
    for module in programme.modules.filter(set="initial"):
        client.post(f"/training/modules/{module.public_id}/", answers_form(module))
    return Certificate.objects.get(holder=user or cast.facilitator)


def test_finishing_gives_a_pdf_a_code_the_public_page_verifies_and_hours(cast):
    programme_of(cast)
    client = signed_in_client(cast.facilitator)
    certificate = finish(cast, client)
    page = page_of(client.get(f"/training/{cast.org.public_id}/"))
    assert certificate.code in page
    pdf = client.get(f"/training/certificates/{certificate.public_id}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # The holder's admin may download it; another facilitator may not.
    assert signed_in_client(cast.admin).get(
        f"/training/certificates/{certificate.public_id}.pdf").status_code == 200
    assert signed_in_client(cast.other_facilitator).get(
        f"/training/certificates/{certificate.public_id}.pdf").status_code == 404
    public = Client()
    found = page_of(public.post("/training/verify/", {"code": certificate.code}))
    assert "A genuine certificate" in found and "Fran" in found
    assert "fran@riverside.test" not in found and cast.org.name not in found
    missing = page_of(public.post("/training/verify/", {"code": "AAAA-BBBB-CCCC-DDDD"}))
    assert "No certificate has this code" in missing
    rows = list(csv.reader(io.StringIO(
        client.get(f"/training/{cast.org.public_id}/hours.csv").content.decode())))
    assert len(rows) == 8 and sum(float(row[3]) for row in rows[1:]) == 7.0


def test_an_admin_confirms_practice_and_changes_the_rules_on_the_pages(cast):
    programme = programme_of(cast)
    client = signed_in_client(cast.admin)
    response = client.post(f"/training/{cast.org.public_id}/settings/", {
        "required": "on", "pass_mark": "90", "retake_after_hours": "2",
        "valid_months": "12", "grace_days": "14", "co_facilitations": "1"})
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.required and programme.pass_mark == 90 and not programme.sign_off
    bad = client.post(f"/training/{cast.org.public_id}/settings/", {
        "pass_mark": "10", "retake_after_hours": "2", "valid_months": "12",
        "grace_days": "14", "co_facilitations": "1"})
    assert bad.status_code == 200
    programme.refresh_from_db()
    assert programme.pass_mark == 90
    response = client.post(f"/training/{cast.org.public_id}/practice/", {
        "trainee": str(cast.facilitator.public_id), "kind": "sign-off",
        "on": (timezone.now() - timedelta(days=2)).date().isoformat(),
        "note": "Watched two openings."})
    assert response.status_code == 302
    assert programme.practice.get().confirmed_by == cast.admin
    # A facilitator without a certificate confirms nobody's practice.
    assert signed_in_client(cast.other_facilitator).get(
        f"/training/{cast.org.public_id}/practice/").status_code == 404


def test_the_gate_refusal_links_to_the_training(cast):
    programme = programme_of(cast)
    actions.do_update_programme(programme, actor=cast.admin, required=True,
                                transition_until=None, pass_mark=80, retake_after_hours=1,
                                valid_months=24, grace_days=30, co_facilitations=0,
                                sign_off=False)
    response = signed_in_client(cast.facilitator).post("/circles/new/", {
        "organization": str(cast.org.public_id), "name": "Friday circle",
        "kind": "peer_support", "mode": "online", "capacity": "8", "room_names": "display"})
    assert response.status_code == 200
    assert "current confidentiality training certificate" in page_of(response)


def api(user):
    return make_api_token(user, days=1)[1]


def test_the_api_takes_the_same_steps(cast, client):
    response = client.post(f"/api/v1/organizations/{cast.org.public_id}/training",
                           **api(cast.facilitator))
    assert response.status_code == 403
    response = client.post(f"/api/v1/organizations/{cast.org.public_id}/training",
                           **api(cast.admin))
    assert response.status_code == 201 and response.json()["due"] == "initial"
    headers = api(cast.facilitator)
    training = client.get(f"/api/v1/organizations/{cast.org.public_id}/training",
                          **headers).json()
    assert len(training["modules"]) == 7
    for step in training["modules"]:
        module = client.get(f"/api/v1/training/modules/{step['id']}", **headers).json()
        assert "answer" not in module["questions"][0]
        stored = cast.org.training_programme.modules.get(public_id=step["id"])
        result = client.post(f"/api/v1/training/modules/{step['id']}/attempts",
                             {"answers": [q["answer"] for q in stored.questions]},
                             content_type="application/json", **headers)
        assert result.status_code == 201, result.content
    certificate = result.json()["certificate"]
    assert certificate["status"] == "valid"
    public = client.post("/api/v1/training/certificates/verify",
                         {"code": certificate["code"]}, content_type="application/json").json()
    assert public == {"found": True, "name": "Fran", "issued": public["issued"],
                      "expires": public["expires"], "status": "valid"}
    first = cast.org.training_programme.modules.get(key="agreement")
    failed = client.post(f"/api/v1/training/modules/{first.public_id}/attempts",
                         {"answers": [(q["answer"] + 1) % 3 for q in first.questions]},
                         content_type="application/json",
                         **api(cast.other_facilitator)).json()
    assert not failed["passed"] and failed["certificate"] is None
    assert all(q["answer"] is None and q["explanation"] is None and not q["right"]
               for q in failed["questions"])
    refused = client.post(f"/api/v1/training/modules/{step['id']}/attempts",
                          {"answers": [0]}, content_type="application/json", **headers)
    assert refused.status_code == 400


def test_homes_show_training_to_finish_and_leads_who_will_not_be_certified(cast):
    from circlekeep.meetings.actions import do_schedule_meetings

    programme = programme_of(cast)
    do_schedule_meetings(cast.circle, starts_at=timezone.now() + timedelta(days=2),
                         duration_minutes=60, recurrence="none", mode="online",
                         actor=cast.facilitator)
    assert "Finish your confidentiality training" not in page_of(
        signed_in_client(cast.facilitator).get("/"))
    actions.do_update_programme(programme, actor=cast.admin, required=True,
                                transition_until=None, pass_mark=80, retake_after_hours=1,
                                valid_months=24, grace_days=30, co_facilitations=0,
                                sign_off=False)
    home = page_of(signed_in_client(cast.facilitator).get("/"))
    assert "Finish your confidentiality training" in home
    assert "Tuesday circle&#x27;s lead cannot lead its next meeting" in home
    admin_home = page_of(signed_in_client(cast.admin).get("/"))
    assert "Tuesday circle&#x27;s lead cannot lead its next meeting" in admin_home
    # Felix's circle has no meeting coming: nothing to warn about.
    assert "Thursday circle&#x27;s lead" not in admin_home
    finish(cast, signed_in_client(cast.facilitator))
    home = page_of(signed_in_client(cast.facilitator).get("/"))
    assert "Finish your confidentiality training" not in home
    assert "lead cannot lead its next meeting" not in home


def test_an_admin_sees_the_team_and_exports_anyones_hours_but_nobody_else_does(cast):
    programme_of(cast)
    finish(cast, signed_in_client(cast.facilitator))
    admin = signed_in_client(cast.admin)
    page = page_of(admin.get(f"/training/{cast.org.public_id}/"))
    assert "Current until" in page and "None yet" in page
    url = f"/training/{cast.org.public_id}/hours.csv"
    rows = list(csv.reader(io.StringIO(admin.get(
        url, {"person": str(cast.facilitator.public_id)}).content.decode())))
    assert len(rows) == 8
    # Not someone outside the organization, and not for a facilitator.
    assert admin.get(url, {"person": str(cast.other_admin.public_id)}).status_code == 404
    assert admin.get(url, {"person": str(cast.member.public_id)}).status_code == 404
    assert signed_in_client(cast.other_facilitator).get(
        url, {"person": str(cast.facilitator.public_id)}).status_code == 404
    assert "Current until" not in page_of(
        signed_in_client(cast.other_facilitator).get(f"/training/{cast.org.public_id}/"))


def test_an_admin_edits_the_spanish_text_without_touching_the_english(cast):
    module = programme_of(cast).modules.get(key="online")
    english, spanish = module.texts["en"], module.texts["es"]
    client = signed_in_client(cast.admin)
    url = f"/training/modules/{module.public_id}/edit/"
    assert escape(english["title"]) in page_of(client.get(url))
    page = page_of(client.get(url, {"language": "es"}))
    assert escape(spanish["title"]) in page and "You are editing the Spanish text." in page
    response = client.post(f"{url}?language=es", {
        "title": "Salas en línea, a nuestra manera", "reading": spanish["reading"],
        "pass_mark": ""})
    assert response.status_code == 302
    module.refresh_from_db()
    assert module.texts["es"]["title"] == "Salas en línea, a nuestra manera"
    assert module.texts["en"] == english


def test_the_hours_csv_never_carries_a_formula(cast):
    programme = programme_of(cast)
    module = programme.modules.get(key="agreement")
    actions.do_edit_module(module, language="en", title="=HYPERLINK(\"http://x.test\")",
                           reading="Read.", actor=cast.admin)
    client = signed_in_client(cast.facilitator)
    client.post(f"/training/modules/{module.public_id}/", answers_form(module))
    response = client.get(f"/training/{cast.org.public_id}/hours.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][1] == "'=HYPERLINK(\"http://x.test\")"
    assert "no-cache" in response["Cache-Control"]
