"""Every wellbeing route, API and page, against everyone who might call it: only the owner and
the people they named read a plan or passport; everyone else in the organisation is refused
(403), anyone in another organisation is told it does not exist (404); a person it was shared
with cannot share it on; a withdrawal ends access at once; nothing is cached.

The matrix is checked against the app's own routes under the wellbeing prefixes, so a route
added to the package without a row here fails this test."""

from __future__ import annotations

import re

import msgspec
import pytest

from peerwork.core.tables import AuditLog
from peerwork.wellbeing.tables import WellbeingShare
from tests.integration.wellbeing.helpers import MARKER, PASSPORT_MARKER, build_world, close_world, passport_in, plan_in

READERS = {"owner", "sharee", "partner_sharee"}
SAME_ORGANISATION = {"sharee", "supervisor", "admin", "hr", "peer_lead", "psw"}

# (method, path) -> what the route is: "read" (a document by id: owner and sharees only),
# "owner" (changes who reads a document: its owner only), "own" (the caller's own things only).
MATRIX = {
    ("GET", "/api/v1/wellbeing/plan"): "own",
    ("PUT", "/api/v1/wellbeing/plan"): "own",
    ("GET", "/api/v1/wellbeing/passport"): "own",
    ("PUT", "/api/v1/wellbeing/passport"): "own",
    ("GET", "/api/v1/wellbeing/documents/{document_id}"): "read",
    ("GET", "/api/v1/wellbeing/shares"): "own",
    ("POST", "/api/v1/wellbeing/documents/{document_id}/shares"): "owner",
    ("DELETE", "/api/v1/wellbeing/documents/{document_id}/shares/{account_id}"): "owner",
    ("GET", "/api/v1/wellbeing/shared-with-me"): "own",
    ("GET", "/api/v1/wellbeing/people"): "own",
    ("POST", "/api/v1/wellbeing/check-ins"): "own",
    ("GET", "/api/v1/wellbeing/check-ins"): "own",
    ("GET", "/wellbeing"): "own",
    ("POST", "/wellbeing/plan"): "own",
    ("POST", "/wellbeing/passport"): "own",
    ("POST", "/wellbeing/check-in"): "own",
    ("GET", "/wellbeing/shared"): "own",
    ("GET", "/wellbeing/shared/{document_id}"): "read",
    ("POST", "/wellbeing/documents/{document_id}/share"): "owner",
    ("POST", "/wellbeing/documents/{document_id}/withdraw"): "owner",
}
SUCCESS = {"GET": 200, "PUT": 200, "POST": 201, "DELETE": 204}
PAGE_SUCCESS = {"GET": 200, "POST": 303}


def wellbeing_routes(app) -> set[tuple[str, str]]:
    found = set()
    for route in app.routes:
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        if not (path.startswith("/api/v1/wellbeing") or path == "/wellbeing" or path.startswith("/wellbeing/")):
            continue
        for method in getattr(route, "methods", ()):
            if method not in {"HEAD", "OPTIONS"}:
                found.add((method, path))
    return found


def test_the_matrix_names_every_wellbeing_route(app):
    assert wellbeing_routes(app) == set(MATRIX)


def _words(name: str) -> dict[str, str]:
    return {"what_keeps_me_well": f"{name}'s own words", "adjustments": f"{name}'s own adjustments"}


def _body(kind_of_route: str, method: str, path: str, actor, world) -> dict:
    """What the actor sends: the owner re-sends their own words (so the plan keeps its marker);
    anyone else writes their own, or tries to pass the owner's document on to another PSW."""
    mine = actor.name == "owner"
    if path.endswith("/plan"):
        body = msgspec.to_builtins(plan_in()) if mine else {"what_keeps_me_well": _words(actor.name)["what_keeps_me_well"]}
    elif path.endswith("/passport"):
        body = msgspec.to_builtins(passport_in()) if mine else {"adjustments": _words(actor.name)["adjustments"]}
    elif "check-in" in path:
        body = {"need": "rest", "note": f"{actor.name} checking in"}
    elif path.endswith(("/shares", "/share", "/withdraw")):
        target = world["sharee"] if mine and not path.endswith("/withdraw") else world["psw"]
        body = {"account_id": str(target.account_id)}
    else:
        body = {}
    return {k: v for k, v in body.items() if v is not None}


async def _call(world, actor, method: str, template: str, document_id):
    path = template.format(document_id=document_id, account_id=world["psw"].account_id)
    body = _body(MATRIX[(method, template)], method, template, actor, world)
    if template.startswith("/api/"):
        kwargs = {"json": body} if method in {"PUT", "POST"} else {}
        return await actor.client.request(method, path, headers=actor.headers, **kwargs)
    if method == "POST":
        return await actor.client.post(path, data={**body, "_csrf_token": actor.csrf}, follow_redirects=False)
    return await actor.client.get(path)


