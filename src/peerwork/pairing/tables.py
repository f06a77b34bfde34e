"""Pairing tables: each person's pairing profile and the pairs a person confirmed."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, Boolean, Date, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from peerwork.core.tables import Account, Organisation


class PairingProfile(Table):
    """What a person brings to pairing. Interests and preferences are short tags; exclusions
    are account ids the person must never be paired with (kept to this table, never logged)."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    account = ForeignKey(references=Account, null=False, unique=True)
    interests = JSON(default=[])
    preferences = JSON(default=[])
    exclusions = JSON(default=[])
    network_opt_in = Boolean(default=False)
    capacity = Integer(default=1)  # how many people an experienced peer will pair with at once
    updated_at = Timestamptz(default=TimestamptzNow())


class Pair(Table):
    """Two people working as a pair, confirmed by a person (never by the suggestion alone)."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    new_peer = ForeignKey(references=Account, null=False, index=True)
    experienced_peer = ForeignKey(references=Account, null=False, index=True)
    purpose = Varchar(length=20, default="buddy")  # buddy | co_facilitation | linked_role
    start_date = Date()
    end_date = Date(null=True, default=None)
    score = Integer(null=True, default=None)
    confirmed_by = ForeignKey(references=Account, null=True, default=None)
    confirmed_at = Timestamptz(default=TimestamptzNow())
