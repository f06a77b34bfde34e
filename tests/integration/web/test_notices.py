"""After each create or change the page says it is done, in the shell's one status box: the
address carries only a fixed key, so an unknown key shows nothing. Cancelling a supervision
session asks first and says who is told."""

from __future__ import annotations

import re
from datetime import date, timedelta


from peerwork.core.mail.outbox import deliver_due
from peerwork.supervision.tables import SupervisionSession
from peerwork.core.tables import Person
from peerwork.pairing.tables import Pair
from peerwork.workforce.importer import import_assignments
from tests.development_helpers import make_employee
from tests.factories import csv_text, make_org, make_user
from tests.integration.web.test_forms import csrf_from, post_form, signed_in


def status_box(html: str) -> str:
    found = re.findall(r'<div class="notice" role="status"><p>(.*?)</p></div>', html, re.S)
    assert len(found) <= 1, "one notice at most"
    return found[0] if found else ""


async def shown_after(client, response) -> str:
    assert response.status_code == 303, response.text
    return status_box((await client.get(response.headers["location"])).text)


async def test_cpd_records_and_courses_say_they_are_saved(client):
    await signed_in(client, "admin")
    page = await client.get("/cpd")
    recorded = await client.post("/cpd/records", follow_redirects=False, files={"evidence": ("", b"")}, data={
        "activity": "Safety planning workshop", "done_on": date.today().isoformat(), "hours": "3",
        "status": "done", "_csrf_token": csrf_from(page.text)})
    assert recorded.headers["location"] == "/cpd?done=recorded"
    assert await shown_after(client, recorded) == "Your CPD is recorded."
    course = await post_form(client, "/cpd/courses", "/cpd/courses", {
        "title": "Induction day", "hours": "7", "provider": "", "kind": "induction", "renewal_months": ""})
    assert await shown_after(client, course) == "Course added to the catalogue."


async def test_the_pairing_profile_says_it_is_saved_in_the_shells_notice(client):
    await signed_in(client, "psw")
    saved = await post_form(client, "/pairing/profile", "/pairing/profile",
                            {"interests": "walking, music", "preferences": "", "capacity": "1"})
    assert saved.headers["location"] == "/pairing/profile?done=saved"
    assert await shown_after(client, saved) == "Your pairing profile is saved."


async def test_an_unknown_notice_key_shows_nothing(client):
    await signed_in(client, "admin")
    for url in ("/cpd?done=%3Cb%3Ehello%3C/b%3E", "/cpd/courses?done=saved", "/pairing/profile?done=1",
                "/profile?done=Your+account+is+deleted", "/supervision?done=created-ish",
                "/invitations?done=invited%20and%20more"):
        shown = await client.get(url)
        assert shown.status_code == 200, url
        assert status_box(shown.text) == "" and "hello" not in shown.text and "deleted" not in shown.text


