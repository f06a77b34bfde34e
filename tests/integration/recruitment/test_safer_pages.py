"""Recruitment pages ask before anything is lost, say who is told, confirm each change, and
guide a vacancy through panel -> open -> close -> shortlist -> interview -> offer."""

from __future__ import annotations

import email
import html
import email.policy
import re
from datetime import date, time, timedelta

import pytest

from peerwork.core import accounts
from peerwork.core.mail.outbox import deliver_due
from peerwork.recruitment import interviews, scoring, lifecycle
from peerwork.recruitment.schemas import DayIn, ScoreIn, SlotIn
from peerwork.recruitment.tables import Application, Decision, Vacancy
from tests.factories import PASSWORD
from tests.integration.accounts.mfa_helpers import finish_second_factor
from tests.integration.recruitment.helpers import VALUES, Round, apply, make_round
from tests.integration.web.test_forms import csrf_from
from tests.integration.workforce.test_auth import sign_in
from tests.mailserver import SmtpServer

SENDER = "peerwork@north.example"


async def delivered_to(smtp: SmtpServer) -> list[tuple[set[str], str]]:
    """Send the outbox through the real SMTP server; (recipients, subject) of what arrived."""
    await deliver_due(smtp.transport, sender=SENDER, max_attempts=5)
    arrived = [(set(rcpts), email.message_from_bytes(raw, policy=email.policy.default)["Subject"])
               for (_, rcpts), raw in zip(smtp.envelopes, smtp.received)]
    smtp.envelopes.clear()
    smtp.received.clear()
    return arrived


async def as_recruiter(client, r: Round) -> None:
    await accounts.set_password(r.recruiter.principal.account_id, PASSWORD)
    response = await sign_in(client, r.recruiter.email, PASSWORD)
    assert response.status_code == 303, response.text
    await finish_second_factor(client, response, r.recruiter.email)


async def post(client, page: str, action: str, data: dict):
    shown = await client.get(page)
    assert shown.status_code == 200, shown.text
    return await client.post(action, data={**data, "_csrf_token": csrf_from(shown.text)}, follow_redirects=False)


