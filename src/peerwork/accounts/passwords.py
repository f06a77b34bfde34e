"""Choosing, changing and resetting passwords.

A new password needs 12 characters or more and must not be easy to guess (zxcvbn, which knows
the common-password lists, names, dates and keyboard patterns, and the person's own email); no
composition rules. A reset is asked for by email address; the answer never says whether the
address has an account; the link is single-use, short-lived, and using it ends every other
session of the account.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID


from peerwork.accounts.tables import PasswordReset
from peerwork.core import accounts, audit
from peerwork.core.access import Principal
from peerwork.core.db import transaction
from peerwork.core.errors import DomainError, InvalidInput, TooManyAttempts
from peerwork.core.mail.outbox import enqueue
from peerwork.core.settings import current_settings
from peerwork.core.tables import Account, LoginAttempt, LoginSession, Membership
from peerwork.core.time import now

MIN_LENGTH = 12
MAX_LENGTH = 256
# Reset emails to one address per hour, and reset requests from one client per hour.
RESETS_PER_ADDRESS_PER_HOUR = 3
RESETS_PER_CLIENT_PER_HOUR = 20


class LinkNotUsable(DomainError):
    """An invitation or reset link that is unknown, used, replaced or expired."""

    status_code = 410
    code = "link-not-usable"
    title = "This link cannot be used"


def check_new_password(password: str, email: str = "", *names: str) -> str:
    """Refuse a password that is short or easy to guess, saying why in words."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"password: use at least {MIN_LENGTH} characters (a few unrelated words work well).")
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"password: at most {MAX_LENGTH} characters.")
    hints = [email, email.split("@")[0], *names, "peerwork"]
    from zxcvbn import zxcvbn  # its word lists take a while to load: on the first new password

    verdict = zxcvbn(password[:100], user_inputs=[h for h in hints if h])
    if verdict["score"] < 3:
        why = verdict["feedback"]["warning"] or "It would be easy to guess."
        raise InvalidInput(f"password: {why.rstrip('.')}. Try a few unrelated words.")
    return password


async def change_password(principal: Principal, current: str, new: str, *, keep_session: str | None) -> int:
    """Change the caller's password (the current one is needed); every other session ends.
    Returns how many sessions were ended."""
    account = await Account.objects().where(Account.id == principal.account_id).first()
    if account is None or not accounts.password_matches(account, current):
        raise InvalidInput("current_password: that is not your current password.")
    check_new_password(new, account.email, account.display_name)
    async with transaction():
        await accounts.set_password(account.id, new)
        ended = await accounts.end_sessions(account.id, keep_secret=keep_session)
        await audit.record(principal, "update", "account", account.id, fields=["password"], sessions_ended=ended)
    return ended


async def _count_and_note(key: str, limit: int) -> bool:
    """True when under the hourly ``limit`` for ``key`` (and the attempt is noted)."""
    key_hash = accounts.digest(key)
    recent = await LoginAttempt.count().where(
        (LoginAttempt.email_hash == key_hash) & (LoginAttempt.at > now() - timedelta(hours=1)))
    if recent >= limit:
        return False
    await LoginAttempt(email_hash=key_hash).save()
    return True


async def request_reset(email: str, *, client: str) -> None:
    """Email a reset link if the address has an active account that can sign in. Says nothing
    either way (the caller shows the same answer), and takes about as long either way."""
    if not await _count_and_note(f"reset-client:{client}", RESETS_PER_CLIENT_PER_HOUR):
        raise TooManyAttempts("Too many reset requests from here. Try again in an hour.")
    try:
        address = accounts.normalise_email(email)
    except InvalidInput:
        return
    if not await _count_and_note(f"reset:{address}", RESETS_PER_ADDRESS_PER_HOUR):
        return  # silently: the answer must not differ for addresses that exist
    account = await Account.select(Account.id, Account.display_name, Account.password_hash).where(
        (Account.email == address) & (Account.is_active == True)).first()  # noqa: E712
    if account is None or not account["password_hash"]:
        return  # no account, or one still waiting for its invitation: nothing to reset
    membership = await Membership.select(Membership.organisation, Membership.organisation.name).where(
        Membership.account == account["id"]).order_by(Membership.created_at).first()
    settings = current_settings()
    token = accounts.new_secret()
    async with transaction():
        await PasswordReset.update({PasswordReset.used_at: now()}).where(
            (PasswordReset.account == account["id"]) & PasswordReset.used_at.is_null())
        row = PasswordReset(account=account["id"], token_hash=accounts.digest(token),
                            expires_at=now() + timedelta(minutes=settings.reset_minutes))
        await row.save()
        link = f"{settings.site_url}/password/reset/{token}"
        await enqueue(
            to_address=address, to_name=account["display_name"], subject="Reset your peerwork password",
            body_text=(f"Hello {account['display_name']},\n\nSomeone (we hope you) asked to reset your peerwork "
                       f"password. Choose a new one here; the link works once, for {settings.reset_minutes} "
                       f"minutes:\n{link}\n\nUsing it signs you out everywhere else. If you did not ask, ignore "
                       "this email: your password stays as it is.\n"),
            organisation_id=membership["organisation"] if membership else None, dedupe_key=f"reset:{row.id}")
        await audit.record(None, "request", "password_reset", row.id,
                           organisation_id=membership["organisation"] if membership else None, via="reset")


