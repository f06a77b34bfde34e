"""Pooling is of people, not of rates: pure checks on hand-made inputs."""

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import numpy as np
import pytest

from peerwork.networks.figures import Inputs, pool, unit_figures
from peerwork.retention.survival import OPEN_END, SpellColumns

AS_OF = date(2026, 6, 30)


def spells(durations: list[int], left: list[bool]) -> SpellColumns:
    start = np.array([AS_OF.toordinal() - 4000 for _ in durations], dtype=np.int64)
    end = np.array([s + d if gone else OPEN_END for s, d, gone in zip(start.tolist(), durations, left)], dtype=np.int64)
    nothing = [None] * len(durations)
    return SpellColumns.from_days(start, end, AS_OF, team=nothing, band=nothing, leaving_reason=nothing)


def inputs(durations, left, headcount, received, hired_after) -> Inputs:
    vacancy = uuid4()
    opened = datetime(2026, 1, 1, tzinfo=UTC)
    apps = [{"vacancy": vacancy, "shortlisted_at": None, "booked_at": None, "offered_at": None,
             "hired_at": opened + timedelta(days=d) if d is not None else None} for d in hired_after]
    return Inputs(headcount=headcount, spells=spells(durations, left), supports={"role_training": received},
                  one_to_one_on_time=received, group_on_time=0, cpd_people=headcount, cpd_compliant=received,
                  posts=3, applications=apps, decisions=[{"compliant": True}] * 3, opened={vacancy: opened})


def test_pooled_survival_is_kaplan_meier_over_everyone_not_a_mean_of_members():
    first = inputs([100, 5000, 5000, 5000, 5000], [True, False, False, False, False], 4, 4, [10, 20, None])
    second = inputs([200, 300, 5000, 5000], [True, True, False, False], 2, 1, [60, None, None, None])
    pooled = unit_figures("pooled", "N", pool([first, second]), AS_OF)
    # 9 spells: leavers at 100 (9 at risk), 200 (8), 300 (7): S = 8/9 * 7/8 * 6/7 = 2/3, 6 at risk at a year.
    assert pooled.retention[0].survival == pytest.approx(2 / 3)
    assert pooled.retention[0].at_risk.value == 6
    # Neither member alone has 5 at risk at a year (4 and 2): both withheld.
    assert unit_figures("a", "A", first, AS_OF).retention[0].survival is None
    assert unit_figures("b", "B", second, AS_OF).retention[0].survival is None
    assert pooled.headcount.value == 6
    assert pooled.supports[0].received.value == 5 and pooled.supports[0].share == pytest.approx(5 / 6)
    # Three hires in all (after 10, 20 and 60 days): under 5, so the mean days to hire is withheld.
    assert pooled.recruitment.hires.shown == "<5" and pooled.recruitment.days_to_hire_mean is None
    assert pooled.recruitment.applications.value == 7 and pooled.recruitment.posts.value == 6
    assert pooled.recruitment.applications_per_post == pytest.approx(7 / 6)


def test_the_mean_days_to_hire_is_over_every_hire_not_a_mean_of_means():
    first = inputs([5000], [False], 1, 0, [10, 10, 10, 10])
    second = inputs([5000], [False], 1, 0, [100])
    # Members' means are 10 and 100; over the five hires it is 140 / 5 = 28.
    assert unit_figures("pooled", "N", pool([first, second]), AS_OF).recruitment.days_to_hire_mean == 28.0


def test_a_member_under_five_is_suppressed_while_the_pool_is_shown():
    member = inputs([5000] * 4, [False] * 4, 4, 4, [])
    alone = unit_figures("m", "M", member, AS_OF)
    assert alone.headcount.shown == "<5" and alone.cpd.share is None
    together = unit_figures("pooled", "N", pool([member, member]), AS_OF)
    assert together.headcount.shown == "8" and together.cpd.share == 1.0
