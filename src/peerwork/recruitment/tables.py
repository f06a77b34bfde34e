"""Recruitment tables: vacancies and their panels, public applications, scores, interviews.

Applicants have no account: their private link's token is stored only as its SHA-256. The
equality form lives in its own table and is only ever read in aggregates. Stage timestamps on
an application are what the funnel counts, so they survive the anonymising of personal fields.
"""

from __future__ import annotations

from piccolo.columns import (
    JSONB, UUID, Boolean, Date, DoublePrecision, ForeignKey, Integer, Text, Timestamptz, Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from peerwork.core.tables import Account, Organisation
from peerwork.workforce.tables import Team


class ValuesList(Table):
    """An organisation's own list of peer values to score against (else the default list)."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, unique=True)
    peer_values = JSONB(default=[])
    updated_at = Timestamptz(default=TimestamptzNow())


class Vacancy(Table):
    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    recruiter = ForeignKey(references=Account, null=False)  # sees lived-experience statements
    title = Varchar(length=200)
    team = ForeignKey(references=Team, null=True, default=None)
    afc_band = Varchar(length=3, null=True, default=None)
    posts = Integer(default=1)
    remit = Text(default="")
    criteria = Text(default="")
    peer_values = JSONB(default=[])
    closing_date = Date()
    status = Varchar(length=16, default="draft", index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    opened_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)  # filled or withdrawn


class PanelMember(Table):
    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    vacancy = ForeignKey(references=Vacancy, null=False, index=True)
    account = ForeignKey(references=Account, null=False, index=True)
    lived_experience = Boolean(default=False)
    conflicts = Text(null=True, default=None)  # what they declared ("" = none)
    declared_at = Timestamptz(null=True, default=None)


class InterviewSlot(Table):
    """A slot on a recruitment day; ``capacity`` applicants may book it."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    vacancy = ForeignKey(references=Vacancy, null=False, index=True)
    day = Date()
    location = Varchar(length=300, default="")
    start = Timestamptz()
    end = Timestamptz()
    capacity = Integer(default=1)


class Application(Table):
    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    vacancy = ForeignKey(references=Vacancy, null=False, index=True)
    reference = Varchar(length=16)  # what the anonymised panel sees, e.g. C-4K7Q
    name = Varchar(length=200, default="")
    email = Varchar(length=254, default="")
    phone = Varchar(length=40, default="")
    answers = JSONB(default={})
    statement = Text(null=True, default=None)  # lived experience: panel and recruiter only
    adjustments = Text(default="")
    status = Varchar(length=16, default="submitted", index=True)
    token_hash = Varchar(length=64, null=True, default=None, unique=True)
    token_expires_at = Timestamptz(null=True, default=None)
    slot = ForeignKey(references=InterviewSlot, null=True, default=None, index=True)
    interview_sequence = Integer(default=0)
    submitted_at = Timestamptz(default=TimestamptzNow())
    shortlisted_at = Timestamptz(null=True, default=None)
    booked_at = Timestamptz(null=True, default=None)
    offered_at = Timestamptz(null=True, default=None)
    hired_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)  # unsuccessful or withdrawn
    anonymised_at = Timestamptz(null=True, default=None)
    person_id = UUID(null=True, default=None)  # the Person a hire created


class InterviewInvite(Table):
    """Where an interview's copy sits in one panel member's mail calendar (``calendar.delivery``):
    ``request`` (an invite stands), ``cancel`` (the last invite cancelled it) or null (no invite;
    their feed shows it if their choice puts it there). No row: never invited. Applicants have
    no feed and always get invites, so they have no rows."""

    application = ForeignKey(references=Application, null=False, index=True)
    account = ForeignKey(references=Account, null=False, index=True)
    invite_state = Varchar(length=8, null=True, default=None)


class EqualityResponse(Table):
    """Optional equality monitoring, kept apart from the application; aggregates only."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    vacancy = ForeignKey(references=Vacancy, null=False, index=True)
    application = ForeignKey(references=Application, null=True, default=None)  # unlinked when anonymised
    answers = JSONB(default={})
    shortlisted = Boolean(default=False)  # kept when unlinked, so the monitoring figures survive


class Score(Table):
    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    application = ForeignKey(references=Application, null=False, index=True)
    scorer = ForeignKey(references=Account, null=False, index=True)
    peer_value = Varchar(length=100)
    score = Integer()
    comment = Text(default="")
    submitted_at = Timestamptz(default=TimestamptzNow())


class Decision(Table):
    """Every shortlisting, offer and hire decision, and whether the panel met policy then."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    vacancy = ForeignKey(references=Vacancy, null=False, index=True)
    application = ForeignKey(references=Application, null=False, index=True)
    kind = Varchar(length=16)  # shortlist | reject | offer | hire
    compliant = Boolean(default=True)
    decided_by = ForeignKey(references=Account, null=True, default=None)
    note = Text(default="")
    at = Timestamptz(default=TimestamptzNow())


class ApplyAttempt(Table):
    """Public form submissions per client, in the database so the limit holds across instances."""

    id = UUID(primary_key=True)
    client_hash = Varchar(length=64, index=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)


class PastRound(Table):
    """A recruitment round from before peerwork, loaded as figures (docs/recruitment-history.md).

    Only aggregates: no applicant is named. A stage left empty in the file is unknown (null),
    never zero. Keyed by organisation and the organisation's own ``reference`` for the round.
    """

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    reference = Varchar(length=64)
    title = Varchar(length=200)
    year = Integer()  # the year it opened: the funnel's year row
    opened_on = Date(null=True, default=None)
    closed_on = Date(null=True, default=None)
    posts = Integer()
    applications = Integer()
    shortlisted = Integer(null=True, default=None)
    interviewed = Integer(null=True, default=None)
    offered = Integer(null=True, default=None)
    hired = Integer(null=True, default=None)
    hire_dates = JSONB(default=[])  # ISO dates, where the file gave them
    days_to_hire_mean = DoublePrecision(null=True, default=None)
    days_to_hire_hires = Integer(null=True, default=None)  # how many hires that mean covers
    loaded_at = Timestamptz(default=TimestamptzNow())
