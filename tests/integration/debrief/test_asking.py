"""Asking for a debrief: only that day's on-call debriefers are told, and no email says what
was asked or who asked; what was asked is seen only by the asker and the one who takes it."""

from __future__ import annotations

from email import message_from_bytes

import pytest

from peerwork.core.mail.outbox import deliver_due
from peerwork.core.tables import AuditLog, OutboxMessage
from peerwork.debrief import taking
from peerwork.debrief.schemas import AcceptIn
from tests.factories import make_org, make_user
from tests.integration.debrief.helpers import NOTE, ask, mail_to, make_team

API = "/api/v1/debrief"


def _text(raw: bytes) -> str:
    message = message_from_bytes(raw)
    parts = [p.get_payload(decode=True).decode() for p in message.walk() if p.get_content_maintype() == "text"]
    return message["Subject"] + "\n" + "\n".join(parts)


async def test_only_todays_on_call_debriefers_are_emailed_and_no_email_says_what_or_who(smtp):
    team = await make_team()
    # The asker is on today's rota too: they are never told of their own request.
    from peerwork.debrief import rota
    from peerwork.debrief.schemas import RotaIn
    await rota.add(team.lead.principal, RotaIn(day=rota.today(), account_id=team.asker.principal.account_id))
    made = await ask(team.asker, reason="racist_incident")
    assert made.debriefers_told == 2 and made.status == "open" and made.mine

    report = await deliver_due(smtp.transport, max_attempts=3, sender="peerwork@north.example")
    assert report.failed == 0
    recipients = sorted(rcpt for _, rcpts in smtp.envelopes for rcpt in rcpts)
    assert recipients == sorted(d.email for d in team.debriefers)
    for raw in smtp.received:
        text = _text(raw)
        assert "A debrief was requested" in text and f"/debrief/requests/{made.id}" in text
        for secret in (NOTE, "racist", "Racist", "incident", "asker", team.asker.principal.display_name):
            assert secret not in text, secret
        assert "colleague" in text


async def test_asking_twice_while_waiting_is_one_request_and_nobody_on_call_is_said():
    org = await make_org("quiet")
    asker = await make_user(org, "psw")
    first = await ask(asker)
    again = await ask(asker, reason="difficult_shift")
    assert again.id == first.id and first.debriefers_told == 0
    assert await OutboxMessage.count() == 0


async def test_a_double_click_at_the_same_moment_is_one_request_and_one_email_each():
    import asyncio

    from peerwork.debrief.tables import DebriefRequest

    team = await make_team()
    answers = await asyncio.gather(*(ask(team.asker) for _ in range(6)))
    assert len({a.id for a in answers}) == 1
    assert await DebriefRequest.count() == 1
    assert sorted(m["to_address"] for m in await OutboxMessage.select()) == sorted(d.email for d in team.debriefers)


async def test_what_was_asked_is_only_the_askers_and_the_takers(client):
    team = await make_team()
    made = await ask(team.asker)
    winner, other = team.debriefers
    url = f"{API}/requests/{made.id}"

    mine = (await client.get(url, headers=team.asker.headers)).json()
    assert mine["note"] == NOTE and mine["reason"] == "incident" and mine["requester"] == "asker"
    # A debriefer on call sees that a colleague asked, not who or why.
    seen = (await client.get(url, headers=winner.headers)).json()
    assert seen["note"] is None and seen["reason"] is None and seen["requester"] is None and seen["status"] == "open"
    listed = (await client.get(f"{API}/requests/open", headers=winner.headers)).json()
    assert [r["id"] for r in listed] == [str(made.id)] and NOTE not in str(listed) and "asker" not in str(listed)
    # Anyone else (not on call today, or another organisation) is told it does not exist.
    for stranger in (team.bystander, team.tomorrow, await make_user(await make_org("south"), "psw")):
        assert (await client.get(url, headers=stranger.headers)).status_code == 404
        assert (await client.get(f"{API}/requests/open", headers=stranger.headers)).json() == []

    taken = await client.post(f"{url}/accept", headers=winner.headers, json={})
    assert taken.status_code == 201, taken.text
    assert taken.json()["note"] == NOTE and taken.json()["requester"] == "asker"
    before = await AuditLog.count().where((AuditLog.action == "read") & (AuditLog.table_name == "debrief_request"))
    assert (await client.get(url, headers=winner.headers)).json()["note"] == NOTE
    reads = await AuditLog.select().where((AuditLog.action == "read") & (AuditLog.table_name == "debrief_request")
                                          ).output(load_json=True)
    assert len(reads) == before + 1 and reads[-1]["account"] == winner.principal.account_id
    assert NOTE not in str(reads)  # the log names fields, never their values
    # The other debriefer now sees only that it is taken.
    late = (await client.get(url, headers=other.headers)).json()
    assert late["status"] == "accepted" and late["note"] is None and late["accepted_by"] is None
    # Nothing the outbox holds carries what was asked.
    for row in await OutboxMessage.select():
        assert NOTE not in row["body_text"] + row["subject"] + (row["calendar_ics"] or "")
        assert "incident" not in row["body_text"] + (row["calendar_ics"] or "")


