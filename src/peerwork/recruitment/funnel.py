"""Funnel figures and equality monitoring, computed from stage timestamps that outlive the
anonymising of applications. Equality figures are aggregates with counts under 5 suppressed."""

from __future__ import annotations

from collections import Counter
from datetime import date
from statistics import mean
from typing import Any
from uuid import UUID

from peerwork.recruitment.applications import EQUALITY_QUESTIONS, PREFER_NOT
from peerwork.recruitment.schemas import EqualityCount, FunnelRow, StageFigures
from peerwork.recruitment.tables import Application, Decision, EqualityResponse, Vacancy
from peerwork.recruitment.vacancies import load_vacancy
from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.privacy import disclosed_count, disclosed_rate

STAGES = ("applications", "shortlisted", "interviewed", "offered", "hired")


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def figures(label: str, posts: int, apps: list[dict[str, Any]], decisions: list[dict[str, Any]],
            opened: dict[UUID, Any], vacancy_id: UUID | None = None) -> FunnelRow:
    """Pure: the funnel for a set of applications (and their vacancies' opening times)."""
    stages = StageFigures(
        applications=len(apps),
        shortlisted=sum(1 for a in apps if a["shortlisted_at"]),
        interviewed=sum(1 for a in apps if a["booked_at"]),
        offered=sum(1 for a in apps if a["offered_at"]),
        hired=sum(1 for a in apps if a["hired_at"]),
    )
    counts = [getattr(stages, s) for s in STAGES]
    conversion = {f"{STAGES[i]}_to_{STAGES[i + 1]}": _ratio(counts[i + 1], counts[i]) for i in range(len(STAGES) - 1)}
    conversion["applications_to_hired"] = _ratio(stages.hired, stages.applications)
    days = [(a["hired_at"] - opened[a["vacancy"]]).total_seconds() / 86400 for a in apps
            if a["hired_at"] and opened.get(a["vacancy"])]
    return FunnelRow(
        label=label, posts=posts, stages=stages, applications_per_post=_ratio(len(apps), posts),
        conversion=conversion, days_to_hire_mean=round(mean(days), 1) if days else None,
        decisions=len(decisions), compliant_share=_ratio(sum(1 for d in decisions if d["compliant"]), len(decisions)),
        vacancy_id=vacancy_id,
    )


async def funnel(principal: Principal, year: int | None = None) -> tuple[list[FunnelRow], list[FunnelRow]]:
    """(per vacancy, per year of opening); ``year`` narrows both to vacancies opened that year."""
    principal.require("recruitment:funnel")
    org = principal.organisation_id
    vacancies = await Vacancy.select(Vacancy.id, Vacancy.title, Vacancy.posts, Vacancy.opened_at, Vacancy.created_at
                                     ).where(Vacancy.organisation == org).order_by(Vacancy.created_at)
    for v in vacancies:
        v["year"] = (v["opened_at"] or v["created_at"]).year
    if year is not None:
        vacancies = [v for v in vacancies if v["year"] == year]
    apps = await Application.select(Application.vacancy, Application.shortlisted_at, Application.booked_at,
                                    Application.offered_at, Application.hired_at).where(Application.organisation == org)
    decisions = await Decision.select(Decision.vacancy, Decision.compliant).where(Decision.organisation == org)
    opened = {v["id"]: v["opened_at"] for v in vacancies}
    per_vacancy = [figures(v["title"], v["posts"], [a for a in apps if a["vacancy"] == v["id"]],
                           [d for d in decisions if d["vacancy"] == v["id"]], opened, v["id"]) for v in vacancies]
    per_year = []
    for y in sorted({v["year"] for v in vacancies}):
        ids = {v["id"] for v in vacancies if v["year"] == y}
        per_year.append(figures(str(y), sum(v["posts"] for v in vacancies if v["id"] in ids),
                                [a for a in apps if a["vacancy"] in ids], [d for d in decisions if d["vacancy"] in ids],
                                opened))
    return per_vacancy, per_year


async def funnel_inputs(organisation_id: UUID, start: date, end: date
                        ) -> tuple[int, list[dict[str, Any]], list[dict[str, Any]], dict[UUID, Any]]:
    """What :func:`figures` is computed from, for the vacancies an organisation opened (or, not
    yet opened, created) from ``start`` to ``end`` inclusive: (posts, applications' stage
    times, decisions' compliance, each vacancy's opening time). No names or answers, and no
    rights checked: for reports built over several organisations (a network's), which pool
    these lists before computing, and whose callers check their rights."""
    vacancies = await Vacancy.select(Vacancy.id, Vacancy.posts, Vacancy.opened_at, Vacancy.created_at).where(
        Vacancy.organisation == organisation_id)
    chosen = [v for v in vacancies if start <= (v["opened_at"] or v["created_at"]).date() <= end]
    ids = [v["id"] for v in chosen]
    if not ids:
        return 0, [], [], {}
    apps = await Application.select(Application.vacancy, Application.shortlisted_at, Application.booked_at,
                                    Application.offered_at, Application.hired_at).where(
        (Application.organisation == organisation_id) & Application.vacancy.is_in(ids))
    decisions = await Decision.select(Decision.vacancy, Decision.compliant).where(
        (Decision.organisation == organisation_id) & Decision.vacancy.is_in(ids))
    return sum(v["posts"] for v in chosen), apps, decisions, {v["id"]: v["opened_at"] for v in chosen}


async def vacancy_funnel(principal: Principal, vacancy_id: UUID) -> FunnelRow:
    principal.require("recruitment:funnel")
    vacancy = await load_vacancy(principal.organisation_id, vacancy_id)
    rows, _ = await funnel(principal)
    return next(r for r in rows if r.vacancy_id == vacancy["id"])


def equality_table(responses: list[dict[str, Any]], shortlisted: set[UUID]) -> list[EqualityCount]:
    """Pure: per question and answer, applied and shortlisted counts; small numbers suppressed."""
    out = []
    for question, answers in EQUALITY_QUESTIONS.items():
        applied: Counter[str] = Counter()
        through: Counter[str] = Counter()
        for r in responses:
            answer = r["answers"].get(question) or "Not answered"
            applied[answer] += 1
            if r.get("shortlisted") or r["application"] in shortlisted:
                through[answer] += 1
        for answer in [*answers, PREFER_NOT, "Not answered"]:
            rate = disclosed_rate(through[answer], applied[answer])
            out.append(EqualityCount(question=question, answer=answer, applied=disclosed_count(applied[answer]),
                                     shortlisted=rate.numerator, shortlisted_rate=rate.rate))
    return out


async def equality(principal: Principal, vacancy_id: UUID) -> list[EqualityCount]:
    principal.require("recruitment:equality")
    await load_vacancy(principal.organisation_id, vacancy_id)
    responses = await EqualityResponse.select(EqualityResponse.application, EqualityResponse.answers,
                                                  EqualityResponse.shortlisted).where(
        EqualityResponse.vacancy == vacancy_id).output(load_json=True)
    shortlisted = set(await Application.select(Application.id).where(
        (Application.vacancy == vacancy_id) & Application.shortlisted_at.is_not_null()).output(as_list=True))
    await audit.record(principal, "read", "equality_response", vacancy_id, fields=["answers"], aggregate=True)
    return equality_table(responses, shortlisted)
