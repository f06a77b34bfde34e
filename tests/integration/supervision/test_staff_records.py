"""Supervision compliance lists everyone in post in a lived-experience role, from the staff
records: people with no account yet are listed and marked, leavers are not."""

from datetime import date, timedelta

from peerwork.core import accounts
from peerwork.core.tables import Person
from peerwork.supervision.compliance_service import compliance_table
from tests.development_helpers import account_for, import_staff, one_to_one, person_id, staff_row
from tests.factories import make_org, make_user

TODAY = date.today()


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


async def test_people_without_accounts_are_listed_and_marked_and_leavers_are_not(client):
    org = await make_org("north")
    await import_staff(
        org,
        staff_row("A-1", "E-Ann", started=ago(400)),
        staff_row("B-1", "E-Bob", started=ago(100)),
        staff_row("C-1", "E-Cat", started=ago(800), ended=ago(10)),
        staff_row("D-1", "E-Dan", started=ago(300), lived_experience=False, title="Mental Health Nurse"),
        staff_row("F-1", "E-Fay", started=TODAY + timedelta(days=10)),
    )
    await Person.update({Person.given_name: "Bob", Person.family_name: "Baker"}).where(
        Person.employee_number == "E-Bob")
    lead = await make_user(org, "peer_lead", email="lead@north.example")
    supervisor = await make_user(org, "supervisor", email="sam@north.example")
    ann = await account_for(org, "E-Ann", "Ann")
    cat = await account_for(org, "E-Cat", "Cat")  # left, but her account was never deactivated
    await account_for(org, "E-Dan", "Dan")  # not a lived-experience post
    ivy = await make_user(org, "psw", email="ivy@north.example")  # no staff record: counted by her account
    await one_to_one(org, supervisor, ann, held_days_ago=10)
    await one_to_one(org, supervisor, cat, held_days_ago=200)

    rows = await compliance_table(lead.principal)
    # Most urgent first: no agreement though one could be made (ivy), then no account yet (Bob).
    assert [r.name for r in rows] == ["ivy", "Bob Baker", "Ann"]
    bob = rows[1]
    assert not bob.has_account and bob.account_id is None and bob.one_to_one is None and bob.group is None
    assert bob.person_id == await person_id(org, "E-Bob")
    assert rows[0].has_account and rows[0].person_id is None and rows[0].account_id == ivy.principal.account_id
    assert rows[2].has_account and rows[2].one_to_one.last_held == ago(10)

    api = (await client.get("/api/v1/supervision/compliance", headers=lead.headers)).json()
    assert [(r["name"], r["has_account"], r["account_id"]) for r in api][:2] == [
        ("ivy", True, str(ivy.principal.account_id)), ("Bob Baker", False, None)]

    secret = await accounts.open_session(lead.principal.account_id, org.id, session_hours=1, via="password")
    client.cookies.set("peerwork_session", secret)
    page = await client.get("/supervision/compliance")
    assert page.status_code == 200, page.text
    row = page.text[page.text.index("Bob Baker"):]
    assert "No account yet" in row[:row.index("</tr>")]
    assert "1 person has no account yet" in page.text
    assert "Cat" not in page.text and "Dan" not in page.text
