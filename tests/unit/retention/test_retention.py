"""Retention definitions, rule by rule, on hand-worked cases (contract: "Retention (exact definitions)").

The merging rules are checked on production's merge (merge_rows, as the database's rows reach
it) and on the plain-Python reference (tests/unit/retention/reference.py) alike."""

from __future__ import annotations

import itertools
import json
import math
from datetime import date, timedelta

import pytest

from peerwork.retention.survival import (
    KaplanMeier,
    Spell,
    cohort_rate,
    leavers_by_reason,
    period_figures,
    retention_estimates,
)
from peerwork.core.privacy import DisclosedRate, disclosed_count, disclosed_rate
from peerwork.retention.report import breakdown, build_retention_report, financial_year
from tests.unit.retention.reference import AssignmentRecord, build_spells, iter_spells
from tests.unit.retention.spells import production_spells

AS_OF = date(2024, 6, 30)
_numbers = itertools.count(1)


def le(start: str, end: str | None = None, person: str = "p1", **extra) -> AssignmentRecord:
    """A lived-experience assignment (retention is only ever given those, or only the others)."""
    return AssignmentRecord(
        person=person, assignment_number=f"A{next(_numbers):04d}", start=date.fromisoformat(start),
        end=date.fromisoformat(end) if end else None, **extra,
    )


def spans(spells: list[Spell]) -> list[tuple[str, str | None, int]]:
    return [(s.start.isoformat(), s.end.isoformat() if s.end else None, s.duration_days) for s in spells]


def spell(days: int, left: bool, start: date = date(2018, 1, 1), **extra) -> Spell:
    return Spell("p", start, start + timedelta(days=days) if left else None, days, **extra)


@pytest.fixture(params=[production_spells, build_spells], ids=["production", "reference"])
def merge(request):
    """Spells from assignments, by production's merge and by the reference."""
    return request.param


# --- merging assignments into spells ----------------------------------------------------------

def test_a_gap_of_31_days_does_not_break_a_spell(merge):
    # 2022-01-31 -> 2022-03-03 is 31 days.
    spells = merge([le("2021-01-01", "2022-01-31"), le("2022-03-03", "2023-01-01")], AS_OF)
    assert spans(spells) == [("2021-01-01", "2023-01-01", 730)]


def test_a_gap_of_32_days_starts_a_new_spell(merge):
    spells = merge([le("2021-01-01", "2022-01-31"), le("2022-03-04", "2023-01-01")], AS_OF)
    assert spans(spells) == [("2021-01-01", "2022-01-31", 395), ("2022-03-04", "2023-01-01", 303)]


def test_overlapping_assignments_merge_into_one_spell(merge):
    spells = merge([le("2020-01-01", "2021-06-30"), le("2021-01-01", "2022-12-31")], AS_OF)
    assert spans(spells) == [("2020-01-01", "2022-12-31", 1095)]


def test_the_gap_is_measured_from_the_latest_end_so_far_not_the_previous_assignment(merge):
    # A long post with a short secondment inside it: the next post follows the long one closely.
    records = [le("2020-01-01", "2023-01-01"), le("2021-01-01", "2021-06-30"), le("2023-01-20", "2023-12-31")]
    assert spans(merge(records, AS_OF)) == [("2020-01-01", "2023-12-31", 1460)]


def test_a_move_to_a_non_lived_experience_role_ends_the_spell(merge):
    # Only lived-experience assignments are merged: the non-LE post between them is a gap.
    # LE until 2021-12-31, then a non-LE post, then LE again from 2022-03-01 (59 days later).
    spells = merge([le("2020-01-01", "2021-12-31"), le("2022-03-01")], AS_OF)
    assert spans(spells) == [("2020-01-01", "2021-12-31", 730), ("2022-03-01", None, 852)]
    assert [s.left for s in spells] == [True, False]


def test_back_in_a_lived_experience_role_within_31_days_continues_the_spell(merge):
    spells = merge([le("2020-01-01", "2021-12-31"), le("2022-01-31")], AS_OF)
    assert spans(spells) == [("2020-01-01", None, 1642)]