async def confirm(client, asked, action: str):
    """Press the confirmation page's button: post back exactly the fields it carries."""
    fields = {name: html.unescape(value) for name, value in
              re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', asked.text)}
    assert fields.get("confirm") == "yes", asked.text
    return await client.post(action, data={**fields, "_csrf_token": csrf_from(asked.text)}, follow_redirects=False)


def status_box(html: str) -> str:
    found = re.search(r'<div class="notice" role="status"><p>(.*?)</p></div>', html, re.S)
    return found.group(1) if found else ""


async def shortlisted_with_interview(r: Round):
    sent = await apply(r)
    await lifecycle.set_status(r.recruiter.principal, r.vacancy_id, "closed")
    for user in (r.le_scorer, r.scorer):
        await scoring.submit_scores(user.principal, sent.application_id, [ScoreIn(value=v, score=4) for v in VALUES])
    await scoring.decide(r.recruiter.principal, sent.application_id, "shortlist")
    slots = await interviews.add_day(r.recruiter.principal, r.vacancy_id, DayIn(
        day=date.today() + timedelta(days=5), location="Room 1", slots=[SlotIn(start=time(10), end=time(11))]))
    await interviews.book(sent.token, slots[0].id)
    return sent


async def application_status(application_id) -> str:
    return (await Application.select(Application.status).where(Application.id == application_id).first())["status"]


async def test_an_applicant_is_asked_before_withdrawing_and_the_panel_is_told_only_once_confirmed(client, smtp):
    r = await make_round()
    sent = await shortlisted_with_interview(r)
    await delivered_to(smtp)  # what went before: the receipt, the shortlist letter, the invites
    link = f"/application/{sent.token}"

    asked = await post(client, link, f"{link}/withdraw", {})
    assert asked.status_code == 200
    assert "Withdraw your application for Peer Support Worker?" in asked.text
    assert "cannot be undone" in asked.text and "Your interview on" in asked.text and "Room 1" in asked.text
    assert "You and each member of the interview panel get a calendar cancellation" in asked.text
    assert await application_status(sent.application_id) == "shortlisted"
    assert await delivered_to(smtp) == []  # asking sends nothing

    done = await confirm(client, asked, f"{link}/withdraw")
    assert done.status_code == 303 and done.headers["location"] == f"{link}?done=withdrawn"
    assert await application_status(sent.application_id) == "withdrawn"
    shown = await client.get(done.headers["location"])
    assert status_box(shown.text) == "Your application is withdrawn. Thank you for your interest."
    arrived = await delivered_to(smtp)
    assert {who for rcpts, subject in arrived for who in rcpts if subject.startswith("Interview cancelled")} == {
        "alex@applicant.example", r.le_scorer.email, r.scorer.email}


async def test_a_recruiter_is_asked_before_not_taking_an_applicant_forward_and_the_applicant_is_emailed(client, smtp):
    r = await make_round()
    sent = await shortlisted_with_interview(r)
    await delivered_to(smtp)
    await as_recruiter(client, r)
    page = f"/recruitment/applications/{sent.application_id}"

    note = 'Agreed by the panel: "not yet" <b>this time</b>'
    asked = await post(client, page, f"{page}/decision", {"decision": "reject", "note": note})
    assert asked.status_code == 200
    assert f"Not take forward application {sent.reference} (Alex Applicant)?" in asked.text
    assert "Alex Applicant (alex@applicant.example) gets a short, kind email" in asked.text
    assert "They and each member of the interview panel get a calendar cancellation." in asked.text
    assert 'name="note" value="Agreed by the panel: &#34;not yet&#34; &lt;b&gt;this time&lt;/b&gt;"' in asked.text
    assert await application_status(sent.application_id) == "shortlisted"
    assert await delivered_to(smtp) == []

    done = await confirm(client, asked, f"{page}/decision")
    assert done.status_code == 303 and done.headers["location"] == f"{page}?done=reject"
    assert await application_status(sent.application_id) == "unsuccessful"
    assert (await Decision.select(Decision.note).where(Decision.kind == "reject").first())["note"] == note
    assert status_box((await client.get(done.headers["location"])).text) == \
        "Recorded as not taken forward. The applicant is emailed."
    arrived = await delivered_to(smtp)
    assert ({"alex@applicant.example"}, f"Your application ({sent.reference})") in arrived
    cancelled = {who for rcpts, subject in arrived for who in rcpts if subject.startswith("Interview cancelled")}
    assert cancelled == {"alex@applicant.example", r.le_scorer.email, r.scorer.email}


@pytest.mark.parametrize(("status", "question", "button"), [
    ("withdrawn", "Withdraw: Peer Support Worker?", "Withdraw the vacancy"),
    ("closed", "Close Peer Support Worker to applications?", "Close to applications"),
])
async def test_closing_or_withdrawing_a_vacancy_is_asked_first(client, smtp, status, question, button):
    r = await make_round()
    sent = await apply(r)
    sent_id, sent_reference = sent.application_id, sent.reference
    await delivered_to(smtp)
    await as_recruiter(client, r)
    page = f"/recruitment/vacancies/{r.vacancy_id}"

    asked = await post(client, page, f"{page}/status", {"status": status})
    assert asked.status_code == 200 and question in asked.text and f">{button}</button>" in asked.text
    if status == "closed":
        assert "Nobody is emailed." in asked.text
        assert "Applications in progress (1) go to the panel to score." in asked.text
    if status == "withdrawn":
        assert "Applications still in progress (1) end as not taken forward." in asked.text
        assert "The 1 applicant still in progress, by email: the post has been withdrawn" in asked.text
    assert (await Vacancy.select(Vacancy.status).where(Vacancy.id == r.vacancy_id).first())["status"] == "open"

    done = await confirm(client, asked, f"{page}/status")
    assert done.status_code == 303 and done.headers["location"] == f"{page}?done=status-{status}"
    assert (await Vacancy.select(Vacancy.status).where(Vacancy.id == r.vacancy_id).first())["status"] == status
    assert status_box((await client.get(done.headers["location"])).text).startswith(
        {"withdrawn": "The vacancy is withdrawn", "closed": "The vacancy is closed to applications"}[status])
    arrived = await delivered_to(smtp)  # as the page said
    if status == "closed":
        assert arrived == []
    else:
        assert arrived == [({"alex@applicant.example"}, f"Your application ({sent_reference})")]
        assert await application_status(sent_id) == "unsuccessful"


async def test_a_change_that_loses_nothing_is_not_asked_about(client):
    r = await make_round()
    await lifecycle.set_status(r.recruiter.principal, r.vacancy_id, "closed")
    await as_recruiter(client, r)
    page = f"/recruitment/vacancies/{r.vacancy_id}"
    reopened = await post(client, page, f"{page}/status", {"status": "open"})
    assert reopened.status_code == 303 and reopened.headers["location"] == f"{page}?done=status-open"
    assert status_box((await client.get(reopened.headers["location"])).text) == \
        "The vacancy is open: its public page takes applications."


async def test_each_recruitment_change_says_it_is_done(client):
    r = await make_round(declare=False)
    await as_recruiter(client, r)
    made = await post(client, "/recruitment/vacancies/new", "/recruitment/vacancies", {
        "title": "Peer Worker, wards", "posts": "1", "closing_date": (date.today() + timedelta(days=9)).isoformat(),
        "remit": "Walk alongside people on the ward.", "criteria": "Lived experience of mental ill-health.",
        "values": "Mutuality\nHope"})
    assert made.status_code == 303 and made.headers["location"].endswith("?done=created")
    assert status_box((await client.get(made.headers["location"])).text) == \
        "Vacancy created as a draft. Next: add the panel."

    page = f"/recruitment/vacancies/{r.vacancy_id}"
    added = await post(client, page, f"{page}/panel", {"account_id": str(r.other_lead.principal.account_id)})
    assert added.headers["location"] == f"{page}?done=panel"
    assert status_box((await client.get(added.headers["location"])).text) == "Panel member saved."
    day = await post(client, page, f"{page}/days", {"day": (date.today() + timedelta(days=20)).isoformat(),
                                                     "start": "10:00", "end": "11:00", "minutes": "45",
                                                     "capacity": "1", "location": ""})
    assert day.headers["location"] == f"{page}?done=day"
    assert "Recruitment day added" in status_box((await client.get(day.headers["location"])).text)


async def test_an_unknown_or_hostile_notice_key_shows_nothing(client):
    r = await make_round()
    sent = await apply(r)
    await as_recruiter(client, r)
    for url in (f"/recruitment/vacancies/{r.vacancy_id}?done=<script>alert(1)</script>",
                f"/recruitment/vacancies/{r.vacancy_id}?done=made-up",
                f"/application/{sent.token}?done=Your+application+is+approved"):
        shown = await client.get(url)
        assert shown.status_code == 200
        assert 'role="status"' not in shown.text and "alert(1)" not in shown.text and "approved" not in shown.text


async def test_the_vacancy_page_shows_the_step_the_next_step_and_what_was_entered(client):
    r = await make_round()
    await Vacancy.update({Vacancy.remit: "Support people on Ward 7\nusing your own experience.",
                          Vacancy.criteria: "Lived experience of mental ill-health."}).where(Vacancy.id == r.vacancy_id)
    await as_recruiter(client, r)
    page = f"/recruitment/vacancies/{r.vacancy_id}"

    shown = (await client.get(page)).text
    assert re.search(r'<li aria-current="step"><strong>Close: now</strong></li>', shown)
    assert "Panel: done" in shown and "Open: done" in shown and "Shortlist: to do" in shown
    assert "Close the vacancy to applications after the closing date" in shown
    assert "Score and shortlist: applications are still coming in; close the vacancy first." in shown
    assert "Support people on Ward 7\nusing your own experience." in shown
    assert "Lived experience of mental ill-health." in shown

    await apply(r)
    await lifecycle.set_status(r.recruiter.principal, r.vacancy_id, "closed")
    shown = (await client.get(page)).text
    assert '<li aria-current="step"><strong>Shortlist: now</strong></li>' in shown
    assert "The panel scores each application (1 waiting)" in shown
    assert "Interview: nobody is shortlisted yet." in shown
