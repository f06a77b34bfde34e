"""Accounts, roles, API tokens and browser sessions.

Secrets (API tokens, session cookies) are 256 random bits shown once; only their SHA-256 is
stored, so a copy of the database cannot be used to sign in. Passwords use Argon2id.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from uuid import UUID

from peerwork.core.db import transaction
from peerwork.core.lazy import deferred
from peerwork.core.errors import Conflict, InvalidInput, NotFound, TooManyAttempts
from peerwork.core import audit
from peerwork.core.access import ROLES, Principal
from peerwork.core.auth_cache import AuthCache, Entry
from peerwork.core.tables import Account, ApiToken, LoginAttempt, LoginSession, Membership
from peerwork.core.time import now

TOKEN_PREFIX = "pw_"
argon2 = deferred("argon2")  # loaded by the first password hashed or checked, not at start-up


@functools.cache
def _hasher():
    return argon2.PasswordHasher()
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@functools.cache
def _dummy_hash() -> str:
    """What an unknown account's password is verified against, so the timing is the same.
    Made on first use, not at import (hashing takes a third of a second, and most processes
    never sign anyone in)."""
    return _hasher().hash(secrets.token_urlsafe(16))


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise InvalidInput(f"{email!r} is not an email address.")
    return email


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidInput(f"Unknown role {role!r}; choose one of: {', '.join(ROLES)}.")
    return role


def check_password(password: str) -> str:
    if len(password) < 12:
        raise InvalidInput("A password needs at least 12 characters.")
    return password


@dataclass(frozen=True)
class AccountView:
    id: UUID
    email: str
    display_name: str
    roles: tuple[str, ...]
    is_active: bool
    person_id: UUID | None


async def _account_view(account_id: UUID, organisation_id: UUID) -> AccountView:
    account = await Account.objects().where(Account.id == account_id).first()
    roles = await Membership.select(Membership.role).where(
        (Membership.account == account_id) & (Membership.organisation == organisation_id)
    ).output(as_list=True)
    if account is None or not roles:
        raise NotFound("No such account in your organisation.")
    return AccountView(
        id=account.id, email=account.email, display_name=account.display_name,
        roles=tuple(sorted(roles)), is_active=account.is_active, person_id=account.person,
    )


async def create_account(
    organisation_id: UUID,
    email: str,
    roles: list[str],
    *,
    display_name: str = "",
    password: str | None = None,
    person_id: UUID | None = None,
    actor: Principal | None = None,
) -> AccountView:
    """Create an account with roles in one organisation (or add roles to an existing one)."""
    email = normalise_email(email)
    roles = [check_role(r) for r in roles] or ["psw"]
    if password is not None:
        check_password(password)
    async with transaction():
        account = await Account.objects().where(Account.email == email).first()
        if account is None:
            account = Account(
                email=email,
                display_name=display_name.strip() or email.split("@")[0],
                password_hash=_hasher().hash(password) if password else None,
                person=person_id,
            )
            await account.save()
        else:
            existing = await Membership.exists().where(
                (Membership.account == account.id) & (Membership.organisation == organisation_id)
            )
            if existing and set(roles) <= set(
                await Membership.select(Membership.role).where(
                    (Membership.account == account.id) & (Membership.organisation == organisation_id)
                ).output(as_list=True)
            ):
                raise Conflict(f"{email} already has {'/'.join(roles)} in this organisation.")
            if password:
                account.password_hash = _hasher().hash(password)
                await account.save([Account.password_hash])
        for role in roles:
            already = await Membership.exists().where(
                (Membership.account == account.id)
                & (Membership.organisation == organisation_id)
                & (Membership.role == role)
            )
            if not already:
                await Membership(account=account.id, organisation=organisation_id, role=role).save()
        await audit.record(actor, "create", "account", account.id, organisation_id=organisation_id, roles=roles)
    return await _account_view(account.id, organisation_id)


async def list_accounts(principal: Principal) -> list[AccountView]:
    principal.require("accounts:read")
    rows = await Membership.select(
        Membership.account, Membership.role, Membership.account.email, Membership.account.display_name,
        Membership.account.is_active, Membership.account.person,
    ).where(Membership.organisation == principal.organisation_id)
    accounts: dict[UUID, dict] = {}
    for row in rows:  # one row per role held
        accounts.setdefault(row["account"], {**row, "roles": []})["roles"].append(row["role"])
    views = [AccountView(
        id=a["account"], email=a["account.email"], display_name=a["account.display_name"],
        roles=tuple(sorted(a["roles"])), is_active=a["account.is_active"], person_id=a["account.person"],
    ) for a in accounts.values()]
    return sorted(views, key=lambda v: v.email)


async def get_account(principal: Principal, account_id: UUID) -> AccountView:
    principal.require("accounts:read")
    return await _account_view(account_id, principal.organisation_id)


async def update_account(
    principal: Principal,
    account_id: UUID,
    *,
    roles: list[str] | None = None,
    is_active: bool | None = None,
    display_name: str | None = None,
) -> AccountView:
    principal.require("accounts:write")
    await _account_view(account_id, principal.organisation_id)  # 404 outside the organisation
    changed: list[str] = []
    async with transaction():
        if roles is not None:
            roles = [check_role(r) for r in roles]
            if not roles:
                raise InvalidInput("An account needs at least one role.")
            if account_id == principal.account_id and "admin" not in roles:
                raise InvalidInput("You cannot remove your own admin role.")
            await Membership.delete().where(
                (Membership.account == account_id) & (Membership.organisation == principal.organisation_id)
            )
            for role in roles:
                await Membership(account=account_id, organisation=principal.organisation_id, role=role).save()
            changed.append("roles")
        values = {}
        if is_active is not None:
            if account_id == principal.account_id and not is_active:
                raise InvalidInput("You cannot deactivate your own account.")
            values[Account.is_active] = is_active
        if display_name is not None:
            values[Account.display_name] = display_name.strip()
        if values:
            await Account.update(values).where(Account.id == account_id)
            changed.extend(c._meta.name for c in values)
            if is_active is False:
                await end_all_access(account_id)
        await audit.record(principal, "update", "account", account_id, fields=changed)
    return await _account_view(account_id, principal.organisation_id)


async def end_all_access(account_id: UUID) -> None:
    """End every session and API token of the account at once."""
    await LoginSession.delete().where(LoginSession.account == account_id)
    await ApiToken.update({ApiToken.revoked_at: now()}).where(
        (ApiToken.account == account_id) & ApiToken.revoked_at.is_null()
    )


# --- API tokens -------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    id: UUID
    token: str  # shown once
    label: str


async def issue_api_token(account_id: UUID, organisation_id: UUID, label: str = "") -> IssuedToken:
    token = new_secret(TOKEN_PREFIX)
    row = ApiToken(account=account_id, organisation=organisation_id, token_hash=digest(token), label=label[:100])
    await row.save()
    await audit.record(None, "create", "api_token", row.id, organisation_id=organisation_id, account=str(account_id))
    return IssuedToken(id=row.id, token=token, label=row.label)


async def list_api_tokens(principal: Principal) -> list[dict]:
    return await ApiToken.select(
        ApiToken.id, ApiToken.label, ApiToken.created_at, ApiToken.last_used_at, ApiToken.revoked_at
    ).where(
        (ApiToken.account == principal.account_id) & (ApiToken.organisation == principal.organisation_id)
    ).order_by(ApiToken.created_at)


async def revoke_api_token(principal: Principal, token_id: UUID) -> None:
    """Revoke one of the caller's own tokens (admins may revoke any in their organisation)."""
    condition = (ApiToken.id == token_id) & (ApiToken.organisation == principal.organisation_id)
    if not principal.can("accounts:write"):
        condition &= ApiToken.account == principal.account_id
    row = await ApiToken.objects().where(condition).first()
    if row is None:
        raise NotFound("No such token.")
    if row.revoked_at is None:
        await ApiToken.update({ApiToken.revoked_at: now()}).where(ApiToken.id == token_id)
        await audit.record(principal, "revoke", "api_token", token_id)