def test_an_open_spell_is_censored_at_as_of(merge):
    [only] = merge([le("2023-06-30")], AS_OF)
    assert (only.end, only.left, only.duration_days) == (None, False, 366)  # 2024 is a leap year


def test_spells_starting_after_as_of_are_ignored(merge):
    records = [le("2020-01-01", "2020-12-31"), le("2024-07-01"), le("2024-08-01", person="p2")]
    assert spans(merge(records, AS_OF)) == [("2020-01-01", "2020-12-31", 365)]


def test_an_end_date_after_as_of_means_in_post_on_as_of(merge):
    [only] = merge([le("2023-01-01", "2024-12-31")], AS_OF)
    assert (only.end, only.left, only.duration_days) == (None, False, 546)


def test_an_end_date_on_as_of_is_a_leaver_on_that_day(merge):
    [only] = merge([le("2023-01-01", "2024-06-30")], AS_OF)
    assert (only.end, only.left, only.duration_days) == (AS_OF, True, 546)


def test_a_gap_straddling_as_of_with_a_return_within_31_days_is_still_in_post(merge):
    [only] = merge([le("2022-01-01", "2024-06-20"), le("2024-07-10", "2025-01-01")], AS_OF)
    assert (only.end, only.duration_days) == (None, 911)


def test_each_person_has_their_own_spells(merge):
    records = [le("2020-01-01", "2020-06-30", person="p1"), le("2020-07-01", "2021-01-01", person="p2")]
    assert [(s.person, s.start.isoformat()) for s in merge(records, AS_OF)] == [
        ("p1", "2020-01-01"), ("p2", "2020-07-01"),
    ]


def test_team_band_and_reason_are_those_of_the_assignment_the_spell_ended_in(merge):
    records = [
        le("2020-01-01", "2022-12-31", team="Willow", band="4", leaving_reason="Retirement"),
        le("2021-01-01", "2021-06-30", team="Oak", band="5", leaving_reason="End of secondment"),
    ]
    [only] = merge(records, AS_OF)
    assert (only.team, only.band, only.leaving_reason) == ("Willow", "4", "Retirement")


def test_an_open_spell_takes_the_post_held_on_as_of_not_one_starting_later(merge):
    records = [
        le("2020-01-01", "2021-12-31", team="Willow", band="4"),
        le("2022-01-01", None, team="Oak", band="5"),
        le("2024-07-15", None, team="Ash", band="6"),  # after as_of: joins the spell, never labels it
    ]
    [only] = merge(records, AS_OF)
    assert (only.team, only.band, only.end) == ("Oak", "5", None)


def test_posts_ending_after_as_of_count_as_in_post_so_the_later_started_one_labels_the_spell(merge):
    records = [le("2021-01-01", "2025-12-31", team="Willow"), le("2022-01-01", "2024-12-31", team="Oak")]
    [only] = merge(records, AS_OF)
    assert (only.team, only.end) == ("Oak", None)


def test_a_tie_on_end_and_start_goes_to_the_greatest_assignment_number_in_code_point_order(merge):
    # "a-7" > "B-9" > "B-10" character by character (code points), whatever a collation says.
    records = [
        AssignmentRecord("p1", number, date(2022, 1, 1), date(2023, 6, 30), team=team)
        for number, team in [("B-9", "Upper"), ("a-7", "Lower"), ("B-10", "Ten")]
    ]
    [only] = merge(records, AS_OF)
    assert (only.team, only.end) == ("Lower", date(2023, 6, 30))


def test_the_reference_refuses_unsorted_input_and_impossible_dates():
    with pytest.raises(ValueError, match="sorted"):
        list(iter_spells([le("2021-01-01"), le("2020-01-01")], AS_OF))
    with pytest.raises(ValueError, match="ends before it starts"):
        build_spells([le("2021-01-01", "2020-12-31")], AS_OF)


# --- retained means strictly more than 365·k days; years are 365 days, leap or not -------------

