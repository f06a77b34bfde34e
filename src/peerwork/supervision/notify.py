"""Invites for supervision sessions: private, one UID per session, SEQUENCE rising.

Each participant gets the email either way; whether it carries the invite follows their choice
of invites, feed or both (``calendar.delivery``, read through ``community.calendar_choice``),
and where their copy then sits is kept per person (``SessionInvite``), so their feed shows the
session exactly when no invite put it in their mail calendar (or when they chose both)."""

from __future__ import annotations

from email.utils import parseaddr
from typing import Any
from uuid import UUID

from peerwork.calendar import delivery, ical
from peerwork.calendar.feeds import forget_fingerprints
from peerwork.core.time import now, when
from peerwork.core.time import LONDON
from peerwork.core.mail.outbox import enqueue
from peerwork.core.settings import current_settings
from peerwork.community.calendar_choice import has_live_feed, next_copy
from peerwork.supervision.tables import GroupMember, SessionInvite, SupervisionSession
from peerwork.core.tables import Account


def session_uid(session_id: UUID) -> str:
    return f"supervision-{session_id}@peerwork"


def session_contexts():
    """A query for sessions with what an invite or feed entry needs, in one round trip."""
    return SupervisionSession.select(
        SupervisionSession.all_columns(), SupervisionSession.agreement.kind,
        SupervisionSession.agreement.peer_group.as_alias("group"),
        SupervisionSession.agreement.peer_group.name.as_alias("group_name"),
        SupervisionSession.supervisor.display_name.as_alias("supervisor_name"),
        SupervisionSession.supervisee.display_name.as_alias("supervisee_name"),
        SupervisionSession.organisation.name.as_alias("organisation_name"),
    )


async def session_context(session_id: UUID) -> dict[str, Any]:
    return await session_contexts().where(SupervisionSession.id == session_id).first()


def summary(s: dict[str, Any]) -> str:
    return f"Group peer supervision: {s['group_name']}" if s["agreement.kind"] == "group" else "1:1 peer supervision"


def calendar_event(s: dict[str, Any], *, cancelled: bool = False) -> ical.CalEvent:
    return ical.CalEvent(
        uid=session_uid(s["id"]), summary=summary(s), start=s["start"], end=s["end"], stamp=s["updated_at"],
        sequence=s["sequence"], status="CANCELLED" if cancelled else "CONFIRMED", private=True,
        url=f"{current_settings().site_url}/supervision",
    )


async def participants(s: dict[str, Any]) -> list[UUID]:
    people = [s["supervisor"]]
    if s["supervisee"]:
        people.append(s["supervisee"])
    if s["group"]:
        people += await GroupMember.select(GroupMember.account).where(
            (GroupMember.peer_group == s["group"]) & (GroupMember.role == "member")
        ).output(as_list=True)
    return list(dict.fromkeys(people))


async def invite_states(account_id: UUID, session_ids: list[UUID]) -> dict[UUID, str | None]:
    """Where each of these sessions' copies sits in the person's mail calendar (missing: never invited)."""
    if not session_ids:
        return {}
    rows = await SessionInvite.select(SessionInvite.session, SessionInvite.invite_state).where(
        (SessionInvite.account == account_id) & SessionInvite.session.is_in(session_ids))
    return {r["session"]: r["invite_state"] for r in rows}


async def _set_state(session_id: UUID, account_id: UUID, before: str | None, after: str | None, known: bool) -> None:
    if known and before == after:
        return
    if known:
        await SessionInvite.update({SessionInvite.invite_state: after}).where(
            (SessionInvite.session == session_id) & (SessionInvite.account == account_id))
    else:
        await SessionInvite(session=session_id, account=account_id, invite_state=after).save()


