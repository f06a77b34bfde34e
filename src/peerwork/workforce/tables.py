"""Workforce tables: teams, and the employment spells (assignments) of people."""

from __future__ import annotations

from piccolo.columns import UUID, Boolean, Date, ForeignKey, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from peerwork.core.tables import Organisation, Person

class Team(Table):
    """A ward or service within an organisation."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    name = Varchar(length=200)
    created_at = Timestamptz(default=TimestamptzNow())


class Assignment(Table):
    """One employment spell in one position (an ESR assignment)."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    person = ForeignKey(references=Person, null=False, index=True)
    assignment_number = Varchar(length=64)
    position_title = Varchar(length=200)
    lived_experience_role = Boolean(default=False)
    afc_band = Varchar(length=3, null=True, default=None)
    team = ForeignKey(references=Team, null=True, default=None, index=True)
    start_date = Date()
    end_date = Date(null=True, default=None)
    leaving_reason = Text(null=True, default=None)
    fte = Numeric(digits=(5, 4), null=True, default=None)
    # The line manager's own assignment number in this organisation (from the import).
    line_manager_assignment_number = Varchar(length=64, null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())
