"""Single sign-on against a real OpenID Connect provider (node oidc-provider on loopback).

The app is the real one; the provider's own login and consent pages are filled in over HTTP as
a browser would; the code comes back to our callback with the state the provider was given.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from litestar import Litestar, Router
from litestar.di import Provide

from peerwork.accounts import oidc, sso, sso_controllers
from peerwork.accounts.schemas import SsoProviderIn
from peerwork.accounts.tables import SsoProvider, SsoState
from peerwork.core import crypto
from peerwork.core.errors import EXCEPTION_HANDLERS, InvalidInput
from peerwork.core.security import IdentifyCaller, current_principal, has_route_right
from peerwork.core.tables import Account, AuditLog, LoginSession, Membership
from peerwork.core.time import now
from tests.factories import make_org, make_user
from tests.oidc.fixture import ProviderAccount, running_provider, sign_in_at_provider

ALEX = ProviderAccount("alex", "Alex.Morgan@North.NHS.example", name="Alex Morgan")  # mixed case on purpose
ROBIN = ProviderAccount("robin", "robin@north.nhs.example", email_verified=False)
SAM = ProviderAccount("sam", "sam@south.example")
JO = ProviderAccount("jo", "jo.new@north.nhs.example", name="Jo New")
KIM = ProviderAccount("kim", "kim@elsewhere.example")
ADA = ProviderAccount("ada", "ada.admin@north.nhs.example")


@pytest.fixture(scope="session")
def idp(app, tmp_path_factory):
    """One provider for the session; its client's redirect URI is this app's callback."""
    callback = app.state.settings.site_url + sso.CALLBACK_PATH
    with running_provider([callback], [ALEX, ROBIN, SAM, JO, KIM, ADA], tmp_path_factory.mktemp("oidc")) as provider:
        yield provider


@pytest.fixture
async def north(idp):
    """The North trust with single sign-on through the provider, and its admin."""
    org = await make_org("north")
    admin = await make_user(org, "admin", email="admin@north.example")
    await sso.set_provider(admin.principal, SsoProviderIn(
        issuer=idp.issuer, client_id=idp.client_id, client_secret=idp.client_secret,
        email_domains=["north.nhs.example"], default_role="psw"))
    return org, admin


async def start(client, org_slug: str = "north", next_: str | None = None):
    query = f"?{urlencode({'next': next_})}" if next_ else ""
    response = await client.get(f"/login/sso/{org_slug}{query}", follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"]


async def at_provider(idp, authorization_url: str, who: ProviderAccount) -> str:
    """The callback path and query the provider sends the browser back with."""
    back = await sign_in_at_provider(authorization_url, who.sub, idp.redirect_uris[0])
    parts = urlsplit(back)
    return f"{parts.path}?{parts.query}"


async def sso_sign_in(client, idp, who: ProviderAccount, org_slug: str = "north", next_: str | None = None):
    callback = await at_provider(idp, await start(client, org_slug, next_), who)
    return await client.get(callback, follow_redirects=False)


async def audit_rows(action: str) -> list[dict]:
    return await AuditLog.select().where(AuditLog.action == action).output(load_json=True)


# --- signing in ------------------------------------------------------------------------


async def test_a_person_with_an_account_signs_in_with_their_verified_work_email(client, idp, north):
    org, _ = north
    person = await make_user(org, "psw", email="alex.morgan@north.nhs.example")
    authorization_url = await start(client, next_="/profile")
    query = parse_qs(urlsplit(authorization_url).query)
    assert authorization_url.startswith(idp.issuer)
    assert query["code_challenge_method"] == ["S256"] and query["scope"] == ["openid email profile"]
    assert {"state", "nonce", "code_challenge"} <= query.keys()
    assert await SsoState.count() == 1
    assert query["state"][0] not in str(await SsoState.select())  # only its hash is stored

    response = await client.get(await at_provider(idp, authorization_url, ALEX), follow_redirects=False)

    assert response.status_code == 303 and response.headers["location"] == "/profile"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("peerwork_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    profile = await client.get("/profile")
    assert profile.status_code == 200 and "alex.morgan@north.nhs.example" in profile.text
    session = await LoginSession.objects().first()
    assert session.via == "sso" and session.second_factor_due is False
    assert session.account == person.principal.account_id
    assert await SsoState.count() == 0  # used once
    logins = await audit_rows("login")
    assert [(r["record_id"], r["detail"]["via"]) for r in logins] == [(str(person.principal.account_id), "sso")]


async def test_an_admin_signed_in_by_the_provider_is_not_asked_for_peerworks_second_factor(client, idp, north):
    org, _ = north
    await make_user(org, "admin", email=ADA.email)
    response = await sso_sign_in(client, idp, ADA)
    assert response.status_code == 303
    assert (await client.get("/profile")).status_code == 200
    assert (await LoginSession.objects().first()).second_factor_due is False


async def test_an_unverified_email_is_refused(client, idp, north):
    org, _ = north
    await make_user(org, "psw", email=ROBIN.email)
    response = await sso_sign_in(client, idp, ROBIN)
    assert response.status_code == 400
    assert "has not verified your email address" in response.text and "Traceback" not in response.text
    assert await LoginSession.count() == 0
    assert [r["detail"]["reason"] for r in await audit_rows("login_refused")] == ["email-unverified"]


async def test_the_same_email_with_an_account_in_another_organisation_is_refused(client, idp, north):
    org, admin = north
    south = await make_org("south")
    sam = await make_user(south, "psw", email=SAM.email)
    # Even with creation on for that very domain, an account elsewhere is never joined by signing in here.
    await sso.set_provider(admin.principal, SsoProviderIn(
        issuer=idp.issuer, client_id=idp.client_id, email_domains=["south.example"], create_accounts=True))
    response = await sso_sign_in(client, idp, SAM)
    assert response.status_code == 403
    assert ("No peerwork account for this work email in North Trust: ask your admin for an invitation."
            in response.text)
    assert await LoginSession.count() == 0
    assert not await Membership.exists().where(
        (Membership.account == sam.principal.account_id) & (Membership.organisation == org.id))
    refused = await audit_rows("login_refused")
    assert [(r["organisation"], r["account"], r["detail"]["reason"]) for r in refused] == [(org.id, None, "no-account")]


async def test_a_switched_off_account_is_refused(client, idp, north):
    org, admin = north
    alex = await make_user(org, "psw", email=ALEX.email.lower())
    await Account.update({Account.is_active: False}).where(Account.id == alex.principal.account_id)
    response = await sso_sign_in(client, idp, ALEX)
    assert response.status_code == 403 and await LoginSession.count() == 0


async def test_no_account_is_created_by_signing_in_unless_the_organisation_allows_it(client, idp, north):
    response = await sso_sign_in(client, idp, JO)
    assert response.status_code == 403 and "ask your admin for an invitation" in response.text
    assert not await Account.exists().where(Account.email == JO.email)


async def test_with_creation_on_an_address_in_an_allowed_domain_gets_an_account_with_the_default_role(
        client, idp, north):
    org, admin = north
    await sso.set_provider(admin.principal, SsoProviderIn(
        issuer=idp.issuer, client_id=idp.client_id, email_domains=["north.nhs.example"],
        create_accounts=True, default_role="supervisor"))
    response = await sso_sign_in(client, idp, JO)
    assert response.status_code == 303
    assert (await client.get("/profile")).status_code == 200
    account = await Account.objects().where(Account.email == JO.email).first()
    assert account.person is None and account.password_hash is None and account.display_name == "Jo New"
    roles = await Membership.select(Membership.organisation, Membership.role).where(Membership.account == account.id)
    assert roles == [{"organisation": org.id, "role": "supervisor"}]
    created = [r for r in await audit_rows("create") if r["record_id"] == str(account.id)]
    assert [(r["table_name"], r["detail"]["roles"]) for r in created] == [("account", ["supervisor"])]
    assert (await audit_rows("login"))[0]["detail"]["just_in_time"] is True


async def test_with_creation_on_an_address_outside_the_allowed_domains_is_refused(client, idp, north):
    org, admin = north
    await sso.set_provider(admin.principal, SsoProviderIn(
        issuer=idp.issuer, client_id=idp.client_id, email_domains=["north.nhs.example"], create_accounts=True))
    response = await sso_sign_in(client, idp, KIM)
    assert response.status_code == 403
    assert not await Account.exists().where(Account.email == KIM.email)


# --- the round trip's state --------------------------------------------------------------


def _with(callback: str, **changes: str) -> str:
    parts = urlsplit(callback)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | changes
    return f"{parts.path}?{urlencode(query)}"


async def _assert_start_again(response) -> None:
    assert response.status_code == 400, response.text
    assert "<h1>Single sign-on did not work</h1>" in response.text
    assert "Go back to the sign-in page" in response.text and "Traceback" not in response.text
    assert await LoginSession.count() == 0


async def test_a_tampered_state_gets_a_clear_page(client, idp, north):
    org, _ = north
    await make_user(org, "psw", email=ALEX.email.lower())
    callback = await at_provider(idp, await start(client), ALEX)
    await _assert_start_again(await client.get(_with(callback, state="x" + parse_qs(urlsplit(callback).query)["state"][0])))
    await _assert_start_again(await client.get(_with(callback, state="")))


async def test_a_replayed_callback_gets_a_clear_page(client, idp, north):
    org, _ = north
    await make_user(org, "psw", email=ALEX.email.lower())
    callback = await at_provider(idp, await start(client), ALEX)
    assert (await client.get(callback, follow_redirects=False)).status_code == 303
    await LoginSession.delete(force=True)
    client.cookies.clear()
    client.cookies.set("peerwork_sso", parse_qs(urlsplit(callback).query)["state"][0], path="/login/sso",
                       domain="testserver.local")
    await _assert_start_again(await client.get(callback, follow_redirects=False))


async def test_an_expired_state_gets_a_clear_page(client, idp, north):
    org, _ = north
    await make_user(org, "psw", email=ALEX.email.lower())
    callback = await at_provider(idp, await start(client), ALEX)
    await SsoState.update({SsoState.expires_at: now() - timedelta(seconds=1)}, force=True)
    await _assert_start_again(await client.get(callback, follow_redirects=False))
    assert await SsoState.count() == 0


async def test_a_callback_in_another_browser_cannot_sign_that_browser_in(app, client, idp, north):
    """Someone who sends you their own callback link cannot sign you in as them."""
    from tests.conftest import http_client

    org, _ = north
    await make_user(org, "psw", email=ALEX.email.lower())
    callback = await at_provider(idp, await start(client), ALEX)
    async with http_client(app) as victim:
        await _assert_start_again(await victim.get(callback, follow_redirects=False))


async def test_a_refusal_at_the_provider_gets_a_clear_page(client, idp, north):
    authorization_url = await start(client)
    state = parse_qs(urlsplit(authorization_url).query)["state"][0]
    response = await client.get(f"/login/sso/callback?{urlencode({'state': state, 'error': 'access_denied'})}")
    assert response.status_code == 400 and "was cancelled or refused" in response.text
    assert [r["detail"]["reason"] for r in await audit_rows("login_refused")] == ["provider-error"]


async def test_a_bad_code_gets_a_clear_page(client, idp, north):
    callback = await at_provider(idp, await start(client), ALEX)
    await _assert_start_again(await client.get(_with(callback, code="not-the-code"), follow_redirects=False))
    assert [r["detail"]["reason"] for r in await audit_rows("login_refused")] == ["code-refused"]


async def test_keys_the_provider_has_rotated_in_are_fetched_again(client, idp, north):
    import time

    from joserfc.jwk import KeySet, RSAKey

    org, _ = north
    await make_user(org, "psw", email=ALEX.email.lower())
    stale = KeySet([RSAKey.generate_key(2048, parameters={"kid": "retired"})])
    oidc._keys_cache[idp.issuer + "/jwks"] = (time.monotonic() + 60, stale)
    try:
        assert (await sso_sign_in(client, idp, ALEX)).status_code == 303
    finally:
        oidc._keys_cache.pop(idp.issuer + "/jwks", None)


async def test_after_signing_in_only_local_paths_are_followed(client, idp, north):
    org, _ = north
    await make_user(org, "psw", email=ALEX.email.lower())
    for wanted in ("//evil.example/x", "https://evil.example/", "/\t/evil.example"):
        response = await sso_sign_in(client, idp, ALEX, next_=wanted)
        assert response.status_code == 303 and response.headers["location"] == "/", wanted


async def test_an_unknown_organisation_gets_a_clear_page(client, idp):
    response = await client.get("/login/sso/nowhere", follow_redirects=False)
    assert response.status_code == 404 and "sign in with your email and password" in response.text.lower()


async def test_an_unreachable_provider_gets_a_clear_page(client, idp):
    org = await make_org("east")
    admin = await make_user(org, "admin", email="admin@east.example")
    await sso.set_provider(admin.principal, SsoProviderIn(
        issuer="http://127.0.0.1:9/nothing-here", client_id="x", client_secret="y"))
    response = await client.get("/login/sso/east", follow_redirects=False)
    assert response.status_code == 400 and "could not reach East Trust" in response.text


# --- configuration ------------------------------------------------------------------------


async def test_the_client_secret_is_stored_only_encrypted_and_never_shown(client, idp, north):
    org, admin = north
    stored = (await SsoProvider.objects().first()).client_secret
    assert idp.client_secret not in stored and stored.startswith("v1.")
    assert crypto.decrypt(stored, purpose=sso.SECRET_PURPOSE) == idp.client_secret
    # Saving again without a secret keeps it.
    await sso.set_provider(admin.principal, SsoProviderIn(issuer=idp.issuer, client_id=idp.client_id))
    assert (await SsoProvider.objects().first()).client_secret == stored
    view = await sso.get_provider(admin.principal)
    assert view.client_secret_set and idp.client_secret not in repr(view)
    changes = [r["detail"]["fields"] for r in await audit_rows("create") + await audit_rows("update")
               if r["table_name"] == "sso_provider"]
    assert "client_secret" in changes[0] and idp.client_secret not in str(changes)


async def test_the_sign_in_page_offers_each_organisations_work_account(client, idp, north):
    page = await client.get("/login")
    assert 'href="/login/sso/north"' in page.text and "Sign in with your work account" in page.text
    assert "North Trust" in page.text
    assert 'href="/login/sso/north?next=/people"' in (await client.get("/login?next=/people")).text
    assert "/login/sso/" not in (await client.get("/login?org=south")).text


def csrf_from(html: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', html).group(1)


async def test_an_admin_sets_up_single_sign_on_on_the_admin_page(client, idp):
    org = await make_org("west")
    admin = await make_user(org, "admin", email="admin@west.example")
    await LoginSession.delete(force=True)
    from peerwork.core import accounts

    secret = await accounts.open_session(admin.principal.account_id, org.id, session_hours=1, via="password")
    client.cookies.set("peerwork_session", secret)
    page = await client.get("/admin/sso")
    assert page.status_code == 200 and "not set up" in page.text
    form = {"_csrf_token": csrf_from(page.text), "issuer": idp.issuer, "client_id": "west-app",
            "client_secret": "west-secret", "label": "Sign in with NHSmail", "email_domains": "West.example, nhs.net",
            "create_accounts": "on", "default_role": "peer_lead"}
    saved = await client.post("/admin/sso", data=form, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/admin/sso?saved=1"
    row = await SsoProvider.objects().first()
    assert (row.client_id, row.email_domains, row.create_accounts, row.default_role, row.label) == (
        "west-app", "west.example,nhs.net", True, "peer_lead", "Sign in with NHSmail")
    shown = await client.get("/admin/sso?saved=1")
    assert "Single sign-on is saved." in shown.text and "west-secret" not in shown.text
    assert row.client_secret not in shown.text

    bad = await client.post("/admin/sso", data={**form, "_csrf_token": csrf_from(shown.text), "default_role": "admin"},
                            follow_redirects=False)
    assert bad.status_code == 422 and "default_role: must be one of" in bad.text
    bad = await client.post("/admin/sso", data={**form, "_csrf_token": csrf_from(shown.text),
                                                "issuer": "http://evil.example/"}, follow_redirects=False)
    assert bad.status_code == 422 and "https" in bad.text and "west-secret" not in bad.text

    removed = await client.post("/admin/sso/remove", data={"_csrf_token": csrf_from(shown.text)}, follow_redirects=False)
    assert removed.status_code == 303 and await SsoProvider.count() == 0


async def test_only_admins_see_the_admin_page(client, idp):
    org = await make_org("west")
    lead = await make_user(org, "peer_lead", email="lead@west.example")
    from peerwork.core import accounts

    client.cookies.set("peerwork_session", await accounts.open_session(
        lead.principal.account_id, org.id, session_hours=1, via="password"))
    assert (await client.get("/admin/sso")).status_code == 403


# --- the API (mounted as create_app mounts ROUTES: under /api/v1 behind the route-right guard) ---


@pytest.fixture(scope="module")
def api_app():
    return Litestar(
        route_handlers=[Router(path="/api/v1", route_handlers=sso_controllers.ROUTES, guards=[has_route_right],
                               dependencies={"principal": Provide(current_principal, sync_to_thread=False)})],
        middleware=[IdentifyCaller], exception_handlers=EXCEPTION_HANDLERS,
    )


async def test_the_api_sets_and_shows_the_provider_without_the_secret(api_app, idp):
    from tests.conftest import http_client

    org = await make_org("north")
    admin = await make_user(org, "admin", email="admin@north.example")
    psw = await make_user(org, "psw", email="psw@north.example")
    async with http_client(api_app) as api:
        assert (await api.get("/api/v1/sso", headers=admin.headers)).status_code == 404
        body = {"issuer": idp.issuer, "client_id": "north-app", "client_secret": "north-secret",
                "email_domains": ["north.nhs.example"], "create_accounts": True}
        put = await api.put("/api/v1/sso", json=body, headers=admin.headers)
        assert put.status_code == 200, put.text
        assert put.json()["client_secret_set"] is True and "north-secret" not in put.text
        assert put.json()["redirect_uri"].endswith("/login/sso/callback")
        got = await api.get("/api/v1/sso", headers=admin.headers)
        assert got.json()["email_domains"] == ["north.nhs.example"] and "north-secret" not in got.text
        assert (await api.get("/api/v1/sso", headers=psw.headers)).status_code == 403
        assert (await api.put("/api/v1/sso", json=body, headers=psw.headers)).status_code == 403
        refused = await api.put("/api/v1/sso", json={**body, "default_role": "hr"}, headers=admin.headers)
        assert refused.status_code == 400
        assert (await api.delete("/api/v1/sso", headers=admin.headers)).status_code == 204
        assert await SsoProvider.count() == 0


# --- the ID token's checks ------------------------------------------------------------------


async def test_an_id_token_for_another_attempt_is_refused(client, idp, north):
    """The provider's token carries the nonce it was given; a different attempt's nonce fails."""
    org, _ = north
    await make_user(org, "psw", email=ALEX.email.lower())
    callback = await at_provider(idp, await start(client), ALEX)
    await SsoState.update({SsoState.nonce: "the-nonce-of-some-other-attempt"}, force=True)
    response = await client.get(callback, follow_redirects=False)
    assert response.status_code == 400 and "sent an identity we could not check" in response.text
    assert await LoginSession.count() == 0
    assert [r["detail"]["reason"] for r in await audit_rows("login_refused")] == ["id-token-invalid"]


@pytest.mark.parametrize("problem", ["valid", "signed-by-another-key", "unknown-key", "another-audience", "another-issuer",
                                     "expired", "wrong-nonce", "shared-secret-signature", "unsigned"])
async def test_id_token_signature_and_claims_are_checked(idp, north, problem):
    """Tokens made here, checked against keys we control: each broken rule is refused."""
    import base64
    import json
    import time

    from joserfc import jwt
    from joserfc.jwk import KeySet, OctKey, RSAKey

    provider = await SsoProvider.objects().first()
    ours, theirs = RSAKey.generate_key(2048, parameters={"kid": "ours"}), RSAKey.generate_key(
        2048, parameters={"kid": "ours"})
    metadata = {"issuer": idp.issuer, "jwks_uri": idp.issuer + "/jwks",
                "id_token_signing_alg_values_supported": ["RS256", "HS256"]}
    oidc._keys_cache[metadata["jwks_uri"]] = (time.monotonic() + 60, KeySet([ours]))
    claims = {"iss": idp.issuer, "sub": "alex", "aud": provider.client_id, "iat": int(time.time()),
              "exp": int(time.time()) + 300, "nonce": "n1", "email": "a@north.nhs.example", "email_verified": True}
    header, key = {"alg": "RS256", "kid": "ours"}, ours
    if problem == "signed-by-another-key":
        key = theirs
    elif problem == "unknown-key":  # looked for once more at the provider, which does not have it either
        header, key = {"alg": "RS256", "kid": "unknown"}, RSAKey.generate_key(2048, parameters={"kid": "unknown"})
    elif problem == "another-audience":
        claims["aud"] = "someone-else"
    elif problem == "another-issuer":
        claims["iss"] = "https://login.example/other"
    elif problem == "expired":
        claims["exp"] = int(time.time()) - 600
    elif problem == "wrong-nonce":
        claims["nonce"] = "n2"
    elif problem == "shared-secret-signature":
        header, key = {"alg": "HS256"}, OctKey.import_key(idp.client_secret.encode())
    if problem == "unsigned":
        segment = lambda part: base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()  # noqa: E731
        token = f"{segment({'alg': 'none'})}.{segment(claims)}."
    else:
        token = jwt.encode(header, claims, key, algorithms=[header["alg"]])
    try:
        if problem == "valid":
            checked = await oidc.id_token_claims(metadata, provider.client_id, {"id_token": token}, "n1")
            assert checked["email"] == "a@north.nhs.example"
        else:
            with pytest.raises(oidc.OidcFailure, match="id-token-invalid"):
                await oidc.id_token_claims(metadata, provider.client_id, {"id_token": token}, "n1")
    finally:
        oidc._keys_cache.pop(metadata["jwks_uri"], None)


@pytest.mark.parametrize(("claims", "verified"), [
    ({"email_verified": True}, True), ({"email_verified": "true"}, True), ({"email_verified": False}, False),
    ({}, False), ({"xms_edov": True}, True), ({"xms_edov": False}, False),
    ({"email_verified": False, "xms_edov": True}, False),  # an explicit "not verified" wins
])
def test_which_addresses_count_as_verified(claims, verified):
    assert oidc.email_verified(claims) is verified


@pytest.mark.parametrize(("issuer", "ok"), [
    ("https://login.microsoftonline.com/2b1c0d7e-1111-2222-3333-444455556666/v2.0", True),
    ("https://accounts.google.com", True),
    ("http://127.0.0.1:4000", True),  # loopback only, for testing
    ("http://login.example.org", False),
    ("https://login.microsoftonline.com/common/v2.0", False),
    ("https://login.microsoftonline.com/organizations/v2.0", False),
    ("https://login.microsoftonline.com/{tenantid}/v2.0", False),
    ("https://idp.example/?x=1", False),
    ("javascript:alert(1)", False),
])
def test_which_issuers_are_accepted(issuer, ok):
    if ok:
        assert sso.check_issuer(issuer) == issuer
    else:
        with pytest.raises(InvalidInput, match="issuer"):
            sso.check_issuer(issuer)


def test_email_domains_are_cleaned_and_checked():
    assert sso.check_domains([" NHS.net", "@northfield.nhs.uk", "nhs.net"]) == ("nhs.net", "northfield.nhs.uk")
    for bad in ("localhost", "nhs..net", "-x.example", "a b.example", "*.nhs.net"):
        with pytest.raises(InvalidInput, match="email_domains"):
            sso.check_domains([bad])


@pytest.mark.parametrize(("wanted", "followed"), [
    ("/people?team=1", "/people?team=1"), (None, "/"), ("", "/"), ("people", "/"), ("//evil.example", "/"),
    ("/\\evil.example", "/"), ("/\t/evil.example", "/"), ("/\n/evil.example", "/"), ("https://evil.example/", "/"),
])
def test_only_local_paths_are_followed(wanted, followed):
    assert sso.local_path(wanted) == followed
