from datetime import date
from decimal import Decimal

import pytest

from peerwork.workforce.csv_rows import RowProblemError, decode, parse_assignments
from tests.factories import csv_text

GOOD = "A1,E1,Peer Support Worker,Y,4,Willow Ward,2021-04-01,,,1"


def problems(text: str) -> list[str]:
    return [str(p) for p in parse_assignments(text).problems]


def test_a_good_row_is_parsed_into_typed_values():
    parsed = parse_assignments(csv_text(GOOD, "A2,E1,Senior Peer Support Worker,N,8a,,01/02/2023,31/12/2024,Promotion,0.6"))
    assert parsed.problems == []
    first, second = parsed.rows
    assert (first.line, first.assignment_number, first.employee_number) == (2, "A1", "E1")
    assert first.lived_experience_role is True and first.afc_band == "4" and first.team == "Willow Ward"
    assert first.start_date == date(2021, 4, 1) and first.end_date is None and first.fte == Decimal("1")
    # DD/MM/YYYY is day first, as ESR exports it.
    assert second.start_date == date(2023, 2, 1) and second.end_date == date(2024, 12, 31)
    assert second.afc_band == "8a" and second.fte == Decimal("0.6") and second.team is None
    assert second.leaving_reason == "Promotion"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (",E1,PSW,Y,4,,2021-04-01,,,", "line 2: assignment_number: is required"),
        ("A1,,PSW,Y,4,,2021-04-01,,,", "line 2: person_id: is required"),
        ("A1,E1,,Y,4,,2021-04-01,,,", "line 2: position_title: is required"),
        ("A1,E1,PSW,maybe,4,,2021-04-01,,,", "line 2: lived_experience_role: 'maybe' must be Y or N"),
        ("A1,E1,PSW,Y,4,,2021-13-01,,,", "line 2: start_date: '2021-13-01' is not a date (use YYYY-MM-DD or DD/MM/YYYY)"),
        ("A1,E1,PSW,Y,4,,31/02/2021,,,", "line 2: start_date: '31/02/2021' is not a date (use YYYY-MM-DD or DD/MM/YYYY)"),
        ("A1,E1,PSW,Y,4,,,,,", "line 2: start_date: is required"),
        ("A1,E1,PSW,Y,4,,2021-04-01,2021-03-31,,", "line 2: end_date: 2021-03-31 is before start_date 2021-04-01"),
        ("A1,E1,PSW,Y,10,,2021-04-01,,,", "line 2: afc_band: '10' is not an Agenda for Change band (2-9, 8a-8d)"),
        ("A1,E1,PSW,Y,8e,,2021-04-01,,,", "line 2: afc_band: '8e' is not an Agenda for Change band (2-9, 8a-8d)"),
        ("A1,E1,PSW,Y,4,,2021-04-01,,,0", "line 2: fte: 0 is out of range (0 < fte <= 1)"),
        ("A1,E1,PSW,Y,4,,2021-04-01,,,1.2", "line 2: fte: 1.2 is out of range (0 < fte <= 1)"),
        ("A1,E1,PSW,Y,4,,2021-04-01,,,full", "line 2: fte: 'full' is not a number"),
        ("A1,E1,PSW,Y,4,2021-04-01", "line 2: row: has 6 fields but the header has 10"),
    ],
)
def test_each_kind_of_bad_row_is_reported_with_line_and_column(row, expected):
    parsed = parse_assignments(csv_text(row))
    assert [str(p) for p in parsed.problems] == [expected]
    assert parsed.rows == []


def test_same_day_end_is_allowed():
    assert problems(csv_text("A1,E1,PSW,Y,4,,2021-04-01,2021-04-01,,")) == []


def test_every_problem_on_a_row_is_reported_not_just_the_first():
    assert problems(csv_text("A1,,PSW,X,99,,nope,,,2")) == [
        "line 2: person_id: is required",
        "line 2: lived_experience_role: 'X' must be Y or N",
        "line 2: start_date: 'nope' is not a date (use YYYY-MM-DD or DD/MM/YYYY)",
        "line 2: afc_band: '99' is not an Agenda for Change band (2-9, 8a-8d)",
        "line 2: fte: 2 is out of range (0 < fte <= 1)",
    ]


def test_duplicate_numbers_are_bad_on_every_line_they_appear():
    text = csv_text(GOOD, "B1,E2,PSW,Y,4,,2021-04-01,,,", "A1,E3,PSW,Y,4,,2022-04-01,,,")
    parsed = parse_assignments(text)
    assert [str(p) for p in parsed.problems] == [
        "line 2: assignment_number: 'A1' also appears on line 4",
        "line 4: assignment_number: 'A1' also appears on line 2",
    ]
    assert [r.assignment_number for r in parsed.rows] == ["B1"]


def test_line_numbers_count_physical_lines_including_blank_and_multiline_fields():
    text = csv_text('A1,E1,PSW,Y,4,,2021-04-01,2022-01-01,"Left to care\nfor a relative",', "", "A2,E2,PSW,Y,4,,bad,,,")
    assert problems(text) == ["line 5: start_date: 'bad' is not a date (use YYYY-MM-DD or DD/MM/YYYY)"]
    assert parse_assignments(text).data_lines == 2


def test_missing_required_columns_are_reported_on_the_header_line():
    assert problems("assignment_number,person_id,position_title\nA1,E1,PSW\n") == [
        "line 1: lived_experience_role: column is missing from the header",
        "line 1: start_date: column is missing from the header",
    ]


def test_header_is_case_and_space_insensitive_and_order_free_and_extra_columns_are_ignored():
    text = " Start_Date ,PERSON_ID,assignment_number,lived_experience_role,position_title,payroll\n2021-04-01,E1,A1,N,Nurse,x\n"
    parsed = parse_assignments(text)
    assert parsed.problems == [] and parsed.rows[0].employee_number == "E1"


def test_empty_file_is_a_problem():
    assert problems("") == ["line 1: header: the file is empty"]


def test_spreadsheet_bom_is_accepted_and_non_utf8_is_reported_with_its_line():
    assert decode("\ufeffassignment_number".encode()) == "assignment_number"
    with pytest.raises(RowProblemError) as caught:
        decode(b"assignment_number\nA1\nCaf\xe9\n")
    assert str(caught.value) == "line 3: file: is not UTF-8 text (save the file as CSV UTF-8)"


MANAGED = ("assignment_number,person_id,position_title,lived_experience_role,start_date,"
           "line_manager_assignment_number")


def test_the_optional_line_manager_column_is_parsed_and_checked_for_length():
    parsed = parse_assignments(csv_text("A1,E1,PSW,Y,2021-04-01, M-7 ", "A2,E2,PSW,Y,2021-04-01,",
                                        "A3,E3,PSW,Y,2021-04-01," + "x" * 65, header=MANAGED))
    assert [str(p) for p in parsed.problems] == [
        "line 4: line_manager_assignment_number: is longer than 64 characters"]
    assert [(r.assignment_number, r.line_manager_assignment_number) for r in parsed.rows] == [("A1", "M-7"), ("A2", None)]
    # Files without the column are as before.
    assert parse_assignments(csv_text(GOOD)).rows[0].line_manager_assignment_number is None
    assert parse_assignments(csv_text("A1,E1,PSW,Y,2021-04-01," + "x" * 64, header=MANAGED)).problems == []
