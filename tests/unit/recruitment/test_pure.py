"""Recruitment's pure parts: form checks, score spread, funnel figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from peerwork.recruitment.applications import ApplicationForm, check_form
from peerwork.recruitment.funnel import figures
from peerwork.recruitment.scoring import spread

VALUES = ["Mutuality", "Hope"]


def good(**changes) -> ApplicationForm:
    form = ApplicationForm(name="Sam", email="sam@example.org", answers={"Mutuality": "a", "Hope": "b"})
    for key, value in changes.items():
        setattr(form, key, value)
    return form


def test_a_complete_form_has_no_problems_and_each_bad_field_is_named():
    assert check_form(good(), VALUES) == []
    assert [p["field"] for p in check_form(good(name=" ", email="x@", answers={"Mutuality": "a"}), VALUES)] == [
        "name", "email", "answer_1"]
    assert check_form(good(name="x" * 201), VALUES)[0]["problem"].startswith("Your name can be at most 200")
    assert check_form(good(answers={"Mutuality": "a" * 5000, "Hope": "b"}), VALUES) == []
    assert check_form(good(answers={"Mutuality": "a" * 5001, "Hope": "b"}), VALUES)[0]["field"] == "answer_0"
    assert check_form(good(equality={"age": "16-24", "sex": "Prefer not to say", "religion": ""}), VALUES) == []
    assert check_form(good(equality={"shoe_size": "9"}), VALUES)[0]["field"] == "eq_shoe_size"


def test_spread_per_value_is_highest_minus_lowest():
    rows = [{"peer_value": "Mutuality", "score": s} for s in (2, 5, 3)] + [{"peer_value": "Hope", "score": 4}]
    mutuality, hope = spread(VALUES, rows)
    assert (mutuality.scores, mutuality.lowest, mutuality.highest, mutuality.spread, mutuality.mean) == (
        [2, 3, 5], 2, 5, 3, 3.33)
    assert (hope.spread, hope.mean) == (0, 4)
    assert spread(["Safety"], rows)[0].mean is None


def test_funnel_counts_conversion_days_to_hire_and_compliant_share():
    vacancy = uuid4()
    opened = datetime(2026, 1, 1, tzinfo=UTC)
    at = opened + timedelta(days=10)

    def app(**stages):
        base = {"vacancy": vacancy, "shortlisted_at": None, "booked_at": None, "offered_at": None, "hired_at": None}
        return {**base, **{k: at for k in stages}}

    apps = [app() for _ in range(6)] + [app(shortlisted_at=1), app(shortlisted_at=1, booked_at=1),
                                        app(shortlisted_at=1, booked_at=1, offered_at=1, hired_at=1)]
    apps[-1]["hired_at"] = opened + timedelta(days=45)
    row = figures("PSW", 2, apps, [{"compliant": True}] * 3 + [{"compliant": False}], {vacancy: opened})
    assert (row.stages.applications, row.stages.shortlisted, row.stages.interviewed, row.stages.offered,
            row.stages.hired) == (9, 3, 2, 1, 1)
    assert row.applications_per_post == 4.5
    assert row.conversion["applications_to_shortlisted"] == round(3 / 9, 4)
    assert row.conversion["offered_to_hired"] == 1.0 and row.conversion["applications_to_hired"] == round(1 / 9, 4)
    assert row.days_to_hire_mean == 45.0 and row.compliant_share == 0.75
    empty = figures("None", 1, [], [], {})
    assert empty.conversion["applications_to_shortlisted"] is None and empty.compliant_share is None
