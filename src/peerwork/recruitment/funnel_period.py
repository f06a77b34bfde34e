"""An organisation's recruitment funnel over a period, for reports that pool organisations.

No Principal: the caller (a network's report, which has checked its own rights) names the
organisation. Only aggregates leave: counts and sums, never an application.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from peerwork.core.time import LONDON
from peerwork.recruitment import history
from peerwork.recruitment.funnel import figures, hire_days
from peerwork.recruitment.schemas import PeriodFunnel
from peerwork.recruitment.tables import Application, Decision, Vacancy


async def funnel_for_organisation(organisation_id: UUID, start: date, end: date) -> PeriodFunnel:
    """Vacancies that opened (UK date) from ``start`` to ``end`` inclusive and past rounds loaded
    for that period (see ``history.in_period``): posts, each stage (None where a past round did
    not record it), decisions and those by a compliant panel (live vacancies only: past rounds
    record none), and days to hire as total, count and mean."""
    vacancies = await Vacancy.select(Vacancy.id, Vacancy.posts, Vacancy.opened_at, Vacancy.created_at).where(
        Vacancy.organisation == organisation_id)
    chosen = [v for v in vacancies if start <= (v["opened_at"] or v["created_at"]).astimezone(LONDON).date() <= end]
    ids = [v["id"] for v in chosen]
    apps, decisions = [], []
    if ids:
        apps = await Application.select(Application.vacancy, Application.shortlisted_at, Application.booked_at,
                                        Application.offered_at, Application.hired_at).where(
            (Application.organisation == organisation_id) & Application.vacancy.is_in(ids))
        decisions = await Decision.select(Decision.vacancy, Decision.compliant).where(
            (Decision.organisation == organisation_id) & Decision.vacancy.is_in(ids))
    rounds = await history.rounds_between(organisation_id, start, end)
    opened = {v["id"]: v["opened_at"] for v in chosen}
    row = figures(f"{start.isoformat()}/{end.isoformat()}", sum(v["posts"] for v in chosen), apps, decisions,
                  opened, rounds=rounds)
    round_total, round_count = history.round_days(rounds)
    days = hire_days(apps, opened)
    compliant = sum(1 for d in decisions if d["compliant"])
    return PeriodFunnel(
        start=start, end=end, vacancies=len(chosen), history_rounds=len(rounds), posts=row.posts, stages=row.stages,
        applications_per_post=row.applications_per_post, decisions=len(decisions), compliant_decisions=compliant,
        compliant_share=row.compliant_share, days_to_hire_total=round(sum(days) + round_total, 4),
        days_to_hire_count=len(days) + round_count, days_to_hire_mean=row.days_to_hire_mean,
    )