# One query finds the caller, their organisation and roles: it runs on every request.
_PRINCIPAL_SQL = """
SELECT a.id AS account_id, a.email, a.display_name, a.person AS person_id,
       o.id AS organisation_id, o.slug, o.name, m.role, c.id AS credential_id, c.{stamp} AS stamp
FROM {table} c
JOIN account a ON a.id = c.account AND a.is_active
JOIN organisation o ON o.id = c.organisation
JOIN membership m ON m.account = c.account AND m.organisation = c.organisation
WHERE c.token_hash = {{}} AND {condition}
"""
_TOKEN_SQL = _PRINCIPAL_SQL.format(table="api_token", stamp="last_used_at", condition="c.revoked_at IS NULL")
_SESSION_SQL = _PRINCIPAL_SQL.format(table="login_session", stamp="expires_at",
                                     condition="c.expires_at > {} AND c.second_factor_due = {}")
_TOUCH_EVERY = timedelta(hours=1)


def _as_uuid(value: object) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _principal_from(rows: list[dict], via: str) -> Principal | None:
    if not rows:
        return None
    first = rows[0]
    return Principal(
        account_id=_as_uuid(first["account_id"]), organisation_id=_as_uuid(first["organisation_id"]),
        organisation_slug=first["slug"], organisation_name=first["name"], email=first["email"],
        display_name=first["display_name"], roles=frozenset(r["role"] for r in rows),
        person_id=_as_uuid(first["person_id"]) if first["person_id"] else None, via=via,
    )


