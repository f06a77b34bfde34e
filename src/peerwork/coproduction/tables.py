"""Co-production tables: an organisation's involvement policy, the people paid under it,
activities, and one line per person per activity with what is due to them.

Money is whole pence and time whole minutes (``money.py``). A line copies the rate and the
person's payment preference when it is recorded, so changing the policy later never changes
what was already due. A paid line is never changed: a correcting line (``corrects``) carries
the difference.
"""

from __future__ import annotations

from piccolo.columns import JSONB, UUID, Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from peerwork.core.tables import Account, Organisation, Person


class InvolvementPolicy(Table, tablename="coproduction_policy"):
    """One per organisation. ``rates``: {activity kind: pence per hour}; a kind not there is 0."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, unique=True)
    rates = JSONB(default={})
    reimburse_expenses = Boolean(default=True)
    # Staff on panels as part of their paid job: recorded with their hours, paid only if this is set.
    pay_employees_for_panels = Boolean(default=False)
    updated_at = Timestamptz(default=TimestamptzNow())


class Participant(Table, tablename="coproduction_participant"):
    """Someone paid for involvement: a staff record, an account (e.g. a panel member), or a
    person outside the workforce known by name and email only. ``identity_key`` is unique:
    "person:<id>", "account:<id>" or "email:<lower-cased email>", within the organisation."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    identity_key = Varchar(length=320, unique=True)  # "<organisation id>:<kind>:<value>"
    person = ForeignKey(references=Person, null=True, default=None, index=True)
    account = ForeignKey(references=Account, null=True, default=None, index=True)
    name = Varchar(length=200)
    email = Varchar(length=254, default="", index=True)
    preference = Varchar(length=8, default="paid")  # paid | voucher | none (the reason is never asked)
    created_at = Timestamptz(default=TimestamptzNow())


class Activity(Table, tablename="coproduction_activity"):
    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    title = Varchar(length=200)
    kind = Varchar(length=32)
    held_on = Date(index=True)
    description = Text(default="")
    # Recorded from elsewhere (an interview panel day): "panel:<vacancy id>:<day>", else null.
    source_key = Varchar(length=120, null=True, default=None, unique=True)
    created_by = ForeignKey(references=Account, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class InvolvementLine(Table, tablename="coproduction_line"):
    """One person's part in one activity. ``rate_pence`` and ``preference`` are copies taken
    when recorded; ``amount_pence`` follows from them and ``minutes`` (``money.line_amount``)."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    activity = ForeignKey(references=Activity, null=False, index=True)
    participant = ForeignKey(references=Participant, null=False, index=True)
    minutes = Integer()
    rate_pence = Integer()
    preference = Varchar(length=8)
    amount_pence = Integer()
    expenses_pence = Integer(default=0)
    note = Varchar(length=300, default="")
    status = Varchar(length=8, default="due", index=True)  # due | paid
    paid_on = Date(null=True, default=None)
    corrects = ForeignKey(references="self", null=True, default=None, index=True)
    # Recorded from elsewhere: "panel:<panel member id>:<day>", so a re-run never duplicates.
    source_key = Varchar(length=120, null=True, default=None, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
