"""A world of networks for the access tests: bay (north hosts, south a member), fen (east
hosts), west (invited to bay) and lone (in no network), with callers of every kind."""

from __future__ import annotations

from datetime import date

import pytest

from peerwork.core.tables import Account, Person
from peerwork.networks import service
from tests.factories import make_org, make_user
from tests.integration.networks.builders import two_member_network


async def people_identifiers(organisation_ids) -> set[str]:
    """What would identify a member's people in a response: staff record and account ids,
    employee numbers and email addresses."""
    found: set[str] = set()
    for p in await Person.select(Person.id, Person.employee_number).where(Person.organisation.is_in(organisation_ids)):
        found |= {str(p["id"]), p["employee_number"]}
    for a in await Account.select(Account.id, Account.email).where(Account.person.organisation.is_in(organisation_ids)):
        found |= {str(a["id"]), a["email"]}
    return found


@pytest.fixture
async def world():
    built = await two_member_network(date.today())
    north, south, east = built["north"], built["south"], built["east"]
    await service.set_host("bay", "north")
    await service.set_host("fen", "east")
    west, lone = await make_org("west"), await make_org("lone")
    callers = {
        "host_admin": await make_user(north, "admin", email="admin@north.example"),
        "member_admin": await make_user(south, "admin", email="admin@south.example"),
        "member_hr": await make_user(south, "hr", email="hr@south.example"),
        "member_psw": await make_user(south, "psw", email="psw-caller@south.example"),
        "member_peer_lead": await make_user(south, "peer_lead", email="pl-caller@south.example"),
        "member_supervisor": await make_user(south, "supervisor", email="sup-caller@south.example"),
        "lead_without_grant": await make_user(south, "network_lead", email="ungranted@south.example"),
        "other_network_admin": await make_user(east, "admin", email="admin@east.example"),
        "invited_admin": await make_user(west, "admin", email="admin@west.example"),
        "outsider_admin": await make_user(lone, "admin", email="admin@lone.example"),
    }
    bay_lead = await make_user(south, "peer_lead", email="bay.lead@south.example")
    fen_lead = await make_user(east, "peer_lead", email="fen.lead@east.example")
    host = callers["host_admin"].principal
    await service.grant_lead(host, "bay", "bay.lead@south.example", "south")
    await service.grant_lead(callers["other_network_admin"].principal, "fen", "fen.lead@east.example", "east")
    # Roles are read afresh with each request, so the tokens made before the grant now carry it.
    callers["lead_bay"] = bay_lead
    callers["lead_fen"] = fen_lead
    return {**built, "west": west, "lone": lone, "callers": callers,
            "people": await people_identifiers([north.id, south.id, east.id])}
