"""An API token's owner is remembered between requests, yet a change made on one instance is
refused at once on every other: revocation, deactivation, a role taken away, a change made at
psql, and while an instance's listening connection is lost.

On PostgreSQL two app instances share one database, each with its own cache and its own
listening connection (as two servers would). On SQLite (one instance) nothing is cached: the
same checks run against one instance and must hold all the same.
"""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from peerwork.app import create_app
from peerwork.core import accounts
from peerwork.core.auth_cache import APPLICATION_NAME, AuthCache, Entry
from peerwork.core.tables import Account
from tests.conftest import DATABASE_URL, IS_POSTGRES, http_client
from tests.factories import make_org, make_user

if IS_POSTGRES:
    from tests.conftest import ADMIN_URL


async def _eventually(check, seconds: float = 5.0) -> bool:
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        if check():
            return True
        await asyncio.sleep(0.01)
    return check()


@pytest.fixture
async def instances(settings):
    """Two app instances on the one test database, each listening as its lifespan would."""
    apps = [create_app(settings.with_overrides(database_url=DATABASE_URL)) for _ in range(2)]
    listeners = [app.state.auth_listener for app in apps if app.state.auth_listener is not None]
    for listener in listeners:
        await listener.start()
    assert await _eventually(lambda: all(listener.cache.live for listener in listeners))
    clients = [http_client(app) for app in apps]
    try:
        yield apps, clients
    finally:
        for client in clients:
            await client.aclose()
        for listener in listeners:
            await listener.stop()


def _generation(app) -> int:
    cache = app.state.auth_cache
    return cache.generation if cache is not None else 0


async def _told(app, since: int) -> None:
    """PostgreSQL delivers the notice to every listener when the change commits, but over each
    instance's own connection: allow it the moment it takes to arrive (a client's next request
    to another server takes longer), no more than a second on this busy test machine."""
    if app.state.auth_cache is not None:
        assert await _eventually(lambda: _generation(app) > since, seconds=1.0)


def _cached(app, token: str) -> bool:
    cache = app.state.auth_cache
    return cache is not None and cache.get(accounts.digest(token)) is not None


async def _warm(app, client, user) -> None:
    """Two reads through an instance; on PostgreSQL its cache now answers for the token."""
    for _ in range(2):
        assert (await client.get("/api/v1/me", headers=user.headers)).status_code == 200
    assert _cached(app, user.token) == IS_POSTGRES


async def test_a_token_revoked_on_one_instance_is_refused_at_once_on_the_other(instances):
    (_, app_b), (a, b) = instances
    org = await make_org()
    user = await make_user(org, "hr")
    await _warm(app_b, b, user)
    token_id = (await a.get("/api/v1/tokens", headers=user.headers)).json()[0]["id"]
    before = _generation(app_b)
    assert (await a.delete(f"/api/v1/tokens/{token_id}", headers=user.headers)).status_code == 204
    await _told(app_b, before)
    assert (await b.get("/api/v1/me", headers=user.headers)).status_code == 401
    assert not _cached(app_b, user.token)


async def test_an_account_deactivated_on_one_instance_is_refused_at_once_on_the_other(instances):
    (_, app_b), (a, b) = instances
    org = await make_org()
    admin, psw = await make_user(org, "admin"), await make_user(org, "psw")
    await _warm(app_b, b, psw)
    before = _generation(app_b)
    response = await a.patch(f"/api/v1/accounts/{psw.principal.account_id}", json={"is_active": False},
                             headers=admin.headers)
    assert response.status_code == 200
    await _told(app_b, before)
    assert (await b.get("/api/v1/me", headers=psw.headers)).status_code == 401


async def test_a_role_taken_away_on_one_instance_is_gone_at_once_on_the_other(instances):
    (_, app_b), (a, b) = instances
    org = await make_org()
    admin, lead = await make_user(org, "admin"), await make_user(org, "hr", "peer_lead", email="lead@north.example")
    await _warm(app_b, b, lead)
    assert (await b.get("/api/v1/people", headers=lead.headers)).status_code == 200  # hr may read people
    before = _generation(app_b)
    response = await a.patch(f"/api/v1/accounts/{lead.principal.account_id}", json={"roles": ["psw"]},
                             headers=admin.headers)
    assert response.status_code == 200
    await _told(app_b, before)
    assert (await b.get("/api/v1/me", headers=lead.headers)).json()["roles"] == ["psw"]
    assert (await b.get("/api/v1/people", headers=lead.headers)).status_code == 403


