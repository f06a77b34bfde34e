"""Invites for supervision sessions: private, one UID per session, SEQUENCE rising."""

from __future__ import annotations

from email.utils import parseaddr
from typing import Any
from uuid import UUID

from peerwork.calendar import ical
from peerwork.calendar.feeds import forget_fingerprints
from peerwork.core.time import when
from peerwork.core.time import LONDON
from peerwork.core.mail.outbox import enqueue
from peerwork.core.settings import current_settings
from peerwork.supervision.tables import GroupMember, SupervisionSession
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


async def tell(session_id: UUID, method: str | None, subject: str, opening: str, *, only: list[UUID] | None = None,
               occasion: str = "") -> None:
    """Email each participant (or ``only`` these), with the invite when ``method`` is given
    (REQUEST or CANCEL); ``occasion`` tells apart mails sent without a change (reminders)."""
    forget_fingerprints()
    s = await session_context(session_id)
    sender = parseaddr(current_settings().mail_from)[1]
    organizer = ical.Person(email=sender, name=s["organisation_name"])
    recipients = only if only is not None else await participants(s)
    accounts = await Account.select(Account.id, Account.email, Account.display_name).where(Account.id.is_in(recipients)) if recipients else []
    for account in accounts:
        calendar = None
        if method is not None:
            attendee = ical.Person(email=account["email"], name=account["display_name"])
            event = calendar_event(s, cancelled=method == "CANCEL")
            calendar = (method, ical.invite(method, event, organizer=organizer, attendee=attendee,
                                            partstat="DECLINED" if method == "CANCEL" else "ACCEPTED"))
        start = s["start"].astimezone(LONDON)
        await enqueue(
            to_address=account["email"], to_name=account["display_name"],
            subject=f"{subject}: {summary(s)}, {start:%a %-d %b %H:%M}",
            body_text=f"Hello {account['display_name']},\n\n{opening}\n\n{summary(s)}\n{when(s['start'], s['end'])}\n\n"
                      f"See your sessions: {current_settings().site_url}/supervision\n",
            calendar=calendar, organisation_id=s["organisation"],
            dedupe_key=f"supervision:{session_id}:{s['sequence']}:{account['id']}:{method}:{occasion}",
        )
