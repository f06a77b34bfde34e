"""A network's host, its invitations to join, and the reference figures it is compared with."""

from __future__ import annotations

from piccolo.columns import UUID, DoublePrecision, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from peerwork.core.tables import Account, Network, Organisation


class NetworkHost(Table):
    """The organisation that hosts a network (e.g. the ICS's lead trust): its admins are the
    network's admins. One per network."""

    id = UUID(primary_key=True)
    network = ForeignKey(references=Network, null=False, unique=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    created_at = Timestamptz(default=TimestamptzNow())


class NetworkInvitation(Table):
    """An invitation for an organisation to join a network, answered by that organisation's admin."""

    id = UUID(primary_key=True)
    network = ForeignKey(references=Network, null=False, index=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    status = Varchar(length=16, default="pending")  # pending | accepted | declined | withdrawn
    invited_by = ForeignKey(references=Account, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    decided_at = Timestamptz(null=True, default=None)


class ReferenceFigure(Table):
    """A figure to compare with (a national survey's, a reference trust's), with its source.
    ``network`` None: the national default every network starts from; a network's own row
    with the same key replaces it for that network. ``scope_key`` ("national:KEY" or
    "NETWORK_ID:KEY") keeps one row per scope and key."""

    id = UUID(primary_key=True)
    scope_key = Varchar(length=160, unique=True)
    key = Varchar(length=100)
    network = ForeignKey(references=Network, null=True, default=None, index=True)
    label = Varchar(length=200)
    value = DoublePrecision()
    source = Text()
    updated_by = ForeignKey(references=Account, null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())


class NetworkLead(Table):
    """A network lead: an account of a member organisation granted the lead's view of one
    network by the network's admins (the account also holds the ``network_lead`` role in
    that organisation, which is what gives it the right)."""

    id = UUID(primary_key=True)
    network = ForeignKey(references=Network, null=False, index=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    account = ForeignKey(references=Account, null=False, index=True)
    granted_by = ForeignKey(references=Account, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
