"""Two-step sign-in: a time-based code from an authenticator app (TOTP, RFC 6238), or a
single-use recovery code.

The TOTP secret is stored only encrypted (``core.crypto``, purpose ``"totp"``); recovery
codes only as SHA-256. A code is accepted one time step either side of now, and never twice:
``Account.totp_last_step`` moves forward with every code used, in one conditional UPDATE, so
two requests racing with the same code cannot both win. Wrong codes are limited per account
like wrong passwords (the ``LoginAttempt`` table, under a key of their own), so six digits
cannot be guessed. Every enrolment, turning off, recovery-code use and second-factor check is
audited, never with a secret or a code in it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

from peerwork.accounts.schemas import MfaPolicyIn
from peerwork.accounts.tables import RecoveryCode
from peerwork.core import accounts, audit, crypto
from peerwork.core.access import Principal
from peerwork.core.db import transaction
from peerwork.core.lazy import deferred
from peerwork.core.errors import (
    Conflict, InvalidInput, NotAuthenticated, NotFound, PermissionDenied, TooManyAttempts,
)
from peerwork.core.settings import current_settings
from peerwork.core.tables import Account, LoginAttempt, LoginSession, Membership, Organisation
from peerwork.core.time import now

pyotp = deferred("pyotp")  # loaded by the first authenticator code made or checked, not at start-up

ISSUER = "peerwork"
TOTP_PURPOSE = "totp"  # the associated data the secret is encrypted with
STEP_SECONDS = 30
DRIFT_STEPS = 1  # as pyotp's valid_window=1: the previous, current and next code
DIGITS = 6
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/i/l to misread
RECOVERY_LENGTH = 12  # about 59 random bits, shown as xxxx-xxxx-xxxx
# How long a password-checked sign-in may wait for its second factor (including setting up an
# app the first time); after that the person signs in again.
PENDING_FOR = timedelta(minutes=30)

Method = Literal["totp", "recovery"]

MALFORMED = ("Enter the 6-digit code from your authenticator app, or one of your recovery codes "
             "(like abcd-efgh-jkmn).")
WRONG = "That code is not right. Use the newest code your app shows, and check the time on your phone is correct."
REPLAYED = "That code has already been used. Wait for your app to show a new one."


# --- form input (there is no API for this yet; the pages convert forms with form_to) -----


# --- views ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Enrolment:
    """A new authenticator secret waiting for its first code: shown to the person, once."""

    secret: str
    uri: str  # otpauth://, for the QR code

    @property
    def grouped(self) -> str:
        """The secret as people type it into an app: groups of four."""
        return " ".join(self.secret[i:i + 4] for i in range(0, len(self.secret), 4))


@dataclass(frozen=True)
class SecurityStatus:
    enabled: bool
    enabled_at: datetime | None
    required_by_role: bool
    required_by_organisation: bool
    recovery_codes_left: int
    can_set_policy: bool  # an admin may ask every role for a second factor

    @property
    def required(self) -> bool:
        return self.required_by_role or self.required_by_organisation


@dataclass(frozen=True)
class PendingSignIn:
    """A session whose password checked out, waiting for its second factor."""

    account_id: UUID
    organisation_id: UUID
    email: str
    has_authenticator: bool


# --- small helpers ----------------------------------------------------------------------


def _attempts_key(account_id: UUID) -> str:
    # Stored in LoginAttempt.email_hash; the prefix keeps it apart from sign-in failures.
    return accounts.digest(f"mfa:{account_id}")


def _recovery_hash(account_id: UUID, normalised: str) -> str:
    # Salted with the account, so one code list says nothing about another's.
    return hashlib.sha256(f"recovery:{account_id}:{normalised}".encode()).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, RECOVERY_LENGTH, 4))


def _parse(code: str) -> tuple[Method, str]:
    """A typed code as ("totp", "123456") or ("recovery", "abcdefghjkmn"); spaces and dashes
    are ignored. Anything else is refused before it counts as an attempt."""
    cleaned = "".join(ch for ch in code if ch not in " -\t").lower()
    if len(cleaned) == DIGITS and cleaned.isascii() and cleaned.isdigit():
        return "totp", cleaned
    if len(cleaned) == RECOVERY_LENGTH and all(ch in RECOVERY_ALPHABET for ch in cleaned):
        return "recovery", cleaned
    raise InvalidInput(MALFORMED)


def _step(at: datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def _matching_step(secret: str, code: str, at: datetime) -> int | None:
    """The time step whose code this is, within DRIFT_STEPS of ``at`` (pyotp's valid_window);
    every candidate is compared in constant time."""
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = _step(at)
    matched = [step for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1)
               if pyotp.utils.strings_equal(totp.generate_otp(step), code)]
    return max(matched) if matched else None


def _uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(name=email, issuer_name=ISSUER)


async def _account(account_id: UUID) -> Account:
    account = await Account.objects().where(Account.id == account_id).first()
    if account is None or not account.is_active:
        raise NotAuthenticated("Please sign in.")
    return account


async def _roles(account_id: UUID, organisation_id: UUID) -> set[str]:
    rows = await Membership.select(Membership.role).where(
        (Membership.account == account_id) & (Membership.organisation == organisation_id)
    ).output(as_list=True)
    return set(rows)


async def _organisation_requires(organisation_id: UUID) -> bool:
    row = await Organisation.select(Organisation.require_mfa_for_all).where(
        Organisation.id == organisation_id).first()
    return bool(row and row["require_mfa_for_all"])


async def _replace_recovery_codes(account_id: UUID) -> list[str]:
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    await RecoveryCode.delete().where(RecoveryCode.account == account_id)
    await RecoveryCode.insert(*[
        RecoveryCode(account=account_id, code_hash=_recovery_hash(account_id, code.replace("-", "")))
        for code in codes
    ])
    return codes


# --- status -----------------------------------------------------------------------------


async def status(account_id: UUID, organisation_id: UUID) -> SecurityStatus:
    account = await _account(account_id)
    roles = await _roles(account_id, organisation_id)
    left = await RecoveryCode.count().where(
        (RecoveryCode.account == account_id) & RecoveryCode.used_at.is_null())
    enabled = account.totp_enabled_at is not None
    return SecurityStatus(
        enabled=enabled, enabled_at=account.totp_enabled_at,
        required_by_role=bool(accounts.ROLES_NEEDING_MFA & roles),
        required_by_organisation=await _organisation_requires(organisation_id),
        recovery_codes_left=left if enabled else 0,
        can_set_policy="admin" in roles,
    )


async def has_authenticator(account_id: UUID) -> bool:
    return await Account.exists().where((Account.id == account_id) & Account.totp_enabled_at.is_not_null())


# --- enrolment --------------------------------------------------------------------------


async def begin_enrolment(account_id: UUID) -> Enrolment:
    """A fresh random secret, stored encrypted but not yet in use (``totp_enabled_at`` stays
    empty until :func:`confirm_enrolment` sees a code made with it). Each call makes a new one,
    so a secret shown earlier (to anyone) is never the one that gets enabled later."""
    account = await _account(account_id)
    if account.totp_enabled_at is not None:
        raise Conflict("Two-step sign-in is already on for your account.")
    secret = pyotp.random_base32()
    await Account.update({Account.totp_secret: crypto.encrypt(secret, purpose=TOTP_PURPOSE),
                          Account.totp_last_step: None}).where(
        (Account.id == account_id) & Account.totp_enabled_at.is_null())
    return Enrolment(secret=secret, uri=_uri(secret, account.email))


async def enrolment_in_progress(account_id: UUID) -> Enrolment | None:
    """The secret begun but not yet confirmed (to show again after a mistyped first code)."""
    account = await _account(account_id)
    if account.totp_enabled_at is not None or not account.totp_secret:
        return None
    secret = crypto.decrypt(account.totp_secret, purpose=TOTP_PURPOSE)
    return Enrolment(secret=secret, uri=_uri(secret, account.email))


async def confirm_enrolment(
    account_id: UUID, organisation_id: UUID, code: str, *, at: datetime | None = None
) -> list[str]:
    """Turn two-step sign-in on once the first code from the new secret checks out; returns
    ten new recovery codes, shown once (any old ones stop working)."""
    account = await _account(account_id)
    if account.totp_enabled_at is not None:
        raise Conflict("Two-step sign-in is already on for your account.")
    if not account.totp_secret:
        raise InvalidInput("Start setting up again: there is no new key waiting for a code.")
    method, value = _parse(code)
    if method != "totp":
        raise InvalidInput("Enter the 6-digit code your authenticator app shows for peerwork.")
    step = _matching_step(crypto.decrypt(account.totp_secret, purpose=TOTP_PURPOSE), value, at or now())
    if step is None:
        raise InvalidInput(WRONG)
    async with transaction():
        # Only the secret the code was checked against, and only if nothing enabled one meanwhile.
        enabled = await Account.update({
            Account.totp_enabled_at: now(), Account.totp_last_step: step,
        }).where(
            (Account.id == account_id) & (Account.totp_secret == account.totp_secret)
            & Account.totp_enabled_at.is_null()
        ).returning(Account.id)
        if not enabled:
            raise Conflict("Two-step sign-in was changed in another window. Start setting up again.")
        codes = await _replace_recovery_codes(account_id)
        await audit.record(None, "mfa_enable", "account", account_id, organisation_id=organisation_id,
                           method="totp", recovery_codes=len(codes))
    return codes


# --- checking a code --------------------------------------------------------------------


async def _recent_failures(key: str) -> int:
    window = timedelta(minutes=current_settings().login_window_minutes)
    return await LoginAttempt.count().where((LoginAttempt.email_hash == key) & (LoginAttempt.at > now() - window))


async def _use_totp(account: Account, code: str, at: datetime) -> str:
    step = _matching_step(crypto.decrypt(account.totp_secret, purpose=TOTP_PURPOSE), code, at)
    if step is None:
        return "wrong"
    moved = await Account.update({Account.totp_last_step: step}).where(
        (Account.id == account.id) & (Account.totp_secret == account.totp_secret)
        & (Account.totp_last_step.is_null() | (Account.totp_last_step < step))
    ).returning(Account.id)
    return "ok" if moved else "replayed"


async def _use_recovery(account: Account, code: str) -> str:
    used = await RecoveryCode.update({RecoveryCode.used_at: now()}).where(
        (RecoveryCode.account == account.id) & (RecoveryCode.code_hash == _recovery_hash(account.id, code))
        & RecoveryCode.used_at.is_null()
    ).returning(RecoveryCode.id)
    return "ok" if used else "wrong"


async def verify(
    account_id: UUID, organisation_id: UUID, code: str, *, purpose: str = "sign_in", at: datetime | None = None
) -> Method:
    """Check a second factor: a TOTP code (one step of drift either way, never a step already
    used) or an unused recovery code (then used up). Returns which it was.

    Wrong codes count against the same limit as wrong passwords, per account; at the limit
    even a right code waits. Raises ``InvalidInput`` for a wrong, reused or malformed code and
    ``TooManyAttempts`` at the limit. ``at`` is the instant to check against (now by default).
    """
    method, value = _parse(code)  # a typo that cannot be a code does not count as a guess
    settings = current_settings()
    key = _attempts_key(account_id)
    account = await _account(account_id)
    if account.totp_enabled_at is None or not account.totp_secret:
        raise InvalidInput("Two-step sign-in is not set up for this account.")
    limited = TooManyAttempts(f"Too many wrong codes. Try again in {settings.login_window_minutes} minutes.")
    if await _recent_failures(key) >= settings.login_max_failures:
        await audit.record(None, "mfa_check", "account", account_id, organisation_id=organisation_id,
                           purpose=purpose, outcome="locked")
        raise limited
    # Counted before checking, so requests racing each other cannot get more than the limit.
    attempt = LoginAttempt(email_hash=key)
    await attempt.save()
    if await _recent_failures(key) > settings.login_max_failures:
        raise limited
    outcome = await (_use_totp(account, value, at or now()) if method == "totp" else _use_recovery(account, value))
    await audit.record(None, "mfa_check", "account", account_id, organisation_id=organisation_id,
                       purpose=purpose, method=method, outcome=outcome)
    if outcome != "ok":
        raise InvalidInput(REPLAYED if outcome == "replayed" else WRONG)
    await LoginAttempt.delete().where(LoginAttempt.email_hash == key)
    if method == "recovery":
        left = await RecoveryCode.count().where(
            (RecoveryCode.account == account_id) & RecoveryCode.used_at.is_null())
        await audit.record(None, "mfa_recovery_code_used", "account", account_id,
                           organisation_id=organisation_id, purpose=purpose, left=left)
    return method


# --- signing in -------------------------------------------------------------------------


async def pending_sign_in(session_secret: str) -> PendingSignIn | None:
    """The sign-in a session cookie is waiting to finish, or None (none, ended, or it waited
    longer than PENDING_FOR)."""
    row = await LoginSession.select(
        LoginSession.account, LoginSession.organisation, LoginSession.account.email,
        LoginSession.account.totp_enabled_at, LoginSession.account.is_active,
    ).where(
        (LoginSession.token_hash == accounts.digest(session_secret))
        & (LoginSession.second_factor_due == True)  # noqa: E712
        & (LoginSession.expires_at > now()) & (LoginSession.created_at > now() - PENDING_FOR)
    ).first()
    if row is None or not row["account.is_active"]:
        return None
    return PendingSignIn(account_id=row["account"], organisation_id=row["organisation"],
                         email=row["account.email"], has_authenticator=row["account.totp_enabled_at"] is not None)


async def _pending_or_refuse(session_secret: str) -> PendingSignIn:
    pending = await pending_sign_in(session_secret)
    if pending is None:
        raise NotAuthenticated("Your sign-in timed out. Please sign in again.")
    return pending


async def complete_sign_in(session_secret: str, code: str) -> Method:
    """The second factor for a waiting session: from now on the session identifies its account."""
    pending = await _pending_or_refuse(session_secret)
    method = await verify(pending.account_id, pending.organisation_id, code, purpose="sign_in")
    await accounts.second_factor_given(session_secret)
    await audit.record(None, "mfa_sign_in", "account", pending.account_id,
                       organisation_id=pending.organisation_id, method=method)
    return method


async def begin_sign_in_enrolment(session_secret: str) -> Enrolment:
    """Setting up an app during sign-in, for an account that must have one and has none."""
    pending = await _pending_or_refuse(session_secret)
    return await begin_enrolment(pending.account_id)


async def sign_in_enrolment(session_secret: str) -> Enrolment | None:
    pending = await _pending_or_refuse(session_secret)
    return await enrolment_in_progress(pending.account_id)


async def finish_sign_in_enrolment(session_secret: str, code: str) -> list[str]:
    """The first code from the new app: two-step sign-in is on and this sign-in is complete.
    Returns the recovery codes, to show once."""
    pending = await _pending_or_refuse(session_secret)
    codes = await confirm_enrolment(pending.account_id, pending.organisation_id, code)
    await accounts.second_factor_given(session_secret)
    await audit.record(None, "mfa_sign_in", "account", pending.account_id,
                       organisation_id=pending.organisation_id, method="enrolment")
    return codes


# --- managing it when signed in ----------------------------------------------------------


async def regenerate_recovery_codes(principal: Principal, code: str) -> list[str]:
    """Ten new recovery codes (the old ones stop working), after a current code."""
    await verify(principal.account_id, principal.organisation_id, code, purpose="recovery_codes")
    async with transaction():
        codes = await _replace_recovery_codes(principal.account_id)
        await audit.record(principal, "mfa_recovery_codes", "account", principal.account_id,
                           recovery_codes=len(codes))
    return codes


async def disable(principal: Principal, code: str) -> None:
    """Turn two-step sign-in off, after a current code; never for a role or organisation that
    requires it."""
    current = await status(principal.account_id, principal.organisation_id)
    if not current.enabled:
        raise Conflict("Two-step sign-in is already off.")
    if current.required_by_role:
        raise PermissionDenied("Your role needs two-step sign-in, so it cannot be turned off.")
    if current.required_by_organisation:
        raise PermissionDenied("Your organisation asks everyone for two-step sign-in, so it cannot be turned off.")
    await verify(principal.account_id, principal.organisation_id, code, purpose="disable")
    async with transaction():
        await Account.update({Account.totp_secret: None, Account.totp_enabled_at: None,
                              Account.totp_last_step: None}).where(Account.id == principal.account_id)
        await RecoveryCode.delete().where(RecoveryCode.account == principal.account_id)
        await audit.record(principal, "mfa_disable", "account", principal.account_id)


async def set_require_for_all(principal: Principal, wanted: MfaPolicyIn) -> None:
    """Ask every role in the organisation for a second factor (admin and HR always need one)."""
    principal.require("accounts:write")
    await Organisation.update({Organisation.require_mfa_for_all: wanted.require_mfa_for_all}).where(
        Organisation.id == principal.organisation_id)
    await audit.record(principal, "update", "organisation", principal.organisation_id,
                       fields=["require_mfa_for_all"], require_mfa_for_all=wanted.require_mfa_for_all)


async def reset_by_admin(principal: Principal, account_id: UUID) -> None:
    """An admin clears another person's authenticator (a lost or replaced phone): their
    recovery codes go, their sessions end, and their next sign-in sets up a new app. Never
    one's own (that would let a stolen password undo the second factor)."""
    principal.require("accounts:write")
    if account_id == principal.account_id:
        raise PermissionDenied("You cannot reset your own two-step sign-in: ask another admin.")
    if not await Membership.exists().where(
            (Membership.account == account_id) & (Membership.organisation == principal.organisation_id)):
        raise NotFound("No such account in your organisation.")
    async with transaction():
        await Account.update({Account.totp_secret: None, Account.totp_enabled_at: None,
                              Account.totp_last_step: None}).where(Account.id == account_id)
        await RecoveryCode.delete().where(RecoveryCode.account == account_id)
        await accounts.end_sessions(account_id)
        await audit.record(principal, "reset", "account", account_id, fields=["second_factor"])
