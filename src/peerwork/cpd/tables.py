"""Development tables: the course catalogue, CPD records with evidence, line management,
role-description acknowledgements and each organisation's induction limit."""

from __future__ import annotations

from piccolo.columns import UUID, Boolean, Date, ForeignKey, Integer, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from peerwork.core.tables import Account, Organisation


class Course(Table):
    """A course in an organisation's catalogue. ``kind`` ties a course to the rules that need
    it: induction (training from day one), core (role training), manager (support for managers)."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    title = Varchar(length=200)
    hours = Numeric(digits=(6, 2))
    provider = Varchar(length=200, default="")
    kind = Varchar(length=16, default="other")  # induction | core | manager | other
    mandatory_roles = Varchar(length=100, default="")  # comma-separated roles, e.g. "psw,peer_lead"
    renewal_months = Integer(null=True, default=None)  # None = never expires
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class CpdRecord(Table):
    """One learning activity of one person: booked (planned) or done, optionally verified by
    their supervisor. The evidence file lives outside the web root under ``evidence_key``."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    account = ForeignKey(references=Account, null=False, index=True)
    course = ForeignKey(references=Course, null=True, default=None, index=True)
    activity = Varchar(length=200)
    done_on = Date(index=True)
    hours = Numeric(digits=(6, 2))
    status = Varchar(length=16, default="done")  # booked | done
    reflection = Text(default="")
    verified_by = ForeignKey(references=Account, null=True, default=None)
    verified_at = Timestamptz(null=True, default=None)
    evidence_key = Varchar(length=80, null=True, default=None)
    evidence_name = Varchar(length=200, null=True, default=None)
    evidence_type = Varchar(length=100, null=True, default=None)
    evidence_size = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class LineManager(Table):
    """Who line-manages whom (one manager per person per organisation)."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    account = ForeignKey(references=Account, null=False, index=True)
    manager = ForeignKey(references=Account, null=False, index=True)


class RoleAcknowledgement(Table):
    """A person confirmed they have read their written role description."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    account = ForeignKey(references=Account, null=False, index=True)
    document = Varchar(length=200, default="Role description")
    acknowledged_at = Timestamptz(default=TimestamptzNow())


class DevelopmentPolicy(Table):
    """How soon a new starter's induction must be booked or done, and when reminders go out."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, unique=True)
    induction_within_days = Integer(default=14)
    remind_days_before = Integer(default=30)
