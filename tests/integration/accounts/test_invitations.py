"""People get in: invitations (one, or everyone after an import), password reset and change,
sessions ended, leavers' access ended, and a hire invited on their first-day email."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from peerwork.accounts import invitations, passwords
from peerwork.accounts.leavers import end_access_of_leavers
from peerwork.accounts.tables import Invitation, PasswordReset
from peerwork.core import accounts
from peerwork.core.errors import Conflict, PermissionDenied, TooManyAttempts
from peerwork.core.tables import Account, AuditLog, LoginSession, Membership, OutboxMessage, Person
from peerwork.workforce.importer import import_assignments
from tests.factories import PASSWORD, csv_text, make_org, make_user
from tests.integration.workforce.test_auth import csrf_from, sign_in

GOOD_PASSWORD = "lantern meadow copper kettle"
TODAY = date.today()


def link_in(body: str, kind: str) -> str:
    return re.search(rf"https?://[^\s]+(/{kind}/[A-Za-z0-9_\-]+)", body).group(1)


async def staff(org, *rows: str) -> None:
    report = await import_assignments(org.id, csv_text(*rows).encode())
    assert report.ok, report.errors


async def person_id(org, number: str):
    return (await Person.select(Person.id).where(
        (Person.organisation == org.id) & (Person.employee_number == number)).first())["id"]


async def emails_to(address: str) -> list[dict]:
    return await OutboxMessage.select(OutboxMessage.subject, OutboxMessage.body_text).where(
        OutboxMessage.to_address == address).order_by(OutboxMessage.created_at)


async def signed_out(client) -> bool:
    """The browser's session no longer works: its next page sends it to sign in."""
    response = await client.get("/profile", follow_redirects=False)
    return response.status_code in (302, 303) and response.headers["location"].startswith("/login")


async def post_form(client, path: str, data: dict):
    page = await client.get(path)
    return await client.post(path, data={**data, "_csrf_token": csrf_from(page.text)}, follow_redirects=False)


