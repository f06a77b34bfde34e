"""Supervision end to end: agreements, proposals, invites, outcomes, notes privacy, compliance."""

import logging
from datetime import date, datetime, time, timedelta, timezone

import pytest

from peerwork.community import bookings
from peerwork.supervision import agreements, notes, sessions
from peerwork.supervision.compliance_service import compliance_table
from peerwork.supervision.schemas import AgreementIn
from peerwork.supervision.tables import SupervisionSession
from peerwork.core.tables import AuditLog, OutboxMessage
from tests.factories import make_org, make_user
from tests.integration.community.helpers import invite_fields, make_series

SECRET = "Talked about my sister's diagnosis and sleep"


@pytest.fixture
async def team():
    org = await make_org("north")
    return {
        "org": org,
        "lead": await make_user(org, "peer_lead"),
        "supervisor": await make_user(org, "supervisor", email="sam.supervisor@north.example"),
        "psw": await make_user(org, "psw", email="pat.psw@north.example"),
        "other_psw": await make_user(org, "psw", email="other.psw@north.example"),
        "other_supervisor": await make_user(org, "supervisor", email="other.supervisor@north.example"),
        "hr": await make_user(org, "hr"),
        "admin": await make_user(org, "admin"),
    }


async def make_agreement(team, **changes):
    data = dict(supervisor_id=team["supervisor"].principal.account_id, supervisee_id=team["psw"].principal.account_id,
                start_date=date.today() + timedelta(days=1), every_days=28, preferred_weekday=2,
                window_start=time(10), window_end=time(15))
    data.update(changes)
    return await agreements.create_agreement(team["lead"].principal, AgreementIn(**data))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"supervisee_id": "SUPERVISOR"}, "must be different people"),
        ({"window_end": time(9)}, "window_end: must be after window_start"),
        ({"length_minutes": 301}, "longer than the preferred time window"),
        ({"end_date": date(2000, 1, 1)}, "end_date: before start_date"),
        ({"supervisee_id": None}, "needs a supervisee"),
        ({"supervisee_id": "STRANGER"}, "supervisee_id: no such account in your organisation"),
    ],
)
async def test_bad_agreements_get_clear_errors(team, changes, message):
    if changes.get("supervisee_id") == "SUPERVISOR":
        changes["supervisee_id"] = team["supervisor"].principal.account_id
    if changes.get("supervisee_id") == "STRANGER":
        changes["supervisee_id"] = (await make_user(await make_org("south"), "psw")).principal.account_id
    with pytest.raises(Exception, match=message):
        await make_agreement(team, **changes)


async def test_frequency_comes_from_the_organisations_policy(team, client):
    response = await client.put("/api/v1/supervision/policy", headers=team["admin"].headers,
                                json={"role": "psw", "kind": "one_to_one", "every_days": 21, "grace_days": 3})
    assert response.status_code == 200
    made = await make_agreement(team, every_days=None)
    assert (made.every_days, made.grace_days) == (21, 3)
    zero = await client.post("/api/v1/supervision/agreements", headers=team["lead"].headers, json={
        "supervisor_id": str(team["supervisor"].principal.account_id), "supervisee_id": str(team["psw"].principal.account_id),
        "start_date": "2030-01-01", "every_days": 0})
    assert zero.status_code == 400 and "every_days" in zero.json()["detail"]


async def test_proposals_avoid_community_bookings_and_accepting_sends_private_invites(team):
    lead, psw = team["lead"], team["psw"]
    series = await make_series(lead, rrule="FREQ=WEEKLY;BYDAY=WE", start=time(10), end=time(15), capacity=5)
    for occurrence in [o for o in await bookings.upcoming(psw.principal, days=200) if o.series_id == series.id]:
        await bookings.book(psw.principal, occurrence.id)
    made = await make_agreement(team)
    proposed = await sessions.propose_sessions(lead.principal, made.id, 3)
    assert len(proposed) >= 3
    booked = [(o.start, o.end) for o in await bookings.upcoming(psw.principal, days=200) if o.series_id == series.id]
    for s in proposed:
        assert s.clash is None
        assert all(s.end <= start or s.start >= end for start, end in booked)  # never over a booking
        assert s.start.astimezone().weekday() < 5
    accepted = await sessions.accept(lead.principal, made.id, [])
    assert {s.status for s in accepted} == {"scheduled"} and len(accepted) == len(proposed)
    mails = await OutboxMessage.select().where(OutboxMessage.to_address == psw.email).order_by(OutboxMessage.created_at)
    invites = [m for m in mails if m["calendar_method"] == "REQUEST" and "supervision" in m["subject"].lower()]
    assert len(invites) == len(accepted)
    assert "CLASS:PRIVATE" in invites[0]["calendar_ics"]
    assert invite_fields(invites[0]["calendar_ics"])["UID"].startswith("supervision-")