async def _reset_row(token: str) -> dict:
    row = await PasswordReset.select(
        PasswordReset.id, PasswordReset.account, PasswordReset.expires_at, PasswordReset.used_at,
        PasswordReset.account.email.as_alias("email"), PasswordReset.account.is_active.as_alias("active"),
    ).where(PasswordReset.token_hash == accounts.digest(token)).first()
    if row is None or row["used_at"] is not None or not row["active"]:
        raise LinkNotUsable("This reset link is not valid or has been used. Ask for a new one below.")
    if accounts._aware(row["expires_at"]) <= now():
        raise LinkNotUsable("This reset link has expired. Ask for a new one below.")
    return row


async def reset_email(token: str) -> str:
    """The address a usable reset link is for (to show on the page)."""
    return (await _reset_row(token))["email"]


async def reset_password(token: str, password: str, *, session_hours: int, user_agent: str = "") -> accounts.SignedIn:
    """Use a reset link: set the new password, end every session of the account, and sign in
    afresh here. (API tokens are separate credentials the person manages on their profile.)"""
    row = await _reset_row(token)
    check_new_password(password, row["email"])
    async with transaction():
        used = await PasswordReset.update({PasswordReset.used_at: now()}).where(
            (PasswordReset.id == row["id"]) & PasswordReset.used_at.is_null()).returning(PasswordReset.id)
        if not used:
            raise LinkNotUsable("This reset link has just been used. Ask for a new one below.")
        await accounts.set_password(row["account"], password)
        ended = await accounts.end_sessions(row["account"])
        membership = await Membership.select(Membership.organisation).where(
            Membership.account == row["account"]).order_by(Membership.created_at).first()
        await audit.record(None, "reset", "account", row["account"],
                           organisation_id=membership["organisation"] if membership else None,
                           fields=["password"], sessions_ended=ended, via="reset")
    if membership is None:
        raise LinkNotUsable("This account belongs to no organisation any more.")
    due = await accounts.second_factor_needed(row["account"], membership["organisation"])
    secret = await accounts.open_session(row["account"], membership["organisation"], session_hours=session_hours,
                                         via="reset", second_factor_due=due, user_agent=user_agent)
    return accounts.SignedIn(secret, row["account"], membership["organisation"], due)


async def active_sessions(principal: Principal, *, current_hash: str = "") -> list[dict]:
    """The caller's own signed-in browsers, the one asking marked ``current`` (never a cookie)."""
    rows = await LoginSession.select(
        LoginSession.id, LoginSession.created_at, LoginSession.expires_at, LoginSession.via, LoginSession.user_agent,
        LoginSession.token_hash,
    ).where((LoginSession.account == principal.account_id) & (LoginSession.expires_at > now())
            & (LoginSession.second_factor_due == False)).order_by(LoginSession.created_at)  # noqa: E712
    return [{**{k: v for k, v in r.items() if k != "token_hash"}, "current": r["token_hash"] == current_hash}
            for r in rows]


async def end_session(principal: Principal, session_id: UUID) -> None:
    await LoginSession.delete().where((LoginSession.id == session_id) & (LoginSession.account == principal.account_id))
    await audit.record(principal, "revoke", "login_session", session_id)
