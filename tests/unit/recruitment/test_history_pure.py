"""Past rounds and the equality split, without a database: the file's checks, the funnel's
arithmetic with unknown stages, and the WRES/WDES figures computed by hand."""

from __future__ import annotations

from datetime import date, datetime, timezone
from uuid import uuid4

from peerwork.recruitment import history
from peerwork.recruitment.funnel import figures
from peerwork.recruitment.funnel_equality import Applicant, applicants_of, split
from peerwork.recruitment.history_csv import parse_rounds, template_csv

HEADER = "reference,title,year,opened,closed,posts,applications,shortlisted,interviewed,offers,hires,hire_dates,days_to_hire"


def rounds_file(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def stored(row) -> dict:
    """A parsed round as the funnel reads it from the table."""
    return {f: getattr(row, f) for f in ("posts", "applications", "shortlisted", "interviewed", "offered", "hired",
                                         "days_to_hire_mean", "days_to_hire_hires")}


def test_the_template_parses_cleanly_and_hire_dates_give_days_to_hire():
    parsed = parse_rounds(template_csv())
    assert parsed.problems == [] and parsed.data_lines == 2
    first, second = parsed.rows
    assert (first.reference, first.year, first.posts, first.applications, first.hired) == ("PSW-2018", 2018, 6, 217, 6)
    # From 1 March 2018: 2 July is day 123 (twice), 16 July 137, 1 August 153 (twice), 3 September 186.
    days = [123, 123, 137, 153, 153, 186]
    assert first.days_to_hire_mean == sum(days) / 6 and first.days_to_hire_hires == 6
    assert (second.year, second.opened_on, second.shortlisted, second.days_to_hire_mean, second.days_to_hire_hires) == (
        2021, None, None, 104, 12)


def test_every_problem_names_its_line_and_column():
    parsed = parse_rounds(rounds_file(
        "R1,Peer Support Worker,2018,2018-03-01,,6,217,,,,,,",           # line 2: good
        "R2,,2019,2019-13-01,,0,ten,,,,,,",                               # line 3
        "R3,PSW,,,,6,50,60,,,,,",                                         # line 4
        "R4,PSW,2020,2021-01-05,2020-12-01,2,40,10,,12,,,",               # line 5
        "R5,PSW,2020,,,2,40,10,8,4,3,2020-05-01,",                        # line 6
        "R6,PSW,2020,2020-01-01,,2,40,,,,2,2019-12-01;2020-03-01;2020-04-01,",  # line 7
        "R7,PSW,2020,2020-01-01,,2,40,,,,,,30",                           # line 8
        "R1,PSW,2021,,,1,3,,,,,,",                                        # line 9: reference again
        "too,few",                                                        # line 10
    ))
    assert [str(p) for p in parsed.problems] == [
        "line 2: reference: 'R1' also appears on line 9",
        "line 3: title: is required",
        "line 3: opened: '2019-13-01' is not a date (use YYYY-MM-DD or DD/MM/YYYY)",
        "line 3: posts: 0 is out of range (1 to 500)",
        "line 3: applications: 'ten' is not a whole number",
        "line 4: year: is required when opened is empty",
        "line 4: shortlisted: 60 is more than applications (50)",
        "line 5: year: 2020 is not the year of opened (2021-01-05)",
        "line 5: closed: 2020-12-01 is before opened 2021-01-05",
        "line 5: offers: 12 is more than shortlisted (10)",
        "line 6: hire_dates: needs opened: days to hire are counted from it",
        "line 7: hire_dates: has 3 dates but hires is 2",
        "line 7: hire_dates: 2019-12-01 is before opened 2020-01-01",
        "line 8: days_to_hire: needs hires above 0 (the hires the mean covers)",
        "line 9: reference: 'R1' also appears on line 2",
        "line 10: row: has 2 fields but the header has 13",
    ]
    assert parse_rounds("").problems[0].column == "header"
    assert [str(p) for p in parse_rounds("reference,title,posts,posts\n").problems] == [
        "line 1: applications: column is missing from the header",
        "line 1: posts: column appears more than once in the header"]


def test_text_with_control_characters_is_refused():
    parsed = parse_rounds(rounds_file('R1,"Peer\x00Worker",2018,,,6,217,,,,,,', 'R2,"Two\nlines",2018,,,6,217,,,,,,'))
    assert [str(p) for p in parsed.problems] == [
        "line 2: title: must be one line of text, without control characters",
        "line 3: title: must be one line of text, without control characters"]


def test_a_round_year_comes_from_opened_when_the_year_is_empty():
    (row,) = parse_rounds(rounds_file("R1,PSW,,01/03/2018,,6,217,,,,,,")).rows
    assert (row.year, row.opened_on) == (2018, date(2018, 3, 1))


def test_past_rounds_join_a_year_row_and_unknown_stages_stay_unknown():
    (row,) = parse_rounds(rounds_file("R1,Peer Support Worker,2018,,,6,217,,,,6,,")).rows
    year = figures("2018", 0, [], [], {}, rounds=[stored(row)])
    assert year.posts == 6 and year.stages.applications == 217 and year.applications_per_post == 36.1667
    assert year.history_rounds == 1
    assert (year.stages.shortlisted, year.stages.interviewed, year.stages.offered, year.stages.hired) == (None, None, None, 6)
    # A conversion with an unknown side is withheld, never computed from a zero.
    assert year.conversion == {"applications_to_shortlisted": None, "shortlisted_to_interviewed": None,
                               "interviewed_to_offered": None, "offered_to_hired": None,
                               "applications_to_hired": round(6 / 217, 4)}
    assert year.days_to_hire_mean is None and year.decisions == 0 and year.compliant_share is None


def test_a_year_with_live_vacancies_and_a_past_round_adds_them_and_weights_days_to_hire():
    vacancy = uuid4()
    opened = datetime(2025, 1, 1, tzinfo=timezone.utc)
    apps = [{"vacancy": vacancy, "shortlisted_at": opened, "booked_at": opened, "offered_at": opened,
             "hired_at": datetime(2025, 1, 11, tzinfo=timezone.utc)},
            {"vacancy": vacancy, "shortlisted_at": None, "booked_at": None, "offered_at": None, "hired_at": None}]
    known = {"posts": 2, "applications": 20, "shortlisted": 5, "interviewed": 4, "offered": 3, "hired": 3,
             "days_to_hire_mean": 40.0, "days_to_hire_hires": 3}
    row = figures("2025", 1, apps, [{"compliant": True}], {vacancy: opened}, rounds=[known])
    assert (row.posts, row.stages.applications, row.stages.shortlisted, row.stages.hired) == (3, 22, 6, 4)
    assert row.days_to_hire_mean == round((10 + 3 * 40) / 4, 1)  # 32.5: each hire weighs the same
    assert row.conversion["applications_to_shortlisted"] == round(6 / 22, 4)
    assert row.decisions == 1 and row.history_rounds == 1
    # One more round without a shortlist makes the year's shortlist unknown, not smaller.
    unknown = {**known, "shortlisted": None}
    assert figures("2025", 1, apps, [], {vacancy: opened}, rounds=[known, unknown]).stages.shortlisted is None
    # No rounds: exactly the live figures.
    assert figures("2025", 1, apps, [], {vacancy: opened}).stages.applications == 2


def test_a_round_known_only_by_its_year_counts_in_periods_covering_the_whole_year():
    dated = {"opened_on": date(2018, 3, 1), "year": 2018}
    undated = {"opened_on": None, "year": 2018}
    assert history.in_period(dated, date(2018, 1, 1), date(2018, 3, 31))
    assert not history.in_period(dated, date(2018, 4, 1), date(2018, 6, 30))
    assert history.in_period(undated, date(2018, 1, 1), date(2018, 12, 31))
    assert history.in_period(undated, date(2015, 1, 1), date(2020, 12, 31))
    assert not history.in_period(undated, date(2018, 1, 1), date(2018, 3, 31))


def people(n: int, ethnicity: str | None, disability: str | None, shortlisted: int, appointed: int) -> list[Applicant]:
    return [Applicant(ethnicity, disability, i < shortlisted, i < appointed) for i in range(n)]


def test_the_split_by_ethnicity_and_relative_likelihood_by_hand():
    applicants = (people(20, "White", "No", shortlisted=10, appointed=6)
                  + people(15, "Black, Black British, Caribbean or African", "No", shortlisted=6, appointed=2)
                  + people(10, "Asian or Asian British", "Yes", shortlisted=6, appointed=3)
                  + people(3, "Prefer not to say", None, shortlisted=1, appointed=0))
    ethnicity, disability = split(applicants)
    white, bme, not_stated = ethnicity.groups
    assert (white.applied, white.shortlisted, white.appointed) == (20, 10, 6)
    assert (bme.applied, bme.shortlisted, bme.appointed) == (25, 12, 5)
    assert white.shortlisted_rate == 0.5 and white.appointed_rate == 0.6
    assert bme.appointed_rate == 5 / 12
    # WRES indicator 2: (6/10) / (5/12) = 1.44
    assert ethnicity.relative_likelihood == 1.44
    assert (ethnicity.likelihood_of, ethnicity.relative_to) == ("white", "bme")
    assert (not_stated.applied, not_stated.shortlisted, not_stated.appointed) == ("<5", "<5", "<5")
    assert not_stated.shortlisted_rate is None and not_stated.appointed_rate is None
    not_disabled, disabled, unstated = disability.groups
    assert (not_disabled.applied, not_disabled.shortlisted, not_disabled.appointed) == (35, 16, 8)
    assert (disabled.applied, disabled.shortlisted, disabled.appointed) == (10, 6, "<5")
    assert disabled.appointed_rate is None  # 3 appointed: withheld, and so is the relative likelihood
    assert disability.relative_likelihood is None
    assert unstated.applied == "<5"


def test_suppression_holds_at_four_and_lifts_at_five():
    four = split(people(4, "White", "Yes", 4, 4) + people(10, "Mixed or multiple", "No", 10, 5))
    five = split(people(5, "White", "Yes", 5, 5) + people(10, "Mixed or multiple", "No", 10, 5))
    assert four[0].groups[0].applied == "<5" and four[0].groups[0].appointed_rate is None
    assert four[0].relative_likelihood is None and four[1].relative_likelihood is None
    assert five[0].groups[0].applied == 5 and five[0].groups[0].appointed_rate == 1.0
    assert five[0].relative_likelihood == 2.0  # (5/5) / (5/10)
    assert five[1].relative_likelihood == 0.5  # not disabled (5/10) relative to disabled (5/5)


def test_applicants_without_answers_and_anonymised_ones_are_counted_once():
    t = datetime(2025, 1, 1, tzinfo=timezone.utc)
    a1, a2, a3, a4 = (uuid4() for _ in range(4))
    apps = [{"id": a1, "shortlisted_at": t, "hired_at": t}, {"id": a2, "shortlisted_at": t, "hired_at": None},
            {"id": a3, "shortlisted_at": t, "hired_at": None}, {"id": a4, "shortlisted_at": None, "hired_at": None}]
    responses = [
        {"application": a1, "answers": {"ethnicity": "White"}, "shortlisted": False},
        # a2 was anonymised: its answers are unlinked but keep the shortlisted flag
        {"application": None, "answers": {"disability": "Yes"}, "shortlisted": True},
    ]
    found = applicants_of(apps, responses)
    assert sorted(found, key=str) == sorted([
        Applicant("White", None, True, True), Applicant(None, "Yes", True, False),
        Applicant(None, None, True, False), Applicant(None, None, False, False)], key=str)
