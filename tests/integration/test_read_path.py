"""The fast read path keeps every check: the API's declared rights (checked as the caller is
identified, not by a Litestar guard) and tenant-scoped lookups (straight to the pool on
PostgreSQL outside a transaction, through Piccolo inside one)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

import pytest
from litestar import Litestar, Router, get
from litestar.di import Provide

from peerwork.core.access import Principal
from peerwork.core.db import transaction
from peerwork.core.errors import EXCEPTION_HANDLERS, NotFound
from peerwork.core.security import RIGHTS_CHECKED, IdentifyCaller, current_principal
from peerwork.core.tables import Person
from peerwork.core.tenancy import one_in_organisation
from tests.conftest import http_client
from tests.factories import make_org, make_user

COLUMNS = (Person.id, Person.employee_number, Person.given_name, Person.created_at)


@get("/declared", opt={"right": "people:write"})
async def declared(principal: Principal) -> dict:
    return {"who": principal.email}


@get("/undeclared")
async def undeclared() -> dict:
    return {"leaked": True}


@pytest.fixture(scope="module")
def rights_app():
    return Litestar(
        route_handlers=[Router(path="/api/v1", route_handlers=[declared, undeclared], opt={RIGHTS_CHECKED: True},
                               dependencies={"principal": Provide(current_principal, sync_to_thread=False)})],
        middleware=[IdentifyCaller], exception_handlers=EXCEPTION_HANDLERS,
    )


async def test_a_marked_router_refuses_without_the_declared_right(rights_app):
    org = await make_org()
    admin, psw = await make_user(org, "admin"), await make_user(org, "psw")
    async with http_client(rights_app) as api:
        assert (await api.get("/api/v1/declared", headers=admin.headers)).json() == {"who": admin.email}
        refused = await api.get("/api/v1/declared", headers=psw.headers)
        assert refused.status_code == 403 and refused.headers["content-type"].startswith("application/problem+json")
        assert (await api.get("/api/v1/declared")).status_code == 401
        # A route that declares no right is refused even to an admin (fail closed), never run.
        assert (await api.get("/api/v1/undeclared", headers=admin.headers)).status_code == 403
        assert (await api.get("/api/v1/undeclared")).status_code == 401


def test_every_api_route_of_the_app_is_rights_checked(app):
    api = [route for route in app.routes if route.path.startswith("/api/")]
    assert api
    for route in api:
        for handler in route.route_handlers:
            assert handler.opt.get(RIGHTS_CHECKED) is True, route.path


async def test_a_lookup_is_typed_and_scoped_to_its_organisation():
    north, south = await make_org("north"), await make_org("south")
    person = Person(organisation=north.id, employee_number="E1", given_name="Ada")
    await person.save()
    row = await one_in_organisation(Person, north.id, person.id, COLUMNS, "No such person.")
    assert row == {"id": person.id, "employee_number": "E1", "given_name": "Ada", "created_at": row["created_at"]}
    assert isinstance(row["id"], UUID) and isinstance(row["created_at"], datetime)
    with pytest.raises(NotFound, match="No such person"):
        await one_in_organisation(Person, south.id, person.id, COLUMNS, "No such person.")
    with pytest.raises(NotFound):
        await one_in_organisation(Person, north.id, uuid4(), COLUMNS, "No such person.")


async def test_a_lookup_inside_a_transaction_sees_that_transactions_writes():
    org = await make_org()
    async with transaction():
        person = Person(organisation=org.id, employee_number="E2", given_name="Grace")
        await person.save()
        row = await one_in_organisation(Person, org.id, person.id, COLUMNS, "No such person.")
        assert row["given_name"] == "Grace" and isinstance(row["id"], UUID)
        # Another column list for the same table gets its own statement, not the first one's.
        names = await one_in_organisation(Person, org.id, person.id, (Person.given_name,), "No such person.")
        assert names == {"given_name": "Grace"}
