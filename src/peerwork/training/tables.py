"""Training tables: the pool of accredited trainers, course runs (a catalogue course delivered
as dated sessions), who trains on each run, and places asked for on someone's behalf or
awaiting a manager's approval.

A run's dated sessions are the occurrences of a community ``EventSeries`` of kind
``training``: capacity, the waiting list, invites and cancellations are the booking engine's
(``community.booking_sets``); these tables hold only what training adds to it.
"""

from __future__ import annotations

from piccolo.columns import UUID, Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from peerwork.community.tables import EventSeries
from peerwork.core.tables import Account, Organisation
from peerwork.cpd.tables import Course


class Trainer(Table):
    """Someone in the organisation's pool of accredited trainers."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    account = ForeignKey(references=Account, null=False, index=True)
    accredited_on = Date()
    accreditation = Text(default="")  # e.g. "Peer support trainer, national programme, cohort 3"
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class CourseRun(Table):
    """One delivery of a catalogue course: its sessions are the occurrences of ``series``."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    course = ForeignKey(references=Course, null=False, index=True)
    series = ForeignKey(references=EventSeries, null=False, unique=True)
    delivery = Varchar(length=16, default="in_person")  # in_person | online
    capacity = Integer()
    booking_cutoff_hours = Integer(default=24)
    requires_approval = Boolean(default=False)
    status = Varchar(length=16, default="scheduled")  # scheduled | cancelled
    created_by = ForeignKey(references=Account, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    # When the course's questionnaire was sent (training.jobs): "before" is the latest sending
    # (later confirmed places are sent theirs until the first session starts), "after" is once.
    before_sent_at = Timestamptz(null=True, default=None)
    after_sent_at = Timestamptz(null=True, default=None)


class CourseRunTrainer(Table):
    run = ForeignKey(references=CourseRun, null=False, index=True)
    trainer = ForeignKey(references=Trainer, null=False, index=True)


class PlaceRequest(Table):
    """A place asked for on a run when it needs more than the person booking themself: booked
    by someone else (the person is told and may decline), or waiting for the line manager's
    approval. Status: pending (awaiting approval, holds no place), booked (placed through the
    engine), declined (the person gave it up), refused (the manager said no), cancelled."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    run = ForeignKey(references=CourseRun, null=False, index=True)
    account = ForeignKey(references=Account, null=False, index=True)  # who the place is for
    booked_by = ForeignKey(references=Account, null=False)
    status = Varchar(length=16, default="pending")
    decided_by = ForeignKey(references=Account, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