def test_cohort_rate_counts_retained_only_beyond_exactly_365_days():
    spells = build_spells([
        le("2019-01-01", "2020-01-01", person="exactly-365"),
        le("2020-01-01", "2021-01-01", person="366-over-a-leap-day"),
        le("2021-01-01", "2021-12-31", person="364"),
    ], AS_OF)
    assert {s.person: s.duration_days for s in spells} == {"exactly-365": 365, "366-over-a-leap-day": 366, "364": 364}
    rate = cohort_rate(spells, AS_OF, 1)
    assert (rate.retained, rate.eligible, rate.rate) == (1, 3, 1 / 3)


def test_cohort_rate_only_counts_spells_that_started_more_than_365_k_days_ago():
    as_of = date(2024, 3, 1)
    spells = build_spells([
        le("2023-03-01", person="366-days-ago"),  # 2024 has 29 February
        le("2023-03-02", person="365-days-ago"),
        le("2023-03-03", "2023-04-01", person="left-early-but-too-recent"),
    ], as_of)
    rate = cohort_rate(spells, as_of, 1)
    assert (rate.retained, rate.eligible, rate.rate) == (1, 1, 1.0)
    assert cohort_rate(spells, as_of, 2).rate is None and cohort_rate(spells, as_of, 2).eligible == 0


def test_leap_day_starts_and_ends_count_real_days(merge):
    [leap] = merge([le("2020-02-29", "2021-02-28")], AS_OF)
    assert leap.duration_days == 365  # not retained at one year
    [over] = merge([le("2020-02-28", "2021-02-28")], AS_OF)
    assert over.duration_days == 366


# --- Kaplan–Meier with exponential Greenwood intervals, worked by hand --------------------------

# Six spells: events at 100, 365, 365 and 800 days; censored at 200 and 400.
#   t=100: n=6, d=1  S = 5/6            V = 1/(6*5)
#   t=365: n=4, d=2  S = 5/6 * 2/4      V += 2/(4*2)   -> 1/30 + 1/4 = 17/60
#   t=800: n=1, d=1  S = 0              (lifelines adds nothing to V when n == d)
# Interval: exp(-exp(log(-log S) ± z*sqrt(V)/log S)), z = 1.959963984540054.
HAND = [spell(100, True), spell(200, False), spell(365, True), spell(365, True), spell(400, False), spell(800, True)]


def _hand_interval(survival: float, variance: float) -> tuple[float, float]:
    z = 1.959963984540054
    centre, spread = math.log(-math.log(survival)), z * math.sqrt(variance) / math.log(survival)
    return math.exp(-math.exp(centre - spread)), math.exp(-math.exp(centre + spread))


def test_kaplan_meier_steps_include_events_at_exactly_t_and_count_ties():
    fitted = KaplanMeier([(s.duration_days, s.left) for s in HAND])
    assert fitted.at(99).survival == 1.0
    assert fitted.at(100).survival == pytest.approx(5 / 6, abs=1e-15)
    assert fitted.at(364).survival == pytest.approx(5 / 6, abs=1e-15)
    assert fitted.at(365).survival == pytest.approx(5 / 12, abs=1e-15)
    assert (fitted.at(365).at_risk, fitted.at(365).events) == (4, 2)
    assert fitted.at(800).survival == 0.0


def test_one_two_and_three_year_retention_with_greenwood_log_log_intervals():
    one, two, three = retention_estimates(HAND)
    lower, upper = _hand_interval(5 / 12, 17 / 60)
    assert (lower, upper) == pytest.approx((0.05599186485205289, 0.7665222195505801), abs=1e-12)
    assert (one.survival, one.lower, one.upper) == pytest.approx((5 / 12, lower, upper), abs=1e-12)
    assert one.at_risk == 4  # duration >= 365: 365, 365, 400, 800
    assert (two.survival, two.lower, two.upper, two.at_risk) == pytest.approx((5 / 12, lower, upper, 1), abs=1e-12)
    assert (three.survival, three.lower, three.upper, three.at_risk) == (0.0, 0.0, 0.0, 0)


