"""Pooled network figures on two organisations, each worked out by hand (see builders.py).

Spells (days lasted; c = still in post), north: a1 2500c, a2 2000c, a3 180, a4 1200c, a5 425,
a6 300c; south: b1 274, b2 1500c, b3 945, b4 760c. Pooled Kaplan–Meier, events in order:
180 (10 at risk) -> 9/10; 274 (9) -> 8/10; 425 (7 at risk: a1 a2 a4 a5 b2 b3 b4) -> 0.8 * 6/7;
945 (5: a1 a2 a4 b2 b3) -> 0.8 * 6/7 * 4/5. At risk at 365 days: 7, at 730: 6, at 1095: 4.
"""

from datetime import date

import pytest

from peerwork.core.errors import NotFound
from peerwork.networks.figures import network_figures, organisation_figures, references
from peerwork.networks.suppression import Count
from tests.integration.networks.builders import two_member_network

C = Count


def shown(n: int) -> Count:
    return Count(value=n, shown=str(n)) if n >= 5 else Count(value=None, shown="<5")


@pytest.fixture
async def bay():
    return await two_member_network(date.today())


async def test_pooled_retention_pools_the_members_spells(bay):
    figures = await network_figures(bay["bay"], date.today())
    assert [m.key for m in figures.members] == ["north", "south"]
    one, two, three = figures.pooled.retention
    assert one.survival == pytest.approx(0.8)
    assert one.at_risk == shown(7)
    assert two.survival == pytest.approx(0.8 * 6 / 7)
    assert two.at_risk == shown(6)
    # At three years only four are at risk: the estimate is withheld.
    assert three.at_risk == shown(4) and three.survival is None and three.lower is None and three.upper is None
    # Cohorts: started over a year ago 9, of whom 7 stayed over a year; over two years ago 9,
    # of whom 6 stayed over two; over three years ago 7, of whom 4 stayed: withheld.
    assert (one.cohort_retained, one.cohort_eligible, one.cohort_rate) == (shown(7), shown(9), pytest.approx(7 / 9))
    assert (two.cohort_retained, two.cohort_eligible, two.cohort_rate) == (shown(6), shown(9), pytest.approx(6 / 9))
    assert (three.cohort_retained, three.cohort_eligible, three.cohort_rate) == (shown(4), shown(7), None)
    # Neither member alone has five at risk at a year (north: a1 a2 a4 a5; south: b2 b3 b4).
    north, south = figures.members
    assert north.retention[0].at_risk == shown(4) and north.retention[0].survival is None
    assert south.retention[0].at_risk == shown(3) and south.retention[0].survival is None
    assert north.retention[0].cohort_rate is None  # 4 of 5


async def test_pooled_supports_supervision_cpd_and_headcount_are_summed_counts(bay):
    figures = await network_figures(bay["bay"], date.today())
    pooled = figures.pooled
    assert pooled.key == "pooled" and pooled.name == "Bay"
    assert pooled.headcount == shown(6)  # a1 a2 a4 a6, b2 b4
    supports = {s.key: (s.received, s.share) for s in pooled.supports}
    assert supports["role_resources"] == (shown(5), pytest.approx(5 / 6))
    assert supports["role_training"] == (shown(6), 1.0)
    assert supports["one_to_one_supervision"] == (shown(6), 1.0)
    assert supports["peer_leadership"] == (shown(6), 1.0)
    assert supports["group_supervision"] == (shown(0), None)
    assert pooled.supervision_one_to_one.people == shown(6)
    assert pooled.supervision_one_to_one.compliant == shown(5)  # b4 is overdue
    assert pooled.supervision_one_to_one.share == pytest.approx(5 / 6)
    assert pooled.supervision_group.compliant == shown(0) and pooled.supervision_group.share is None
    # Core training done by all six; a6 started 300 days ago with no induction: late.
    assert (pooled.cpd.people, pooled.cpd.compliant, pooled.cpd.share) == (shown(6), shown(5), pytest.approx(5 / 6))
    north, south = figures.members
    assert north.headcount == shown(4) and south.headcount == shown(2)
    assert {s.key: s.share for s in north.supports}["role_resources"] is None  # 3 of 4
    assert north.supervision_one_to_one.share is None


async def test_the_pooled_funnel_is_worked_out_over_every_application(bay):
    pooled = (await network_figures(bay["bay"], date.today())).pooled.recruitment
    assert pooled.posts == shown(5) and pooled.applications == shown(10)
    assert pooled.applications_per_post == pytest.approx(2.0)
    assert pooled.hires == shown(5) and pooled.conversion == pytest.approx(0.5)
    assert pooled.days_to_hire_mean == pytest.approx(40.0)  # (20 + 30 + 40 + 50 + 60) / 5, not a mean of means
    assert pooled.decisions == shown(8) and pooled.compliant_panel_share == pytest.approx(7 / 8)
    north = await organisation_figures(bay["north"].id, date.today())
    assert north.recruitment.posts == shown(2) and north.recruitment.applications_per_post is None
    assert north.recruitment.days_to_hire_mean is None  # two hires


async def test_what_a_member_shares_is_its_row_in_the_network(bay):
    figures = await network_figures(bay["bay"], date.today())
    for member, org in zip(figures.members, (bay["north"], bay["south"])):
        assert await organisation_figures(org.id, date.today()) == member


async def test_references_are_seeded_once_with_sources(bay):
    first = await references()
    again = await references()
    assert first == again
    values = {r.key: r.value for r in first}
    assert values["survey:role_training"] == 0.89 and values["survey:ongoing_cpd"] == 0.57
    assert [values[f"reference_trust:retention_{k}y"] for k in (1, 2, 3)] == [0.98, 0.88, 0.81]
    assert all(r.source for r in first) and len(first) == 10
    assert (await network_figures(bay["bay"], date.today())).references == first


async def test_an_unknown_network_or_organisation_is_not_found(bay):
    from uuid import uuid4

    with pytest.raises(NotFound):
        await network_figures(uuid4(), date.today())
    with pytest.raises(NotFound):
        await organisation_figures(uuid4(), date.today())
