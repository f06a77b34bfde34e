"""CPD compliance lists lived-experience staff in post with no account yet (marked, held to the
PSW's mandatory courses), and leaves out, and never reminds, people who have left."""

import csv
import io
from datetime import date, timedelta

from peerwork.core import accounts
from peerwork.core.tables import OutboxMessage, Person
from peerwork.cpd.report import compliance, remind_expiring
from tests.development_helpers import account_for, did, import_staff, make_course, person_id, staff_row
from tests.factories import make_org, make_user

TODAY = date(2026, 6, 1)


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


async def test_people_without_accounts_are_listed_marked_and_leavers_are_left_out(client):
    org = await make_org("north")
    await import_staff(
        org,
        staff_row("A-1", "E-Ann", started=ago(400)),
        staff_row("B-1", "E-Bob", started=ago(3)),
        staff_row("C-1", "E-Cat", started=ago(800), ended=ago(10)),
        staff_row("F-1", "E-Fay", started=TODAY + timedelta(days=10)),
    )
    await Person.update({Person.given_name: "Bob", Person.family_name: "Baker"}).where(
        Person.employee_number == "E-Bob")
    await Person.update({Person.given_name: "Fay", Person.family_name: "Fox"}).where(Person.employee_number == "E-Fay")
    ann = await account_for(org, "E-Ann", "Ann")
    cat = await account_for(org, "E-Cat", "Cat")  # left; her account is still active
    hr = await make_user(org, "hr", email="hr@north.example")
    await make_course(org, "Induction", kind="induction", roles="psw")
    core = await make_course(org, "Core", kind="core", roles="psw", renewal_months=12)
    # Both did core training that expires 30 days from TODAY.
    await did(org, ann, date(2025, 7, 1), core)
    await did(org, cat, date(2025, 7, 1), core)

    rows = {p.name: p for p in await compliance(org.id, TODAY)}
    assert set(rows) == {"Ann", "Bob Baker", "hr"}
    bob = rows["Bob Baker"]
    assert not bob.has_account and bob.account_id is None and bob.roles == []
    assert bob.person_id == await person_id(org, "E-Bob") and bob.started_on == ago(3)
    assert [(c.title, c.status) for c in bob.courses] == [("Induction", "due"), ("Core", "due")]
    assert bob.induction_late is True  # flagged from day one: nothing can be booked without an account
    assert rows["Ann"].has_account and rows["Ann"].person_id == await person_id(org, "E-Ann")

    # The expiry reminder goes to Ann only: Cat has left, Bob has no account.
    assert await remind_expiring(org.id, TODAY) == 1
    assert [m["to_address"] for m in await OutboxMessage.select(OutboxMessage.to_address)] == [ann.email]

    response = await client.get("/api/v1/cpd/compliance.csv", headers=hr.headers)
    exported = {(r["name"], r["has_account"]) for r in csv.DictReader(io.StringIO(response.text))}
    # (as of the real today, by when Fay has started too)
    assert exported == {("Ann", "yes"), ("Bob Baker", "no account yet"), ("Fay Fox", "no account yet"), ("hr", "yes")}


async def test_the_page_marks_people_with_no_account(client):
    org = await make_org("north")
    today = date.today()
    await import_staff(org, staff_row("B-1", "E-Bob", started=today - timedelta(days=30)))
    await Person.update({Person.given_name: "Bob", Person.family_name: "Baker"}).where(
        Person.employee_number == "E-Bob")
    hr = await make_user(org, "hr", email="hr@north.example")
    api = (await client.get("/api/v1/cpd/compliance", headers=hr.headers)).json()
    assert {(r["name"], r["has_account"]) for r in api} == {("Bob Baker", False), ("hr", True)}
    client.cookies.set("peerwork_session", await accounts.open_session(hr.principal.account_id, org.id,
                                                                       session_hours=1, via="password"))
    page = await client.get("/cpd/compliance")
    assert page.status_code == 200, page.text
    assert "Bob Baker <span class=\"no-account\">(no account yet)</span>" in page.text
    assert "1 person has no account yet" in page.text


async def test_someone_whose_only_account_is_deactivated_is_still_listed():
    org = await make_org("north")
    today = date.today()
    await import_staff(org, staff_row("A-1", "E-Ann", started=today - timedelta(days=30)))
    ann = await account_for(org, "E-Ann", "Ann")
    admin = await make_user(org, "admin", email="admin@north.example")
    await accounts.update_account(admin.principal, ann.principal.account_id, is_active=False)
    rows = {p.name: p for p in await compliance(org.id, today)}
    assert set(rows) == {"Employee E-Ann", "admin"} and not rows["Employee E-Ann"].has_account
