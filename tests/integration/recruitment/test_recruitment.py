"""Recruitment through the API: a whole round, and every refusal rule at its boundary."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from peerwork.core import time as clock
from peerwork.recruitment import applications, interviews, scoring, lifecycle, vacancies
from peerwork.recruitment.schemas import DayIn, ScoreIn, SlotIn
from peerwork.recruitment.tables import Application, Decision, InterviewSlot
from peerwork.supervision.tables import SupervisionAgreement
from peerwork.core.tables import Account, OutboxMessage, Person
from peerwork.workforce.tables import Assignment
from tests.factories import make_user
from tests.integration.recruitment.helpers import VALUES, apply, make_round


def scores(*marks: int) -> dict:
    return {"scores": [{"value": v, "score": m, "comment": f"c{m}"} for v, m in zip(VALUES, marks)]}


async def test_a_whole_round_from_vacancy_to_first_day(client):
    r = await make_round()
    sent = await apply(r)
    app_url = f"/api/v1/recruitment/applications/{sent.application_id}"
    await client.post(f"/api/v1/recruitment/vacancies/{r.vacancy_id}/status", json={"status": "closed"},
                      headers=r.recruiter.headers)

    first = await client.put(f"{app_url}/scores", json=scores(4, 5), headers=r.le_scorer.headers)
    assert first.status_code == 200 and first.json()["others_visible"] is True
    assert first.json()["compliance"][0].startswith("at least 2 panel members must score")
    second = await client.put(f"{app_url}/scores", json=scores(2, 4), headers=r.scorer.headers)
    spread = {s["value"]: s for s in second.json()["spread"]}
    assert spread["Mutuality"]["scores"] == [2, 4] and spread["Mutuality"]["spread"] == 2
    assert second.json()["compliance"] == []

    decided = await client.post(f"{app_url}/decision", json={"decision": "shortlist", "note": "agreed 3"},
                                headers=r.recruiter.headers)
    assert decided.status_code == 200 and decided.json()["status"] == "shortlisted"
    day = date.today() + timedelta(days=10)
    slots = await client.post(f"/api/v1/recruitment/vacancies/{r.vacancy_id}/days", headers=r.recruiter.headers,
                              json={"day": day.isoformat(), "location": "Room 1",
                                    "slots": [{"start": "10:00:00", "end": "10:45:00"}, {"start": "11:00:00", "end": "11:45:00"}]})
    assert slots.status_code == 201 and len(slots.json()) == 2
    await interviews.book(sent.token, __import__("uuid").UUID(slots.json()[0]["id"]))
    invites = await OutboxMessage.select(OutboxMessage.to_address, OutboxMessage.calendar_method).where(
        OutboxMessage.calendar_method == "REQUEST")
    assert {i["to_address"] for i in invites} == {"alex@applicant.example", r.le_scorer.email, r.scorer.email}
    panel_invite = await OutboxMessage.select(OutboxMessage.calendar_ics, OutboxMessage.subject).where(
        OutboxMessage.to_address == r.scorer.email).first()
    assert "Alex" not in panel_invite["calendar_ics"] and "Alex" not in panel_invite["subject"]
    from peerwork import capabilities
    from peerwork.calendar import feeds

    providers = capabilities.calendar_providers()
    in_feed = [e for e in await feeds.personal_events(r.scorer.principal.account_id, providers, for_feed=False)
               if e.uid.startswith("interview-")]
    assert len(in_feed) == 1 and in_feed[0].private and "Alex" not in in_feed[0].summary

    offer = await client.post(f"{app_url}/decision", json={"decision": "offer"}, headers=r.recruiter.headers)
    assert offer.json()["status"] == "offered"
    hired = await client.post(f"{app_url}/hire", headers=r.recruiter.headers, json={
        "start_date": (day + timedelta(days=30)).isoformat(), "supervisor_id": str(r.scorer.principal.account_id)})
    assert hired.status_code == 201, hired.text
    body = hired.json()
    person = await Person.select().where(Person.id == body["person_id"]).first()
    assert (person["given_name"], person["family_name"]) == ("Alex", "Applicant")
    assignment = await Assignment.select().where(Assignment.id == body["assignment_id"]).first()
    assert assignment["lived_experience_role"] is True and assignment["position_title"] == "Peer Support Worker"
    steps = {s["step"]: s["status"] for s in body["onboarding"]}
    assert steps == {"sign-in": "done", "induction": "pending", "pairing": "pending", "supervision": "done"}
    assert await SupervisionAgreement.exists().where(SupervisionAgreement.supervisee == body["account_id"])
    assert (await Account.select(Account.person).where(Account.id == body["account_id"]).first())["person"] == person["id"]

    funnel = (await client.get("/api/v1/recruitment/funnel", headers=r.hr.headers)).json()
    row = funnel["vacancies"][0]
    assert row["stages"] == {"applications": 1, "shortlisted": 1, "interviewed": 1, "offered": 1, "hired": 1}
    assert row["applications_per_post"] == 0.5 and row["compliant_share"] == 1.0 and row["decisions"] == 3
    assert row["days_to_hire_mean"] is not None
    assert funnel["years"][0]["label"] == str(date.today().year)


async def test_moving_and_cancelling_an_interview_sends_the_same_uid_with_a_higher_sequence():
    r = await make_round()
    sent = await apply(r)
    await lifecycle.set_status(r.recruiter.principal, r.vacancy_id, "closed")
    for user in (r.le_scorer, r.scorer):
        await scoring.submit_scores(user.principal, sent.application_id, [ScoreIn(value=v, score=3) for v in VALUES])
    await scoring.decide(r.recruiter.principal, sent.application_id, "shortlist")
    from datetime import time
    slots = await interviews.add_day(r.recruiter.principal, r.vacancy_id, DayIn(
        day=date.today() + timedelta(days=5), slots=[SlotIn(start=time(10), end=time(11)), SlotIn(start=time(11), end=time(12))]))
    await interviews.book(sent.token, slots[0].id)
    await interviews.book(sent.token, slots[1].id)
    await interviews.cancel_booking(sent.token)
    rows = await OutboxMessage.select(OutboxMessage.calendar_ics, OutboxMessage.calendar_method).where(
        OutboxMessage.to_address == "alex@applicant.example").order_by(OutboxMessage.created_at)
    ics = [r for r in rows if r["calendar_ics"]]
    assert [r["calendar_method"] for r in ics] == ["REQUEST", "REQUEST", "CANCEL"]
    assert [("SEQUENCE:%d" % n) in i["calendar_ics"] for n, i in enumerate(ics)] == [True, True, True]
    uid = f"UID:interview-{sent.application_id}@peerwork"
    assert all(uid in i["calendar_ics"] for i in ics) and "STATUS:CANCELLED" in ics[2]["calendar_ics"]


async def test_an_interview_already_held_cannot_be_cancelled_by_the_applicant():
    r = await make_round()
    sent = await apply(r)
    await lifecycle.set_status(r.recruiter.principal, r.vacancy_id, "closed")
    for user in (r.le_scorer, r.scorer):
        await scoring.submit_scores(user.principal, sent.application_id, [ScoreIn(value=v, score=3) for v in VALUES])
    await scoring.decide(r.recruiter.principal, sent.application_id, "shortlist")
    from datetime import time
    slot = (await interviews.add_day(r.recruiter.principal, r.vacancy_id, DayIn(
        day=date.today() + timedelta(days=5), slots=[SlotIn(start=time(10), end=time(11))])))[0]
    await interviews.book(sent.token, slot.id)
    # The day comes and goes: the interview is held.
    await InterviewSlot.update({InterviewSlot.day: date.today() - timedelta(days=1),
                                InterviewSlot.start: clock.now() - timedelta(days=1, hours=1),
                                InterviewSlot.end: clock.now() - timedelta(days=1)}).where(InterviewSlot.id == slot.id)
    with pytest.raises(Exception) as refused:
        await interviews.cancel_booking(sent.token)
    assert getattr(refused.value, "status_code", None) == 409
    assert (await Application.select(Application.slot).where(Application.id == sent.application_id).first()
            )["slot"] == slot.id
    assert await OutboxMessage.count().where(OutboxMessage.calendar_method == "CANCEL") == 0


async def test_a_full_slot_cannot_be_booked_twice():
    r = await make_round()
    a, b = await apply(r, "Ann One"), await apply(r, "Bo Two", client="10.0.0.2")
    await lifecycle.set_status(r.recruiter.principal, r.vacancy_id, "closed")
    for sent in (a, b):
        for user in (r.le_scorer, r.scorer):
            await scoring.submit_scores(user.principal, sent.application_id, [ScoreIn(value=v, score=3) for v in VALUES])
        await scoring.decide(r.recruiter.principal, sent.application_id, "shortlist")
    from datetime import time
    slot = (await interviews.add_day(r.recruiter.principal, r.vacancy_id, DayIn(
        day=date.today() + timedelta(days=5), slots=[SlotIn(start=time(10), end=time(11), capacity=1)])))[0]
    await interviews.book(a.token, slot.id)
    with pytest.raises(Exception) as refused:
        await interviews.book(b.token, slot.id)
    assert getattr(refused.value, "status_code", None) == 409


# --- refusal rules, each at its boundary ----------------------------------------------------

async def _scored(r, scorers) -> object:
    sent = await apply(r)
    await lifecycle.set_status(r.recruiter.principal, r.vacancy_id, "closed")
    for user in scorers:
        await scoring.submit_scores(user.principal, sent.application_id, [ScoreIn(value=v, score=3) for v in VALUES])
    return sent


@pytest.mark.parametrize(("case", "reason"), [
    ("one scorer", "at least 2 panel members must score this application (1 has so far)"),
    ("two scorers, none in a lived-experience role", "at least one scorer must hold a lived-experience role"),
    ("no lived-experience panel member", "at least one panel member must hold a lived-experience role"),
    ("a member has not declared conflicts", "every panel member must declare conflicts of interest"),
    ("compliant", None),
])
async def test_shortlisting_is_refused_with_409_and_the_reason_until_the_panel_meets_policy(client, case, reason):
    r = await make_round(lived_experience=case != "no lived-experience panel member",
                         declare=case != "a member has not declared conflicts")
    if case == "a member has not declared conflicts":
        await vacancies.declare_conflicts(r.le_scorer.principal, r.vacancy_id, "")  # one of two declared
    scorers = {"one scorer": [r.le_scorer]}.get(case, [r.le_scorer, r.scorer])
    if case == "two scorers, none in a lived-experience role":
        third = await make_user(r.org, "supervisor", email="third@north.example")
        from peerwork.recruitment.schemas import PanelMemberIn
        await vacancies.add_panel_member(r.recruiter.principal, r.vacancy_id, PanelMemberIn(account_id=third.principal.account_id))
        await vacancies.declare_conflicts(third.principal, r.vacancy_id, "")
        scorers = [r.scorer, third]
    sent = await _scored(r, scorers)
    url = f"/api/v1/recruitment/applications/{sent.application_id}"
    response = await client.post(f"{url}/decision", json={"decision": "shortlist"}, headers=r.recruiter.headers)
    if reason is None:
        assert response.status_code == 200, response.text
    else:
        assert response.status_code == 409
        assert response.headers["content-type"].startswith("application/problem+json")
        assert reason in response.json()["detail"]
        assert await Decision.count() == 0


async def test_a_hire_is_refused_when_the_panel_stops_meeting_policy_after_the_offer(client):
    r = await make_round()
    sent = await _scored(r, [r.le_scorer, r.scorer])
    await scoring.decide(r.recruiter.principal, sent.application_id, "shortlist")
    await scoring.decide(r.recruiter.principal, sent.application_id, "offer")
    late = await make_user(r.org, "supervisor", email="late@north.example")
    from peerwork.recruitment.schemas import PanelMemberIn
    await vacancies.add_panel_member(r.recruiter.principal, r.vacancy_id, PanelMemberIn(account_id=late.principal.account_id))
    url = f"/api/v1/recruitment/applications/{sent.application_id}/hire"
    refused = await client.post(url, json={"start_date": "2030-01-01"}, headers=r.recruiter.headers)
    assert refused.status_code == 409 and "declare conflicts" in refused.json()["detail"]
    assert await Person.count() == 0
    await vacancies.declare_conflicts(late.principal, r.vacancy_id, "I know no applicant")
    assert (await client.post(url, json={"start_date": "2030-01-01"}, headers=r.recruiter.headers)).status_code == 201


async def test_a_decision_needs_the_vacancy_closed_and_the_right_stage():
    r = await make_round()
    sent = await apply(r)
    for user in (r.le_scorer, r.scorer):
        await scoring.submit_scores(user.principal, sent.application_id, [ScoreIn(value=v, score=3) for v in VALUES])
    with pytest.raises(Exception, match="close it to applications"):
        await scoring.decide(r.recruiter.principal, sent.application_id, "shortlist")
    await lifecycle.set_status(r.recruiter.principal, r.vacancy_id, "closed")
    with pytest.raises(Exception, match="Only a shortlisted application"):
        await scoring.decide(r.recruiter.principal, sent.application_id, "offer")


async def test_scores_must_cover_every_value_once_and_only_panel_members_score(client):
    r = await make_round()
    sent = await apply(r)
    url = f"/api/v1/recruitment/applications/{sent.application_id}/scores"
    partial = await client.put(url, json={"scores": [{"value": "Mutuality", "score": 3}]}, headers=r.le_scorer.headers)
    assert partial.status_code == 422 and "missing: Hope" in partial.json()["detail"]
    out_of_range = await client.put(url, json=scores(0, 6), headers=r.le_scorer.headers)
    assert out_of_range.status_code == 400
    stranger = await client.put(url, json=scores(3, 3), headers=r.psw.headers)
    assert stranger.status_code == 403
    lead = await client.put(url, json=scores(3, 3), headers=r.other_lead.headers)
    assert lead.status_code == 403


async def test_vacancy_states_follow_the_allowed_transitions(client):
    r = await make_round()
    url = f"/api/v1/recruitment/vacancies/{r.vacancy_id}/status"
    bad = await client.post(url, json={"status": "filled"}, headers=r.recruiter.headers)
    assert bad.status_code == 409 and "cannot become filled" in bad.json()["detail"]
    assert (await client.post(url, json={"status": "withdrawn"}, headers=r.recruiter.headers)).json()["status"] == "withdrawn"
    again = await client.post(url, json={"status": "open"}, headers=r.recruiter.headers)
    assert again.status_code == 409


async def test_the_organisations_values_list_is_the_default_for_new_vacancies(client):
    r = await make_round()
    default = (await client.get("/api/v1/recruitment/values", headers=r.recruiter.headers)).json()
    assert default["is_default"] and "Mutuality" in default["values"] and len(default["values"]) == 7
    await client.put("/api/v1/recruitment/values", json={"values": ["Hope", "Safety"]}, headers=r.recruiter.headers)
    made = await client.post("/api/v1/recruitment/vacancies", headers=r.recruiter.headers,
                             json={"title": "Senior PSW", "closing_date": "2030-01-01"})
    assert made.json()["values"] == ["Hope", "Safety"]


async def test_an_expired_link_is_not_found():
    r = await make_round()
    sent = await apply(r)
    from peerwork.recruitment.tables import Application
    await Application.update({Application.token_expires_at: clock.now() - timedelta(seconds=1)}).where(
        Application.id == sent.application_id)
    with pytest.raises(Exception, match="expired"):
        await applications.by_token(sent.token)
    stored = await Application.select(Application.token_hash).where(Application.id == sent.application_id).first()
    assert stored["token_hash"] != sent.token and len(sent.token) >= 43


async def test_the_applicant_hears_of_each_decision_without_scores_or_comments():
    from peerwork.core.tables import OutboxMessage

    r = await make_round()
    sent = await _scored(r, [r.le_scorer, r.scorer])
    await scoring.decide(r.recruiter.principal, sent.application_id, "shortlist")
    await scoring.decide(r.recruiter.principal, sent.application_id, "reject")
    mails = await OutboxMessage.select(OutboxMessage.subject, OutboxMessage.body_text).where(
        OutboxMessage.to_address == "alex@applicant.example").order_by(OutboxMessage.created_at)
    assert [m["subject"].split(" (")[0] for m in mails] == [
        "Your application: Peer Support Worker", "You have been shortlisted", "Your application"]
    assert all("score" not in m["body_text"].lower() and "panel member" not in m["body_text"] for m in mails[1:])