async def test_the_asker_cancels_and_a_taken_slot_leaves_both_calendars():
    team = await make_team()
    made = await ask(team.asker)
    debriefer = team.debriefers[0]
    await taking.accept(debriefer.principal, made.id, AcceptIn())
    from peerwork.debrief import asking
    from peerwork.core.errors import Conflict, PermissionDenied
    with pytest.raises(PermissionDenied):
        await asking.cancel(debriefer.principal, made.id)
    done = await asking.cancel(team.asker.principal, made.id)
    assert done.status == "cancelled"
    with pytest.raises(Conflict):
        await asking.cancel(team.asker.principal, made.id)
    told = await mail_to(debriefer.email)
    assert told[-1]["subject"].startswith("Debrief cancelled") and NOTE not in told[-1]["body_text"]
    with pytest.raises(Conflict):
        await taking.accept(team.debriefers[1].principal, made.id, AcceptIn())
    # A debrief that has taken place stays in the record: it cannot be cancelled afterwards.
    from datetime import timedelta
    from peerwork.core.time import now
    from peerwork.debrief.tables import DebriefRequest
    held = await ask(team.asker)
    await taking.accept(debriefer.principal, held.id, AcceptIn())
    await DebriefRequest.update({DebriefRequest.slot_end: now() - timedelta(minutes=1)}).where(
        DebriefRequest.id == held.id)
    with pytest.raises(Conflict):
        await asking.cancel(team.asker.principal, held.id)


async def test_bad_input_is_a_problem_not_a_500(client):
    team = await make_team()
    for body in ({"reason": "bored"}, {"reason": "incident", "note": "x" * 501}, {"reason": "incident", "extra": 1},
                 {"reason": "incident", "note": "a\u0000b"}):
        response = await client.post(f"{API}/requests", headers=team.asker.headers, json=body)
        assert response.status_code == 400, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    made = await ask(team.asker)
    for body in ({"minutes": 5}, {"start_date": "2020-01-01", "start_time": "10:00:00"}, {"start_date": "2030-01-01"}):
        response = await client.post(f"{API}/requests/{made.id}/accept", headers=team.debriefers[0].headers, json=body)
        assert response.status_code in (400, 422), (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert (await client.get(f"{API}/requests/{made.id}", headers=team.asker.headers)).json()["status"] == "open"
    # The asker cannot take their own request.
    response = await client.post(f"{API}/requests/{made.id}/accept", headers=team.asker.headers, json={})
    assert response.status_code in (403, 404)


async def test_the_home_page_tells_todays_debriefers_a_colleague_is_waiting_and_nobody_else():
    from peerwork.debrief.todo import todo

    team = await make_team()
    made = await ask(team.asker)
    [item] = await todo(team.debriefers[0].principal)
    assert item.kind == "debrief.waiting" and item.priority == "urgent" and item.href == "/debrief"
    assert "colleague" in item.title and "asker" not in item.title
    for person in (team.asker, team.bystander, team.tomorrow, team.lead):
        assert await todo(person.principal) == []
    await taking.accept(team.debriefers[1].principal, made.id, AcceptIn())
    assert await todo(team.debriefers[0].principal) == []
