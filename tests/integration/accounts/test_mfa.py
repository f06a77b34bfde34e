"""Two-step sign-in: a password alone is not enough for admin and HR (or anyone, when the
organisation asks); codes from an app with one step of drift, never twice; recovery codes once;
wrong codes limited; the secret encrypted; turning it off only where allowed; all audited."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pyotp
import pytest

from peerwork.accounts import mfa
from peerwork.accounts.tables import RecoveryCode
from peerwork.core import accounts, crypto
from peerwork.core.errors import InvalidInput, PermissionDenied
from peerwork.core.tables import Account, AuditLog, LoginAttempt, LoginSession, Organisation
from peerwork.core.time import now
from tests.factories import PASSWORD, make_org, make_user
from tests.integration.accounts.mfa_helpers import (
    code_at, csrf_from, enrol, finish_second_factor, next_code, wrong_code,
)
from tests.integration.workforce.test_auth import sign_in

STEP = timedelta(seconds=mfa.STEP_SECONDS)


async def post_code(client, code: str, next_: str = "/", path: str = "/login/code"):
    page = await client.get(f"{path}?next={next_}")
    return await client.post(path, data={"code": code, "next": next_, "_csrf_token": csrf_from(page.text)},
                             follow_redirects=False)


async def signed_in_with_code(client, user, code: str | None = None, next_: str = "/"):
    response = await sign_in(client, user.email, PASSWORD, next_)
    assert response.status_code == 303 and response.headers["location"].startswith("/login/code")
    return await post_code(client, code or await next_code(user.principal.account_id), next_)


async def sign_out(client) -> None:
    page = await client.get("/profile")
    await client.post("/logout", data={"_csrf_token": csrf_from(page.text)})


async def is_signed_in(client) -> bool:
    return (await client.get("/profile", follow_redirects=False)).status_code == 200


async def audit_details() -> str:
    """Everything the audit log says beyond who and when (identifiers could contain any digits)."""
    rows = await AuditLog.select(AuditLog.action, AuditLog.detail).output(load_json=True)
    return json.dumps(rows, default=str)


# --- signing in -------------------------------------------------------------------------


async def test_an_admins_password_alone_does_not_sign_in_until_the_code_is_given(client):
    org = await make_org()
    admin = await make_user(org, "admin", password=PASSWORD)
    await enrol(admin.principal.account_id, org.id)

    response = await sign_in(client, admin.email, PASSWORD, next_="/people")
    assert response.status_code == 303 and response.headers["location"] == "/login/code?next=/people"
    assert "peerwork_session=" in response.headers["set-cookie"]
    session = await LoginSession.objects().first()
    assert session.second_factor_due is True
    # The pending cookie identifies nobody: protected pages still send the person to sign in.
    for path in ("/people", "/profile", "/profile/security"):
        blocked = await client.get(path, follow_redirects=False)
        assert blocked.status_code == 302 and blocked.headers["location"].startswith("/login"), path

    page = await client.get("/login/code?next=/people")
    assert page.status_code == 200 and "<h1>Enter your code</h1>" in page.text
    assert 'autocomplete="one-time-code"' in page.text and 'inputmode="numeric"' in page.text
    assert page.headers["cache-control"] == "no-store"
    wrong = await post_code(client, wrong_code(await _secret(admin)), "/people")
    assert wrong.status_code == 422 and "That code is not right" in wrong.text
    assert (await client.get("/people", follow_redirects=False)).status_code == 302

    done = await post_code(client, await next_code(admin.principal.account_id), "/people")
    assert done.status_code == 303 and done.headers["location"] == "/people"
    assert (await LoginSession.objects().first()).second_factor_due is False
    page = await client.get("/people")
    assert page.status_code == 200 and "<h1>People</h1>" in page.text


async def _secret(user) -> str:
    account = await Account.objects().where(Account.id == user.principal.account_id).first()
    return crypto.decrypt(account.totp_secret, purpose="totp")


async def test_hr_without_an_app_sets_one_up_while_signing_in_and_gets_recovery_codes(client):
    org = await make_org()
    hr = await make_user(org, "hr", password=PASSWORD)
    response = await sign_in(client, hr.email, PASSWORD, next_="/people")
    assert response.headers["location"] == "/login/setup-code?next=/people"
    assert (await client.get("/people", follow_redirects=False)).status_code == 302

    page = await client.get("/login/setup-code?next=/people")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    secret = re.search(r'id="totp-key">([A-Z2-7 ]+)<', page.text).group(1).replace(" ", "")
    assert len(secret) == 32
    assert re.search(r'<svg role="img" aria-label="QR code[^"]*"[^>]*>.*<path', page.text, flags=re.DOTALL)
    assert (await Account.objects().where(Account.id == hr.principal.account_id).first()).totp_enabled_at is None

    token = csrf_from(page.text)
    typo = await client.post("/login/setup-code", data={"code": "12345x", "next": "/people", "_csrf_token": token})
    assert typo.status_code == 422 and "6-digit code" in typo.text
    assert " ".join(secret[i:i + 4] for i in range(0, 32, 4)) in typo.text
    assert (await client.get("/people", follow_redirects=False)).status_code == 302

    done = await client.post("/login/setup-code", data={"code": pyotp.TOTP(secret).now(), "next": "/people",
                                                        "_csrf_token": token})
    assert done.status_code == 200 and "Save your recovery codes" in done.text
    assert done.headers["cache-control"] == "no-store"
    codes = re.findall(r'<code class="token">([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code>', done.text)
    assert len(codes) == 10 == len(set(codes))
    assert 'action="/login/continue"' in done.text and 'name="next" value="/people"' in done.text
    onward = await client.get("/login/continue?next=/people", follow_redirects=False)
    assert onward.headers["location"] == "/people"
    assert (await client.get("/people")).status_code == 200

    # Stored: the secret only encrypted (it opens with the key, for this purpose only), the
    # recovery codes only as hashes.
    account = await Account.objects().where(Account.id == hr.principal.account_id).first()
    assert account.totp_enabled_at is not None
    assert secret not in account.totp_secret and account.totp_secret.startswith("v1.t1.")
    assert crypto.decrypt(account.totp_secret, purpose="totp") == secret
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(account.totp_secret, purpose="sso")
    stored = await RecoveryCode.select(RecoveryCode.code_hash).output(as_list=True)
    assert len(stored) == 10 and not {c for c in codes} & set(stored)
    assert not any(c.replace("-", "") in h for c in codes for h in stored)


async def test_the_code_pages_need_a_sign_in_that_is_waiting_for_one(client):
    org = await make_org()
    psw = await make_user(org, "psw", password=PASSWORD)
    for path in ("/login/code?next=/people", "/login/setup-code?next=/people"):
        page = await client.get(path)
        assert page.status_code == 401 and "timed out" in page.text and 'action="/login"' in page.text
    refused = await client.post("/login/setup-code", data={"code": "123456"})
    assert refused.status_code == 403  # no CSRF token: never even looked at
    # A person signed in without a second factor has nothing to give.
    await sign_in(client, psw.email, PASSWORD)
    assert (await client.get("/login/code?next=/cpd", follow_redirects=False)).headers["location"] == "/cpd"
    assert (await client.get("/login/setup-code", follow_redirects=False)).headers["location"] == "/"


async def test_a_sign_in_that_waited_too_long_for_its_code_starts_again(client):
    org = await make_org()
    admin = await make_user(org, "admin", password=PASSWORD)
    secret, _ = await enrol(admin.principal.account_id, org.id)
    await sign_in(client, admin.email, PASSWORD)
    page = await client.get("/login/code")
    await LoginSession.update({LoginSession.created_at: now() - mfa.PENDING_FOR - timedelta(minutes=1)}).where(
        LoginSession.second_factor_due == True)  # noqa: E712
    late = await client.post("/login/code", data={"code": code_at(secret), "next": "/",
                                                  "_csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert late.status_code == 401 and "Your sign-in timed out" in late.text
    assert 'peerwork_session=""' in late.headers["set-cookie"] or "Max-Age=0" in late.headers["set-cookie"]
    assert not await is_signed_in(client)
    assert (await LoginSession.objects().first()).second_factor_due is True


async def test_next_is_kept_on_this_site_through_the_code_step(client):
    org = await make_org()
    admin = await make_user(org, "admin", password=PASSWORD)
    await enrol(admin.principal.account_id, org.id)
    response = await sign_in(client, admin.email, PASSWORD, next_="//evil.example/x")
    assert response.headers["location"] == "/login/code"
    page = await client.get("/login/code?next=https://evil.example/")
    assert 'name="next" value="/"' in page.text
    done = await client.post("/login/code", data={"code": await next_code(admin.principal.account_id),
                                                  "next": "//evil.example/x", "_csrf_token": csrf_from(page.text)},
                             follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/"
    assert (await client.get("/login/continue?next=//evil.example", follow_redirects=False)).headers["location"] == "/"


# --- codes ------------------------------------------------------------------------------


async def test_one_step_of_clock_drift_is_accepted_either_way_and_two_are_not():
    org = await make_org()
    psw = await make_user(org, "psw")
    secret, _ = await enrol(psw.principal.account_id, org.id)
    account, totp = psw.principal.account_id, pyotp.TOTP(secret)
    later = now() + timedelta(minutes=10)  # well past the step used to enrol

    for steps in (-2, 2):
        with pytest.raises(InvalidInput, match="not right"):
            await mfa.verify(account, org.id, totp.at(later + steps * STEP), at=later)
    assert await mfa.verify(account, org.id, totp.at(later - STEP), at=later) == "totp"
    assert await mfa.verify(account, org.id, totp.at(later + STEP), at=later) == "totp"
    row = await Account.objects().where(Account.id == account).first()
    assert row.totp_last_step == totp.timecode(later + STEP)


async def test_a_code_is_accepted_once_and_never_replayed(client):
    org = await make_org()
    admin = await make_user(org, "admin", password=PASSWORD)
    await enrol(admin.principal.account_id, org.id)
    code = await next_code(admin.principal.account_id)
    first = await signed_in_with_code(client, admin, code)
    assert first.status_code == 303 and await is_signed_in(client)
    # The form sent twice: the second finds the sign-in done, and leaves it signed in.
    token = csrf_from((await client.get("/profile")).text)
    twice = await client.post("/login/code", data={"code": code, "next": "/cpd", "_csrf_token": token},
                              follow_redirects=False)
    assert twice.status_code == 303 and twice.headers["location"] == "/cpd" and await is_signed_in(client)
    await sign_out(client)

    replayed = await signed_in_with_code(client, admin, code)
    assert replayed.status_code == 422 and "already been used" in replayed.text
    assert not await is_signed_in(client)
    # An older code than the one used is refused too, even inside the drift window.
    with pytest.raises(InvalidInput):
        await mfa.verify(admin.principal.account_id, org.id, code_at(await _secret(admin), -1))


async def test_a_recovery_code_signs_in_once_only(client):
    org = await make_org()
    hr = await make_user(org, "hr", password=PASSWORD)
    _, codes = await enrol(hr.principal.account_id, org.id)
    # Typed in capitals with spaces instead of dashes, as people do.
    done = await signed_in_with_code(client, hr, codes[3].upper().replace("-", " "))
    assert done.status_code == 303 and await is_signed_in(client)
    used = await RecoveryCode.select(RecoveryCode.used_at).where(RecoveryCode.used_at.is_not_null())
    assert len(used) == 1
    await sign_out(client)

    again = await signed_in_with_code(client, hr, codes[3])
    assert again.status_code == 422 and "not right" in again.text
    assert not await is_signed_in(client)
    assert await AuditLog.count().where(AuditLog.action == "mfa_recovery_code_used") == 1
    other = await post_code(client, codes[4])
    assert other.status_code == 303 and await is_signed_in(client)


async def test_wrong_codes_are_limited_so_six_digits_cannot_be_guessed(client, app):
    org = await make_org()
    admin = await make_user(org, "admin", password=PASSWORD)
    secret, _ = await enrol(admin.principal.account_id, org.id)
    limit = app.state.settings.login_max_failures
    await sign_in(client, admin.email, PASSWORD)
    right = {code_at(secret, s) for s in (-1, 0, 1)}
    guesses = (f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in right)
    for _ in range(limit):
        assert (await post_code(client, next(guesses))).status_code == 422
    blocked = await post_code(client, await next_code(admin.principal.account_id))
    assert blocked.status_code == 429 and "Too many wrong codes" in blocked.text
    assert not await is_signed_in(client)
    # Counted under a key of its own, not the email's sign-in failures.
    assert await LoginAttempt.count().where(
        LoginAttempt.email_hash == accounts.digest(f"mfa:{admin.principal.account_id}")) == limit
    assert await LoginAttempt.count().where(LoginAttempt.email_hash == accounts.digest(admin.email)) == 0
    assert await AuditLog.count().where(AuditLog.action == "mfa_check") == limit + 1


@pytest.mark.parametrize("typed, problem", [
    ("abcdef", "6-digit code"), ("12 34 5", "6-digit code"), ("", "6-digit code"),
    ("1" * 100, "at most 64 characters"), ("١٢٣٤٥٦", "6-digit code"),
])
async def test_codes_that_cannot_be_codes_get_a_clear_message_and_do_not_count(client, typed, problem):
    org = await make_org()
    admin = await make_user(org, "admin", password=PASSWORD)
    await enrol(admin.principal.account_id, org.id)
    await sign_in(client, admin.email, PASSWORD)
    response = await post_code(client, typed)
    assert response.status_code == 422 and problem in response.text and "Traceback" not in response.text
    assert await LoginAttempt.count() == 0


async def test_a_form_without_a_code_field_is_refused_gently(client):
    org = await make_org()
    admin = await make_user(org, "admin", password=PASSWORD)
    await enrol(admin.principal.account_id, org.id)
    await sign_in(client, admin.email, PASSWORD)
    page = await client.get("/login/code")
    response = await client.post("/login/code", data={"_csrf_token": csrf_from(page.text)})
    assert response.status_code == 422 and "6-digit code" in response.text


# --- managing it ------------------------------------------------------------------------


async def test_a_psw_turns_it_on_from_their_security_page_then_needs_a_code_to_sign_in(client):
    org = await make_org()
    psw = await make_user(org, "psw", password=PASSWORD)
    assert (await sign_in(client, psw.email, PASSWORD)).headers["location"] == "/"
    page = await client.get("/profile/security")
    assert page.status_code == 200 and 'id="mfa-status">Off' in page.text
    assert "Ask every role" not in page.text  # the organisation setting is an admin's
    shown = await client.post("/profile/security/setup", data={"_csrf_token": csrf_from(page.text)})
    secret = re.search(r'id="totp-key">([A-Z2-7 ]+)<', shown.text).group(1).replace(" ", "")
    wrong = await client.post("/profile/security/confirm", data={
        "code": wrong_code(secret), "_csrf_token": csrf_from(page.text)})
    assert wrong.status_code == 422 and "not right" in wrong.text and secret[:4] in wrong.text
    done = await client.post("/profile/security/confirm", data={"code": code_at(secret, -1),
                                                                "_csrf_token": csrf_from(page.text)})
    assert done.status_code == 200 and len(re.findall(r'<code class="token">', done.text)) == 10
    page = await client.get("/profile/security?done=on")
    assert 'id="mfa-status">On since' in page.text and "10 of 10" in page.text

    await sign_out(client)
    response = await sign_in(client, psw.email, PASSWORD)
    assert response.headers["location"] == "/login/code"
    assert not await is_signed_in(client)
    assert (await post_code(client, code_at(secret))).status_code == 303 and await is_signed_in(client)


async def test_an_admin_cannot_turn_it_off_and_a_psw_can_with_a_current_code(client):
    org = await make_org()
    admin, psw = await make_user(org, "admin"), await make_user(org, "psw", password=PASSWORD)
    admin_secret, _ = await enrol(admin.principal.account_id, org.id)
    with pytest.raises(PermissionDenied, match="role needs"):
        await mfa.disable(admin.principal, code_at(admin_secret))
    assert (await Account.objects().where(Account.id == admin.principal.account_id).first()).totp_enabled_at

    secret, _ = await enrol(psw.principal.account_id, org.id)
    await signed_in_with_code(client, psw)
    page = await client.get("/profile/security")
    wrong = await client.post("/profile/security/disable", data={"code": "abcdefg", "_csrf_token": csrf_from(page.text)})
    assert wrong.status_code == 422 and "6-digit code" in wrong.text
    off = await client.post("/profile/security/disable", data={
        "code": await next_code(psw.principal.account_id), "_csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert off.status_code == 303 and off.headers["location"] == "/profile/security?done=off"
    account = await Account.objects().where(Account.id == psw.principal.account_id).first()
    assert account.totp_secret is None and account.totp_enabled_at is None
    assert await RecoveryCode.count().where(RecoveryCode.account == psw.principal.account_id) == 0
    await sign_out(client)
    assert (await sign_in(client, psw.email, PASSWORD)).headers["location"] == "/"


async def test_the_security_page_refuses_to_turn_it_off_for_an_admin(client):
    org = await make_org()
    admin = await make_user(org, "admin", password=PASSWORD)
    await enrol(admin.principal.account_id, org.id)
    await signed_in_with_code(client, admin)
    page = await client.get("/profile/security")
    assert "always needs two-step sign-in" in page.text and "/profile/security/disable" not in page.text
    refused = await client.post("/profile/security/disable", data={"code": "123456", "_csrf_token": csrf_from(page.text)})
    assert refused.status_code == 403 and "cannot be turned off" in refused.text
    assert (await Account.objects().where(Account.id == admin.principal.account_id).first()).totp_enabled_at


async def test_new_recovery_codes_need_a_current_code_and_replace_the_old_ones(client):
    org = await make_org()
    psw = await make_user(org, "psw", password=PASSWORD)
    _, old = await enrol(psw.principal.account_id, org.id)
    await signed_in_with_code(client, psw)
    page = await client.get("/profile/security")
    refused = await client.post("/profile/security/recovery-codes", data={"code": "", "_csrf_token": csrf_from(page.text)})
    assert refused.status_code == 422 and "6-digit code" in refused.text
    made = await client.post("/profile/security/recovery-codes", data={
        "code": old[0], "_csrf_token": csrf_from(page.text)})
    assert made.status_code == 200
    new = re.findall(r'<code class="token">([a-z2-9-]{14})</code>', made.text)
    assert len(new) == 10 and not set(new) & set(old)
    with pytest.raises(InvalidInput):
        await mfa.verify(psw.principal.account_id, org.id, old[1])
    assert await mfa.verify(psw.principal.account_id, org.id, new[1]) == "recovery"


async def test_an_admin_asks_every_role_then_a_psw_must_set_up_an_app_and_cannot_turn_it_off(client, app):
    from tests.conftest import http_client

    org = await make_org()
    admin, psw = await make_user(org, "admin", password=PASSWORD), await make_user(org, "psw", password=PASSWORD)
    await enrol(admin.principal.account_id, org.id)
    await signed_in_with_code(client, admin)
    page = await client.get("/profile/security")
    assert "Ask every role for two-step sign-in" in page.text
    saved = await client.post("/profile/security/organisation", data={
        "require_mfa_for_all": "yes", "_csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert saved.status_code == 303
    assert (await Organisation.objects().where(Organisation.id == org.id).first()).require_mfa_for_all is True
    assert await AuditLog.exists().where((AuditLog.table_name == "organisation") & (AuditLog.action == "update")
                                         & (AuditLog.account == admin.principal.account_id))

    async with http_client(app) as other:
        response = await sign_in(other, psw.email, PASSWORD, next_="/cpd")
        assert response.headers["location"] == "/login/setup-code?next=/cpd"
        assert (await other.get("/cpd", follow_redirects=False)).status_code == 302
        finished = await finish_second_factor(other, response, psw.email)
        assert finished.status_code == 200 and "Save your recovery codes" in finished.text
        page = await other.get("/profile/security")
        assert "organisation asks everyone" in page.text
        refused = await other.post("/profile/security/organisation", data={"_csrf_token": csrf_from(page.text)})
        assert refused.status_code == 403
    with pytest.raises(PermissionDenied, match="organisation asks everyone"):
        await mfa.disable(psw.principal, "123456")

    page = await client.get("/profile/security")
    await client.post("/profile/security/organisation", data={"_csrf_token": csrf_from(page.text)})  # box unticked
    assert (await Organisation.objects().where(Organisation.id == org.id).first()).require_mfa_for_all is False


async def test_mfa_events_are_audited_without_secrets_or_codes(client):
    org = await make_org()
    psw = await make_user(org, "psw", password=PASSWORD)
    secret, codes = await enrol(psw.principal.account_id, org.id)
    await sign_in(client, psw.email, PASSWORD)
    wrong = wrong_code(secret)
    await post_code(client, wrong)
    used = await next_code(psw.principal.account_id)
    await post_code(client, used)
    page = await client.get("/profile/security")
    made = await client.post("/profile/security/recovery-codes", data={"code": codes[0], "_csrf_token": csrf_from(page.text)})
    new = re.findall(r'<code class="token">([a-z2-9-]{14})</code>', made.text)
    await client.post("/profile/security/disable", data={"code": new[0], "_csrf_token": csrf_from(page.text)})

    actions = await AuditLog.select(AuditLog.action).output(as_list=True)
    for action in ("mfa_enable", "mfa_check", "mfa_sign_in", "mfa_recovery_code_used", "mfa_recovery_codes",
                   "mfa_disable"):
        assert action in actions, action
    outcomes = [r["detail"]["outcome"] for r in await AuditLog.select(AuditLog.detail).where(
        AuditLog.action == "mfa_check").output(load_json=True)]
    assert outcomes.count("wrong") == 1 and outcomes.count("ok") == 3
    text = await audit_details()
    grouped = " ".join(secret[i:i + 4] for i in range(0, 32, 4))
    for secret_thing in (secret, grouped, wrong, used, *codes, *new, *(c.replace("-", "") for c in codes + new)):
        assert secret_thing not in text