async def test_a_supervision_agreement_is_made_accepted_and_a_session_cancelled_after_asking(client, smtp):
    org = await make_org()
    supervisor = await make_user(org, "supervisor", email="sam.supervisor@north.example")
    supervisee = await make_user(org, "psw", email="pat.psw@north.example")
    await signed_in(client, "peer_lead", org=org)
    made = await post_form(client, "/supervision/agreements/new", "/supervision/agreements", {
        "kind": "one_to_one", "supervisor_id": str(supervisor.principal.account_id),
        "supervisee_id": str(supervisee.principal.account_id), "start_date": (date.today() + timedelta(days=1)).isoformat(),
        "every_days": "28", "length_minutes": "60", "preferred_weekday": "", "window_start": "10:00",
        "window_end": "16:00"})
    assert made.headers["location"].endswith("?done=created")
    assert (await shown_after(client, made)).startswith("Agreement made")
    agreement = made.headers["location"].partition("?")[0]
    accepted = await post_form(client, agreement, f"{agreement}/accept", {})
    assert (await shown_after(client, accepted)).startswith("Session times accepted")
    await deliver_due(smtp.transport, max_attempts=5)
    smtp.envelopes.clear()

    first = await SupervisionSession.select(SupervisionSession.id).where(
        SupervisionSession.status == "scheduled").order_by(SupervisionSession.start).first()
    action = f"/supervision/sessions/{first['id']}/cancel"
    asked = await post_form(client, agreement, action, {"by": "peer_lead"})
    assert asked.status_code == 200 and "Cancel the supervision session on" in asked.text
    assert "sam.supervisor and pat.psw get a calendar cancellation by email." in asked.text
    assert (await SupervisionSession.select(SupervisionSession.status).where(
        SupervisionSession.id == first["id"]).first())["status"] == "scheduled"
    assert (await deliver_due(smtp.transport, max_attempts=5)).sent == 0

    done = await client.post(action, follow_redirects=False, data={
        "by": "peer_lead", "confirm": "yes", "_csrf_token": csrf_from(asked.text)})
    assert done.headers["location"] == f"{agreement}?done=cancelled"
    assert (await shown_after(client, done)).startswith("Session cancelled")
    assert (await SupervisionSession.select(SupervisionSession.status).where(
        SupervisionSession.id == first["id"]).first())["status"] == "cancelled"
    await deliver_due(smtp.transport, max_attempts=5)
    assert {who for _, rcpts in smtp.envelopes for who in rcpts} == {supervisor.email, supervisee.email}


async def test_revoking_a_token_and_inviting_say_they_are_done(client):
    org = await make_org()
    await signed_in(client, "admin", org=org)
    tokens = (await client.get("/profile")).text
    token_id = re.search(r'action="/profile/tokens/([0-9a-f-]+)/revoke"', tokens).group(1)
    revoked = await post_form(client, "/profile", f"/profile/tokens/{token_id}/revoke", {})
    assert await shown_after(client, revoked) == "Token revoked: it no longer works."

    report = await import_assignments(org.id, csv_text(
        f"A1,E1,Peer Support Worker,Y,4,Ward 1,{date.today() - timedelta(days=30)},,,1").encode())
    assert report.ok, report.errors
    person = await Person.select(Person.id).where(Person.employee_number == "E1").first()
    page = f"/people/{person['id']}/invite"
    invited = await post_form(client, page, page, {"role": "psw", "email": "sam.peer@north.example"})
    assert invited.headers["location"] == "/invitations?status=pending&done=invited"
    assert await shown_after(client, invited) == "Invitation sent: it goes out by email within a minute."


async def test_a_pair_is_confirmed_with_a_notice_and_ended_only_after_asking(client):
    org = await make_org()
    ed = await make_employee(org, "Ed", started=date.today() - timedelta(days=3 * 365), team="Willow Ward")
    nia = await make_employee(org, "Nia", started=date.today() - timedelta(days=30), team="Willow Ward")
    await signed_in(client, "peer_lead", org=org)
    confirmed = await post_form(client, "/pairing?suggest=new_starters", "/pairing/pairs", {
        "new_peer_id": str(nia.principal.account_id), "experienced_peer_id": str(ed.principal.account_id),
        "scope": "new_starters"})
    assert confirmed.headers["location"] == "/pairing?suggest=new_starters&done=confirmed"
    assert await shown_after(client, confirmed) == "Pair confirmed."

    [pair] = await Pair.select(Pair.id).where(Pair.end_date.is_null())
    action = f"/pairing/pairs/{pair['id']}/end"
    asked = await post_form(client, "/pairing", action, {})
    assert asked.status_code == 200 and "End the pair of Nia and Ed?" in asked.text
    assert "Nobody is emailed." in asked.text
    assert await Pair.count().where(Pair.end_date.is_null()) == 1
    ended = await client.post(action, follow_redirects=False, data={"confirm": "yes", "_csrf_token": csrf_from(asked.text)})
    assert await shown_after(client, ended) == "Pair ended."
    assert await Pair.count().where(Pair.end_date.is_null()) == 0
