"""Which CPD record a completed course run made for whom: one row per run and person, so
completing a run records the course exactly once however often attendance is marked."""

from __future__ import annotations

from piccolo.columns import UUID, ForeignKey, OnDelete, Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from peerwork.core.tables import Account, Organisation
from peerwork.cpd.tables import CpdRecord
from peerwork.training.tables import CourseRun


class RunCompletion(Table):
    """A person attended every session of a run; ``cpd_record`` is the record it made.
    Unique on (run, account) in the migration: two trainers marking the last sessions at
    once still make one record."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    run = ForeignKey(references=CourseRun, null=False, index=True)
    account = ForeignKey(references=Account, null=False, index=True)
    cpd_record = ForeignKey(references=CpdRecord, null=False, on_delete=OnDelete.cascade)
    completed_at = Timestamptz(default=TimestamptzNow())
