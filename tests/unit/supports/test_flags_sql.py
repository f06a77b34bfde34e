"""The seven supports query is one statement whatever the size of the organisation, and
every placeholder has its parameter."""

from datetime import UTC, date, datetime
from uuid import uuid4

from peerwork.supports.service import SUPPORTS, _flags_sql


def test_one_statement_with_a_parameter_for_every_placeholder():
    org = uuid4()
    sql, params = _flags_sql(org, date(2026, 6, 1), date(2025, 6, 1), datetime(2025, 6, 1, tzinfo=UTC))
    assert sql.count("{}") == len(params) and ";" not in sql
    assert sql.startswith("WITH ") and "GROUP BY who.subject" in sql  # one row per person, however many accounts
    # People come from the staff records (in post on the day, lived-experience roles) as well as
    # from PSW accounts with no staff record.
    assert "FROM staff s JOIN person p" in sql and "a.lived_experience_role = {}" in sql
    assert params.count(date(2026, 6, 1)) == 4  # started by, and not ended before, the day: twice
    assert all(f"AS {k}" in sql for k in SUPPORTS)
