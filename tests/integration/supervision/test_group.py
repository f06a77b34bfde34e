"""Group peer supervision: proposals that suit every member, attendance, group compliance."""

from datetime import date, datetime, timedelta, timezone

from peerwork.supervision import agreements, sessions
from peerwork.supervision.compliance_service import compliance_table
from peerwork.supervision.jobs import tell_peer_leads_who_is_overdue
from peerwork.supervision.schemas import AgreementIn, GroupIn
from peerwork.supervision.tables import SupervisionSession
from peerwork.core.tables import OutboxMessage
from tests.factories import make_org, make_user


async def test_group_sessions_count_only_for_members_who_came():
    org = await make_org()
    lead, facilitator = await make_user(org, "peer_lead"), await make_user(org, "supervisor")
    came, missed = await make_user(org, "psw", email="came@north.example"), await make_user(org, "psw", email="missed@north.example")
    group = await agreements.create_group(lead.principal, GroupIn(
        name="Tuesday group", facilitator_ids=[facilitator.principal.account_id],
        member_ids=[came.principal.account_id, missed.principal.account_id]))
    assert group.members == ["came", "missed"] and group.facilitators == ["supervisor"]
    made = await agreements.create_agreement(lead.principal, AgreementIn(
        kind="group", group_id=group.id, supervisor_id=facilitator.principal.account_id,
        start_date=date.today() - timedelta(days=40), every_days=28))
    proposed = await sessions.propose_sessions(lead.principal, made.id, 2)
    assert proposed and all(p.supervisee is None for p in proposed)
    now = datetime.now(timezone.utc)
    past = SupervisionSession(organisation=org.id, agreement=made.id, supervisor=facilitator.principal.account_id,
                              start=now - timedelta(days=2), end=now - timedelta(days=2, hours=-1), status="scheduled")
    await past.save()
    await sessions.record_outcome(facilitator.principal, past.id, "held", [came.principal.account_id])
    rows = {r.name: r for r in await compliance_table(lead.principal)}
    assert rows["came"].group.last_held == (now - timedelta(days=2)).date() and not rows["came"].group.overdue
    assert rows["missed"].group.last_held is None and rows["missed"].group.overdue
    assert rows["came"].one_to_one is None  # no 1:1 agreement: listed first as the gap it is
    mine = await sessions.sessions_for(came.principal, mine=True)
    assert past.id in {s.id for s in mine}


async def test_peer_leads_hear_the_day_someone_becomes_overdue():
    org = await make_org()
    lead, supervisor, psw = await make_user(org, "peer_lead"), await make_user(org, "supervisor"), await make_user(org, "psw")
    start = date.today() - timedelta(days=28 + 7 + 1)  # due by yesterday: overdue by one day today
    await agreements.create_agreement(lead.principal, AgreementIn(
        supervisor_id=supervisor.principal.account_id, supervisee_id=psw.principal.account_id, start_date=start,
        every_days=28, grace_days=7))
    now = datetime.now(timezone.utc)
    assert await tell_peer_leads_who_is_overdue(now) == 1
    assert await tell_peer_leads_who_is_overdue(now) == 1  # a re-run adds no second email
    mail = await OutboxMessage.select().where(OutboxMessage.to_address == lead.email)
    assert len(mail) == 1 and "psw" in mail[0]["body_text"] and "overdue" in mail[0]["subject"]
    assert await tell_peer_leads_who_is_overdue(now + timedelta(days=1)) == 0  # two days overdue: not new