async def test_cancelling_sends_cancel_and_marking_needs_the_session_to_have_started(team):
    made = await make_agreement(team)
    await sessions.propose_sessions(team["lead"].principal, made.id, 2)
    first = (await sessions.accept(team["lead"].principal, made.id, []))[0]
    with pytest.raises(Exception, match="once it has started"):
        await sessions.record_outcome(team["supervisor"].principal, first.id, "held", [])
    cancelled = await sessions.cancel(team["psw"].principal, first.id, "supervisee", "Unwell")
    assert cancelled.status == "cancelled" and cancelled.cancelled_by == "supervisee" and cancelled.sequence == 1
    cancel = (await OutboxMessage.select().where((OutboxMessage.to_address == team["psw"].email)
                                                 & (OutboxMessage.calendar_method == "CANCEL")).first())
    assert invite_fields(cancel["calendar_ics"])["SEQUENCE"] == 1
    with pytest.raises(Exception, match="cannot be cancelled"):
        await sessions.cancel(team["psw"].principal, first.id, "supervisee")
    with pytest.raises(Exception, match="Only the people in this session"):
        await sessions.cancel(team["other_psw"].principal, (await sessions.sessions_for(
            team["lead"].principal, agreement_id=made.id))[1].id, "supervisee")


async def held_session(team):
    made = await make_agreement(team, start_date=date.today() - timedelta(days=60))
    now = datetime.now(timezone.utc)
    row = SupervisionSession(organisation=team["org"].id, agreement=made.id, supervisor=team["supervisor"].principal.account_id,
                             supervisee=team["psw"].principal.account_id, start=now - timedelta(days=3),
                             end=now - timedelta(days=3) + timedelta(hours=1), status="scheduled")
    await row.save()
    await sessions.record_outcome(team["supervisor"].principal, row.id, "held", [])
    await notes.write_notes(team["supervisor"].principal, row.id, SECRET, "Book GP appointment")
    return made, row.id


NOTE_ROUTES = [
    ("GET", "/api/v1/supervision/sessions/{id}/notes", None),
    ("PUT", "/api/v1/supervision/sessions/{id}/notes", {"notes": "overwritten", "actions": ""}),
    ("POST", "/api/v1/supervision/sessions/{id}/notes/comment", {"comment": "x", "confirm": True}),
]
# Who may do what with one session's notes; everyone else in the organisation gets 403.
ALLOWED = {
    ("supervisor", "GET"), ("supervisor", "PUT"), ("psw", "GET"), ("psw", "POST"),
}


@pytest.mark.parametrize(("method", "path", "body"), NOTE_ROUTES, ids=[f"{m} {p}" for m, p, _ in NOTE_ROUTES])
async def test_notes_privacy_every_role_on_every_notes_endpoint(team, client, method, path, body):
    _, session_id = await held_session(team)
    stranger = await make_user(await make_org("south"), "admin")
    callers = {name: team[name] for name in ("supervisor", "psw", "other_psw", "other_supervisor", "lead", "hr", "admin")}
    for name, user in {**callers, "other organisation admin": stranger}.items():
        response = await client.request(method, path.format(id=session_id), headers=user.headers,
                                        **({"json": body} if body else {}))
        if (name, method) in ALLOWED:
            assert response.status_code == 200, (name, response.text)
        elif name == "other organisation admin":
            assert response.status_code == 404, (name, response.text)
        else:
            assert response.status_code == 403, (name, method, response.text)
        if (name, method) not in ALLOWED:
            assert SECRET not in response.text


