"""Single sign-on: people sign in with their work identity through their organisation's
OpenID Connect provider (Microsoft Entra ID for NHSmail; Google or Microsoft for VCSE partners).

The round trip is the authorization code flow with PKCE (S256), a ``state`` and a ``nonce``.
Each attempt is a row in ``SsoState`` (only the state's SHA-256 is stored), so any instance can
finish what another started; it lasts ten minutes and is used once (finishing deletes it). The
state is also kept in a short-lived cookie, so the attempt can only be finished in the browser
that started it (a link with someone else's code cannot sign you in as them).

The protocol itself (metadata, keys, the code exchange, the ID token's signature and claims) is
``accounts.oidc``, built on Authlib. The address in the ID token must be verified
(``email_verified`` true, or, from Microsoft Entra ID, which never sends that claim for work
accounts, ``xms_edov`` true: the tenant owns the address's domain).

A person is matched to an active account by that address, and only to an account with a role in
the organisation whose provider signed them in: an account elsewhere is never reached this way.
Sign-in alone creates no account unless the organisation has turned on creation for addresses
in its invited domains; then the account gets the organisation's default role (never admin or
HR) and no staff record.

The identity provider is responsible for the second factor of an SSO sign-in (NHSmail and
Google Workspace enforce their own MFA policies), so the session opens without asking for
peerwork's own: ``second_factor_due=False``.
"""

from __future__ import annotations

import hmac
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from peerwork.accounts import oidc
from peerwork.accounts.schemas import SsoProviderIn
from peerwork.accounts.tables import SsoProvider, SsoState
from peerwork.core import accounts, audit, crypto
from peerwork.core.access import Principal
from peerwork.core.db import transaction
from peerwork.core.errors import DomainError, InvalidInput, NotFound
from peerwork.core.security import local_path
from peerwork.core.settings import current_settings
from peerwork.core.tables import Account, Membership, Organisation
from peerwork.core.time import now

logger = logging.getLogger("peerwork.sso")

SECRET_PURPOSE = "sso-client-secret"
CALLBACK_PATH = "/login/sso/callback"
STATE_COOKIE = "peerwork_sso"
STATE_MINUTES = 10
_DOMAIN = re.compile(r"^(?=.{3,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")


class SignInFailed(DomainError):
    """A single sign-on attempt that cannot finish; the detail says what to do next."""

    status_code = 400
    code = "sso-failed"
    title = "Single sign-on did not work"


class NoAccount(SignInFailed):
    status_code = 403
    code = "sso-no-account"
    title = "No peerwork account for this work email"


START_AGAIN = ("This sign-in has expired, was already used, or was started in another browser. "
               "Go back to the sign-in page and choose your work account again.")


# --- configuration (admins) -------------------------------------------------------------


@dataclass(frozen=True)
class ProviderView:
    issuer: str
    client_id: str
    client_secret_set: bool
    email_domains: tuple[str, ...]
    create_accounts: bool
    default_role: str
    label: str
    redirect_uri: str
    updated_at: datetime


@dataclass(frozen=True)
class SignInOption:
    """A "sign in with your work account" link on the sign-in page."""

    slug: str
    organisation_name: str
    label: str


def redirect_uri() -> str:
    """The callback to register with the provider: ``<PEERWORK_PUBLIC_URL>/login/sso/callback``."""
    return current_settings().site_url + CALLBACK_PATH


def _domains(text: str) -> tuple[str, ...]:
    return tuple(d for d in (part.strip() for part in text.split(",")) if d)


def _view(row: SsoProvider) -> ProviderView:
    return ProviderView(
        issuer=row.issuer, client_id=row.client_id, client_secret_set=bool(row.client_secret),
        email_domains=_domains(row.email_domains), create_accounts=row.create_accounts,
        default_role=row.default_role, label=row.label, redirect_uri=redirect_uri(), updated_at=row.updated_at,
    )


def check_issuer(issuer: str) -> str:
    """An https URL without query or fragment (plain http only on this machine, for testing)."""
    issuer = issuer.strip()
    parts = urlsplit(issuer)
    loopback = parts.scheme == "http" and parts.hostname in oidc.LOOPBACK
    if not (parts.scheme == "https" or loopback) or not parts.hostname or parts.query or parts.fragment:
        raise InvalidInput("issuer: must be the provider's https address, e.g. "
                           "https://login.microsoftonline.com/<tenant id>/v2.0",
                           errors=[{"field": "issuer", "problem": "must be an https URL"}])
    if "{" in issuer or "/common/" in issuer + "/" or "/organizations/" in issuer + "/":
        raise InvalidInput("issuer: use your own tenant's issuer, not a multi-tenant one (common, organizations)",
                           errors=[{"field": "issuer", "problem": "must be one tenant's issuer"}])
    return issuer


