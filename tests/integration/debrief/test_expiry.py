"""An unaccepted request closes at the end of its day: the asker is told nobody was free and
where else to find support; taken and cancelled requests, and today's, are left alone."""

from __future__ import annotations

from datetime import timedelta

from peerwork.core import jobs
from peerwork.core.time import now
from peerwork.debrief import asking, taking
from peerwork.debrief.jobs import JOBS
from peerwork.debrief.schemas import AcceptIn
from peerwork.debrief.tables import DebriefRequest
from tests.factories import make_user
from tests.integration.debrief.helpers import NOTE, ask, mail_to, make_team


async def _yesterday(request_id) -> None:
    row = await DebriefRequest.select(DebriefRequest.day).where(DebriefRequest.id == request_id).first()
    await DebriefRequest.update({DebriefRequest.day: row["day"] - timedelta(days=1)}).where(
        DebriefRequest.id == request_id)


async def test_yesterdays_open_request_expires_once_with_a_kind_email():
    team = await make_team()
    others = [await make_user(team.org, "psw", email=f"p{i}@north.example") for i in range(3)]
    waiting = await ask(team.asker)
    taken = await ask(others[0])
    await taking.accept(team.debriefers[0].principal, taken.id, AcceptIn())
    called_off = await ask(others[1])
    await asking.cancel(others[1].principal, called_off.id)
    for made in (waiting, taken, called_off):
        await _yesterday(made.id)
    today = await ask(others[2])

    [job] = JOBS
    due = now()
    assert await jobs.run_once(job, due)
    statuses = {r["id"]: r["status"] for r in await DebriefRequest.select(DebriefRequest.id, DebriefRequest.status)}
    assert statuses == {waiting.id: "expired", taken.id: "accepted", called_off.id: "cancelled", today.id: "open"}
    [told] = [m for m in await mail_to(team.asker.email) if "Nobody was free" in m["subject"]]
    assert "/debrief/ask" in told["body_text"] and "Samaritans" in told["body_text"]
    assert NOTE not in told["body_text"]
    # Another run (another instance, or a catch-up) tells nobody twice.
    from peerwork.debrief.expiry import expire_before
    assert await expire_before(due + timedelta(hours=1)) == 0
    assert len([m for m in await mail_to(team.asker.email) if "Nobody was free" in m["subject"]]) == 1
    assert not [m for m in await mail_to(others[2].email) if "Nobody was free" in m["subject"]]
