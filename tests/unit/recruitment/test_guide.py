"""The vacancy guide: where a vacancy is in panel -> open -> close -> shortlist -> interview ->
offer, what comes next, and what is not possible yet and why."""

from __future__ import annotations

from datetime import date

import pytest

from peerwork.recruitment.guide import vacancy_guide

TODAY = date(2026, 3, 2)


def guide(status="draft", *, panel=2, lived=True, undeclared=0, statuses=(), slots=0, booked=0,
          closing=date(2026, 3, 20)):
    return vacancy_guide(status=status, panel_size=panel, lived_experience_on_panel=lived, undeclared=undeclared,
                         statuses=list(statuses), slots=slots, booked=booked, closing_date=closing, today=TODAY)


def current(g) -> str | None:
    return next((s.key for s in g.steps if s.state == "current"), None)


@pytest.mark.parametrize(("kwargs", "step", "next_starts"), [
    ({"panel": 0}, "panel", "Add the panel"),
    ({}, "open", "Open the vacancy"),
    ({"status": "open"}, "close", "Close the vacancy to applications after the closing date (20 Mar 2026)"),
    ({"status": "open", "closing": date(2026, 3, 1)}, "close",
     "Close the vacancy to applications now that the closing date has passed"),
    ({"status": "closed"}, "shortlist", "No applications came in"),
    ({"status": "closed", "statuses": ["submitted", "submitted"]}, "shortlist", "The panel scores each application (2 waiting)"),
    ({"status": "shortlisting", "statuses": ["shortlisted"]}, "interview", "Add a recruitment day"),
    ({"status": "shortlisting", "statuses": ["shortlisted"], "slots": 3}, "interview", "Shortlisted applicants book"),
    ({"status": "interviewing", "statuses": ["shortlisted"], "slots": 3, "booked": 1}, "offer", "After the interviews"),
    ({"status": "interviewing", "statuses": ["offered"], "booked": 1}, None, "Hire the applicant"),
    ({"status": "interviewing", "statuses": ["hired"], "booked": 1}, None, "Every post taken? Mark the vacancy filled"),
    ({"status": "filled", "statuses": ["hired"]}, None, "Nothing: this vacancy is filled"),
])
def test_each_stage_marks_its_step_and_names_the_next_one(kwargs, step, next_starts):
    g = guide(**kwargs)
    assert current(g) == step
    assert g.next_step.startswith(next_starts)
    keys = [s.key for s in g.steps]
    assert keys == ["panel", "open", "close", "shortlist", "interview", "offer"]
    if step:  # every step before the current one is done, every one after is still to do
        at = keys.index(step)
        assert all(s.state == "done" for s in g.steps[:at]) and all(s.state == "to do" for s in g.steps[at + 1:])


def test_what_is_not_possible_yet_says_why():
    assert "Open: the vacancy needs a panel before it can take applications." in guide(panel=0).not_yet
    assert "Score and shortlist: applications are still coming in; close the vacancy first." in \
        guide("open").not_yet
    unfair = guide("closed", lived=False, undeclared=2, statuses=["submitted"])
    assert "Decisions: at least one panel member must hold a lived-experience role; 2 panel members must still " \
           "declare conflicts." in unfair.not_yet
    assert "Filled: nobody has been hired yet." in unfair.not_yet
    assert guide("interviewing", statuses=["hired"], booked=1).not_yet == []


def test_a_withdrawn_vacancy_has_no_current_step_and_nothing_next():
    g = guide("withdrawn", statuses=["unsuccessful"])
    assert current(g) is None and g.next_step.startswith("Nothing: this vacancy was withdrawn") and g.not_yet == []