def _expected(kind_of_route: str, name: str, method: str, template: str) -> int:
    success = (SUCCESS if template.startswith("/api/") else PAGE_SUCCESS)[method]
    if template == "/wellbeing/check-in":
        success = 200  # the suggestion is shown at once
    if kind_of_route == "own" or (kind_of_route == "read" and name in READERS) or (
            kind_of_route == "owner" and name == "owner"):
        return success
    if name in SAME_ORGANISATION or (kind_of_route == "owner" and name in READERS):
        return 403  # a sharee cannot share on or withdraw (a partner sharee: it is shared, so not hidden)
    return 404


@pytest.mark.parametrize("which", ["plan", "passport"])
async def test_only_the_owner_and_the_people_they_named_can_read(app, which):
    world = await build_world(app)
    document_id = world.plan_id if which == "plan" else world.passport_id
    marker = MARKER if which == "plan" else PASSPORT_MARKER
    shares_before = await WellbeingShare.count()
    try:
        failures = []
        for (method, template), kind_of_route in MATRIX.items():
            for name, actor in world.actors.items():
                response = await _call(world, actor, method, template, document_id)
                expected = _expected(kind_of_route, name, method, template)
                if response.status_code != expected:
                    failures.append(f"{method} {template} as {name}: {response.status_code}, expected {expected}")
                    continue
                if response.status_code < 400 and "no-store" not in response.headers.get("cache-control", ""):
                    failures.append(f"{method} {template} as {name}: no Cache-Control: no-store")
                if name not in READERS and (marker in response.text or MARKER in response.text):
                    failures.append(f"{method} {template} as {name}: the owner's words leaked")
                if kind_of_route == "read" and name in READERS and marker not in response.text:
                    failures.append(f"{method} {template} as {name}: the words were not shown")
        assert not failures, "\n".join(failures)

        # The sharees' attempts to pass it on changed nothing: the other PSW still cannot read it.
        assert await WellbeingShare.count() == shares_before
        refused = await world["psw"].client.get(f"/api/v1/wellbeing/documents/{document_id}",
                                                headers=world["psw"].headers)
        assert refused.status_code == 403

        # Every read by someone it was shared with is in the audit log (ids only, never words).
        reads = await AuditLog.select(AuditLog.account, AuditLog.detail).where(
            (AuditLog.action == "read") & (AuditLog.table_name == "wellbeing_document")
            & (AuditLog.record_id == str(document_id))).output(load_json=True)
        readers = {r["account"] for r in reads}
        assert {world[n].account_id for n in READERS} <= readers
        assert all(marker not in str(r["detail"]) for r in reads)
    finally:
        await close_world(world)


async def test_a_withdrawal_ends_access_at_once_on_the_api_and_the_pages(app):
    world = await build_world(app)
    owner, sharee = world["owner"], world["sharee"]
    try:
        assert (await sharee.client.get(f"/wellbeing/shared/{world.plan_id}")).status_code == 200
        listed = await sharee.client.get("/wellbeing/shared")
        assert f"/wellbeing/shared/{world.plan_id}" in listed.text
        withdrawn = await owner.client.post(f"/wellbeing/documents/{world.plan_id}/withdraw",
                                            data={"account_id": str(sharee.account_id), "_csrf_token": owner.csrf},
                                            follow_redirects=False)
        assert withdrawn.status_code == 303
        page = await sharee.client.get(f"/wellbeing/shared/{world.plan_id}")
        api = await sharee.client.get(f"/api/v1/wellbeing/documents/{world.plan_id}", headers=sharee.headers)
        assert page.status_code == 403 and api.status_code == 403 and MARKER not in page.text + api.text
        assert f"/wellbeing/shared/{world.plan_id}" not in (await sharee.client.get("/wellbeing/shared")).text
        # The passport, still shared, stays readable; the owner's page no longer lists them for the plan.
        assert (await sharee.client.get(f"/wellbeing/shared/{world.passport_id}")).status_code == 200
        shares = (await owner.client.get("/api/v1/wellbeing/shares", headers=owner.headers)).json()
        assert {(s["kind"], s["name"]) for s in shares} == {
            ("passport", "sharee"), ("plan", "partner-sharee"), ("passport", "partner-sharee")}
        # Withdrawing through the API works the same way.
        gone = await owner.client.delete(f"/api/v1/wellbeing/documents/{world.passport_id}/shares/"
                                         f"{world['partner_sharee'].account_id}", headers=owner.headers)
        assert gone.status_code == 204
        partner = world["partner_sharee"]
        again = await partner.client.get(f"/api/v1/wellbeing/documents/{world.passport_id}", headers=partner.headers)
        assert again.status_code == 404  # another organisation: it is not theirs to know about any more
    finally:
        await close_world(world)