async def test_a_change_made_outside_the_app_is_seen_at_once(instances):
    """An operator deactivating an account at psql (no token revoked) reaches every instance."""
    (app_a, app_b), (a, b) = instances
    org = await make_org()
    psw = await make_user(org, "psw")
    await _warm(app_a, a, psw)
    await _warm(app_b, b, psw)
    before = _generation(app_a), _generation(app_b)
    await Account.update({Account.is_active: False}).where(Account.id == psw.principal.account_id)
    await _told(app_a, before[0])
    await _told(app_b, before[1])
    for client in (a, b):
        assert (await client.get("/api/v1/me", headers=psw.headers)).status_code == 401


async def test_a_new_token_works_at_once_after_a_refusal(instances):
    """Refusals are never remembered: a token unknown a moment ago works as soon as it exists."""
    (_, app_b), (_, b) = instances
    org = await make_org()
    user = await make_user(org, "psw")
    assert (await b.get("/api/v1/me", headers={"Authorization": "Bearer pw_not-yet"})).status_code == 401
    issued = await accounts.issue_api_token(user.principal.account_id, org.id)
    assert (await b.get("/api/v1/me", headers={"Authorization": f"Bearer {issued.token}"})).status_code == 200


async def _terminate_listener(app) -> None:
    admin = await asyncpg.connect(ADMIN_URL)
    try:
        pid = app.state.auth_listener.connection.get_server_pid()
        assert await admin.fetchval(
            "SELECT application_name FROM pg_stat_activity WHERE pid = $1", pid) == APPLICATION_NAME
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin.close()


@pytest.mark.skipif(not IS_POSTGRES, reason="only PostgreSQL instances listen for changes; SQLite caches nothing")
async def test_while_its_listener_is_lost_an_instance_asks_the_database_and_still_refuses(instances):
    (_, app_b), (a, b) = instances
    org = await make_org()
    user = await make_user(org, "hr")
    await _warm(app_b, b, user)
    listener = app_b.state.auth_listener
    old_connection = listener.connection
    await _terminate_listener(app_b)
    assert await _eventually(lambda: not app_b.state.auth_cache.live, seconds=1.0)
    assert not _cached(app_b, user.token)  # nothing served from it while it cannot hear changes
    # Revoked while B may not be listening yet (a change it cannot be told about): still refused.
    token_id = (await a.get("/api/v1/tokens", headers=user.headers)).json()[0]["id"]
    assert (await a.delete(f"/api/v1/tokens/{token_id}", headers=user.headers)).status_code == 204
    assert (await b.get("/api/v1/me", headers=user.headers)).status_code == 401
    # It reconnects on its own, and from then on changes reach it again.
    assert await _eventually(lambda: app_b.state.auth_cache.live and listener.connection is not old_connection)
    other = await make_user(org, "psw")
    await _warm(app_b, b, other)
    before = _generation(app_b)
    await Account.update({Account.is_active: False}).where(Account.id == other.principal.account_id)
    await _told(app_b, before)
    assert (await b.get("/api/v1/me", headers=other.headers)).status_code == 401


# --- the cache's own rules --------------------------------------------------------------


def _entry(stored_at: float) -> Entry:
    return Entry(principal=None, credential_id=None, last_used_at=None, stored_at=stored_at)  # type: ignore[arg-type]


def test_the_cache_serves_nothing_until_live_and_forgets_everything_when_it_goes_dark():
    import time

    cache = AuthCache()
    cache.put("k", _entry(time.monotonic()), cache.generation)
    assert cache.get("k") is None and len(cache) == 0
    cache.go_live()
    cache.put("k", _entry(time.monotonic()), cache.generation)
    assert cache.get("k") is not None
    cache.go_dark()
    assert len(cache) == 0 and cache.get("k") is None


def test_an_answer_read_before_a_change_is_not_stored():
    import time

    cache = AuthCache()
    cache.go_live()
    generation = cache.generation  # a request starts reading...
    cache.forget_all()  # ...a change is notified meanwhile...
    cache.put("k", _entry(time.monotonic()), generation)  # ...so what it read is dropped
    assert cache.get("k") is None


def test_entries_expire_and_the_cache_stays_bounded():
    import time

    cache = AuthCache(max_entries=3, max_age_seconds=5.0)
    cache.go_live()
    cache.put("old", _entry(time.monotonic() - 6), cache.generation)
    assert cache.get("old") is None
    for key in "abcd":
        cache.put(key, _entry(time.monotonic()), cache.generation)
    assert len(cache) == 3 and cache.get("a") is None and cache.get("d") is not None
