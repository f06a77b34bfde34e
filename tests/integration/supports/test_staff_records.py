"""The seven supports count people in post from the staff records, with or without an account.

A hand-built organisation, figures worked out by hand:

- Ann: lived-experience post, account; imported line manager Ula (untrained) but Mo (trained) set
  as her line manager in peerwork; role description read.
- Bob: lived-experience post, no account; imported line manager Mo (trained).
- Gus: two lived-experience assignments in a row, the current one ending today (still in post);
  no account; his line manager's number names no assignment.
- Hal: lived-experience post and two accounts (an old one with a held 1:1, a new one that read
  the role description); imported line manager Mo.
- ivy: a PSW account with no staff record (an organisation that has not imported everyone).
- Not counted: Cat left ten days ago (account still active, recent CPD); Dan holds a post that is
  not a lived-experience role (account with the psw role); Fay starts in ten days; Mo and Ula
  are managers in other posts; another organisation's PSW in post.
"""

from datetime import date, timedelta

import pytest

from peerwork.core import accounts
from peerwork.core.tables import Person
from peerwork.cpd.tables import LineManager, RoleAcknowledgement
from peerwork.supports.service import SUPPORTS, figures, overview, who_is_missing
from tests.development_helpers import (
    account_for,
    did,
    import_staff,
    make_course,
    one_to_one,
    person_id,
    staff_row,
)
from tests.factories import make_org, make_user

TODAY = date.today()


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


@pytest.fixture
async def staff():
    org = await make_org("north")
    await import_staff(
        org,
        staff_row("M-1", "E-Mo", started=ago(1000), lived_experience=False, title="Team Manager"),
        staff_row("U-1", "E-Ula", started=ago(1000), lived_experience=False, title="Team Manager"),
        staff_row("A-1", "E-Ann", started=ago(400), manager="U-1"),
        staff_row("B-1", "E-Bob", started=ago(100), manager="M-1"),
        staff_row("G-1", "E-Gus", started=ago(700), ended=ago(301), manager="M-1"),
        staff_row("G-2", "E-Gus", started=ago(300), ended=TODAY, title="Senior Peer Support Worker", manager="X-404"),
        staff_row("H-1", "E-Hal", started=ago(200), manager="M-1"),
        staff_row("C-1", "E-Cat", started=ago(800), ended=ago(10), manager="M-1"),
        staff_row("D-1", "E-Dan", started=ago(300), lived_experience=False, title="Mental Health Nurse", manager="M-1"),
        staff_row("F-1", "E-Fay", started=TODAY + timedelta(days=10), manager="M-1"),
    )
    await Person.update({Person.given_name: "Bob", Person.family_name: "Baker"}).where(
        Person.employee_number == "E-Bob")
    await Person.update({Person.given_name: "Fay", Person.family_name: "Fox"}).where(Person.employee_number == "E-Fay")
    u = {
        "mo": await account_for(org, "E-Mo", "Mo", "supervisor"),
        "ula": await account_for(org, "E-Ula", "Ula", "supervisor"),
        "ann": await account_for(org, "E-Ann", "Ann"),
        "hal_old": await account_for(org, "E-Hal", "Hal old", email="hal.old@north.example"),
        "hal": await account_for(org, "E-Hal", "Hal"),
        "cat": await account_for(org, "E-Cat", "Cat"),
        "dan": await account_for(org, "E-Dan", "Dan"),
        "ivy": await make_user(org, "psw", email="ivy@north.example"),
        "lead": await make_user(org, "peer_lead", email="lead@north.example"),
        "hr": await make_user(org, "hr", email="hr@north.example"),
    }
    core = await make_course(org, "Core", kind="core")
    managers_course = await make_course(org, "Managing peers", kind="manager", roles="supervisor")
    await did(org, u["mo"], ago(900), managers_course)
    await LineManager(organisation=org.id, account=u["ann"].principal.account_id,
                      manager=u["mo"].principal.account_id).save()
    for who in ("ann", "hal", "dan"):
        await RoleAcknowledgement(organisation=org.id, account=u[who].principal.account_id).save()
    await one_to_one(org, u["ula"], u["hal_old"], held_days_ago=30)
    await did(org, u["ivy"], ago(10), core)
    await did(org, u["cat"], ago(12), core)  # before she left: she is not counted all the same
    south = await make_org("south")
    await import_staff(south, staff_row("S-1", "E-Sam", started=ago(100)))
    return {"org": org, "south": south, **u}