async def test_an_invited_person_sets_their_password_is_signed_in_and_linked_to_their_staff_record(client):
    org = await make_org()
    hr = await make_user(org, "hr")
    await staff(org, f"A1,E1,Peer Support Worker,Y,4,Ward 1,{TODAY - timedelta(days=30)},,,1")
    await Person.update({Person.email: "sam.peer@north.example"}).where(Person.employee_number == "E1")
    pid = await person_id(org, "E1")

    view = await invitations.invite(hr.principal, email=None, role="psw", person_id=pid)
    assert view.status == "pending" and view.email == "sam.peer@north.example"
    assert view.expires_at - view.created_at == timedelta(days=7)
    [mail] = await emails_to("sam.peer@north.example")
    path = link_in(mail["body_text"], "invitations")
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 43  # 256 random bits
    assert not await Invitation.exists().where(Invitation.token_hash == token)  # only its hash is kept
    assert await Invitation.exists().where(Invitation.token_hash == accounts.digest(token))
    assert token not in str(await AuditLog.select(AuditLog.detail).output(as_list=True))

    page = await client.get(path)
    assert page.status_code == 200 and "sam.peer@north.example" in page.text and "North Trust" in page.text
    weak = await post_form(client, path, {"password": "password1234", "confirm": "password1234"})
    assert weak.status_code == 422 and "common password" in weak.text
    mismatch = await post_form(client, path, {"password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD + "!"})
    assert mismatch.status_code == 422 and "not the same" in mismatch.text

    accepted = await post_form(client, path, {"password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD})
    assert accepted.status_code == 303 and accepted.headers["location"] == "/"
    assert "peerwork_session=" in accepted.headers["set-cookie"]
    assert (await client.get("/profile")).status_code == 200
    account = await Account.objects().where(Account.email == "sam.peer@north.example").first()
    assert account.person == pid and account.password_hash.startswith("$argon2id$")
    assert await Membership.exists().where((Membership.account == account.id) & (Membership.role == "psw"))
    assert (await invitations.get_invitation(hr.principal, view.id)).status == "accepted"

    again = await client.get(path)
    assert again.status_code == 410 and "already been used" in again.text
    reused = await client.post(path, data={"password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD,
                                           "_csrf_token": csrf_from(again.text)})
    assert reused.status_code == 410
    assert await AuditLog.exists().where((AuditLog.action == "accept") & (AuditLog.table_name == "invitation"))


async def test_reinviting_replaces_the_link_and_an_expired_link_says_what_to_do(client):
    org = await make_org()
    admin = await make_user(org, "admin")
    first = await invitations.invite(admin.principal, email="lee@north.example", role="peer_lead")
    second = await invitations.invite(admin.principal, email="lee@north.example", role="peer_lead")
    assert (await invitations.get_invitation(admin.principal, first.id)).status == "revoked"
    old_path, new_path = [link_in(m["body_text"], "invitations") for m in await emails_to("lee@north.example")]
    assert "replaced by a newer one" in (await client.get(old_path)).text
    await Invitation.update({Invitation.expires_at: Invitation.created_at - timedelta(seconds=1)}).where(
        Invitation.id == second.id)
    expired = await client.get(new_path)
    assert expired.status_code == 410 and "expired" in expired.text and "North Trust" in expired.text
    assert (await invitations.get_invitation(admin.principal, second.id)).status == "expired"
    made_up = await client.get("/invitations/not-a-real-token")
    assert made_up.status_code == 410 and "not valid" in made_up.text


async def test_only_admin_and_hr_invite_and_only_an_admin_grants_admin(client):
    org = await make_org()
    hr, lead = await make_user(org, "hr"), await make_user(org, "peer_lead")
    with pytest.raises(PermissionDenied):
        await invitations.invite(hr.principal, email="boss@north.example", role="admin")
    with pytest.raises(PermissionDenied):
        await invitations.invite(lead.principal, email="someone@north.example", role="psw")
    api = await client.post("/api/v1/invitations", json={"email": "x@north.example", "role": "admin"}, headers=hr.headers)
    assert api.status_code == 403
    ok = await client.post("/api/v1/invitations", json={"email": "x@north.example", "role": "psw"}, headers=hr.headers)
    assert ok.status_code == 201 and ok.json()["status"] == "pending" and "token" not in ok.text


async def test_invitations_to_one_address_are_rate_limited():
    org = await make_org()
    hr = await make_user(org, "hr")
    for _ in range(invitations.INVITES_PER_ADDRESS_PER_HOUR):
        await invitations.invite(hr.principal, email="many@north.example", role="psw")
    with pytest.raises(TooManyAttempts):
        await invitations.invite(hr.principal, email="many@north.example", role="psw")


async def test_someone_who_can_already_sign_in_with_that_role_is_not_invited():
    org = await make_org()
    hr = await make_user(org, "hr")
    psw = await make_user(org, "psw", password=PASSWORD)
    with pytest.raises(Conflict):
        await invitations.invite(hr.principal, email=psw.email, role="psw")


async def test_bulk_invite_counts_first_then_invites_everyone_in_a_lived_experience_role_without_an_account(client):
    org = await make_org()
    hr = await make_user(org, "hr")
    start, ended = TODAY - timedelta(days=400), TODAY - timedelta(days=10)
    await staff(org,
                f"A1,E1,Peer Support Worker,Y,4,Ward 1,{start},,,1",
                f"A2,E2,Peer Support Worker,Y,4,Ward 1,{start},,,1",
                f"A3,E3,Peer Support Worker,Y,4,Ward 1,{start},,,1",  # no email
                f"A4,E4,Peer Support Worker,Y,4,Ward 1,{start},{ended},Left,1",  # a leaver
                f"A5,E5,Staff Nurse,N,5,Ward 1,{start},,,1",  # not a lived-experience role
                f"A6,E6,Peer Support Worker,Y,4,Ward 1,{TODAY + timedelta(days=20)},,,1")  # not started
    for number in ("E1", "E2", "E4", "E5", "E6"):
        await Person.update({Person.email: f"{number.lower()}@north.example"}).where(Person.employee_number == number)
    already = await make_user(org, "psw", email="e2.other@north.example")
    await Account.update({Account.person: await person_id(org, "E2")}).where(
        Account.id == already.principal.account_id)

    counted = await client.post("/api/v1/invitations/lived-experience?dry_run=true", headers=hr.headers)
    assert counted.status_code == 201 and counted.json() == {"eligible": 1, "without_email": 1, "invited": 0}
    assert await OutboxMessage.count() == 0

    done = await invitations.invite_everyone_in_lived_experience_roles(hr.principal)
    assert (done.eligible, done.without_email, done.invited) == (1, 1, 1)
    [mail] = await emails_to("e1@north.example")
    assert "/invitations/" in mail["body_text"]
    account = await Account.objects().where(Account.email == "e1@north.example").first()
    assert account.person == await person_id(org, "E1") and account.password_hash is None
    assert await AuditLog.count().where((AuditLog.action == "invite") & (AuditLog.record_id.is_not_null())) == 1
    again = await invitations.invite_everyone_in_lived_experience_roles(hr.principal)
    assert again.invited == 0 and await OutboxMessage.count() == 1


async def test_reset_never_says_whether_an_address_exists_and_using_the_link_ends_every_other_session(app, client):
    from tests.conftest import http_client

    org = await make_org()
    psw = await make_user(org, "psw", password=PASSWORD)
    async with http_client(app) as laptop, http_client(app) as phone:
        await sign_in(laptop, psw.email, PASSWORD)
        await sign_in(phone, psw.email, PASSWORD)
        assert (await laptop.get("/profile")).status_code == 200

        known = await post_form(client, "/password/forgot", {"email": psw.email})
        unknown = await post_form(client, "/password/forgot", {"email": "nobody@north.example"})
        assert known.status_code == unknown.status_code == 200
        strip = lambda text: re.sub(r'name="_csrf_token" value="[^"]+"', "", text)  # noqa: E731
        assert strip(known.text) == strip(unknown.text)
        [mail] = await emails_to(psw.email)
        assert await OutboxMessage.count() == 1
        path = link_in(mail["body_text"], "password/reset")

        done = await post_form(client, path, {"password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD})
        assert done.status_code == 303 and "peerwork_session=" in done.headers["set-cookie"]
        assert await signed_out(laptop)
        assert await signed_out(phone)
        assert (await client.get("/profile")).status_code == 200
        assert await LoginSession.count() == 1
        used = await client.get(path)
        assert used.status_code == 410 and "Ask for a new one" in used.text
    signed = await accounts.sign_in(psw.email, GOOD_PASSWORD, session_hours=1, max_failures=5, window_minutes=15)
    assert not signed.second_factor_due  # the new password works
    assert await AuditLog.exists().where((AuditLog.action == "reset") & (AuditLog.table_name == "account"))


async def test_an_expired_reset_link_is_refused():
    org = await make_org()
    psw = await make_user(org, "psw", password=PASSWORD)
    await passwords.request_reset(psw.email, client="10.0.0.9")
    [mail] = await emails_to(psw.email)
    token = link_in(mail["body_text"], "password/reset").rsplit("/", 1)[1]
    await PasswordReset.update({PasswordReset.expires_at: PasswordReset.created_at}).where(
        PasswordReset.id.is_not_null())
    with pytest.raises(passwords.LinkNotUsable, match="expired"):
        await passwords.reset_password(token, GOOD_PASSWORD, session_hours=1)


async def test_changing_a_password_needs_the_current_one_and_signs_out_everywhere_else(app, client):
    from tests.conftest import http_client

    org = await make_org()
    psw = await make_user(org, "psw", password=PASSWORD)
    await sign_in(client, psw.email, PASSWORD)
    async with http_client(app) as other:
        await sign_in(other, psw.email, PASSWORD)
        page = await client.get("/profile")
        assert "Where you are signed in" in page.text and "(this browser)" in page.text
        wrong = await client.post("/profile/password", data={
            "current_password": "not my password", "password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD,
            "_csrf_token": csrf_from(page.text)})
        assert wrong.status_code == 422 and "not your current password" in wrong.text
        changed = await client.post("/profile/password", data={
            "current_password": PASSWORD, "password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD,
            "_csrf_token": csrf_from(page.text)})
        assert changed.status_code == 200 and "1 other session(s) were signed out" in changed.text
        assert await signed_out(other)
        assert (await client.get("/profile")).status_code == 200


async def test_a_person_ends_one_of_their_other_sessions(app, client):
    from tests.conftest import http_client

    org = await make_org()
    psw = await make_user(org, "psw", password=PASSWORD)
    await sign_in(client, psw.email, PASSWORD)
    async with http_client(app) as other:
        await sign_in(other, psw.email, PASSWORD)
        mine = accounts.digest(client.cookies.get("peerwork_session"))
        sessions = await passwords.active_sessions(psw.principal, current_hash=mine)
        assert sorted(s["current"] for s in sessions) == [False, True]
        target = next(s for s in sessions if not s["current"])
        page = await client.get("/profile")
        assert f'/profile/sessions/{target["id"]}/end' in page.text
        ended = await client.post(f"/profile/sessions/{target['id']}/end",
                                  data={"_csrf_token": csrf_from(page.text)}, follow_redirects=False)
        assert ended.status_code == 303
        assert await signed_out(other)
        assert (await client.get("/profile")).status_code == 200


async def test_a_leavers_access_ends_the_day_after_their_last_assignment_and_their_records_stay():
    org = await make_org()
    await staff(org, f"A1,E1,Peer Support Worker,Y,4,Ward 1,{TODAY - timedelta(days=400)},{TODAY},Resigned,1",
                f"A2,E2,Peer Support Worker,Y,4,Ward 1,{TODAY - timedelta(days=400)},,,1")
    leaver = await make_user(org, "psw", email="leaver@north.example")
    stayer = await make_user(org, "psw", email="stayer@north.example")
    for user, number in ((leaver, "E1"), (stayer, "E2")):
        await Account.update({Account.person: await person_id(org, number)}).where(
            Account.id == user.principal.account_id)
    assert await end_access_of_leavers(TODAY) == []  # still in post on their last day
    assert await end_access_of_leavers(TODAY + timedelta(days=1)) == [leaver.principal.account_id]
    assert await accounts.authenticate_token(leaver.token) is None
    assert await accounts.authenticate_token(stayer.token) is not None
    assert await Person.exists().where(Person.employee_number == "E1")
    assert await AuditLog.exists().where((AuditLog.action == "deactivate") & (AuditLog.table_name == "account"))


async def test_an_admin_resets_someone_elses_lost_authenticator_but_never_their_own(client):
    from peerwork.accounts import mfa
    from peerwork.accounts.tables import RecoveryCode
    from peerwork.core.errors import NotFound
    from tests.integration.accounts.mfa_helpers import enrol

    org, other = await make_org(), await make_org("south")
    admin, psw = await make_user(org, "admin"), await make_user(org, "psw", password=PASSWORD)
    outsider = await make_user(other, "psw")
    await enrol(psw.principal.account_id, org.id)
    await accounts.open_session(psw.principal.account_id, org.id, session_hours=1, via="password")
    with pytest.raises(PermissionDenied):
        await mfa.reset_by_admin(admin.principal, admin.principal.account_id)
    with pytest.raises(NotFound):
        await mfa.reset_by_admin(admin.principal, outsider.principal.account_id)
    lead = await make_user(org, "peer_lead")
    refused = await client.post(f"/api/v1/accounts/{psw.principal.account_id}/second-factor/reset", headers=lead.headers)
    assert refused.status_code == 403

    done = await client.post(f"/api/v1/accounts/{psw.principal.account_id}/second-factor/reset", headers=admin.headers)
    assert done.status_code == 204
    account = await Account.objects().where(Account.id == psw.principal.account_id).first()
    assert account.totp_secret is None and account.totp_enabled_at is None
    assert not await RecoveryCode.exists().where(RecoveryCode.account == account.id)
    assert not await LoginSession.exists().where(LoginSession.account == account.id)
    assert not await accounts.second_factor_needed(account.id, org.id)  # a PSW: back to a password alone
    assert await AuditLog.exists().where((AuditLog.action == "reset") & (AuditLog.record_id == str(account.id)))
