"""A training lead schedules a two-session course with one place; two PSWs book (the second
waits); once the sessions have been held the trainer marks attendance, and the course appears
on the first PSW's CPD record, done and verified by the trainer, with its mandatory-training
status. The course's "after" questionnaire then reaches that PSW by email; they answer from the
link, and the training lead's evaluation page counts the response."""

from __future__ import annotations

import email
import json
import re
import urllib.request
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from email import policy

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import CreatedAccount, blocking_violations, sign_in
from tests.e2e.conftest import LiveServer, _peerwork
from tests.mailserver import SmtpServer

pytestmark = pytest.mark.e2e

COURSE = "Peer support core training"  # in the demo catalogue: core, mandatory for PSWs, renewed every 36 months


def _api(base: str, token: str, method: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(f"{base}/api/v1{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read().decode()
    return json.loads(text) if text else {}


def test_attendance_at_every_session_puts_the_course_on_the_psws_cpd(
    live_server: str, new_page: Callable[[], Page], create_account: Callable[..., CreatedAccount],
    live: LiveServer, mailbox: SmtpServer,
) -> None:
    lead_account = create_account("peer_lead")
    trainer, first, second = (create_account("psw") for _ in range(3))
    trainer_id = _api(live_server, trainer.api_token, "GET", "/me")["account_id"]

    # The training lead adds the trainer to the pool and schedules two weekly sessions, one place.
    lead = sign_in(new_page(), lead_account.email, lead_account.password)
    lead.goto("/training/trainers")
    lead.get_by_label("Person").select_option(trainer_id)
    lead.get_by_label("Accredited on").fill((date.today() - timedelta(days=200)).isoformat())
    lead.get_by_label("Accreditation").fill("National programme trainer")
    lead.get_by_role("button", name="Save").click()
    lead.goto("/training/new")
    lead.get_by_label("Course").select_option(label=COURSE)
    lead.get_by_label("First session", exact=True).fill((date.today() + timedelta(days=10)).isoformat())
    lead.get_by_label("How many (1 for a one-off)").fill("2")
    lead.get_by_label("Place (in person)").fill("Training room, Willow site")
    lead.get_by_label("Places").fill("1")
    pool = _api(live_server, lead_account.api_token, "GET", "/training/trainers")
    ours = next(t["id"] for t in pool if t["account_id"] == trainer_id)
    lead.locator(f"#trainer-{ours}").check()
    lead.get_by_role("button", name="Schedule").click()
    expect(lead.get_by_role("heading", level=2, name="Sessions")).to_be_visible()
    run_id = re.search(r"/training/runs/([0-9a-f-]{36})", lead.url).group(1)

    # Two PSWs book: the first takes the place, the second waits.
    for psw, told in ((first, "You have a place."), (second, "You are on the waiting list, position 1.")):
        page = sign_in(new_page(), psw.email, psw.password)
        page.goto(f"/training/runs/{run_id}")
        page.get_by_role("button", name=re.compile("Book a place|Join the waiting list")).click()
        expect(page.get_by_text(told)).to_be_visible()

    # The sessions are held (moved into the past here: the clock cannot be turned forward).
    sessions = _api(live_server, lead_account.api_token, "GET", f"/training/runs/{run_id}")["sessions"]
    first_day = date.today() - timedelta(days=14)
    for i, session in enumerate(sessions):
        start = datetime.combine(first_day + timedelta(days=7 * i), time(10), timezone.utc)
        _api(live_server, lead_account.api_token, "POST", f"/community/occurrences/{session['id']}/move",
             {"start": start.isoformat(), "end": (start + timedelta(hours=3)).isoformat()})

    # The trainer marks the first PSW attended at both sessions.
    trainer_page = sign_in(new_page(), trainer.email, trainer.password)
    for number in (1, 2):
        trainer_page.goto("/training/sessions")
        expect(trainer_page.get_by_role("heading", level=1)).to_have_text("My training sessions")
        assert not blocking_violations(trainer_page)
        trainer_page.get_by_role("link", name=re.compile(rf"Mark attendance.*{COURSE}, session {number}$")).click()
        expect(trainer_page.get_by_role("heading", level=1)).to_have_text("Attendance register")
        assert not blocking_violations(trainer_page)
        trainer_page.locator("select[name=attended]").select_option("yes")
        trainer_page.get_by_role("button", name=re.compile("Save")).click()
        expect(trainer_page.get_by_role("status")).to_contain_text(
            "the course is on their CPD record" if number == 2 else "Attendance saved.")

    # The course is on the first PSW's CPD: done, verified by the trainer, and counted as done.
    cpd = sign_in(new_page(), first.email, first.password)
    cpd.goto("/cpd")
    row = cpd.locator("#records tbody tr").filter(has_text=COURSE)
    expect(row).to_contain_text((first_day + timedelta(days=7)).strftime("%-d %b %Y"))
    expect(row).to_contain_text("done")
    expect(row).to_contain_text("By E2E psw")
    expect(cpd.locator("#my-compliance tbody tr").filter(has_text=COURSE)).to_contain_text("Done")

    # ...and the training lead's figure counts it.
    lead.goto(f"/training/delivery?from={first_day.isoformat()}&to={date.today().isoformat()}")
    expect(lead.locator("#programme-figure")).to_contain_text("delivered")
    assert not blocking_violations(lead)

    # The course's questionnaire goes "after" to the person who attended every session (the
    # hourly job sends it by itself; here the training lead sends it, through the same service).
    course_id = next(c["id"] for c in _api(live_server, lead_account.api_token, "GET", "/cpd/courses")
                     if c["title"] == COURSE)
    questionnaire = _api(live_server, lead_account.api_token, "POST", "/evaluation/questionnaires", {
        "title": "Core training, before and after",
        "items": [{"kind": "likert", "text": "I feel ready to use my lived experience at work"}]})
    _api(live_server, lead_account.api_token, "PUT", f"/evaluation/courses/{course_id}/questionnaire",
         {"questionnaire_id": questionnaire["id"]})
    first_id = _api(live_server, first.api_token, "GET", "/me")["account_id"]
    _api(live_server, lead_account.api_token, "POST", f"/evaluation/courses/{course_id}/send",
         {"moment": "after", "account_ids": [first_id], "due_by": (date.today() + timedelta(days=14)).isoformat()})
    _peerwork(live.env, "mail", "send")

    # The PSW opens the emailed link (no sign-in needed) and answers.
    path = _answer_path(mailbox, first.email)
    answer_page = new_page()
    answer_page.goto(f"{live_server}{path}")
    expect(answer_page.get_by_role("heading", level=1)).to_contain_text(f"A few questions after {COURSE}")
    assert not blocking_violations(answer_page)
    answer_page.get_by_label("Agree", exact=True).check()
    answer_page.get_by_role("button", name="Send my answers").click()
    expect(answer_page.get_by_text("Thank you", exact=False).first).to_be_visible()
    answer_page.goto(f"{live_server}{path}")  # the link worked once: it is used up
    expect(answer_page.get_by_text("already been answered", exact=False)).to_be_visible()

    # The training lead's evaluation page counts it: under 5 people, so the figures read "<5".
    lead.goto(f"/evaluation/courses/{course_id}")
    expect(lead.get_by_role("heading", level=2, name="Response rates")).to_be_visible()
    after = lead.locator("tr").filter(has=lead.get_by_role("rowheader", name="After"))
    expect(after).to_contain_text("<5")
    expect(after).to_contain_text("withheld")
    assert not blocking_violations(lead)


def _answer_path(mailbox: SmtpServer, address: str) -> str:
    """The answer link in the newest questionnaire email the SMTP server received for ``address``."""
    paths = []
    for raw in mailbox.received:
        message = email.message_from_bytes(raw, policy=policy.default)
        if address in message["To"] and message["Subject"].startswith("A few questions after"):
            body = message.get_body(preferencelist=("plain",)).get_content()
            paths.append(re.search(r"(/evaluation/answer/\S+)", body).group(1))
    assert paths, f"no questionnaire email for {address}"
    return paths[-1]