async def test_everyone_in_post_in_a_lived_experience_role_is_counted_with_or_without_an_account(staff):
    got = {f.key: (f.received, f.psws, f.without_account) for f in await figures(staff["hr"].principal)}
    assert got == {
        "role_training": (1, 5, 2),
        "group_supervision": (0, 5, 2),
        "one_to_one_supervision": (1, 5, 2),
        "peer_leadership": (0, 5, 2),
        "manager_support": (3, 5, 2),
        "role_resources": (2, 5, 2),
        "ongoing_cpd": (1, 5, 2),
    }
    together, _ = await overview(staff["lead"].principal)
    assert together == await figures(staff["lead"].principal)


async def test_who_is_missing_what_names_people_without_accounts_and_marks_them(staff):
    rows = {p.name: p for p in await who_is_missing(staff["lead"].principal)}
    everything = list(SUPPORTS)
    assert {name: p.missing for name, p in rows.items()} == {
        "Ann": ["role_training", "group_supervision", "one_to_one_supervision", "peer_leadership", "ongoing_cpd"],
        # No account: nothing can be recorded for Bob, but his imported manager did the course.
        "Bob Baker": [k for k in everything if k != "manager_support"],
        "Employee E-Gus": everything,
        "Hal": ["role_training", "group_supervision", "peer_leadership", "ongoing_cpd"],
        "ivy": ["group_supervision", "one_to_one_supervision", "peer_leadership", "manager_support",
                "role_resources"],
    }
    assert [n for n, p in rows.items() if not p.has_account] == ["Bob Baker", "Employee E-Gus"]
    assert rows["Bob Baker"].account_id is None and rows["Bob Baker"].person_id == await person_id(staff["org"], "E-Bob")
    assert rows["ivy"].person_id is None and rows["ivy"].account_id == staff["ivy"].principal.account_id
    assert rows["Hal"].account_id in {staff["hal"].principal.account_id, staff["hal_old"].principal.account_id}


async def test_who_is_in_post_follows_the_day_asked_about(staff):
    def names(rows):
        return sorted(p.name for p in rows)

    # In ten days Fay has started and Gus has gone; twenty days ago Cat was still in post.
    assert names(await who_is_missing(staff["lead"].principal, TODAY + timedelta(days=10))) == [
        "Ann", "Bob Baker", "Fay Fox", "Hal", "ivy"]
    assert names(await who_is_missing(staff["lead"].principal, ago(20))) == [
        "Ann", "Bob Baker", "Cat", "Employee E-Gus", "Hal", "ivy"]


async def test_an_account_that_is_deactivated_still_counts_while_its_person_is_in_post(staff):
    admin = await make_user(staff["org"], "admin", email="admin@north.example")
    await accounts.update_account(admin.principal, staff["ann"].principal.account_id, is_active=False)
    rows = {p.name: p for p in await who_is_missing(staff["lead"].principal)}
    assert rows["Ann"].has_account and "role_resources" not in rows["Ann"].missing
    # An account with no staff record counts only while it is active.
    await accounts.update_account(admin.principal, staff["ivy"].principal.account_id, is_active=False)
    assert "ivy" not in {p.name for p in await who_is_missing(staff["lead"].principal)}


async def test_the_api_and_page_mark_people_with_no_account_and_hr_sees_figures_only(client, staff):
    response = await client.get("/api/v1/supports", headers=staff["hr"].headers)
    assert response.status_code == 200
    assert {f["key"]: (f["received"], f["psws"], f["without_account"]) for f in response.json()}[
        "manager_support"] == (3, 5, 2)
    assert (await client.get("/api/v1/supports/missing", headers=staff["hr"].headers)).status_code == 403
    rows = {r["name"]: r for r in (await client.get("/api/v1/supports/missing", headers=staff["lead"].headers)).json()}
    assert rows["Bob Baker"]["has_account"] is False and rows["Bob Baker"]["account_id"] is None
    assert rows["Ann"]["has_account"] is True and rows["Ann"]["person_id"] is not None

    secret = await accounts.open_session(staff["lead"].principal.account_id, staff["org"].id, session_hours=1,
                                         via="password")
    client.cookies.set("peerwork_session", secret)
    page = await client.get("/supports")
    assert page.status_code == 200, page.text
    assert "3 of 5" in page.text and "2 of 5 have no account yet" in page.text
    bob = page.text[page.text.index("Bob Baker"):]
    assert bob[:bob.index("</tr>")].count("(no account yet)") == 1
    assert "ivy <strong" not in page.text  # only people with no account are marked
