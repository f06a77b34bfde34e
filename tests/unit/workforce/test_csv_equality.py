"""The optional ethnicity and disability columns as the file check reads them."""

from peerwork.workforce.csv_rows import parse_assignments

BASE = "assignment_number,person_id,position_title,lived_experience_role,start_date"


def test_without_the_columns_nothing_is_said_about_the_person():
    parsed = parse_assignments(f"{BASE}\nA1,E1,PSW,Y,2024-01-01\n")
    assert not parsed.problems
    assert (parsed.rows[0].ethnicity, parsed.rows[0].disability) == (None, None)


def test_with_the_columns_an_empty_cell_is_not_stated():
    parsed = parse_assignments(f"{BASE},ethnicity,disability\nA1,E1,PSW,Y,2024-01-01,,\nA2,E2,PSW,Y,2024-01-01,"
                               f"H Asian or Asian British - Indian,Y\n")
    assert not parsed.problems
    assert [(r.ethnicity, r.disability) for r in parsed.rows] == [("not_stated", "not_stated"), ("bme", "disabled")]


def test_an_unknown_value_is_a_bad_row_with_its_line():
    parsed = parse_assignments(f"{BASE},ethnicity,disability\nA1,E1,PSW,Y,2024-01-01,A,N\n"
                               f"A2,E2,PSW,Y,2024-01-01,Q Unknown,Perhaps\n")
    assert [str(p) for p in parsed.problems] == [
        "line 3: ethnicity: is not an NHS ethnic category code (A-S, Z or 99, e.g. 'A' or 'A White - British')",
        "line 3: disability: is not a disability answer (Y, N, or empty when not stated)",
    ]
    assert "Unknown" not in str(parsed.problems) and "Perhaps" not in str(parsed.problems)  # never echoed
    assert [r.assignment_number for r in parsed.rows] == ["A1"]


def test_one_persons_rows_must_agree():
    parsed = parse_assignments(f"{BASE},ethnicity,disability\nA1,E1,PSW,Y,2024-01-01,A,N\n"
                               f"A2,E1,PSW,Y,2024-06-01,A White - British,N\nA3,E1,PSW,Y,2025-01-01,D,\n")
    assert [str(p) for p in parsed.problems] == [
        "line 4: ethnicity: differs from line 2 for the same person_id (one person, one value)",
        "line 4: disability: differs from line 2 for the same person_id (one person, one value)",
    ]
    assert [r.assignment_number for r in parsed.rows] == ["A1", "A2"]
