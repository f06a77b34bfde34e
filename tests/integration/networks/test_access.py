"""Who may see and do what on every network route, and that no person leaves an organisation.

The matrix walks every /api/v1/networks route (collected from the app, so a new route must be
added here) with callers of every kind: the host's admin, a member's admin, HR, PSW, peer lead
and supervisor, a network lead of this network, a lead of another network, a holder of the
network_lead role with no grant, another network's admin, an invited organisation's admin and
an organisation in no network.
"""

from __future__ import annotations

from datetime import date

import pytest
from litestar.routes import HTTPRoute

from peerwork.app import create_app
from peerwork.core.settings import load_settings
from peerwork.core.tables import Network, NetworkMembership
from peerwork.networks.figures import network_figures
from peerwork.networks.tables import NetworkInvitation, NetworkLead


def network_routes() -> list[tuple[str, str]]:
    found = []
    for route in create_app(load_settings()).routes:
        if isinstance(route, HTTPRoute) and route.path.startswith("/api/v1/networks"):
            for handler in route.route_handlers:
                found += [(m, route.path) for m in sorted(handler.http_methods - {"HEAD", "OPTIONS"})]
    return sorted(found)


ROUTES = network_routes()
CALLERS = ("host_admin", "member_admin", "member_hr", "member_psw", "member_peer_lead", "member_supervisor",
           "lead_bay", "lead_fen", "lead_without_grant", "other_network_admin", "invited_admin", "outsider_admin")
SEE_BAY = {"host_admin", "member_admin", "lead_bay"}
MEMBER_SHARERS = {"host_admin", "member_admin", "member_hr"}
ADMINS = {"host_admin", "member_admin", "other_network_admin", "invited_admin", "outsider_admin"}
HAS_READ = ADMINS | {"lead_bay", "lead_fen", "lead_without_grant"}

# For each GET route: who gets 200 (the rest: 403 without the right by role, else 404).
READS = {
    "/api/v1/networks": HAS_READ,
    "/api/v1/networks/invitations": ADMINS,
    "/api/v1/networks/{network_slug:str}": SEE_BAY,
    "/api/v1/networks/{network_slug:str}/figures": SEE_BAY,
    "/api/v1/networks/{network_slug:str}/references": SEE_BAY,
    "/api/v1/networks/{network_slug:str}/shared": MEMBER_SHARERS,
    "/api/v1/networks/{network_slug:str}/board-pack": SEE_BAY,
}
RIGHT_OF_READ = {
    "/api/v1/networks": HAS_READ, "/api/v1/networks/invitations": ADMINS,
    "/api/v1/networks/{network_slug:str}": HAS_READ, "/api/v1/networks/{network_slug:str}/figures": HAS_READ,
    "/api/v1/networks/{network_slug:str}/references": HAS_READ,
    "/api/v1/networks/{network_slug:str}/shared": ADMINS | {"member_hr"},
    "/api/v1/networks/{network_slug:str}/board-pack": HAS_READ,
}


def test_every_network_route_is_in_this_matrix():
    reads = {p for m, p in ROUTES if m == "GET"}
    writes = {(m, p) for m, p in ROUTES if m != "GET"}
    assert reads == set(READS)
    assert writes == {(m, p) for m, p, *_ in WRITES}


def fill(path: str, values: dict) -> str:
    for name, value in values.items():
        path = path.replace("{" + name + "}", str(value))
    assert "{" not in path, path
    return path


async def test_reads_show_each_caller_only_what_they_may_see_and_no_person(client, world):
    callers, people = world["callers"], world["people"]
    for path, allowed in READS.items():
        url = fill(path, {"network_slug:str": "bay"})
        for name in CALLERS:
            response = await client.get(url, headers=callers[name].headers)
            if name in allowed:
                expected = 200
            elif name in RIGHT_OF_READ[path]:
                expected = 404
            else:
                expected = 403
            assert response.status_code == expected, (path, name, response.text)
            leaked = {p for p in people if p in response.text}
            assert not leaked, (path, name, leaked)
            if expected == 404:
                assert "north" not in response.text.lower() and "south" not in response.text.lower()
    # The lists name only networks the caller may see.
    listed = {name: [n["slug"] for n in (await client.get("/api/v1/networks", headers=callers[name].headers)).json()]
              for name in HAS_READ}
    assert listed == {"host_admin": ["bay"], "member_admin": ["bay"], "lead_bay": ["bay"], "lead_fen": ["fen"],
                      "lead_without_grant": [], "other_network_admin": ["fen"], "invited_admin": [],
                      "outsider_admin": []}


