"""Invitations: how a person gets into peerwork.

An admin or HR invites someone (one person, or everyone in a lived-experience role who has no
account yet); the invitation email carries a single-use link (256 random bits, only its SHA-256
stored) that expires after ``Settings.invitation_days``. Opening it, the person chooses their
own password and is signed in, linked to their staff record with the role the inviter chose.
Inviting the same address again revokes the earlier link. Nobody types a password for anyone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from peerwork.accounts.passwords import LinkNotUsable, check_new_password
from peerwork.accounts.tables import Invitation
from peerwork.core import accounts, audit
from peerwork.core.access import ROLE_LABELS, Principal
from peerwork.core.db import insert_rows, transaction
from peerwork.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, TooManyAttempts
from peerwork.core.mail.outbox import enqueue, enqueue_many
from peerwork.core.settings import current_settings
from peerwork.core.tables import Account, AuditLog, LoginAttempt, Membership, Person
from peerwork.core.time import now
from peerwork.workforce.staff import people_in_post

# Only an admin may hand out the admin role; HR invites everyone else.
ROLES_HR_MAY_GRANT = frozenset({"hr", "peer_lead", "supervisor", "psw"})
# Invitations to one address per hour (a person asking again, or a mistake in a loop).
INVITES_PER_ADDRESS_PER_HOUR = 5
# Invitations one by one from one person inviting, per hour (everyone at once is one bulk action).
INVITES_PER_INVITER_PER_HOUR = 60
BATCH = 500



@dataclass(frozen=True)
class InvitationView:
    id: UUID
    email: str
    role: str
    person_id: UUID | None
    status: str  # pending | accepted | expired | revoked
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None


@dataclass(frozen=True)
class BulkInvite:
    eligible: int  # in post in a lived-experience role, no account yet, with an email address
    without_email: int  # would be eligible but have no email address on their staff record
    invited: int  # 0 on a dry run


@dataclass(frozen=True)
class InvitationDetails:
    """What the person opening the link is told (nothing more)."""

    email: str
    organisation_name: str
    role: str


def status_of(row: dict[str, Any], at: datetime) -> str:
    if row["accepted_at"] is not None:
        return "accepted"
    if row["revoked_at"] is not None:
        return "revoked"
    return "expired" if _aware(row["expires_at"]) <= at else "pending"


def _aware(value: datetime | str) -> datetime:
    return accounts._aware(value)


def may_grant(principal: Principal, role: str) -> None:
    principal.require("accounts:invite")
    accounts.check_role(role)
    if "admin" not in principal.roles and role not in ROLES_HR_MAY_GRANT:
        raise PermissionDenied("Only an organisation admin can invite someone as an admin.")


def invitation_link(token: str) -> str:
    return f"{current_settings().site_url}/invitations/{token}"


def _invitation_email(name: str, organisation: str, role_label: str, link: str, days: int,
                      first_day: date | None = None) -> tuple[str, str]:
    subject = f"You are invited to peerwork at {organisation}"
    welcome = ""
    if first_day is not None:
        subject = f"Welcome to {organisation}: your first day is {first_day:%-d %B %Y}"
        welcome = (f"Welcome! Your first day is {first_day:%A %-d %B %Y}. Your induction is booked from that "
                   "day, and your peer lead will introduce you to a buddy and your supervisor.\n\n")
    body = (
        f"Hello {name},\n\n{welcome}{organisation} has invited you to peerwork as {role_label}: where you book "
        "reflective spaces, see your supervision, keep your CPD and more.\n\n"
        f"Choose your password and sign in here (the link works once, for {days} days):\n{link}\n\n"
        "If you were not expecting this, you can ignore this email.\n"
    )
    return subject, body


async def _recent(key: str) -> int:
    return await LoginAttempt.count().where(
        (LoginAttempt.email_hash == key) & (LoginAttempt.at > now() - timedelta(hours=1)))


async def _rate_limit(principal: Principal, email: str) -> None:
    """At most so many invitations an hour to one address, and from one person inviting (so a
    mistake in a script, or a stolen HR session, cannot mail hundreds of strangers)."""
    target = accounts.digest(f"invite:{email}")
    inviter = accounts.digest(f"inviter:{principal.account_id}") if _actor(principal) else None
    if (recent := await _recent(target)) >= INVITES_PER_ADDRESS_PER_HOUR:
        raise TooManyAttempts(f"{email} has been invited {recent} times in the last hour; try again later.")
    if inviter is not None and await _recent(inviter) >= INVITES_PER_INVITER_PER_HOUR:
        raise TooManyAttempts(f"You have sent {INVITES_PER_INVITER_PER_HOUR} invitations in the last hour; try again "
                              "later, or invite everyone in a lived-experience role at once from the people page.")
    await LoginAttempt(email_hash=target).save()
    if inviter is not None:
        await LoginAttempt(email_hash=inviter).save()


async def invite(
    principal: Principal, *, email: str | None, role: str, person_id: UUID | None = None, display_name: str = "",
) -> InvitationView:
    """Invite one person (their staff record's email when ``email`` is not given)."""
    may_grant(principal, role)
    return await _invite(principal, email=email, role=role, person_id=person_id, display_name=display_name)


async def invite_new_starter(principal: Principal, person_id: UUID, first_day: date) -> InvitationView:
    """The first-day email of a hire made through recruitment: the new peer support worker is
    invited to sign in (the recruiter may do this without the right to invite others)."""
    principal.require("recruitment:manage")
    return await _invite(principal, email=None, role="psw", person_id=person_id, first_day=first_day)


async def _invite(
    principal: Principal, *, email: str | None, role: str, person_id: UUID | None, display_name: str = "",
    first_day: date | None = None,
) -> InvitationView:
    person = None
    if person_id is not None:
        person = await Person.select(Person.id, Person.email, Person.given_name, Person.family_name).where(
            (Person.id == person_id) & (Person.organisation == principal.organisation_id)).first()
        if person is None:
            raise NotFound("No such person in your organisation.")
    address = accounts.normalise_email(email or (person or {}).get("email") or "")
    name = display_name.strip() or _person_name(person) or address.split("@")[0]
    await _rate_limit(principal, address)
    settings = current_settings()
    token = accounts.new_secret()
    async with transaction():
        account_id = await _account_for(principal, address, role, name, person_id)
        await Invitation.update({Invitation.revoked_at: now()}).where(
            (Invitation.account == account_id) & (Invitation.organisation == principal.organisation_id)
            & Invitation.accepted_at.is_null() & Invitation.revoked_at.is_null())
        row = Invitation(
            organisation=principal.organisation_id, account=account_id, person=person_id, email=address, role=role,
            token_hash=accounts.digest(token), invited_by=_actor(principal), created_at=(at := now()),
            expires_at=at + timedelta(days=settings.invitation_days))
        await row.save()
        subject, body = _invitation_email(name, principal.organisation_name, _role_label(role),
                                          invitation_link(token), settings.invitation_days, first_day)
        await enqueue(to_address=address, to_name=name, subject=subject, body_text=body,
                      organisation_id=principal.organisation_id, dedupe_key=f"invitation:{row.id}")
        await audit.record(principal, "invite", "invitation", row.id, role=role, account=str(account_id),
                           person=str(person_id) if person_id else None)
    return await _one(principal.organisation_id, row.id)


def _actor(principal: Principal) -> UUID | None:
    return None if principal.via == "system" else principal.account_id


def _person_name(person: dict[str, Any] | None) -> str:
    if not person:
        return ""
    return " ".join(p for p in (person["given_name"], person["family_name"]) if p)


def _role_label(role: str) -> str:
    return ROLE_LABELS[role].lower() if role != "hr" else "HR / workforce lead"


async def _account_for(principal: Principal, email: str, role: str, name: str, person_id: UUID | None) -> UUID:
    """The account to invite: a new one without a password, or the existing one for this
    address (given the role here, and linked to the person when it was not linked yet)."""
    existing = await Account.select(Account.id, Account.person, Account.password_hash, Account.is_active).where(
        Account.email == email).first()
    if existing is None:
        view = await accounts.create_account(principal.organisation_id, email, [role], display_name=name,
                                             person_id=person_id, actor=principal)
        return view.id
    if existing["password_hash"] and await Membership.exists().where(
            (Membership.account == existing["id"]) & (Membership.organisation == principal.organisation_id)
            & (Membership.role == role)):
        raise Conflict(f"{email} can already sign in with that role: there is nothing to invite them to.")
    if person_id is not None and existing["person"] not in (None, person_id):
        raise Conflict(f"{email} belongs to another person's account.")
    if not await Membership.exists().where(
            (Membership.account == existing["id"]) & (Membership.organisation == principal.organisation_id)
            & (Membership.role == role)):
        await Membership(account=existing["id"], organisation=principal.organisation_id, role=role).save()
    if person_id is not None and existing["person"] is None:
        await Account.update({Account.person: person_id}).where(Account.id == existing["id"])
    if not existing["is_active"]:  # someone coming back: inviting them is the decision to let them in
        await Account.update({Account.is_active: True}).where(Account.id == existing["id"])
        await audit.record(principal, "reactivate", "account", existing["id"])
    return existing["id"]


async def person_to_invite(principal: Principal, person_id: UUID) -> dict[str, Any]:
    """The person (name, email, whether they can already sign in) for the invite form."""
    principal.require("accounts:invite")
    person = await Person.select(Person.id, Person.employee_number, Person.email, Person.given_name,
                                 Person.family_name).where(
        (Person.id == person_id) & (Person.organisation == principal.organisation_id)).first()
    if person is None:
        raise NotFound("No such person in your organisation.")
    account = await Account.select(Account.email, Account.password_hash).where(Account.person == person_id).first()
    return {**person, "name": _person_name(person) or person["employee_number"],
            "account_email": account["email"] if account else None,
            "can_sign_in": bool(account and account["password_hash"])}


# --- in bulk ------------------------------------------------------------------------------------

async def uninvited_people(organisation_id: UUID, today: date) -> list[dict[str, Any]]:
    """Persons in post in a lived-experience role today who have no account, in name order.

    Three single-table reads joined here rather than one SQL join: just after a large import
    PostgreSQL's statistics are stale, and the join it then planned checked every person
    against every assignment (seconds for 2,000 people); these stay linear whatever it knows."""
    in_post = await people_in_post(organisation_id, today)
    if not in_post:
        return []
    with_account = set(await Account.select(Account.person).where(Account.person.is_not_null()).output(as_list=True))
    people = await Person.select(Person.id, Person.email, Person.given_name, Person.family_name).where(
        Person.organisation == organisation_id).order_by(Person.family_name, Person.given_name, Person.id)
    return [p for p in people if p["id"] in in_post and p["id"] not in with_account]


async def invite_everyone_in_lived_experience_roles(
    principal: Principal, *, dry_run: bool = False, today: date | None = None, progress=None,
) -> BulkInvite:
    """Invite, as peer support workers, everyone in post in a lived-experience role who has no
    account yet and has an email address; ``dry_run`` only counts. Written in batches (a few
    statements per 500 people), each batch in one transaction, so a large import is invited in
    seconds and an interruption leaves whole invitations, never half of one."""
    may_grant(principal, "psw")
    people = await uninvited_people(principal.organisation_id, today or date.today())
    with_email, without = [], 0
    taken = set(await Account.select(Account.email).output(as_list=True)) if people else set()
    for p in people:
        address = _usable_email(p["email"])
        if address is None or address in taken:
            without += 1
        else:
            taken.add(address)
            with_email.append((p, address))
    if dry_run or not with_email:
        return BulkInvite(eligible=len(with_email), without_email=without, invited=0)
    invited = 0
    for start in range(0, len(with_email), BATCH):
        batch = with_email[start:start + BATCH]
        await _invite_batch(principal, batch)
        invited += len(batch)
        if progress is not None:
            progress(invited, len(with_email))
    await audit.record(principal, "invite", "invitation", None, bulk=True, invited=invited)
    return BulkInvite(eligible=len(with_email), without_email=without, invited=invited)


def _usable_email(raw: str | None) -> str | None:
    try:
        return accounts.normalise_email(raw or "")
    except InvalidInput:
        return None


async def _invite_batch(principal: Principal, batch: list[tuple[dict[str, Any], str]]) -> None:
    settings = current_settings()
    at = now()
    expires = at + timedelta(days=settings.invitation_days)  # as one invitation: exactly so many days
    accounts_rows, memberships, invitations, messages, audit_rows = [], [], [], [], []
    for person, address in batch:
        account_id, invitation_id, token = uuid.uuid4(), uuid.uuid4(), accounts.new_secret()
        name = _person_name(person) or address.split("@")[0]
        accounts_rows.append(dict(id=account_id, email=address, display_name=name, person=person["id"]))
        memberships.append(dict(account=account_id, organisation=principal.organisation_id, role="psw"))
        invitations.append(dict(
            id=invitation_id, organisation=principal.organisation_id, account=account_id, person=person["id"],
            email=address, role="psw", token_hash=accounts.digest(token), invited_by=_actor(principal),
            created_at=at, expires_at=expires))
        subject, body = _invitation_email(name, principal.organisation_name, _role_label("psw"),
                                          invitation_link(token), settings.invitation_days)
        messages.append(dict(to_address=address, to_name=name, subject=subject, body_text=body,
                             organisation_id=principal.organisation_id, dedupe_key=f"invitation:{invitation_id}"))
        audit_rows.append(dict(
            organisation=principal.organisation_id, account=_actor(principal), action="invite",
            table_name="invitation", record_id=str(invitation_id),
            detail={"role": "psw", "account": str(account_id), "person": str(person["id"]), "via": principal.via}))
    # Written as the staff import writes (core.db.insert_rows: COPY on PostgreSQL), not through
    # Piccolo's per-value SQL building, which cost most of the time for a large batch. The
    # unique account email still refuses a person a concurrent bulk invite has just invited,
    # and then the whole batch rolls back.
    async with transaction():
        await insert_rows(Account, accounts_rows)
        await insert_rows(Membership, memberships)
        await insert_rows(Invitation, invitations)
        await enqueue_many(messages)
        await insert_rows(AuditLog, audit_rows)


# --- reading and revoking ---------------------------------------------------------------------

def _view(row: dict[str, Any], at: datetime) -> InvitationView:
    return InvitationView(
        id=row["id"], email=row["email"], role=row["role"], person_id=row["person"], status=status_of(row, at),
        created_at=row["created_at"], expires_at=row["expires_at"], accepted_at=row["accepted_at"])


_COLUMNS = (Invitation.id, Invitation.email, Invitation.role, Invitation.person, Invitation.created_at,
            Invitation.expires_at, Invitation.accepted_at, Invitation.revoked_at)


async def list_invitations(principal: Principal, status: str | None = None) -> list[InvitationView]:
    principal.require("accounts:invite")
    if status is not None and status not in ("pending", "accepted", "expired", "revoked"):
        raise InvalidInput("status: one of pending, accepted, expired, revoked")
    rows = await Invitation.select(*_COLUMNS).where(
        Invitation.organisation == principal.organisation_id).order_by(Invitation.created_at, ascending=False)
    at = now()
    views = [_view(r, at) for r in rows]
    return [v for v in views if status is None or v.status == status]


async def get_invitation(principal: Principal, invitation_id: UUID) -> InvitationView:
    principal.require("accounts:invite")
    return await _one(principal.organisation_id, invitation_id)


async def _one(organisation_id: UUID, invitation_id: UUID) -> InvitationView:
    row = await Invitation.select(*_COLUMNS).where(
        (Invitation.id == invitation_id) & (Invitation.organisation == organisation_id)).first()
    if row is None:
        raise NotFound("No such invitation in your organisation.")
    return _view(row, now())


async def revoke(principal: Principal, invitation_id: UUID) -> InvitationView:
    view = await get_invitation(principal, invitation_id)
    if view.status == "pending":
        await Invitation.update({Invitation.revoked_at: now()}).where(Invitation.id == invitation_id)
        await audit.record(principal, "revoke", "invitation", invitation_id)
    return await get_invitation(principal, invitation_id)


# --- accepting ---------------------------------------------------------------------------------

async def _usable(token: str) -> dict[str, Any]:
    row = await Invitation.select(
        Invitation.id, Invitation.account, Invitation.organisation, Invitation.email, Invitation.role,
        Invitation.person, Invitation.expires_at, Invitation.accepted_at, Invitation.revoked_at,
        Invitation.organisation.name.as_alias("organisation_name"),
        Invitation.account.is_active.as_alias("account_active"),
    ).where(Invitation.token_hash == accounts.digest(token)).first()
    if row is None:
        raise LinkNotUsable("This invitation link is not valid. Check you used the whole link from the email, "
                            "or ask the person who invited you to send a new one.")
    state = status_of(row, now())
    if state == "accepted":
        raise LinkNotUsable("This invitation has already been used. Sign in with your email and password, "
                            "or reset your password if you have forgotten it.")
    if state == "revoked":
        raise LinkNotUsable("This invitation was replaced by a newer one: use the link in the latest email.")
    if state == "expired":
        raise LinkNotUsable(f"This invitation has expired. Ask {row['organisation_name']} to invite you again.")
    if not row["account_active"]:
        raise LinkNotUsable("This account has been closed. Ask your organisation if you think this is wrong.")
    return row


async def details(token: str) -> InvitationDetails:
    row = await _usable(token)
    return InvitationDetails(email=row["email"], organisation_name=row["organisation_name"],
                             role=_role_label(row["role"]))


async def accept(token: str, password: str, *, session_hours: int, user_agent: str = "") -> accounts.SignedIn:
    """Set the person's password, mark the invitation used and open a session (waiting for a
    second factor when the role needs one). A second use of the link is refused."""
    row = await _usable(token)
    check_new_password(password, row["email"])
    async with transaction():
        used = await Invitation.update({Invitation.accepted_at: now()}).where(
            (Invitation.id == row["id"]) & Invitation.accepted_at.is_null()).returning(Invitation.id)
        if not used:  # a double submit: the other request got there first
            raise LinkNotUsable("This invitation has already been used. Sign in with your email and password.")
        await accounts.set_password(row["account"], password)
        if row["person"] is not None:
            await Account.update({Account.person: row["person"]}).where(
                (Account.id == row["account"]) & Account.person.is_null())
        await audit.record(None, "accept", "invitation", row["id"], organisation_id=row["organisation"],
                           account=str(row["account"]), via="invitation")
    # Access needs a second factor for some roles: the session then waits for it.
    due = await accounts.second_factor_needed(row["account"], row["organisation"])
    secret = await accounts.open_session(row["account"], row["organisation"], session_hours=session_hours,
                                         via="invitation", second_factor_due=due, user_agent=user_agent)
    return accounts.SignedIn(secret, row["account"], row["organisation"], due)