def check_domains(domains: list[str]) -> tuple[str, ...]:
    cleaned: list[str] = []
    for raw in domains:
        domain = raw.strip().lower().lstrip("@")
        if not _DOMAIN.match(domain):
            raise InvalidInput(f"email_domains: {raw.strip()!r} is not an email domain (e.g. nhs.net)",
                               errors=[{"field": "email_domains", "problem": "not an email domain"}])
        if domain not in cleaned:
            cleaned.append(domain)
    if len(",".join(cleaned)) > 1000:
        raise InvalidInput("email_domains: too many domains (at most 1000 characters together)")
    return tuple(cleaned)


async def get_provider(principal: Principal) -> ProviderView | None:
    principal.require("accounts:read")
    row = await SsoProvider.objects().where(SsoProvider.organisation == principal.organisation_id).first()
    return None if row is None else _view(row)


async def set_provider(principal: Principal, data: SsoProviderIn) -> ProviderView:
    """Create or change the organisation's provider. The client secret is stored only
    encrypted (``crypto.encrypt``), and an empty one keeps the secret already stored."""
    principal.require("accounts:write")
    issuer = check_issuer(data.issuer)
    domains = check_domains(data.email_domains)
    if data.create_accounts and not domains:
        raise InvalidInput("email_domains: creating accounts at sign-in needs at least one email domain",
                           errors=[{"field": "email_domains", "problem": "needed to create accounts"}])
    values: dict[str, Any] = {
        "issuer": issuer, "client_id": data.client_id.strip(), "email_domains": ",".join(domains),
        "create_accounts": data.create_accounts, "default_role": data.default_role, "label": data.label.strip(),
    }
    if not values["client_id"] or not values["label"]:
        raise InvalidInput("client_id and label must not be blank")
    secret = data.client_secret.strip()
    async with transaction():
        row = await SsoProvider.objects().where(SsoProvider.organisation == principal.organisation_id).first()
        if row is None and not secret:
            raise InvalidInput("client_secret: required when setting up single sign-on",
                               errors=[{"field": "client_secret", "problem": "required"}])
        changed = [name for name, value in values.items() if row is None or getattr(row, name) != value]
        if row is None:
            row = SsoProvider(organisation=principal.organisation_id)
        for name, value in values.items():
            setattr(row, name, value)
        if secret:
            row.client_secret = crypto.encrypt(secret, purpose=SECRET_PURPOSE)
            changed.append("client_secret")
        row.updated_at = now()
        action = "update" if row._exists_in_db else "create"
        await row.save()
        await audit.record(principal, action, "sso_provider", row.id, fields=changed)
    oidc.forget(issuer)
    return _view(row)


async def remove_provider(principal: Principal) -> None:
    """Turn single sign-on off for the organisation (passwords keep working)."""
    principal.require("accounts:write")
    async with transaction():
        removed = await SsoProvider.delete().where(
            SsoProvider.organisation == principal.organisation_id).returning(SsoProvider.id)
        if not removed:
            raise NotFound("Single sign-on is not set up for your organisation.")
        await SsoState.delete().where(SsoState.organisation == principal.organisation_id)
        await audit.record(principal, "delete", "sso_provider", removed[0]["id"])


async def sign_in_options(org_slug: str | None = None) -> list[SignInOption]:
    """The organisations people can sign in to with their work account (one, when named)."""
    query = SsoProvider.select(SsoProvider.organisation.slug, SsoProvider.organisation.name, SsoProvider.label)
    if org_slug:
        query = query.where(SsoProvider.organisation.slug == org_slug.strip().lower())
    rows = await query
    options = [SignInOption(r["organisation.slug"], r["organisation.name"], r["label"]) for r in rows]
    return sorted(options, key=lambda o: o.organisation_name.lower())


# --- signing in ------------------------------------------------------------------------



@dataclass(frozen=True)
class Started:
    url: str  # the provider's authorization URL
    state: str  # also kept in the browser, so only this browser can finish