def test_the_first_step_interval_by_hand():
    fitted = KaplanMeier([(s.duration_days, s.left) for s in HAND])
    assert (fitted.at(200).lower, fitted.at(200).upper) == pytest.approx(_hand_interval(5 / 6, 1 / 30), abs=1e-12)


def test_every_spell_censored_gives_full_retention_with_a_degenerate_interval():
    estimates = retention_estimates([spell(100, False), spell(500, False), spell(1200, False)])
    assert [(e.survival, e.lower, e.upper, e.at_risk) for e in estimates] == [
        (1.0, 1.0, 1.0, 2), (1.0, 1.0, 1.0, 1), (1.0, 1.0, 1.0, 1),
    ]


def test_no_spells_at_all_gives_no_estimate_and_an_empty_report():
    assert [(e.survival, e.lower, e.upper, e.at_risk) for e in retention_estimates([])] == [(None, None, None, 0)] * 3
    report = build_retention_report([], AS_OF)
    assert (report.spells, report.curve, report.breakdowns["team"]) == (0, (), ())
    assert [r.rate for r in report.cohort_rates] == [None, None, None]
    json.dumps(report.to_dict())


def test_a_spell_ending_on_its_first_day_is_an_event_at_zero():
    fitted = KaplanMeier([(0, True), (10, False), (20, True)])
    assert fitted.points[0].days == 0 and fitted.points[0].survival == pytest.approx(2 / 3)


def test_the_curve_runs_to_the_last_follow_up_for_charting():
    points = KaplanMeier([(s.duration_days, s.left) for s in HAND[:5]]).points
    assert [(p.days, p.at_risk, p.events) for p in points] == [(0, 5, 0), (100, 5, 1), (365, 3, 2), (400, 1, 0)]
    assert points[-1].survival == points[-2].survival


# --- cohorts, breakdowns, leavers, period figures -----------------------------------------------

@pytest.mark.parametrize("day, label", [
    (date(2024, 3, 31), "2023/24"), (date(2024, 4, 1), "2024/25"), (date(1999, 4, 1), "1999/00"),
    (date(2000, 1, 1), "1999/00"),
])
def test_nhs_financial_years_run_april_to_march(day, label):
    assert financial_year(day) == label


def test_breakdowns_order_groups_and_put_not_recorded_last():
    spells = [spell(10, True, band=b, team=t) for b, t in [("9", "oak"), ("8a", "Ash"), ("2", None), (None, "Elm")]]
    assert [g.label for g in breakdown(spells, AS_OF, "band")] == ["2", "8a", "9", "Not recorded"]
    assert [g.label for g in breakdown(spells, AS_OF, "team")] == ["Ash", "Elm", "oak", "Not recorded"]
    with pytest.raises(ValueError, match="unknown breakdown"):
        breakdown(spells, AS_OF, "colour")


def test_cohorts_by_start_year_and_financial_year():
    spells = build_spells([
        le("2021-03-31", "2021-05-01", person="a"), le("2021-04-01", person="b"), le("2022-01-10", person="c"),
    ], AS_OF)
    report = build_retention_report(spells, AS_OF, by=("cohort_year", "financial_year"))
    assert [(g.label, g.spells, g.leavers) for g in report.breakdowns["cohort_year"]] == [("2021", 2, 1), ("2022", 1, 0)]
    assert [(g.label, g.spells) for g in report.breakdowns["financial_year"]] == [("2020/21", 1), ("2021/22", 2)]


def test_start_year_groups_are_only_the_years_someone_started_in_split_on_their_first_days():
    spells = build_spells([
        le("2015-12-31", "2016-02-01", person="a"), le("2016-01-01", person="b"), le("2021-03-31", person="c"),
        le("2021-04-01", person="d"), le("2021-12-31", person="e"),
    ], AS_OF)
    report = build_retention_report(spells, AS_OF, by=("cohort_year", "financial_year"))
    assert [(g.label, g.spells) for g in report.breakdowns["cohort_year"]] == [("2015", 1), ("2016", 1), ("2021", 3)]
    assert [(g.label, g.spells) for g in report.breakdowns["financial_year"]] == [
        ("2015/16", 2), ("2020/21", 1), ("2021/22", 2)]


