"""Lived-experience interview panel members are recorded as involvement by the hourly job,
once their interview day is over: once only, however often it runs; staff on their paid job
at a rate of 0 unless the policy pays them."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta, timezone

from peerwork.core.tables import Account
from peerwork.coproduction import jobs, panels, policy
from peerwork.coproduction.schemas import PolicyIn
from peerwork.coproduction.tables import Activity, InvolvementLine, Participant
from peerwork.recruitment.tables import Application, InterviewSlot
from peerwork.workforce.importer import import_assignments
from peerwork.core.tables import OutboxMessage, Person
from peerwork.recruitment import lifecycle, scoring, vacancies
from peerwork.recruitment.schemas import PanelMemberIn, ScoreIn
from tests.factories import csv_text, make_user
from tests.integration.coproduction.helpers import API, RATES
from tests.integration.recruitment.helpers import VALUES, apply, make_round

DAY = date(2026, 3, 4)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=timezone.utc)


async def interview_day(r, booked: int = 2) -> None:
    """Three 45-minute slots on DAY; the first ``booked`` have an applicant."""
    for i in range(3):
        slot = InterviewSlot(organisation=r.org.id, vacancy=r.vacancy_id, day=DAY, start=at(10 + i),
                             end=at(10 + i, 45), capacity=1)
        await slot.save()
        if i < booked:
            sent = await apply(r, f"Applicant{i} Person", client=f"10.0.0.{i + 1}")
            await Application.update({Application.slot: slot.id}).where(Application.id == sent.application_id)


async def test_each_lived_experience_panel_member_is_recorded_once_after_the_day(client):
    r = await make_round()
    hr = r.hr
    await policy.set_policy(hr.principal, PolicyIn(rates=RATES))
    second = await make_user(r.org, "psw", email="expert.panel@north.example")
    await vacancies.add_panel_member(r.recruiter.principal, r.vacancy_id, PanelMemberIn(
        account_id=second.principal.account_id, lived_experience=True))
    await interview_day(r)
    # Before the last slot ends nothing is recorded: the day is not over.
    assert await panels.record_panel_sittings(at(12, 30)) == 0
    assert await panels.record_panel_sittings(at(13)) == 2
    assert await panels.record_panel_sittings(at(14)) == 0  # runs twice: still one line each
    await jobs.record_panels(at(15))
    lines = await InvolvementLine.select().where(InvolvementLine.source_key.is_not_null())
    assert len(lines) == 2 and await Activity.count() == 1
    payees = await Participant.select(Participant.account).output(as_list=True)
    assert set(payees) == {r.le_scorer.principal.account_id, second.principal.account_id}
    le_scorer = (await Participant.select(Participant.id).where(
        Participant.account == r.le_scorer.principal.account_id).first())["id"]
    line = next(line for line in lines if line["participant"] == le_scorer)
    # Two booked 45-minute interviews (the empty slot does not count) at £15 an hour.
    assert (line["minutes"], line["rate_pence"], line["amount_pence"], line["status"]) == (90, 1500, 2250, "due")
    payee = await Participant.select(Participant.account, Participant.name).where(
        Participant.id == line["participant"]).first()
    assert payee["account"] == r.le_scorer.principal.account_id  # the non-lived-experience scorer is not paid
    activity = await Activity.select(Activity.title, Activity.kind, Activity.held_on).first()
    assert activity == {"title": "Interview panel: Peer Support Worker", "kind": "interview_panel", "held_on": DAY}
    mine = (await client.get(f"{API}/mine", headers=r.le_scorer.headers)).json()
    assert [(m["kind"], m["minutes"], m["amount_pence"]) for m in mine["lines"]] == [("interview_panel", 90, 2250)]
    assert (await client.get(f"{API}/mine", headers=r.scorer.headers)).json()["lines"] == []


async def test_an_employee_on_the_panel_gets_the_hours_at_no_pay_unless_the_policy_pays_employees():
    r = await make_round()
    hr = r.hr
    await policy.set_policy(hr.principal, PolicyIn(rates=RATES))
    await import_assignments(r.org.id, csv_text("N9,EN9,Peer Support Worker,Y,4,,2022-01-01,,,").encode())
    person = await Person.select(Person.id).first()
    await Account.update({Account.person: person["id"]}).where(Account.id == r.le_scorer.principal.account_id)
    await interview_day(r, booked=1)
    assert await panels.record_panel_sittings(at(18)) == 1
    line = await InvolvementLine.select().first()
    assert (line["minutes"], line["rate_pence"], line["amount_pence"]) == (45, 0, 0)
    assert "Employee" in line["note"]
    # The same person, had the policy paid employees for panels.
    await InvolvementLine.delete().where(InvolvementLine.id == line["id"])
    await policy.set_policy(hr.principal, PolicyIn(rates=RATES, pay_employees_for_panels=True))
    assert await panels.record_panel_sittings(at(18) + timedelta(hours=1)) == 1
    line = await InvolvementLine.select().first()
    assert (line["minutes"], line["rate_pence"], line["amount_pence"]) == (45, 1500, 1125)
    assert await Participant.count() == 1 and await Activity.count() == 1


async def test_two_runs_at_once_still_record_each_sitting_once():
    r = await make_round()
    await interview_day(r)
    counts = await asyncio.gather(*(panels.record_panel_sittings(at(20)) for _ in range(3)))
    assert sum(counts) == 1
    assert await InvolvementLine.count() == 1 and await Activity.count() == 1 and await Participant.count() == 1


async def test_a_day_with_no_interview_booked_is_not_recorded():
    r = await make_round()
    await interview_day(r, booked=0)
    assert await panels.record_panel_sittings(at(23)) == 0
    assert await InvolvementLine.count() == 0


async def test_turning_an_applicant_down_after_their_interview_keeps_the_interview_held():
    r = await make_round()
    await interview_day(r, booked=1)
    held = await Application.select(Application.id, Application.slot).where(Application.slot.is_not_null()).first()
    await lifecycle.set_status(r.recruiter.principal, r.vacancy_id, "closed")
    for user in (r.le_scorer, r.scorer):
        await scoring.submit_scores(user.principal, held["id"], [ScoreIn(value=v, score=2) for v in VALUES])
    await scoring.decide(r.recruiter.principal, held["id"], "reject")
    # Turned down, but the interview was held: it keeps its slot and nobody is sent a cancellation.
    after = await Application.select(Application.status, Application.slot).where(Application.id == held["id"]).first()
    assert after == {"status": "unsuccessful", "slot": held["slot"]}
    assert await OutboxMessage.count().where(OutboxMessage.calendar_method == "CANCEL") == 0
    assert await OutboxMessage.count().where(OutboxMessage.subject.like("Interview cancelled%")) == 0
    # So the panel's hours on the day are still there to record, however late the job reads them.
    assert await panels.record_panel_sittings(at(18)) == 1
    line = await InvolvementLine.select(InvolvementLine.minutes).first()
    assert line["minutes"] == 45