async def _mail(s: dict[str, Any], account: dict[str, Any], sent: str | None, subject: str, opening: str,
                dedupe: str) -> None:
    """One email about a session, with the invite ``sent`` (REQUEST or CANCEL) when not None."""
    calendar = None
    if sent is not None:
        organizer = ical.Person(email=parseaddr(current_settings().mail_from)[1], name=s["organisation_name"])
        attendee = ical.Person(email=account["email"], name=account["display_name"])
        event = calendar_event(s, cancelled=sent == "CANCEL")
        calendar = (sent, ical.invite(sent, event, organizer=organizer, attendee=attendee,
                                      partstat="DECLINED" if sent == "CANCEL" else "ACCEPTED"))
    start = s["start"].astimezone(LONDON)
    await enqueue(
        to_address=account["email"], to_name=account["display_name"],
        subject=f"{subject}: {summary(s)}, {start:%a %-d %b %H:%M}",
        body_text=f"Hello {account['display_name']},\n\n{opening}\n\n{summary(s)}\n{when(s['start'], s['end'])}\n\n"
                  f"See your sessions: {current_settings().site_url}/supervision\n",
        calendar=calendar, organisation_id=s["organisation"], dedupe_key=dedupe,
    )


async def _accounts(ids: list[UUID]) -> list[dict[str, Any]]:
    if not ids:
        return []
    return await Account.select(Account.id, Account.email, Account.display_name).where(Account.id.is_in(ids))


async def tell(session_id: UUID, method: str | None, subject: str, opening: str, *, only: list[UUID] | None = None,
               occasion: str = "") -> None:
    """Email each participant (or ``only`` these). ``method`` says what happened: REQUEST (booked
    or changed), CANCEL (off for them) or None (no change, e.g. a reminder); each person's mail
    carries the invite only where their choice of invites or feed says so. ``occasion`` tells
    apart mails sent without a change (reminders)."""
    forget_fingerprints()
    s = await session_context(session_id)
    recipients = only if only is not None else await participants(s)
    for account in await _accounts(recipients):
        sent, line = None, ""
        if method is not None:
            states = await invite_states(account["id"], [session_id])
            state = states.get(session_id)
            sent, new_state, line = await next_copy(account["id"], method, state)
            await _set_state(session_id, account["id"], state, new_state, session_id in states)
        await _mail(s, account, sent, subject, f"{opening} {line}" if line else opening,
                    f"supervision:{session_id}:{s['sequence']}:{account['id']}:{method}:{occasion}")


async def choice_changed(account_id: UUID, mode: str) -> int:
    """The person chose another way for calendar items to reach them: move each coming session
    of theirs there at once, each with an email (a CANCEL for an invite whose session now lives
    in the feed, a fresh REQUEST for one that now comes as an invite), so none is left in both
    places or in neither. Returns how many moved with an email."""
    live = await has_live_feed(account_id)
    groups = await GroupMember.select(GroupMember.peer_group).where(
        (GroupMember.account == account_id) & (GroupMember.role == "member")).output(as_list=True)
    mine = (SupervisionSession.supervisor == account_id) | (SupervisionSession.supervisee == account_id)
    if groups:
        mine |= SupervisionSession.agreement.peer_group.is_in(groups)
    ids = await SupervisionSession.select(SupervisionSession.id).where(
        mine & (SupervisionSession.status == "scheduled") & (SupervisionSession.end > now())
    ).output(as_list=True)
    states = await invite_states(account_id, ids)
    [account] = await _accounts([account_id])
    moved = 0
    for session_id in ids:
        state = states.get(session_id)
        sent, new_state = delivery.on_choice_changed(mode, has_live_feed=live, state=state)
        if sent is not None:
            # A new invite outranks the last one; the feed's fingerprint moves with updated_at.
            await SupervisionSession.update({SupervisionSession.sequence: SupervisionSession.sequence + 1,
                                             SupervisionSession.updated_at: now()}).where(
                SupervisionSession.id == session_id)
            s = await session_context(session_id)
            if sent == "REQUEST":
                subject, opening = ("Now a calendar invite",
                                    "You asked for your calendar items as invites. The calendar invite is attached.")
            else:
                subject, opening = ("Now in your calendar feed",
                                    "You asked for your calendar items in your peerwork calendar feed, which shows this "
                                    "one now. The calendar invite attached removes the copy the earlier invite made.")
            await _mail(s, account, sent, subject, opening,
                        f"supervision:{session_id}:{s['sequence']}:{account_id}:{sent}:choice")
            moved += 1
        await _set_state(session_id, account_id, state, new_state, session_id in states)
    if ids:
        forget_fingerprints()
    return moved