def test_leavers_by_reason_use_the_last_assignment_and_ignore_those_in_post():
    spells = [
        spell(10, True, leaving_reason="Retirement"), spell(20, True, leaving_reason="Retirement"),
        spell(30, True, leaving_reason=" "), spell(40, True), spell(50, False, leaving_reason="Retirement"),
    ]
    assert [(r.reason, r.leavers) for r in leavers_by_reason(spells)] == [("Not recorded", 2), ("Retirement", 2)]


def test_stability_index_and_leaver_rate_over_a_period():
    spells = build_spells([
        le("2020-01-01", person="stays"),
        le("2020-01-01", "2022-01-01", person="leaves-on-day-one", leaving_reason="Retirement"),
        le("2020-06-01", "2022-06-30", person="leaves-mid-period"),
        le("2022-03-01", "2022-04-01", person="joins-and-leaves"),
        le("2022-07-01", person="joins"),
        le("2021-01-01", "2022-02-01", person="leaves-and-returns"), le("2022-04-01", person="leaves-and-returns"),
    ], AS_OF)
    figures = period_figures(spells, date(2022, 1, 1), date(2022, 12, 31))
    # In post on 1 Jan: stays, leaves-on-day-one, leaves-mid-period, leaves-and-returns = 4.
    # On 31 Dec: stays, joins, leaves-and-returns (a new spell) = 3; the same spell both days: 1.
    assert (figures.headcount_start, figures.headcount_end, figures.stayed) == (4, 3, 1)
    assert figures.stability_index == 1 / 4
    assert (figures.leavers, figures.leaver_rate) == (4, 4 / 3.5)
    assert figures.leavers_by_reason[0].leavers == 3 and figures.leavers_by_reason[1].reason == "Retirement"


def test_period_figures_with_nobody_in_post_withhold_the_rates():
    figures = period_figures([], date(2022, 1, 1), date(2022, 12, 31))
    assert (figures.stability_index, figures.leaver_rate) == (None, None)
    with pytest.raises(ValueError):
        period_figures([], date(2022, 1, 2), date(2022, 1, 1))


def test_a_report_period_must_end_by_as_of():
    with pytest.raises(ValueError, match="as-of"):
        build_retention_report([], AS_OF, period=(date(2024, 1, 1), date(2024, 7, 1)))


def test_the_report_is_json_serialisable_with_iso_dates():
    spells = build_spells([le("2020-01-01", "2021-06-30", team="Oak", band="4")], AS_OF)
    data = build_retention_report(spells, AS_OF, period=(date(2021, 1, 1), date(2021, 12, 31)), organisation_id="o").to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["as_of"] == "2024-06-30" and data["period"]["start"] == "2021-01-01"
    assert data["breakdowns"]["team"][0]["label"] == "Oak"
    assert data["retention"][0] == {"years": 1, "days": 365, "survival": 1.0, "lower": 1.0, "upper": 1.0, "at_risk": 1,
                                    "uncertain": True}
    assert data["cohort_rates"][0] == {"years": 1, "days": 365, "retained": 1, "eligible": 1, "rate": 1.0}


# --- small numbers ------------------------------------------------------------------------------

def test_counts_below_five_are_shown_as_less_than_five_and_the_rate_withheld():
    assert [disclosed_count(n) for n in (0, 4, 5, 12)] == ["<5", "<5", 5, 12]
    assert disclosed_rate(4, 20) == DisclosedRate("<5", 20, None)
    assert disclosed_rate(3, 4).rate is None and disclosed_rate(3, 4).denominator == "<5"
    shown = disclosed_rate(5, 20)
    assert (shown.numerator, shown.denominator, shown.rate) == (5, 20, 0.25)
