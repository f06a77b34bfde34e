"""A peer worker's own wellbeing records: their wellness plan and workplace adjustments
passport (one of each), who they have shared each with, and their private check-ins.

No column holds the words a person wrote: those are sealed with envelope encryption
(``core.crypto.seal``, a data key per value wrapped by a master key kept outside the database)
and bound to their owner, row and field. Only what the service needs to act on is in the clear:
who owns what, review dates (for reminders), and who may read it.
"""

from __future__ import annotations

from piccolo.columns import UUID, Date, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from peerwork.core.tables import Account, Organisation


class WellbeingDocument(Table, tablename="wellbeing_document"):
    """A wellness plan or an adjustments passport. It belongs to ``owner`` (the account), not to
    the organisation it was written in; ``organisation`` is where it was written, which decides
    whether a stranger is told it is forbidden (same organisation) or not found (any other)."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    owner = ForeignKey(references=Account, null=False, index=True)
    kind = Varchar(length=16)  # plan | passport
    slot = Varchar(length=60, unique=True)  # "<owner>:<kind>": one of each per person
    sealed = Text()  # core.crypto.seal of the JSON of the text fields
    key_id = Varchar(length=32)  # the master key the data key is wrapped with (rotation)
    review_date = Date(null=True, default=None)
    reminded_for = Date(null=True, default=None)  # the review date the owner was last reminded of
    updated_at = Timestamptz(default=TimestamptzNow())


class WellbeingShare(Table, tablename="wellbeing_share"):
    """The owner lets one named person read one document. Withdrawing deletes the row, so
    access ends with the next request (the audit log keeps that it was shared and withdrawn)."""

    id = UUID(primary_key=True)
    document = ForeignKey(references=WellbeingDocument, null=False, index=True)
    grantee = ForeignKey(references=Account, null=False, index=True)
    grantee_organisation = ForeignKey(references=Organisation, null=False)
    slot = Varchar(length=80, unique=True)  # "<document>:<grantee>": shared once
    granted_at = Timestamptz(default=TimestamptzNow())


class WellbeingCheckIn(Table, tablename="wellbeing_check_in"):
    """A quick private check-in: what the person needs today, and an optional note (sealed).
    Only its owner ever reads it: no route takes another person's check-in."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    owner = ForeignKey(references=Account, null=False, index=True)
    need = Varchar(length=16)  # connection | rest | support
    sealed_note = Text(null=True, default=None)
    key_id = Varchar(length=32, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
