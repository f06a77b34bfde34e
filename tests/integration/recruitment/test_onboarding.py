"""A new hire is invited to sign in on their first-day email, starts with training from day one,
and gets a suggested buddy (a person confirms)."""

from datetime import date, timedelta
from decimal import Decimal

from peerwork.recruitment import scoring, vacancies  # noqa: F401 - the round helper uses them
from uuid import UUID

from peerwork.accounts.tables import Invitation
from peerwork.core.tables import OutboxMessage
from peerwork.cpd.tables import Course, CpdRecord
from tests.integration.recruitment.helpers import apply, make_round
from tests.integration.recruitment.test_recruitment import scores


async def test_hire_books_induction_from_the_first_day(client):
    r = await make_round()
    course = Course(organisation=r.recruiter.principal.organisation_id, title="Induction", hours=Decimal("14"),
                    kind="induction")
    await course.save()
    sent = await apply(r)
    url = f"/api/v1/recruitment/applications/{sent.application_id}"
    await client.post(f"/api/v1/recruitment/vacancies/{r.vacancy_id}/status", json={"status": "closed"},
                      headers=r.recruiter.headers)
    await client.put(f"{url}/scores", json=scores(4, 5), headers=r.le_scorer.headers)
    await client.put(f"{url}/scores", json=scores(3, 4), headers=r.scorer.headers)
    for decision in ("shortlist", "offer"):
        assert (await client.post(f"{url}/decision", json={"decision": decision}, headers=r.recruiter.headers)).status_code == 200
    start = date.today() + timedelta(days=30)
    hired = await client.post(f"{url}/hire", json={"start_date": start.isoformat()}, headers=r.recruiter.headers)
    assert hired.status_code == 201, hired.text
    steps = {s["step"]: s for s in hired.json()["onboarding"]}
    assert steps["induction"]["status"] == "done" and "first day" in steps["induction"]["detail"]
    assert steps["pairing"]["status"] == "pending"  # a suggestion at most: a person confirms pairs
    booked = await CpdRecord.select().where(CpdRecord.account == hired.json()["account_id"]).first()
    assert (booked["course"], booked["status"], booked["done_on"]) == (course.id, "booked", start)
    # The first-day email invites the new starter to sign in: hire -> induction -> a person who can get in.
    assert steps["sign-in"]["status"] == "done", steps["sign-in"]
    assert "alex@applicant.example" in steps["sign-in"]["detail"]
    welcome = await OutboxMessage.select(OutboxMessage.subject, OutboxMessage.body_text).where(
        (OutboxMessage.to_address == "alex@applicant.example") & OutboxMessage.subject.like("Welcome%")).first()
    assert f"{start:%-d %B %Y}" in welcome["subject"] and "/invitations/" in welcome["body_text"]
    invitation = await Invitation.select(Invitation.person, Invitation.role).where(
        Invitation.account == hired.json()["account_id"]).first()
    assert invitation == {"person": UUID(hired.json()["person_id"]), "role": "psw"}


async def test_hire_called_as_a_service_onboards_as_the_api_does_without_a_web_app():
    """One mechanism: onboarding is called by hire() itself, not registered by create_app, so
    the CLI, a job or a test calling the service gets the same induction, sign-in invitation,
    buddy step and first supervision as the API (no `client` here: no app is ever built)."""
    from peerwork.recruitment import hiring, lifecycle
    from peerwork.recruitment.schemas import HireIn, ScoreIn
    from peerwork.supervision.tables import SupervisionAgreement
    from tests.integration.recruitment.helpers import VALUES

    r = await make_round()
    course = Course(organisation=r.recruiter.principal.organisation_id, title="Induction", hours=Decimal("14"),
                    kind="induction")
    await course.save()
    sent = await apply(r)
    await lifecycle.set_status(r.recruiter.principal, r.vacancy_id, "closed")
    for user, mark in ((r.le_scorer, 4), (r.scorer, 3)):
        await scoring.submit_scores(user.principal, sent.application_id, [ScoreIn(value=v, score=mark) for v in VALUES])
    for decision in ("shortlist", "offer"):
        await scoring.decide(r.recruiter.principal, sent.application_id, decision)
    start = date.today() + timedelta(days=30)

    hired = await hiring.hire(r.recruiter.principal, sent.application_id, HireIn(
        start_date=start, supervisor_id=r.scorer.principal.account_id))

    steps = {s.step: s for s in hired.onboarding}
    assert set(steps) == {"induction", "pairing", "sign-in", "supervision"}
    assert [steps[s].status for s in ("induction", "sign-in", "supervision")] == ["done"] * 3, steps
    assert steps["pairing"].status == "pending"  # a suggestion at most: a person confirms pairs
    booked = await CpdRecord.select().where(CpdRecord.account == hired.account_id).first()
    assert (booked["course"], booked["status"], booked["done_on"]) == (course.id, "booked", start)
    assert await Invitation.exists().where(Invitation.account == hired.account_id)
    assert await SupervisionAgreement.exists().where(SupervisionAgreement.supervisee == hired.account_id)
