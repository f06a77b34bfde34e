"""Confidential session notes. They belong to the supervisee: only the session's supervisor
and supervisee can read them. Every read is audited (which session, never the text)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from uuid import UUID

from peerwork.core.db import transaction
from peerwork.core.errors import InvalidInput, NotFound, PermissionDenied
from peerwork.supervision.schemas import NotesOut
from peerwork.supervision.tables import SessionNote, SupervisionSession
from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.time import now

NOT_YOURS = "Supervision notes are private to the supervisor and supervisee."


async def _parties(principal: Principal, session_id: UUID) -> dict[str, Any]:
    row = await SupervisionSession.select(
        SupervisionSession.supervisor, SupervisionSession.supervisee, SupervisionSession.status,
    ).where(
        (SupervisionSession.id == session_id) & (SupervisionSession.organisation == principal.organisation_id)
    ).first()
    if row is None:
        raise NotFound("No such supervision session.")
    if principal.account_id not in (row["supervisor"], row["supervisee"]):
        raise PermissionDenied(NOT_YOURS)
    return row


def _out(session_id: UUID, note: dict[str, Any] | None) -> NotesOut:
    if note is None:
        return NotesOut(session_id=session_id, notes="", actions="", supervisee_comment="", confirmed_at=None,
                        updated_at=datetime(1970, 1, 1, tzinfo=timezone.utc))
    return NotesOut(session_id=session_id, notes=note["notes"], actions=note["actions"],
                    supervisee_comment=note["supervisee_comment"], confirmed_at=note["confirmed_at"],
                    updated_at=note["updated_at"])


async def read_notes(principal: Principal, session_id: UUID) -> NotesOut:
    await _parties(principal, session_id)
    note = await SessionNote.select().where(SessionNote.session == session_id).first()
    await audit.record(principal, "read", "session_note", session_id, fields=["notes", "actions", "supervisee_comment"])
    return _out(session_id, note)


async def write_notes(principal: Principal, session_id: UUID, notes: str, actions: str) -> NotesOut:
    """The supervisor records a held session; a change un-confirms it for the supervisee."""
    row = await _parties(principal, session_id)
    if principal.account_id != row["supervisor"]:
        raise PermissionDenied("The supervisor writes the notes; the supervisee can comment on them.")
    if row["status"] != "held":
        raise InvalidInput("Notes are for a held session: mark it held first.")
    async with transaction():
        values = {SessionNote.notes: notes, SessionNote.actions: actions, SessionNote.confirmed_at: None,
                  SessionNote.updated_at: now()}
        if await SessionNote.exists().where(SessionNote.session == session_id):
            await SessionNote.update(values).where(SessionNote.session == session_id)
        else:
            await SessionNote(session=session_id, organisation=principal.organisation_id, notes=notes,
                              actions=actions).save()
        await audit.record(principal, "update", "session_note", session_id, fields=["notes", "actions"])
    return await read_notes(principal, session_id)


async def comment(principal: Principal, session_id: UUID, text: str, confirm: bool) -> NotesOut:
    row = await _parties(principal, session_id)
    if principal.account_id != row["supervisee"]:
        raise PermissionDenied("Only the supervisee comments on and confirms the record.")
    note = await SessionNote.select(SessionNote.id).where(SessionNote.session == session_id).first()
    if note is None:
        raise InvalidInput("There is no record to comment on yet.")
    values: dict[Any, Any] = {SessionNote.supervisee_comment: text, SessionNote.updated_at: now()}
    if confirm:
        values[SessionNote.confirmed_at] = now()
    async with transaction():
        await SessionNote.update(values).where(SessionNote.session == session_id)
        await audit.record(principal, "update", "session_note", session_id,
                           fields=["supervisee_comment", *(["confirmed_at"] if confirm else [])])
    return await read_notes(principal, session_id)
