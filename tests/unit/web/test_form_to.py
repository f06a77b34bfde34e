"""form_to: a submitted form becomes the API's own input schema, or a clear InvalidInput."""

from datetime import date, time
from decimal import Decimal
from uuid import UUID

import pytest

from peerwork.core.errors import InvalidInput
from peerwork.cpd.schemas import CourseIn, RecordIn
from peerwork.recruitment.schemas import PanelMemberIn, VacancyIn
from peerwork.supervision.schemas import AgreementIn
from peerwork.web.shell import form_to

SOMEONE = "2f1b8f5e-7f3a-4c8e-9b2a-1c2d3e4f5a6b"


def refused(schema, form, **extra) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        form_to(schema, form, **extra)
    return caught.value


def test_form_strings_become_the_schema_types():
    agreement = form_to(AgreementIn, {
        "supervisor_id": SOMEONE, "supervisee_id": "", "start_date": "2026-01-02", "every_days": " 28 ",
        "length_minutes": "45", "preferred_weekday": "2", "window_start": "09:30", "window_end": "16:00:00",
        "_csrf_token": "ignored", "not_a_field": "ignored",
    })
    assert agreement.supervisor_id == UUID(SOMEONE) and agreement.supervisee_id is None
    assert agreement.start_date == date(2026, 1, 2) and agreement.every_days == 28 and agreement.length_minutes == 45
    assert agreement.preferred_weekday == 2
    assert agreement.window_start == time(9, 30) and agreement.window_end == time(16)
    record = form_to(RecordIn, {"activity": "Workshop", "done_on": "2026-01-10", "hours": "1.5", "course_id": ""})
    assert record.hours == Decimal("1.5") and record.course_id is None and record.status == "done"


def test_empty_optional_fields_take_their_defaults():
    vacancy = form_to(VacancyIn, {"title": "Peer worker", "closing_date": "2026-02-01", "posts": "", "team_id": "",
                                  "afc_band": "", "remit": ""})
    assert (vacancy.posts, vacancy.team_id, vacancy.afc_band, vacancy.remit, vacancy.values) == (1, None, None, "", None)


@pytest.mark.parametrize(("sent", "expected"), [("yes", True), ("on", True), ("true", True), ("1", True),
                                                ("no", False), ("off", False), ("0", False)])
def test_ticked_boxes_and_yes_no_choices_are_booleans(sent, expected):
    assert form_to(PanelMemberIn, {"account_id": SOMEONE, "lived_experience": sent}).lived_experience is expected


def test_an_unticked_box_leaves_the_default():
    assert form_to(PanelMemberIn, {"account_id": SOMEONE}).lived_experience is False


def test_extra_fields_are_mapped_by_the_page():
    course = form_to(CourseIn, {"title": "Induction", "hours": "3", "mandatory_for": "ignored: extra wins"},
                     mandatory_for=["psw", "supervisor"])
    assert course.mandatory_for == ["psw", "supervisor"]


@pytest.mark.parametrize(("schema", "form", "extra", "message"), [
    (CourseIn, {"title": "x", "hours": "2", "kind": "bogus"}, {},
     "kind: must be one of core, induction, manager, other"),
    (CourseIn, {"title": "x", "hours": "lots"}, {}, "hours: must be a number, e.g. 1.5"),
    (CourseIn, {"title": "x", "hours": ""}, {}, "hours: required"),
    (CourseIn, {"title": "", "hours": "2"}, {}, "title: must not be empty"),
    (CourseIn, {"title": "x" * 201, "hours": "2"}, {}, "title: must be at most 200 characters"),
    (CourseIn, {"title": "x", "hours": "2", "renewal_months": "121"}, {}, "renewal_months: must be at most 120"),
    (CourseIn, {"title": "x", "hours": "2", "renewal_months": "1.5"}, {}, "renewal_months: must be a whole number"),
    (CourseIn, {"title": "x", "hours": "2"}, {"mandatory_for": ["psw", "boss"]},
     "mandatory_for[1]: must be one of admin, hr, peer_lead, psw, supervisor"),
    (VacancyIn, {"title": "x", "closing_date": "2026-02-30"}, {}, "closing_date: must be a date (YYYY-MM-DD)"),
    (VacancyIn, {"title": "x", "closing_date": "2026-02-01", "posts": "0"}, {}, "posts: must be at least 1"),
    (VacancyIn, {"title": "x", "closing_date": "2026-02-01", "afc_band": "10"}, {},
     "afc_band: must be one of 2, 3, 4, 5, 6, 7, 8a, 8b, 8c, 8d, 9"),
    (VacancyIn, {"title": "x", "closing_date": "2026-02-01"}, {"values": ["v"] * 21}, "values: can have at most 20"),
    (AgreementIn, {"supervisor_id": "nobody", "start_date": "2026-01-01"}, {}, "supervisor_id: choose one from the list"),
    (AgreementIn, {"supervisor_id": SOMEONE, "start_date": "2026-01-01", "window_start": "25:00"}, {},
     "window_start: must be a time (HH:MM)"),
    (PanelMemberIn, {"account_id": SOMEONE, "lived_experience": "maybe"}, {}, "lived_experience: must be yes or no"),
])
def test_what_the_schema_refuses_is_invalid_input_naming_the_field(schema, form, extra, message):
    error = refused(schema, form, **extra)
    assert error.status_code == 422 and error.detail == message
    field, problem = message.split(": ", 1)
    assert error.errors == [{"field": field, "problem": problem}]


def test_the_problem_reported_is_the_first_given_field_in_the_schema_order():
    error = refused(VacancyIn, {"posts": "0", "afc_band": "10", "closing_date": "soon", "title": "x"})
    assert error.detail == "closing_date: must be a date (YYYY-MM-DD)"