async def _provider_for(org_slug: str) -> tuple[SsoProvider, dict[str, Any]]:
    row = await SsoProvider.objects(SsoProvider.organisation).where(
        SsoProvider.organisation.slug == org_slug.strip().lower()).first()
    if row is None:
        raise NotFound("No organisation by that name signs people in with a work account here. "
                       "Sign in with your email and password, or ask your admin.")
    return row, {"id": row.organisation.id, "slug": row.organisation.slug, "name": row.organisation.name}


async def start(org_slug: str, *, next_path: str = "/") -> Started:
    """Begin signing in through the organisation's provider: the URL to send the browser to."""
    provider, org = await _provider_for(org_slug)
    meta = await _metadata(provider, org)
    trip = oidc.RoundTrip.new()
    await SsoState.delete().where(SsoState.expires_at < now() - timedelta(hours=1))  # tidy old attempts
    await SsoState(
        state_hash=accounts.digest(trip.state), organisation=org["id"], nonce=trip.nonce,
        code_verifier=trip.verifier, next_path=local_path(next_path),
        expires_at=now() + timedelta(minutes=STATE_MINUTES),
    ).save()
    return Started(url=oidc.authorization_url(meta, provider.client_id, redirect_uri(), trip), state=trip.state)


@dataclass(frozen=True)
class SsoSignedIn:
    secret: str  # the session cookie, shown once
    account_id: UUID
    organisation_id: UUID
    next_path: str
    created: bool  # the account was created just now (just-in-time)


def _uuid(value: object) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


async def _claim_state(state: str | None, browser_state: str | None) -> dict[str, Any]:
    """The attempt this state belongs to, deleted as it is read (so it is used once)."""
    if not state or not browser_state or not hmac.compare_digest(state.encode(), browser_state.encode()):
        raise SignInFailed(START_AGAIN)
    state_hash = accounts.digest(state)
    rows = await SsoState.delete().where(
        (SsoState.state_hash == state_hash) & (SsoState.expires_at > now())
    ).returning(SsoState.organisation, SsoState.nonce, SsoState.code_verifier, SsoState.next_path)
    if not rows:
        await SsoState.delete().where(SsoState.state_hash == state_hash)  # an expired one goes too
        raise SignInFailed(START_AGAIN)
    return rows[0]


async def _refused(org: dict[str, Any], reason: str, account_id: UUID | None = None) -> None:
    """Every refused SSO sign-in is in the audit log too (a reason, never the address)."""
    await audit.record(None, "login_refused", "account", account_id, organisation_id=org["id"], via="sso",
                       reason=reason)


def _failed(kind: str, org: dict[str, Any]) -> SignInFailed:
    """What a person is told when a step with the provider did not work."""
    if kind == "unreachable":
        return SignInFailed(f"We could not reach {org['name']}'s sign-in service. Try again in a few minutes, "
                            "or sign in with your email and password.")
    if kind == "misconfigured":
        return SignInFailed(f"Single sign-on for {org['name']} is not set up correctly. Please tell your "
                            "peerwork admin, and sign in with your email and password meanwhile.")
    if kind == "id-token-invalid":
        return SignInFailed(f"{org['name']}'s sign-in service sent an identity we could not check. Go back to "
                            "the sign-in page and try again; if it happens again, tell your admin.")
    return SignInFailed(START_AGAIN)


async def _metadata(provider: SsoProvider, org: dict[str, Any]) -> dict[str, Any]:
    try:
        return await oidc.metadata(provider.issuer)
    except oidc.OidcFailure as failure:
        raise _failed(failure.kind, org) from None


async def _identity(provider: SsoProvider, org: dict[str, Any], attempt: dict[str, Any], code: str,
                    iss: str | None) -> dict[str, Any]:
    """Exchange the code at the provider and check the ID token that comes back: its claims.
    Each failure is audited (its kind, never the provider's words) and told as what to do next."""
    try:
        secret = crypto.decrypt(provider.client_secret, purpose=SECRET_PURPOSE)
    except crypto.DecryptionFailed:
        logger.error("sso: the stored client secret cannot be decrypted with the configured keys")
        await _refused(org, "misconfigured")
        raise _failed("misconfigured", org) from None
    try:
        meta = await oidc.metadata(provider.issuer)
        # RFC 9207: where the provider names itself in its answer, it must be the provider we asked.
        if (iss is not None or meta.get("authorization_response_iss_parameter_supported")) \
                and not (iss and hmac.compare_digest(iss.encode(), meta["issuer"].encode())):
            raise oidc.OidcFailure("issuer-mismatch")
        token = await oidc.exchange_code(meta, provider.client_id, secret, redirect_uri(), code,
                                         attempt["code_verifier"])
        return await oidc.id_token_claims(meta, provider.client_id, token, attempt["nonce"])
    except oidc.OidcFailure as failure:
        await _refused(org, failure.kind)
        raise _failed(failure.kind, org) from None


