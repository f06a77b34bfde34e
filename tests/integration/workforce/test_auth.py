"""Signing in: hashed secrets, sessions, CSRF, rate limit, revocation."""

import re

import pytest

from peerwork.core import accounts
from peerwork.core.tables import Account, ApiToken, AuditLog, LoginSession
from tests.factories import PASSWORD, make_org, make_user
from tests.integration.accounts.mfa_helpers import enrol, finish_second_factor


def csrf_from(html: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', html).group(1)


async def sign_in(client, email: str, password: str, next_: str = "/"):
    form = await client.get("/login")
    return await client.post(
        "/login", data={"email": email, "password": password, "next": next_, "_csrf_token": csrf_from(form.text)},
        follow_redirects=False,
    )


async def test_tokens_and_passwords_are_stored_only_as_hashes():
    org = await make_org()
    user = await make_user(org, "hr", password=PASSWORD)
    account = await Account.objects().where(Account.id == user.principal.account_id).first()
    assert account.password_hash.startswith("$argon2id$") and PASSWORD not in account.password_hash
    stored = await ApiToken.select(ApiToken.token_hash).output(as_list=True)
    assert user.token not in stored and accounts.digest(user.token) in stored
    assert len(user.token) >= 40  # 256 random bits, url-safe


async def test_sign_in_sets_a_hardened_session_cookie_and_lands_on_next(client):
    org = await make_org()
    user = await make_user(org, "hr", password=PASSWORD)
    await enrol(user.principal.account_id, org.id)
    response = await sign_in(client, user.email, PASSWORD, next_="/people")
    # HR needs a second factor: the code step comes first, and keeps where the person was going.
    assert response.status_code == 303 and response.headers["location"] == "/login/code?next=/people"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("peerwork_session=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http on loopback
    response = await finish_second_factor(client, response, user.email)
    assert response.status_code == 303 and response.headers["location"] == "/people"
    page = await client.get("/people")
    assert page.status_code == 200 and "<h1>People</h1>" in page.text
    assert await LoginSession.count() == 1
    assert await AuditLog.exists().where(AuditLog.action == "login")


async def test_session_cookie_is_secure_when_the_site_is_served_over_https(app):
    from tests.conftest import http_client

    org = await make_org()
    user = await make_user(org, "hr", password=PASSWORD)
    async with http_client(app, base_url="https://peerwork.test") as secure_client:
        response = await sign_in(secure_client, user.email, PASSWORD)
    assert "Secure" in response.headers["set-cookie"]


async def test_sign_in_never_redirects_off_site(client):
    org = await make_org()
    user = await make_user(org, "psw", password=PASSWORD)  # no second factor: straight to next
    response = await sign_in(client, user.email, PASSWORD, next_="//evil.example/x")
    assert response.headers["location"] == "/"


async def test_wrong_password_and_unknown_email_get_the_same_message(client):
    org = await make_org()
    user = await make_user(org, "hr", password=PASSWORD)
    wrong = await sign_in(client, user.email, "not the password")
    unknown = await sign_in(client, "nobody@north.example", "not the password")
    for response in (wrong, unknown):
        assert response.status_code == 422
        assert "That email and password do not match an account." in response.text
    assert "peerwork_session" not in client.cookies


async def test_a_form_post_without_the_csrf_token_is_refused(client):
    org = await make_org()
    user = await make_user(org, "hr", password=PASSWORD)
    await client.get("/login")
    response = await client.post("/login", data={"email": user.email, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 403
    assert await LoginSession.count() == 0


async def test_sign_in_is_rate_limited_per_address(client, app):
    org = await make_org()
    user = await make_user(org, "hr", password=PASSWORD)
    limit = app.state.settings.login_max_failures
    for _ in range(limit):
        assert (await sign_in(client, user.email, "wrong password!")).status_code == 422
    blocked = await sign_in(client, user.email, PASSWORD)  # even the right password now waits
    assert blocked.status_code == 429 and "Too many failed sign-ins" in blocked.text
    assert await LoginSession.count() == 0


async def test_sign_out_ends_the_session_server_side(client):
    org = await make_org()
    user = await make_user(org, "hr", password=PASSWORD)
    await finish_second_factor(client, await sign_in(client, user.email, PASSWORD), user.email)
    stolen = client.cookies["peerwork_session"]
    home = await client.get("/")
    response = await client.post("/logout", data={"_csrf_token": csrf_from(home.text)}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert await LoginSession.count() == 0
    client.cookies.set("peerwork_session", stolen)
    assert (await client.get("/", follow_redirects=False)).headers["location"] == "/login?next=/"


async def test_revoked_token_stops_working_at_once(client):
    org = await make_org()
    user = await make_user(org, "hr")
    assert (await client.get("/api/v1/me", headers=user.headers)).status_code == 200
    token_id = (await client.get("/api/v1/tokens", headers=user.headers)).json()[0]["id"]
    assert (await client.delete(f"/api/v1/tokens/{token_id}", headers=user.headers)).status_code == 204
    assert (await client.get("/api/v1/me", headers=user.headers)).status_code == 401


async def test_deactivating_an_account_ends_its_tokens_and_sessions(client):
    org = await make_org()
    admin, psw = await make_user(org, "admin"), await make_user(org, "psw", password=PASSWORD)
    await sign_in(client, psw.email, PASSWORD)
    response = await client.patch(f"/api/v1/accounts/{psw.principal.account_id}", json={"is_active": False},
                                  headers=admin.headers)
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert (await client.get("/api/v1/me", headers=psw.headers)).status_code == 401
    assert (await client.get("/", follow_redirects=False)).status_code == 302


async def test_an_admin_cannot_lock_themselves_out(client):
    org = await make_org()
    admin = await make_user(org, "admin")
    response = await client.patch(f"/api/v1/accounts/{admin.principal.account_id}", json={"roles": ["psw"]},
                                  headers=admin.headers)
    assert response.status_code == 422 and "own admin role" in response.json()["detail"]


@pytest.mark.parametrize("password", ["short", ""])
async def test_weak_passwords_are_refused(password):
    org = await make_org()
    with pytest.raises(Exception) as caught:
        await accounts.create_account(org.id, "a@north.example", ["psw"], password=password or "x")
    assert "at least 12 characters" in str(caught.value)
