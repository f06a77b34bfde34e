"""The funnel split by ethnicity and disability, in the shape of the NHS Workforce Race and
Disability Equality Standards (WRES indicator 2, WDES metric 2).

From applicants' own equality monitoring answers: per year of opening, how many of each group
applied, were shortlisted and were appointed, and the relative likelihood of appointment from
shortlisting (white relative to BME; not disabled relative to disabled). Aggregates only:
counts under 5 read "<5" and every rate built on one is withheld. Loaded past rounds carry no
equality answers, so they are not in these figures.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable, NamedTuple

from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.privacy import disclosed_count, disclosed_rate
from peerwork.recruitment.applications import EQUALITY_QUESTIONS
from peerwork.recruitment.schemas import EqualityFunnelYear, SplitBy, SplitGroup
from peerwork.recruitment.tables import Application, EqualityResponse, Vacancy

ETHNICITY_GROUPS = {"white": "White", "bme": "Black and minority ethnic (BME)", "not_stated": "Not stated"}
DISABILITY_GROUPS = {"not_disabled": "Not disabled", "disabled": "Disabled", "not_stated": "Not stated"}
BME_ANSWERS = frozenset(a for a in EQUALITY_QUESTIONS["ethnicity"] if a != "White")


class Applicant(NamedTuple):
    """One applicant as the split sees them: two answers (None: none given) and two stages."""

    ethnicity: str | None
    disability: str | None
    shortlisted: bool
    appointed: bool


def ethnicity_group(answer: str | None) -> str:
    if answer == "White":
        return "white"
    return "bme" if answer in BME_ANSWERS else "not_stated"  # "Prefer not to say" and no answer


def disability_group(answer: str | None) -> str:
    return {"Yes": "disabled", "No": "not_disabled"}.get(answer or "", "not_stated")


def _groups(applicants: list[Applicant], group_of, labels: dict[str, str]) -> tuple[list[SplitGroup], dict]:
    counts: dict[str, list[int]] = {g: [0, 0, 0] for g in labels}
    for a in applicants:
        c = counts[group_of(a)]
        c[0] += 1
        c[1] += a.shortlisted
        c[2] += a.shortlisted and a.appointed
    rows, appointed_rates = [], {}
    for group, label in labels.items():
        applied, shortlisted, appointed = counts[group]
        from_shortlist = disclosed_rate(appointed, shortlisted)
        appointed_rates[group] = from_shortlist.rate
        rows.append(SplitGroup(
            group=group, label=label, applied=disclosed_count(applied), shortlisted=disclosed_count(shortlisted),
            appointed=disclosed_count(appointed), shortlisted_rate=disclosed_rate(shortlisted, applied).rate,
            appointed_rate=from_shortlist.rate,
        ))
    return rows, appointed_rates


def relative_likelihood(of: float | None, relative_to: float | None) -> float | None:
    """How many times as likely ``of``'s group was to be appointed from shortlisting as the other;
    withheld when either rate is (small numbers) or the other group's is zero."""
    if of is None or not relative_to:
        return None
    return round(of / relative_to, 2)


def split(applicants: Iterable[Applicant]) -> tuple[SplitBy, SplitBy]:
    """Pure: (by ethnicity, by disability) for one set of applicants."""
    applicants = list(applicants)
    ethnic, ethnic_rates = _groups(applicants, lambda a: ethnicity_group(a.ethnicity), ETHNICITY_GROUPS)
    disabled, disabled_rates = _groups(applicants, lambda a: disability_group(a.disability), DISABILITY_GROUPS)
    return (
        SplitBy(characteristic="ethnicity", groups=ethnic, likelihood_of="white", relative_to="bme",
                relative_likelihood=relative_likelihood(ethnic_rates["white"], ethnic_rates["bme"])),
        SplitBy(characteristic="disability", groups=disabled, likelihood_of="not_disabled", relative_to="disabled",
                relative_likelihood=relative_likelihood(disabled_rates["not_disabled"], disabled_rates["disabled"])),
    )


def applicants_of(apps: list[dict[str, Any]], responses: list[dict[str, Any]]) -> list[Applicant]:
    """Pure: one vacancy's applicants. An equality answer is kept apart from its application and
    unlinked when an unsuccessful one is anonymised (keeping its shortlisted flag; anonymised
    applications were never appointed); applicants who gave no answers count as not stated."""
    by_id = {a["id"]: a for a in apps}
    out = []
    for r in responses:
        app = by_id.get(r["application"])
        out.append(Applicant(
            r["answers"].get("ethnicity"), r["answers"].get("disability"),
            bool(r["shortlisted"] or (app and app["shortlisted_at"])), bool(app and app["hired_at"]),
        ))
    silent = len(apps) - len(responses)
    shortlisted = sum(1 for a in apps if a["shortlisted_at"]) - sum(x.shortlisted for x in out)
    appointed = sum(1 for a in apps if a["hired_at"]) - sum(x.appointed for x in out)
    for i in range(max(silent, 0)):
        out.append(Applicant(None, None, i < shortlisted, i < appointed))
    return out


async def equality_funnel(principal: Principal, year: int | None = None) -> list[EqualityFunnelYear]:
    """Per year of opening (only ``year``'s, when given), the funnel split by ethnicity and
    disability. Aggregates only; the read of equality answers is audited."""
    principal.require("recruitment:equality")
    org = principal.organisation_id
    vacancies = await Vacancy.select(Vacancy.id, Vacancy.opened_at, Vacancy.created_at).where(Vacancy.organisation == org)
    year_of = {v["id"]: (v["opened_at"] or v["created_at"]).year for v in vacancies}
    apps = await Application.select(Application.id, Application.vacancy, Application.shortlisted_at,
                                    Application.hired_at).where(Application.organisation == org)
    responses = await EqualityResponse.select(EqualityResponse.vacancy, EqualityResponse.application,
                                              EqualityResponse.answers, EqualityResponse.shortlisted).where(
        EqualityResponse.organisation == org).output(load_json=True)
    apps_of, responses_of = defaultdict(list), defaultdict(list)
    for a in apps:
        apps_of[a["vacancy"]].append(a)
    for r in responses:
        responses_of[r["vacancy"]].append(r)
    per_year: dict[int, list[Applicant]] = defaultdict(list)
    for vacancy_id, y in year_of.items():
        if year is None or y == year:
            per_year[y] += applicants_of(apps_of[vacancy_id], responses_of[vacancy_id])
    await audit.record(principal, "read", "equality_response", fields=["answers"], aggregate=True,
                       view="funnel_by_year", year=year)
    return [EqualityFunnelYear(y, *split(per_year[y])) for y in sorted(per_year)]