async def principal_for(account_id: UUID, organisation_id: UUID, via: str) -> Principal | None:
    """The principal an active account has in an organisation, for work done on its behalf
    outside a request (a calendar reply by email); None if the account or membership is gone."""
    rows = await Membership.select(
        Membership.account.as_alias("account_id"), Membership.account.email, Membership.account.display_name,
        Membership.account.person.as_alias("person_id"), Membership.organisation.as_alias("organisation_id"),
        Membership.organisation.slug, Membership.organisation.name, Membership.role,
    ).where(
        (Membership.account == account_id) & (Membership.organisation == organisation_id)
        & (Membership.account.is_active == True)  # noqa: E712
    )
    rows = [{k.split(".")[-1]: v for k, v in r.items()} for r in rows]
    return _principal_from(rows, via)


async def authenticate_token(token: str, cache: AuthCache | None = None) -> Principal | None:
    """The principal a bearer token stands for, or None. With a live ``cache`` (PostgreSQL,
    listening for changes) a token seen in the last few seconds costs no round trip."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    key = digest(token)
    if cache is not None:
        entry = cache.get(key)
        if entry is not None:
            entry.last_used_at = await _touch_if_due(entry.credential_id, entry.last_used_at)
            return entry.principal
        generation = cache.generation  # taken before reading: a change meanwhile voids the answer
    rows = await ApiToken.raw(_TOKEN_SQL, key)
    principal = _principal_from(rows, "token")
    if principal is not None:
        credential_id = _as_uuid(rows[0]["credential_id"])
        last_used = await _touch_if_due(credential_id, rows[0]["stamp"])
        if cache is not None:
            cache.put(key, Entry(principal, credential_id, last_used, time.monotonic()), generation)
    return principal


async def _touch_if_due(credential_id: UUID, last_used: datetime | str | None) -> datetime:
    """Record the token's use at most hourly, so a busy script does not turn every read into
    a write; returns the time now on record."""
    if last_used is not None and _aware(last_used) >= now() - _TOUCH_EVERY:
        return _aware(last_used)
    stamp = now()
    await ApiToken.update({ApiToken.last_used_at: stamp}).where(ApiToken.id == credential_id)
    return stamp


def _aware(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


# --- Browser sessions -------------------------------------------------------------------


async def _recent_failures(email_hash: str, window: timedelta) -> int:
    return await LoginAttempt.count().where(
        (LoginAttempt.email_hash == email_hash) & (LoginAttempt.at > now() - window)
    )


def password_matches(account: Account | None, password: str) -> bool:
    """Verify against a real hash even when there is no account, so timing says nothing."""
    dummy = _dummy_hash()  # made on the first sign-in whoever it is for, so that one says nothing either
    try:
        return _hasher().verify(account.password_hash if account and account.password_hash else dummy, password)
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        return False


@dataclass(frozen=True)
class SignedIn:
    secret: str  # the session cookie, shown once
    account_id: UUID
    organisation_id: UUID
    second_factor_due: bool  # the session identifies nobody until the second factor is given


async def sign_in(
    email: str, password: str, *, session_hours: int, max_failures: int, window_minutes: int, user_agent: str = ""
) -> SignedIn:
    """Check a password and open a session.

    At most ``max_failures`` failed attempts per address in ``window_minutes``, counted in the
    database so the limit holds across app instances. The error never says which part was wrong.
    When the account needs a second factor the session is opened pending it (see
    :func:`second_factor_needed`).
    """
    email = email.strip().lower()
    email_hash = digest(email)
    window = timedelta(minutes=window_minutes)
    if await _recent_failures(email_hash, window) >= max_failures:
        raise TooManyAttempts(f"Too many failed sign-ins. Try again in {window_minutes} minutes.")
    account = await Account.objects().where(Account.email == email).first()
    ok = password_matches(account, password)
    membership = None
    if ok and account is not None and account.is_active and account.password_hash:
        membership = await Membership.select(Membership.organisation).where(
            Membership.account == account.id
        ).order_by(Membership.created_at).first()
    if membership is None:
        await LoginAttempt(email_hash=email_hash).save()
        raise InvalidInput("That email and password do not match an account.")
    await LoginAttempt.delete().where(LoginAttempt.email_hash == email_hash)
    organisation_id = membership["organisation"]
    due = await second_factor_needed(account.id, organisation_id)
    secret = await open_session(account.id, organisation_id, session_hours=session_hours, via="password",
                                second_factor_due=due, user_agent=user_agent)
    await audit.record(None, "login", "account", account.id, organisation_id=organisation_id,
                       via="password", second_factor_due=due)
    return SignedIn(secret, account.id, organisation_id, due)


# Admin and HR see special-category data: they always need a second factor.
ROLES_NEEDING_MFA = frozenset({"admin", "hr"})


async def second_factor_needed(account_id: UUID, organisation_id: UUID) -> bool:
    """Whether a password alone is not enough for this account in this organisation: it has
    an authenticator set up, holds a role that requires one, or the organisation requires it
    of everyone."""
    rows = await Membership.select(
        Membership.role, Membership.account.totp_enabled_at, Membership.organisation.require_mfa_for_all,
    ).where((Membership.account == account_id) & (Membership.organisation == organisation_id))
    if not rows:
        return False
    first = rows[0]
    return bool(first["account.totp_enabled_at"] or first["organisation.require_mfa_for_all"]
                or ROLES_NEEDING_MFA & {r["role"] for r in rows})


async def open_session(
    account_id: UUID, organisation_id: UUID, *, session_hours: int, via: str,
    second_factor_due: bool = False, user_agent: str = "",
) -> str:
    """A new browser session; returns the cookie secret (only its SHA-256 is stored)."""
    secret = new_secret()
    await LoginSession(
        account=account_id, organisation=organisation_id, token_hash=digest(secret),
        expires_at=now() + timedelta(hours=session_hours), second_factor_due=second_factor_due,
        via=via, user_agent=user_agent[:200],
    ).save()
    return secret


async def pending_second_factor(secret: str) -> tuple[UUID, UUID] | None:
    """(account, organisation) of a live session still waiting for its second factor."""
    row = await LoginSession.select(LoginSession.account, LoginSession.organisation).where(
        (LoginSession.token_hash == digest(secret)) & (LoginSession.second_factor_due == True)  # noqa: E712
        & (LoginSession.expires_at > now())
    ).first()
    return (row["account"], row["organisation"]) if row else None


async def second_factor_given(secret: str) -> None:
    """The session's second factor checked out: from now on it identifies its account."""
    await LoginSession.update({LoginSession.second_factor_due: False}).where(
        LoginSession.token_hash == digest(secret))


async def end_sessions(account_id: UUID, *, keep_secret: str | None = None) -> int:
    """End every session of the account (but the one whose cookie is ``keep_secret``)."""
    condition = LoginSession.account == account_id
    if keep_secret is not None:
        condition &= LoginSession.token_hash != digest(keep_secret)
    ended = await LoginSession.delete().where(condition).returning(LoginSession.id)
    return len(ended)


async def authenticate_session(secret: str) -> Principal | None:
    return _principal_from(await LoginSession.raw(_SESSION_SQL, digest(secret), now(), False), "session")


async def sign_out(secret: str) -> None:
    await LoginSession.delete().where(LoginSession.token_hash == digest(secret))


async def set_password(account_id: UUID, password: str) -> None:
    check_password(password)
    await Account.update({Account.password_hash: _hasher().hash(password), Account.password_changed_at: now()}).where(
        Account.id == account_id)
