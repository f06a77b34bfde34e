"""Inviting from the pages HR uses (the people list, one person, everyone at once, the list of
invitations), and the limits on how often invitations and reset emails can be asked for."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from peerwork.accounts import invitations, passwords
from peerwork.core import accounts
from peerwork.core.errors import TooManyAttempts
from peerwork.core.settings import current_settings, use_settings
from peerwork.core.tables import Account, AuditLog, OutboxMessage, Person
from peerwork.workforce.importer import import_assignments
from tests.factories import PASSWORD, csv_text, make_org, make_user
from tests.integration.workforce.test_auth import csrf_from

TODAY = date.today()
START = TODAY - timedelta(days=200)


async def _signed_in_as(client, user, org) -> None:
    """A browser session for ``user`` that has passed its second factor (HR must use one)."""
    secret = await accounts.open_session(user.principal.account_id, org.id, session_hours=1, via="password")
    client.cookies.set("peerwork_session", secret)


async def _staff(org, *numbers: str, with_email: tuple[str, ...] = ()) -> dict[str, object]:
    rows = [f"A{n},{n},Peer Support Worker,Y,4,Ward 1,{START},,,1" for n in numbers]
    report = await import_assignments(org.id, csv_text(*rows).encode())
    assert report.ok, report.errors
    for n in with_email:
        await Person.update({Person.email: f"{n.lower()}@north.example"}).where(Person.employee_number == n)
    return {r["employee_number"]: r["id"] for r in await Person.select(Person.id, Person.employee_number)}


async def _mails_to(address: str) -> int:
    return await OutboxMessage.count().where(OutboxMessage.to_address == address)


async def test_hr_invites_one_person_from_the_people_page_and_sees_it_pending_then_replaced(client):
    org = await make_org()
    hr = await make_user(org, "hr")
    people = await _staff(org, "E1", with_email=("E1",))
    await _signed_in_as(client, hr, org)

    listing = await client.get("/people")
    assert listing.status_code == 200
    row = listing.text[listing.text.index(">E1<"):]
    row = row[:row.index("</tr>")]
    assert "No account yet" in row and f'href="/people/{people["E1"]}/invite"' in row

    form = await client.get(f"/people/{people['E1']}/invite")
    assert form.status_code == 200 and 'value="e1@north.example"' in form.text
    assert 'value="admin"' not in form.text  # HR may not hand out the admin role
    sent = await client.post(f"/people/{people['E1']}/invite", data={
        "email": "e1@north.example", "role": "psw", "_csrf_token": csrf_from(form.text)}, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"].startswith("/invitations?status=pending")
    assert await _mails_to("e1@north.example") == 1
    account = await Account.objects().where(Account.email == "e1@north.example").first()
    assert account.person == people["E1"] and account.password_hash is None

    pending = await client.get("/invitations?status=pending")
    assert "e1@north.example" in pending.text and "<td>Pending</td>" in pending.text
    after = await client.get("/people")
    assert "Invited, not yet accepted" in after.text and "Invite again" in after.text

    again = await client.get(f"/people/{people['E1']}/invite")
    await client.post(f"/people/{people['E1']}/invite", data={
        "email": "e1@north.example", "role": "psw", "_csrf_token": csrf_from(again.text)}, follow_redirects=False)
    everything = (await client.get("/invitations")).text
    assert everything.count("<td>Replaced by a newer one</td>") == 1 and everything.count("<td>Pending</td>") == 1

    bad = await client.post(f"/people/{people['E1']}/invite", data={
        "email": "not an address", "role": "psw", "_csrf_token": csrf_from(again.text)}, follow_redirects=False)
    assert bad.status_code == 422 and "not an email address" in bad.text


@pytest.mark.parametrize(("days", "hint"), [(3, "works once, for 3 days."), (1, "works once, for 1 day.")])
async def test_the_invite_form_says_how_long_the_link_works_as_configured(client, days, hint):
    org = await make_org()
    hr = await make_user(org, "hr")
    people = await _staff(org, "E1", with_email=("E1",))
    await _signed_in_as(client, hr, org)
    before = current_settings()
    use_settings(before.with_overrides(invitation_days=days))  # as PEERWORK_INVITATION_DAYS sets it
    try:
        form = await client.get(f"/people/{people['E1']}/invite")
        assert form.status_code == 200 and hint in form.text and "7 days" not in form.text
        bad = await client.post(f"/people/{people['E1']}/invite", data={
            "email": "not an address", "role": "psw", "_csrf_token": csrf_from(form.text)}, follow_redirects=False)
        assert bad.status_code == 422 and hint in bad.text  # the form shown again says the same
    finally:
        use_settings(before)


async def test_the_bulk_page_counts_first_then_invites_everyone_it_counted(client):
    org = await make_org()
    hr = await make_user(org, "hr")
    await _staff(org, "E1", "E2", "E3", with_email=("E1", "E2"))
    await _signed_in_as(client, hr, org)

    counted = await client.get("/people/invite")
    assert counted.status_code == 200
    assert re.search(r"<strong>2</strong> can be invited now", counted.text)
    assert re.search(r"<strong>1</strong> cannot", counted.text)
    assert await OutboxMessage.count() == 0  # counting sends nothing

    done = await client.post("/people/invite", data={"_csrf_token": csrf_from(counted.text)})
    assert done.status_code == 200 and "2 invitations sent" in done.text
    assert re.search(r"<strong>0</strong> can be invited now", done.text)
    assert await _mails_to("e1@north.example") == await _mails_to("e2@north.example") == 1
    assert await AuditLog.count().where((AuditLog.action == "invite") & AuditLog.record_id.is_not_null()) == 2


async def test_one_person_inviting_is_limited_per_hour_as_well_as_each_address():
    org = await make_org()
    hr, other_hr = await make_user(org, "hr"), await make_user(org, "hr", email="hr2@north.example")
    for n in range(invitations.INVITES_PER_INVITER_PER_HOUR):
        await invitations.invite(hr.principal, email=f"person{n}@north.example", role="psw")
    with pytest.raises(TooManyAttempts, match="invitations in the last hour"):
        await invitations.invite(hr.principal, email="one.more@north.example", role="psw")
    assert await _mails_to("one.more@north.example") == 0
    # Someone else inviting is not held back by it.
    await invitations.invite(other_hr.principal, email="one.more@north.example", role="psw")
    assert await _mails_to("one.more@north.example") == 1


async def test_reset_emails_are_limited_per_address_and_requests_per_client_saying_nothing_of_who_exists():
    org = await make_org()
    psw = await make_user(org, "psw", password=PASSWORD)
    for n in range(passwords.RESETS_PER_ADDRESS_PER_HOUR + 2):
        await passwords.request_reset(psw.email, client=f"10.0.0.{n}")  # a different client each time
    assert await _mails_to(psw.email) == passwords.RESETS_PER_ADDRESS_PER_HOUR

    for n in range(passwords.RESETS_PER_CLIENT_PER_HOUR):
        await passwords.request_reset(f"nobody{n}@north.example", client="10.9.9.9")
    for address in ("someone.else@north.example", "another@south.example"):  # known or not, the same refusal
        with pytest.raises(TooManyAttempts, match="Too many reset requests from here"):
            await passwords.request_reset(address, client="10.9.9.9")


async def test_the_forgot_page_answers_the_same_once_a_client_has_asked_too_often(client):
    org = await make_org()
    psw = await make_user(org, "psw", password=PASSWORD)
    page = await client.get("/password/forgot")
    for n in range(passwords.RESETS_PER_CLIENT_PER_HOUR):
        await client.post("/password/forgot", data={"email": f"nobody{n}@north.example",
                                                    "_csrf_token": csrf_from(page.text)})
    known = await client.post("/password/forgot", data={"email": psw.email, "_csrf_token": csrf_from(page.text)})
    unknown = await client.post("/password/forgot", data={"email": "who@north.example",
                                                          "_csrf_token": csrf_from(page.text)})
    assert known.status_code == unknown.status_code == 429
    assert "Too many reset requests" in known.text and "Too many reset requests" in unknown.text
    assert await _mails_to(psw.email) == 0