async def _account_for(org: dict[str, Any], email: str) -> tuple[UUID | None, bool]:
    """(account, has a role here and is active) for this address, in this organisation only."""
    account = await Account.select(Account.id, Account.is_active).where(Account.email == email).first()
    if account is None:
        return None, False
    member = await Membership.exists().where(
        (Membership.account == account["id"]) & (Membership.organisation == org["id"]))
    return _uuid(account["id"]), bool(member and account["is_active"])


def _no_account(org: dict[str, Any]) -> NoAccount:
    return NoAccount(f"No peerwork account for this work email in {org['name']}: ask your admin for an invitation.")


async def finish(
    *, state: str | None, browser_state: str | None, code: str | None, error: str | None = None,
    iss: str | None = None, session_hours: int, user_agent: str = "",
) -> SsoSignedIn:
    """Finish signing in on the way back from the provider: check everything, find (or, where
    the organisation allows it, create) the account, open a session.

    The session is opened with ``second_factor_due=False``: for an SSO sign-in, the identity
    provider is responsible for the second factor.
    """
    attempt = await _claim_state(state, browser_state)
    org_row = await Organisation.select(Organisation.id, Organisation.slug, Organisation.name).where(
        Organisation.id == attempt["organisation"]).first()
    provider = await SsoProvider.objects().where(SsoProvider.organisation == attempt["organisation"]).first()
    if org_row is None or provider is None:
        raise SignInFailed("Single sign-on is no longer set up for this organisation. "
                           "Sign in with your email and password, or ask your admin.")
    org = {**org_row, "id": _uuid(org_row["id"])}
    if error:
        await _refused(org, "provider-error")
        if error == "access_denied":
            raise SignInFailed(f"{org['name']}'s sign-in service did not sign you in (it was cancelled or refused). "
                               "Go back to the sign-in page to try again, or ask your admin.")
        raise SignInFailed(f"{org['name']}'s sign-in service could not sign you in. "
                           "Go back to the sign-in page to try again; if it happens again, tell your admin.")
    if not code:
        await _refused(org, "no-code")
        raise SignInFailed(START_AGAIN)
    claims = await _identity(provider, org, attempt, code, iss)

    raw_email = claims.get("email")
    if not isinstance(raw_email, str) or not raw_email.strip():
        await _refused(org, "no-email")
        raise SignInFailed(f"{org['name']}'s sign-in service did not tell us your email address. "
                           "Ask your admin to check the single sign-on set-up (it needs the email scope).")
    if not oidc.email_verified(claims):
        await _refused(org, "email-unverified")
        raise SignInFailed(f"{org['name']}'s sign-in service has not verified your email address, so we cannot "
                           "use it to sign you in. Ask your admin, or sign in with your email and password.")
    try:
        email = accounts.normalise_email(raw_email)
    except InvalidInput:
        await _refused(org, "email-invalid")
        raise _no_account(org) from None

    account_id, member = await _account_for(org, email)
    created = False
    if not member:
        domain = email.rsplit("@", 1)[1]
        if account_id is not None or not provider.create_accounts or domain not in _domains(provider.email_domains):
            # An account elsewhere (or switched off) is never reached or joined by signing in here.
            await _refused(org, "no-account")
            raise _no_account(org)
        name = claims.get("name") if isinstance(claims.get("name"), str) else ""
        # create_account records the creation in the audit log; the login below says it was at sign-in.
        view = await accounts.create_account(org["id"], email, [provider.default_role], display_name=name[:200])
        account_id, created = view.id, True
    assert account_id is not None
    secret = await accounts.open_session(account_id, org["id"], session_hours=session_hours, via="sso",
                                         second_factor_due=False, user_agent=user_agent)
    await audit.record(None, "login", "account", account_id, organisation_id=org["id"], via="sso",
                       second_factor_due=False, just_in_time=created)
    return SsoSignedIn(secret=secret, account_id=account_id, organisation_id=org["id"],
                       next_path=local_path(attempt["next_path"]), created=created)