async def test_notes_never_leak_into_other_responses_audit_logs_or_feeds(team, client, caplog):
    caplog.set_level(logging.DEBUG)
    made, session_id = await held_session(team)
    read = await client.get(f"/api/v1/supervision/sessions/{session_id}/notes", headers=team["psw"].headers)
    assert read.json()["notes"] == SECRET
    for user in (team["lead"], team["hr"], team["admin"]):
        for path in (f"/api/v1/supervision/agreements/{made.id}/sessions", f"/api/v1/supervision/sessions/{session_id}",
                     "/api/v1/supervision/compliance", "/api/v1/audit"):
            response = await client.get(path, headers=user.headers)
            assert SECRET not in response.text and "GP appointment" not in response.text
    audit_rows = await AuditLog.select().where(AuditLog.table_name == "session_note").output(load_json=True)
    assert {r["action"] for r in audit_rows} >= {"read", "update"}
    assert all(SECRET not in str(r) for r in audit_rows)
    assert any(r["action"] == "read" and r["account"] == team["psw"].principal.account_id for r in audit_rows)
    feed = await client.post("/api/v1/calendars/mine", headers=team["psw"].headers)
    body = (await client.get(feed.json()["url"][feed.json()["url"].index("/calendar/"):])).text
    assert SECRET not in body and "CLASS:PRIVATE" in body
    assert SECRET not in caplog.text


async def test_supervisee_comments_and_confirms_and_an_edit_unconfirms(team):
    _, session_id = await held_session(team)
    confirmed = await notes.comment(team["psw"].principal, session_id, "Agreed", True)
    assert confirmed.confirmed_at is not None and confirmed.supervisee_comment == "Agreed"
    edited = await notes.write_notes(team["supervisor"].principal, session_id, SECRET + ".", "")
    assert edited.confirmed_at is None


async def test_compliance_puts_the_most_overdue_first(team):
    lead = team["lead"]
    never = await make_agreement(team, start_date=date.today() - timedelta(days=100))
    later = await agreements.create_agreement(lead.principal, AgreementIn(
        supervisor_id=team["supervisor"].principal.account_id, supervisee_id=team["other_psw"].principal.account_id,
        start_date=date.today() - timedelta(days=10), every_days=28))
    rows = await compliance_table(lead.principal)
    by_name = {r.name: r for r in rows}
    # Agreement 100 days ago, nothing held: due by start + 28 + 7 = 35 days after start.
    assert by_name["pat.psw"].one_to_one.days_overdue == 100 - 35
    assert by_name["other.psw"].one_to_one.overdue is False
    assert [r.name for r in rows][:2] == ["pat.psw", "other.psw"]
    assert never.id != later.id


async def test_cover_moves_sessions_in_the_period_to_the_cover_supervisor(team):
    made = await make_agreement(team)
    proposed = await sessions.propose_sessions(team["lead"].principal, made.id, 3)
    await sessions.accept(team["lead"].principal, made.id, [])
    first = proposed[0].start.date()
    _, moved = await sessions.arrange_cover(team["lead"].principal, team["supervisor"].principal.account_id,
                                            team["other_supervisor"].principal.account_id, first, first)
    assert moved == 1
    rows = await sessions.sessions_for(team["lead"].principal, agreement_id=made.id)
    assert [r.supervisor for r in rows].count("other.supervisor") == 1
    cancel = await OutboxMessage.select().where((OutboxMessage.to_address == team["supervisor"].email)
                                                & (OutboxMessage.calendar_method == "CANCEL")).first()
    assert cancel is not None


async def test_a_psw_sees_only_their_own_sessions(team, client):
    made = await make_agreement(team)
    await sessions.propose_sessions(team["lead"].principal, made.id, 2)
    await sessions.accept(team["lead"].principal, made.id, [])
    mine = await client.get("/api/v1/supervision/sessions", headers=team["psw"].headers)
    theirs = await client.get("/api/v1/supervision/sessions", headers=team["other_psw"].headers)
    assert len(mine.json()) >= 2 and theirs.json() == []
    assert (await client.get(f"/api/v1/supervision/agreements/{made.id}", headers=team["other_psw"].headers)).status_code == 403
