"""A network's figures: each member organisation's and the network's pooled, every count under
5 suppressed, from the capabilities' own services.

What leaves an organisation is exactly :func:`organisation_figures`: counts and rates, never a
person. Pooled figures pool what was counted, never averages of rates: the members' retention
spells are put together and Kaplan–Meier and cohort rates worked out over all of them; the
supports, supervision and CPD counts are summed; the recruitment funnel is worked out over all
the members' vacancies, applications and decisions at once (so the mean days to hire is over
every hire). Each member's inputs are read once and serve both its own figures and the pool.

Definitions (see docs/networks.md):
- headcount: lived-experience staff in post on ``as_of`` (the supports' rule: staff records,
  plus PSW accounts with no staff record in the organisation).
- retention: lived-experience spells as of ``as_of``, Kaplan–Meier S(365·k) and the cohort
  rate at k = 1, 2, 3 years, as the retention report has them.
- supports: the seven supports received in the 12 months to ``as_of``, out of headcount.
- supervision: of the headcount, those with a 1:1 (group) agreement who are not overdue.
- CPD: of the lived-experience staff in post, those with every mandatory course done and in
  date (expiring soon still counts) and whose induction was not late.
- recruitment: vacancies opened in the 365 days to ``as_of``.
Neither function checks rights nor writes audit: their callers do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from msgspec import Struct

from peerwork.core.errors import NotFound
from peerwork.core.tables import Network, NetworkMembership, Organisation
from peerwork.cpd.report import compliance as cpd_compliance
from peerwork.networks.references import ReferenceFigure
from peerwork.networks.references import references as _references
from peerwork.networks.suppression import Count, count, rate, withheld_below
from peerwork.recruitment.funnel import figures as funnel_row
from peerwork.recruitment.funnel import funnel_inputs
from peerwork.retention.query import fetch_spell_columns
from peerwork.retention.survival import (
    RETENTION_YEARS,
    SpellColumns,
    cohort_rates_from_arrays,
    estimates_from_arrays,
)
from peerwork.supervision.compliance_service import organisation_compliance_rows
from peerwork.supports.service import SUPPORTS
from peerwork.supports.service import organisation_figures as support_figures
from peerwork.workforce.staff import people_in_post

__all__ = [
    "ComplianceShare", "Count", "FunnelFigures", "NetworkFigures", "ReferenceFigure", "RetentionAt", "SupportShare",
    "UnitFigures", "network_figures", "organisation_figures", "references",
]

POOLED = "pooled"
FUNNEL_DAYS = 365
VALID_COURSE = frozenset({"done", "expiring"})


class RetentionAt(Struct):
    """Retention at ``years`` (1, 2 or 3)."""

    years: int
    survival: float | None  # Kaplan–Meier S(365*k), None if withheld
    lower: float | None
    upper: float | None
    at_risk: Count
    cohort_rate: float | None
    cohort_retained: Count
    cohort_eligible: Count


class SupportShare(Struct):
    """One of the seven supports (keys as peerwork.supports.service.SUPPORTS)."""

    key: str
    label: str
    received: Count
    share: float | None  # received / headcount


class ComplianceShare(Struct):
    """Supervision on time, or CPD compliant."""

    people: Count
    compliant: Count
    share: float | None


class FunnelFigures(Struct):
    """Recruitment over the last 12 months to as_of."""

    posts: Count
    applications: Count
    applications_per_post: float | None
    hires: Count
    conversion: float | None  # hires / applications
    days_to_hire_mean: float | None
    decisions: Count
    compliant_panel_share: float | None


class UnitFigures(Struct):
    """One member organisation, or the pooled network."""

    key: str  # organisation slug, or "pooled"
    name: str
    headcount: Count  # lived-experience staff in post on as_of
    retention: list[RetentionAt]
    supports: list[SupportShare]
    supervision_one_to_one: ComplianceShare
    supervision_group: ComplianceShare
    cpd: ComplianceShare
    recruitment: FunnelFigures


class NetworkFigures(Struct):
    network_slug: str
    network_name: str
    as_of: date
    members: list[UnitFigures]
    pooled: UnitFigures
    references: list[ReferenceFigure]


@dataclass
class Inputs:
    """What one organisation's figures are computed from (counts, spell columns, funnel stage
    times: nothing that names anyone), and what pools over several."""

    headcount: int
    spells: SpellColumns
    supports: dict[str, int]  # support key -> people who received it
    one_to_one_on_time: int
    group_on_time: int
    cpd_people: int
    cpd_compliant: int
    posts: int
    applications: list[dict[str, Any]]
    decisions: list[dict[str, Any]]
    opened: dict[UUID, Any]


async def organisation_inputs(organisation_id: UUID, as_of: date) -> Inputs:
    """One organisation's inputs, from the capabilities' services (only its own rows)."""
    spells = await fetch_spell_columns(organisation_id, as_of, labels=False)
    supports = await support_figures(organisation_id, as_of)
    supervision = await organisation_compliance_rows(organisation_id, as_of)
    in_post = await people_in_post(organisation_id, as_of)
    cpd = [row for row in await cpd_compliance(organisation_id, as_of)
           if row.person_id in in_post or not row.has_account or (row.person_id is None and "psw" in row.roles)]
    posts, applications, decisions, opened = await funnel_inputs(
        organisation_id, as_of - timedelta(days=FUNNEL_DAYS - 1), as_of)
    return Inputs(
        headcount=supports[0].psws if supports else 0,
        spells=spells,
        supports={figure.key: figure.received for figure in supports},
        one_to_one_on_time=sum(1 for r in supervision if r.one_to_one is not None and not r.one_to_one.overdue),
        group_on_time=sum(1 for r in supervision if r.group is not None and not r.group.overdue),
        cpd_people=len(cpd),
        cpd_compliant=sum(1 for r in cpd if not r.induction_late and all(c.status in VALID_COURSE for c in r.courses)),
        posts=posts, applications=applications, decisions=decisions, opened=opened,
    )


def pool(inputs: list[Inputs]) -> Inputs:
    """Several organisations' inputs as one: spells, applications and decisions put together,
    counts summed (a person belongs to one organisation, so no one is counted twice)."""
    return Inputs(
        headcount=sum(i.headcount for i in inputs),
        spells=SpellColumns.joined([i.spells for i in inputs]),
        supports={key: sum(i.supports.get(key, 0) for i in inputs) for key in SUPPORTS},
        one_to_one_on_time=sum(i.one_to_one_on_time for i in inputs),
        group_on_time=sum(i.group_on_time for i in inputs),
        cpd_people=sum(i.cpd_people for i in inputs),
        cpd_compliant=sum(i.cpd_compliant for i in inputs),
        posts=sum(i.posts for i in inputs),
        applications=[a for i in inputs for a in i.applications],
        decisions=[d for i in inputs for d in i.decisions],
        opened={k: v for i in inputs for k, v in i.opened.items()},
    )


def _retention(spells: SpellColumns, as_of: date) -> list[RetentionAt]:
    estimates = {e.years: e for e in estimates_from_arrays(spells.duration, spells.left)}
    cohorts = {c.years: c for c in cohort_rates_from_arrays(spells.start, spells.duration, as_of)}
    out = []
    for years in RETENTION_YEARS:
        estimate, cohort = estimates[years], cohorts[years]
        out.append(RetentionAt(
            years=years,
            survival=withheld_below(estimate.survival, estimate.at_risk),
            lower=withheld_below(estimate.lower, estimate.at_risk),
            upper=withheld_below(estimate.upper, estimate.at_risk),
            at_risk=count(estimate.at_risk),
            cohort_rate=rate(cohort.retained, cohort.eligible),
            cohort_retained=count(cohort.retained),
            cohort_eligible=count(cohort.eligible)))
    return out


def _compliance(people: int, compliant: int) -> ComplianceShare:
    return ComplianceShare(people=count(people), compliant=count(compliant), share=rate(compliant, people))


def _funnel(i: Inputs) -> FunnelFigures:
    row = funnel_row(POOLED, i.posts, i.applications, i.decisions, i.opened)
    hires = row.stages.hired
    compliant = sum(1 for d in i.decisions if d["compliant"])
    return FunnelFigures(
        posts=count(i.posts), applications=count(len(i.applications)),
        applications_per_post=rate(len(i.applications), i.posts),
        hires=count(hires), conversion=rate(hires, len(i.applications)),
        days_to_hire_mean=withheld_below(row.days_to_hire_mean, hires),
        decisions=count(len(i.decisions)), compliant_panel_share=rate(compliant, len(i.decisions)))


def unit_figures(key: str, name: str, i: Inputs, as_of: date) -> UnitFigures:
    """Pure: the suppressed figures of one organisation's (or a pool's) inputs."""
    return UnitFigures(
        key=key, name=name, headcount=count(i.headcount),
        retention=_retention(i.spells, as_of),
        supports=[SupportShare(key=k, label=label, received=count(i.supports.get(k, 0)),
                               share=rate(i.supports.get(k, 0), i.headcount)) for k, label in SUPPORTS.items()],
        supervision_one_to_one=_compliance(i.headcount, i.one_to_one_on_time),
        supervision_group=_compliance(i.headcount, i.group_on_time),
        cpd=_compliance(i.cpd_people, i.cpd_compliant),
        recruitment=_funnel(i))


async def organisation_figures(organisation_id: UUID, as_of: date) -> UnitFigures:
    """What one organisation shares: its own figures, suppressed. NotFound if there is no such
    organisation."""
    org = await Organisation.select(Organisation.slug, Organisation.name).where(
        Organisation.id == organisation_id).first()
    if org is None:
        raise NotFound("No such organisation.")
    return unit_figures(org["slug"], org["name"], await organisation_inputs(organisation_id, as_of), as_of)


async def network_members(network_id: UUID) -> list[dict[str, Any]]:
    """The member organisations (id, slug, name, kind), by name."""
    rows = await NetworkMembership.select(
        NetworkMembership.organisation.as_alias("id"), NetworkMembership.organisation.slug.as_alias("slug"),
        NetworkMembership.organisation.name.as_alias("name"), NetworkMembership.organisation.kind.as_alias("kind"),
    ).where(NetworkMembership.network == network_id)
    unique = {r["id"]: r for r in rows}
    return sorted(unique.values(), key=lambda r: (r["name"].casefold(), r["slug"]))


async def network_figures(network_id: UUID, as_of: date) -> NetworkFigures:
    """Every member's figures and the pooled network's, with the references the network reads
    them against. NotFound if there is no such network."""
    network = await Network.select(Network.slug, Network.name).where(Network.id == network_id).first()
    if network is None:
        raise NotFound("No such network.")
    members = await network_members(network_id)
    inputs = [await organisation_inputs(m["id"], as_of) for m in members]
    return NetworkFigures(
        network_slug=network["slug"], network_name=network["name"], as_of=as_of,
        members=[unit_figures(m["slug"], m["name"], i, as_of) for m, i in zip(members, inputs)],
        pooled=unit_figures(POOLED, network["name"], pool(inputs), as_of),
        references=await _references(network_id))


async def references(network_id: UUID | None = None) -> list[ReferenceFigure]:
    """The reference figures (national defaults; a network's own where it set them), for an
    organisation's board pack or a network's page."""
    return await _references(network_id)
