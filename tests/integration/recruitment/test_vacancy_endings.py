"""A vacancy that ends leaves nobody waiting: applicants still in progress are told the post has
gone, their interviews are cancelled for them and the panel, and the ending is a decision."""

from __future__ import annotations

from datetime import date, time, timedelta
from peerwork.core.tables import OutboxMessage
from peerwork.recruitment import hiring, interviews, lifecycle, scoring, vacancies
from peerwork.recruitment.schemas import DayIn, HireIn, ScoreIn, SlotIn, VacancyPatch
from peerwork.recruitment.tables import Application, Decision
from tests.integration.recruitment.helpers import VALUES, apply, make_round


async def _scored_and_shortlisted(r, sent) -> None:
    for user in (r.le_scorer, r.scorer):
        await scoring.submit_scores(user.principal, sent.application_id, [ScoreIn(value=v, score=4) for v in VALUES])
    await scoring.decide(r.recruiter.principal, sent.application_id, "shortlist")


async def _mail_to(address: str) -> list[dict]:
    return await OutboxMessage.select(OutboxMessage.subject, OutboxMessage.body_text,
                                      OutboxMessage.calendar_method).where(OutboxMessage.to_address == address)


async def test_hiring_the_last_post_tells_the_others_and_cancels_their_interviews():
    r = await make_round()
    await vacancies.update_vacancy(r.recruiter.principal, r.vacancy_id, VacancyPatch(posts=1))
    alex, bea = await apply(r, "Alex Applicant"), await apply(r, "Bea Applicant")
    await lifecycle.set_status(r.recruiter.principal, r.vacancy_id, "closed")
    for sent in (alex, bea):
        await _scored_and_shortlisted(r, sent)
    slots = await interviews.add_day(r.recruiter.principal, r.vacancy_id, DayIn(
        day=date.today() + timedelta(days=7), location="Room 1",
        slots=[SlotIn(start=time(10), end=time(10, 45)), SlotIn(start=time(11), end=time(11, 45))]))
    await interviews.book(alex.token, slots[0].id)
    await interviews.book(bea.token, slots[1].id)
    await scoring.decide(r.recruiter.principal, alex.application_id, "offer")

    await hiring.hire(r.recruiter.principal, alex.application_id, HireIn(
        start_date=date.today() + timedelta(days=40), supervisor_id=r.scorer.principal.account_id))

    bea_row = await Application.select().where(Application.id == bea.application_id).first()
    assert (bea_row["status"], bea_row["slot"]) == ("unsuccessful", None)
    letters = await _mail_to("bea@applicant.example")
    assert any(m["calendar_method"] == "CANCEL" for m in letters)  # the interview leaves her calendar
    told = [m for m in letters if m["subject"] == f"Your application ({bea_row['reference']})"]
    assert len(told) == 1 and "has now been filled" in told[0]["body_text"]
    for member in (r.le_scorer, r.scorer):  # and the panel's
        assert [m["calendar_method"] for m in await _mail_to(member.email)].count("CANCEL") == 1
    decision = await Decision.select().where(Decision.application == bea.application_id).output(load_json=True)
    assert [(d["kind"], d["note"]) for d in decision if d["kind"] == "reject"] == [("reject", "The vacancy was filled.")]


async def test_withdrawing_a_vacancy_tells_each_applicant_in_progress_once():
    r = await make_round()
    sent = await apply(r)
    withdrawn_already = await apply(r, "Cal Applicant")
    await Application.update({Application.status: "withdrawn"}).where(Application.id == withdrawn_already.application_id)

    await lifecycle.set_status(r.recruiter.principal, r.vacancy_id, "withdrawn")

    assert (await Application.select(Application.status).where(
        Application.id == sent.application_id).first())["status"] == "unsuccessful"
    told = [m for m in await _mail_to("alex@applicant.example") if m["subject"].startswith("Your application (")]
    assert len(told) == 1 and "withdrawn the post" in told[0]["body_text"]
    assert not [m for m in await _mail_to("cal@applicant.example") if m["subject"].startswith("Your application (")]
