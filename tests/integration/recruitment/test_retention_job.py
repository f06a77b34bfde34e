"""The retention job anonymises exactly the unsuccessful and withdrawn applications past the
period, and the funnel and equality figures read the same before and after."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from peerwork.core import time as clock
from peerwork.core.time import LONDON
from peerwork.recruitment import applications, funnel, scoring, lifecycle, vacancies
from peerwork.recruitment.jobs import JOBS, anonymise_old_applications
from peerwork.recruitment.schemas import ScoreIn
from peerwork.recruitment.tables import Application, EqualityResponse, Score
from peerwork import capabilities
from peerwork.core.settings import current_settings
from tests.integration.recruitment.helpers import VALUES, apply, make_round


async def test_only_ended_applications_past_the_period_are_anonymised_and_the_figures_survive():
    r = await make_round()
    old_reject, recent_reject, withdrawn, shortlisted, waiting = [
        await apply(r, name, client=f"10.1.0.{i}", equality={"disability": "Yes"})
        for i, name in enumerate(["Old Reject", "Recent Reject", "Wendy Withdrawn", "Shona Shortlisted", "Will Waiting"])]
    await lifecycle.set_status(r.recruiter.principal, r.vacancy_id, "closed")
    for sent in (old_reject, recent_reject, shortlisted):
        for user in (r.le_scorer, r.scorer):
            await scoring.submit_scores(user.principal, sent.application_id,
                                        [ScoreIn(value=v, score=3, comment="said X") for v in VALUES])
    await scoring.decide(r.recruiter.principal, old_reject.application_id, "shortlist")
    await scoring.decide(r.recruiter.principal, old_reject.application_id, "reject")
    await scoring.decide(r.recruiter.principal, recent_reject.application_id, "reject")
    await scoring.decide(r.recruiter.principal, shortlisted.application_id, "shortlist")
    await applications.withdraw(withdrawn.token)

    now = clock.now()
    days = current_settings().application_retention_days
    assert days == 365
    long_ago = now - timedelta(days=days + 1)
    for sent in (old_reject, withdrawn):
        await Application.update({Application.closed_at: long_ago}).where(Application.id == sent.application_id)
    await Application.update({Application.closed_at: now - timedelta(days=days - 1)}).where(
        Application.id == recent_reject.application_id)

    before = await funnel.funnel(r.hr.principal)
    equality_before = await funnel.equality(r.hr.principal, r.vacancy_id)
    assert await anonymise_old_applications(now) == 2
    assert await anonymise_old_applications(now) == 0  # idempotent

    rows = {a["id"]: a for a in await Application.select().output(load_json=True)}
    for sent in (old_reject, withdrawn):
        row = rows[sent.application_id]
        assert (row["name"], row["email"], row["phone"], row["answers"], row["statement"], row["adjustments"],
                row["token_hash"]) == ("", "", "", {}, None, "", None)
        assert row["anonymised_at"] is not None and row["submitted_at"] is not None
    for sent in (recent_reject, shortlisted, waiting):
        row = rows[sent.application_id]
        assert row["name"] and row["statement"] and row["anonymised_at"] is None and row["token_hash"]
    comments = {s["application"]: s["comment"] for s in await Score.select(Score.application, Score.comment)}
    assert comments[old_reject.application_id] == "" and comments[recent_reject.application_id] == "said X"
    assert await EqualityResponse.count().where(EqualityResponse.application.is_null()) == 2
    assert await funnel.funnel(r.hr.principal) == before
    assert await funnel.equality(r.hr.principal, r.vacancy_id) == equality_before
    assert before[0][0].stages.shortlisted == 2


def test_the_jobs_are_scheduled_nightly():
    assert [j.id for j in JOBS] == ["recruitment-close", "recruitment-anonymise"]
    assert "recruitment-anonymise" in [j.id for j in capabilities.jobs()]


async def test_vacancies_close_the_night_after_their_closing_date():
    r = await make_round()
    from peerwork.recruitment.jobs import close_past_closing_date
    from peerwork.recruitment.tables import Vacancy
    closing = (await vacancies.load_vacancy(r.org.id, r.vacancy_id))["closing_date"]
    evening = datetime.combine(closing, time(23, 0), tzinfo=LONDON)
    assert await close_past_closing_date(evening) == 0
    assert await close_past_closing_date(evening + timedelta(hours=2)) == 1
    assert (await Vacancy.select(Vacancy.status).first())["status"] == "closed"