async def test_a_lead_of_another_network_never_sees_this_ones_figures(client, world):
    callers = world["callers"]
    fen = (await client.get("/api/v1/networks/fen/figures", headers=callers["lead_fen"].headers)).json()
    assert [m["key"] for m in fen["members"]] == ["east"]
    assert "north" not in str(fen) and "south" not in str(fen)
    bay = (await client.get("/api/v1/networks/bay/figures", headers=callers["lead_bay"].headers)).json()
    assert [m["key"] for m in bay["members"]] == ["north", "south"]
    # The pooled figures are the two members' (east's 40 applications are not in them).
    assert bay["pooled"]["recruitment"]["applications"] == {"value": 10, "shown": "10"}
    direct = await network_figures(world["bay"], date.today())
    assert bay["pooled"]["headcount"] == {"value": direct.pooled.headcount.value, "shown": direct.pooled.headcount.shown}
    shared = (await client.get("/api/v1/networks/bay/shared", headers=callers["member_hr"].headers)).json()
    assert shared["figures"] == bay["members"][1]


async def _ids(world) -> dict:
    bay = world["bay"]
    pending = NetworkInvitation(network=bay, organisation=world["west"].id)
    await pending.save()
    lead = await NetworkLead.select(NetworkLead.id).where(NetworkLead.network == bay).first()
    return {"network_slug:str": "bay", "network_invitation_id:uuid": pending.id, "organisation_slug:str": "south",
            "lead_id:uuid": lead["id"], "reference_key:str": "survey:role_training"}


# (method, path, body, who may do it: the first caller given succeeds, after every other
# caller has been refused without changing anything).
WRITES = [
    # Any organisation's admin may start a network (hosted by their organisation): only the
    # other roles are refused.
    ("POST", "/api/v1/networks", {"slug": "marsh", "name": "Marsh"}, "outsider_admin"),
    ("POST", "/api/v1/networks/{network_slug:str}/invitations", {"organisation": "lone"}, "host_admin"),
    ("POST", "/api/v1/networks/{network_slug:str}/invitations/{network_invitation_id:uuid}/accept", {},
     "invited_admin"),
    ("POST", "/api/v1/networks/{network_slug:str}/invitations/{network_invitation_id:uuid}/decline", {},
     "invited_admin"),
    ("POST", "/api/v1/networks/{network_slug:str}/invitations/{network_invitation_id:uuid}/withdraw", {},
     "host_admin"),
    ("POST", "/api/v1/networks/{network_slug:str}/leads", {"email": "pl-caller@south.example",
                                                           "organisation": "south"}, "host_admin"),
    ("POST", "/api/v1/networks/{network_slug:str}/leads/{lead_id:uuid}/revoke", {}, "host_admin"),
    ("PUT", "/api/v1/networks/{network_slug:str}/references/{reference_key:str}",
     {"value": 0.5, "source": "Our own survey, 2026"}, "host_admin"),
    ("POST", "/api/v1/networks/{network_slug:str}/members/{organisation_slug:str}/remove", {}, "host_admin"),
    ("POST", "/api/v1/networks/{network_slug:str}/leave", {}, "member_admin"),
]


async def _state() -> tuple:
    return (sorted((str(r["network"]), str(r["organisation"])) for r in await NetworkMembership.select()),
            sorted((str(r["id"]), r["status"]) for r in await NetworkInvitation.select()),
            sorted(str(r["id"]) for r in await NetworkLead.select()),
            sorted(r["slug"] for r in await Network.select(Network.slug)))


@pytest.mark.parametrize(("method", "path", "body", "actor"), WRITES, ids=[f"{m} {p}" for m, p, *_ in WRITES])
async def test_only_the_right_caller_can_change_a_network(client, world, method, path, body, actor):
    callers, people = world["callers"], world["people"]
    url = fill(path, await _ids(world))
    before = await _state()
    may_also = ADMINS if path == "/api/v1/networks" else set()
    for name in CALLERS:
        if name == actor or name in may_also:
            continue
        response = await client.request(method, url, headers=callers[name].headers, json=body)
        assert response.status_code in (403, 404, 409), (name, response.status_code, response.text)
        if name == "lead_bay" or name.startswith("member_") and name != "member_admin":
            assert response.status_code == 403, (name, response.text)  # their role lacks network:manage
        assert await _state() == before, name
    response = await client.request(method, url, headers=callers[actor].headers, json=body)
    assert response.status_code in (200, 201, 204), response.text
    assert await _state() != before or "references" in path
    assert not {p for p in people if p in response.text}
