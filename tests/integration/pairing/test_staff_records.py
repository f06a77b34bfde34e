"""Pairing and the staff records: people in post with no account are named as not yet pairable
(with the reason), and an imported line manager is never suggested as a partner."""

from datetime import date, timedelta

import pytest

from peerwork.core import accounts
from peerwork.core.errors import Conflict
from peerwork.core.tables import Person
from peerwork.pairing import service as pairing_service
from peerwork.pairing.schemas import PairIn
from tests.development_helpers import account_for, import_staff, person_id, staff_row
from tests.factories import make_org, make_user

TODAY = date.today()


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


@pytest.fixture
async def north():
    org = await make_org("north")
    await import_staff(
        org,
        staff_row("ED-1", "E-Ed", started=ago(3 * 365)),
        staff_row("EVE-1", "E-Eve", started=ago(2 * 365)),
        # Nia's line manager (imported) is Ed: he is in her team and the most experienced.
        staff_row("NIA-1", "E-Nia", started=ago(30), manager="ED-1"),
        staff_row("BOB-1", "E-Bob", started=ago(20)),  # new, no account
        staff_row("OLD-1", "E-Old", started=ago(900)),  # experienced, no account
        staff_row("GONE-1", "E-Gone", started=ago(90), ended=ago(5)),  # left, no account
        staff_row("NURSE-1", "E-Nurse", started=ago(40), lived_experience=False, title="Nurse"),  # not a peer post
    )
    for employee, given in (("E-Bob", "Bob"), ("E-Old", "Olwen"), ("E-Gone", "Gwen"), ("E-Nurse", "Nell")):
        await Person.update({Person.given_name: given, Person.family_name: "Staff"}).where(
            Person.employee_number == employee)
    return {
        "org": org,
        "ed": await account_for(org, "E-Ed", "Ed"),
        "eve": await account_for(org, "E-Eve", "Eve"),
        "nia": await account_for(org, "E-Nia", "Nia"),
        "lead": await make_user(org, "peer_lead", email="lead@north.example"),
    }


async def test_people_in_post_without_an_account_are_listed_as_not_yet_pairable(client, north):
    found = await pairing_service.suggestions(north["lead"].principal)
    assert [(n.name, n.reason) for n in found.not_pairable] == [("Bob Staff", pairing_service.NO_ACCOUNT)]
    assert found.not_pairable[0].person_id == await person_id(north["org"], "E-Bob")
    everyone = await pairing_service.suggestions(north["lead"].principal, "unpaired")
    assert [n.name for n in everyone.not_pairable] == ["Bob Staff", "Olwen Staff"]  # never leavers or other posts
    api = (await client.get("/api/v1/pairing/suggestions", headers=north["lead"].headers)).json()
    assert [(n["name"], n["reason"]) for n in api["not_pairable"]] == [("Bob Staff", pairing_service.NO_ACCOUNT)]
    client.cookies.set("peerwork_session", await accounts.open_session(
        north["lead"].principal.account_id, north["org"].id, session_hours=1, via="password"))
    page = await client.get("/pairing?suggest=new_starters")
    assert page.status_code == 200, page.text
    assert "Not yet pairable" in page.text and "Bob Staff: <strong>No account yet</strong>" in page.text


async def test_an_imported_line_manager_is_never_suggested_or_confirmed(north):
    found = await pairing_service.suggestions(north["lead"].principal)
    assert {(s.new_peer, s.experienced_peer) for s in found.suggestions} == {("Nia", "Eve")}
    with pytest.raises(Conflict, match="line manager"):
        await pairing_service.confirm_pair(north["lead"].principal, PairIn(
            new_peer_id=north["nia"].principal.account_id, experienced_peer_id=north["ed"].principal.account_id))


async def test_an_account_whose_lived_experience_post_ended_is_not_in_the_pool(north):
    # Eve moves to a post that is not a lived-experience role: she is no longer a peer to pair with.
    await import_staff(north["org"], staff_row("EVE-1", "E-Eve", started=ago(2 * 365), ended=ago(1)),
                       staff_row("EVE-2", "E-Eve", started=TODAY, lived_experience=False, title="Team Manager"))
    found = await pairing_service.suggestions(north["lead"].principal)
    assert found.suggestions == [] and found.unmatched == ["Nia"]


async def test_someone_whose_account_is_deactivated_is_not_pairable_and_says_why(north):
    admin = await make_user(north["org"], "admin", email="admin@north.example")
    await accounts.update_account(admin.principal, north["eve"].principal.account_id, is_active=False)
    found = await pairing_service.suggestions(north["lead"].principal, "unpaired")
    assert [(n.name, n.reason) for n in found.not_pairable] == [
        ("Bob Staff", pairing_service.NO_ACCOUNT), ("Employee E-Eve", pairing_service.DEACTIVATED),
        ("Olwen Staff", pairing_service.NO_ACCOUNT)]
