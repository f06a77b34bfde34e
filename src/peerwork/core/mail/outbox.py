"""The outbox: every email is a row first, and only ``deliver_due`` sends it (design rule 6).

A message is ``pending`` until a delivery run claims it (``sending``, leased until
``next_attempt_at``), then ``sent``, or back to ``pending`` with a backoff after a failure,
or ``failed`` after the last attempt, where an admin sees it and can retry it. A run that dies
mid-batch loses nothing: when the lease runs out the message is due again.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, Protocol
from uuid import UUID

from piccolo.query.functions import Count

from peerwork.core import audit
from peerwork.core.db import current_engine, insert_rows, is_postgres, transaction
from peerwork.core.errors import Conflict, InvalidInput, NotFound
from peerwork.core.mail.message import build_message
from peerwork.core.tables import AuditLog, OutboxMessage
from peerwork.core import time as clock

logger = logging.getLogger("peerwork.mail")

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
STATUSES = (PENDING, SENDING, SENT, FAILED)
CALENDAR_METHODS = ("REQUEST", "CANCEL", "PUBLISH")
BACKOFF = tuple(timedelta(minutes=m) for m in (1, 5, 15, 60, 240, 720))
# Long enough for a batch against a slow server; a run stops sending at half of it (releasing
# the rest), so a lease never runs out while its holder may still be sending.
LEASE = timedelta(minutes=15)
_METHOD_LINE = re.compile(r"^METHOD:([A-Za-z-]+)\r?$", re.MULTILINE)

__all__ = [
    "DeliveryReport", "Transport", "backoff", "build_message", "deliver_due", "enqueue", "enqueue_all", "outbox_status",
    "retry_failed",
]


class Transport(Protocol):
    async def send(self, message_id: UUID, message: EmailMessage) -> None: ...


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0



def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: 1, 5, 15, 60, 240 minutes, then 12 hours."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _check_calendar(calendar: tuple[str, bytes | str]) -> tuple[str, str]:
    method, ics = calendar
    if method not in CALENDAR_METHODS:
        raise InvalidInput(f"Calendar method {method!r} is not one of {', '.join(CALENDAR_METHODS)}.")
    try:
        text = ics.decode("utf-8") if isinstance(ics, bytes) else ics
    except UnicodeDecodeError:
        raise InvalidInput("The calendar is not UTF-8.") from None
    inside = _METHOD_LINE.search(text)
    if not text.startswith("BEGIN:VCALENDAR") or inside is None or inside.group(1) != method:
        # RFC 6047: the part's method= must equal the METHOD property, or clients ignore it.
        raise InvalidInput(f"The calendar must be a VCALENDAR with METHOD:{method}.")
    return method, text


async def enqueue(
    *,
    to_address: str,
    to_name: str = "",
    subject: str,
    body_text: str,
    body_html: str | None = None,
    calendar: tuple[str, bytes | str] | None = None,
    dedupe_key: str | None = None,
    organisation_id: UUID | None = None,
) -> UUID | None:
    """Queue one email; the id of the new row, or None when ``dedupe_key`` is already queued.

    Joins the caller's open transaction, so a change and the email about it commit (or roll
    back) together. Raises InvalidInput for what could never be sent, rather than failing later.
    """
    values = _row(to_address=to_address, to_name=to_name, subject=subject, body_text=body_text, body_html=body_html,
                  calendar=calendar, dedupe_key=dedupe_key, organisation_id=organisation_id)
    async with transaction():
        rows = await OutboxMessage.raw(
            f"INSERT INTO outbox_message {_COLUMNS} VALUES {_PLACES} ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
            *values,
        )
    return values[0] if rows else None


_COLUMNS = ("(id, organisation, to_address, to_name, subject, body_text, body_html, calendar_method, calendar_ics, "
            "dedupe_key, status, attempts, next_attempt_at, created_at)")
_PLACES = "({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})"


def _row(*, to_address: str, to_name: str = "", subject: str, body_text: str, body_html: str | None = None,
         calendar: tuple[str, bytes | str] | None = None, dedupe_key: str | None = None,
         organisation_id: UUID | None = None) -> list[Any]:
    """One message's column values (``_COLUMNS``), checked as :func:`enqueue` promises."""
    if "@" not in to_address or len(to_address) > 254 or any(c in to_address for c in " <>\r\n"):
        raise InvalidInput("The recipient is not an email address.")
    if any(c in text for text in (to_name, subject) for c in "\r\n"):
        raise InvalidInput("A name or subject cannot contain line breaks.")
    if dedupe_key is not None and len(dedupe_key) > 200:
        raise InvalidInput("A dedupe key is at most 200 characters.")
    method, ics = _check_calendar(calendar) if calendar is not None else (None, None)
    now = clock.now()
    return [uuid.uuid4(), organisation_id, to_address, _clip(to_name, 200), _clip(subject, 300), body_text, body_html,
            method, ics, dedupe_key, PENDING, 0, now, now]


async def enqueue_all(messages: list[dict[str, Any]], *, audit_entries: list[AuditLog] = ()) -> int:
    """Queue many emails, each given as :func:`enqueue`'s arguments and checked the same way,
    and write ``audit_entries`` (``audit.entry(...)``) with them: on PostgreSQL one statement
    for all, so a change made under a lock pays one round trip for its emails and its audit
    trail. Joins the caller's transaction; rows whose ``dedupe_key`` is already queued are
    skipped. Returns how many were queued."""
    rows = [_row(**m) for m in messages]
    async with transaction():
        if not is_postgres(current_engine()):
            if audit_entries:
                await audit.write(*audit_entries)
            queued = 0
            for values in rows:
                queued += len(await OutboxMessage.raw(
                    f"INSERT INTO outbox_message {_COLUMNS} VALUES {_PLACES} "
                    "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id", *values))
            return queued
        along, args = "", []
        if audit_entries:
            sql, args = audit.insert_sql(*audit_entries)
            along = f"WITH audited AS ({sql}) "
        if not rows:
            await OutboxMessage.raw(along + "SELECT 1", *args)
            return 0
        done = await OutboxMessage.raw(
            f"{along}INSERT INTO outbox_message {_COLUMNS} VALUES {', '.join(_PLACES for _ in rows)} "
            "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id", *args, *(v for values in rows for v in values))
    return len(done)


async def enqueue_many(messages: list[dict]) -> int:
    """Queue many plain emails (no calendar part) in one statement; the same rules as
    :func:`enqueue`, and rows whose ``dedupe_key`` is already queued are skipped. For bulk
    work such as inviting everyone after an import. Returns how many were queued."""
    at = clock.now()
    rows = []
    for m in messages:
        to_address, to_name, subject = m["to_address"], m.get("to_name", ""), m["subject"]
        if "@" not in to_address or len(to_address) > 254 or any(c in to_address for c in " <>\r\n"):
            raise InvalidInput("The recipient is not an email address.")
        if any(c in text for text in (to_name, subject) for c in "\r\n"):
            raise InvalidInput("A name or subject cannot contain line breaks.")
        rows.append(dict(
            id=uuid.uuid4(), organisation=m.get("organisation_id"), to_address=to_address, to_name=_clip(to_name, 200),
            subject=_clip(subject, 300), body_text=m["body_text"], body_html=m.get("body_html"),
            dedupe_key=m.get("dedupe_key"), status=PENDING, attempts=0, next_attempt_at=at, created_at=at))
    # Many rows at once without Piccolo building its SQL value by value (core.db.insert_rows).
    return await insert_rows(OutboxMessage, rows, skip_conflicts_on="dedupe_key")


async def due_now() -> int:
    """Make every pending message due now (messages being sent are left alone)."""
    at = clock.now()
    moved = await OutboxMessage.update({OutboxMessage.next_attempt_at: at}).where(
        (OutboxMessage.status == PENDING) & (OutboxMessage.next_attempt_at > at)).returning(OutboxMessage.id)
    return len(moved)


# Both claim a batch in one statement: due rows become SENDING, leased until next_attempt_at.
# On PostgreSQL SKIP LOCKED lets concurrent runs take disjoint batches without waiting; SQLite
# has one writer (transaction() starts IMMEDIATE), so the second run sees the first's claim.
_CLAIM_POSTGRES = (
    "WITH due AS (SELECT id FROM outbox_message WHERE status IN ({}, {}) AND next_attempt_at <= {} "
    "ORDER BY next_attempt_at LIMIT {} FOR UPDATE SKIP LOCKED) "
    "UPDATE outbox_message AS m SET status = {}, attempts = m.attempts + 1, next_attempt_at = {} "
    "FROM due WHERE m.id = due.id RETURNING m.id"
)
_CLAIM_SQLITE = (
    "UPDATE outbox_message SET status = {}, attempts = attempts + 1, next_attempt_at = {} "
    "WHERE id IN (SELECT id FROM outbox_message WHERE status IN ({}, {}) AND next_attempt_at <= {} "
    "ORDER BY next_attempt_at LIMIT {}) RETURNING id"
)


async def _claim(now: datetime, batch: int) -> list[dict[str, Any]]:
    lease_until = now + LEASE
    async with transaction():
        if is_postgres(current_engine()):
            claimed = await OutboxMessage.raw(_CLAIM_POSTGRES, PENDING, SENDING, now, batch, SENDING, lease_until)
        else:
            claimed = await OutboxMessage.raw(_CLAIM_SQLITE, SENDING, lease_until, PENDING, SENDING, now, batch)
    if not claimed:
        return []
    ids = [UUID(str(row["id"])) for row in claimed]
    # Oldest first, so one person's invites arrive in the order they were made.
    return await OutboxMessage.select().where(OutboxMessage.id.is_in(ids)).order_by(OutboxMessage.created_at)


async def _mark(message_id: UUID, **values: Any) -> None:
    async with transaction():
        await OutboxMessage.update(values).where(
            (OutboxMessage.id == message_id) & (OutboxMessage.status == SENDING)
        )


async def _release(rows: list[dict[str, Any]], now: datetime) -> None:
    """Hand claimed, unsent rows back at once, their attempt not counted."""
    for row in rows:
        await _mark(row["id"], status=PENDING, attempts=row["attempts"] - 1, next_attempt_at=now)


def _lease_half_gone(started: float) -> bool:
    return time.monotonic() - started > LEASE.total_seconds() / 2


async def _deliver_one(
    transport: Transport, row: dict[str, Any], *, sender: str, now: datetime, max_attempts: int
) -> str:
    """Send one claimed row and record the outcome; the status it ends in."""
    if row["attempts"] > max_attempts:
        # Only when a run died holding it at its last attempt: that attempt counts.
        await _mark(row["id"], status=FAILED, last_error="Interrupted")
        return FAILED
    try:
        await transport.send(row["id"], build_message(row, sender=sender))
    except Exception as exc:  # noqa: BLE001 - any failure is retried; cancellation is not caught
        error = type(exc).__name__
        logger.warning("mail %s attempt %d failed: %s", row["id"], row["attempts"], error)
        if row["attempts"] >= max_attempts:
            await _mark(row["id"], status=FAILED, last_error=error)
            return FAILED
        await _mark(row["id"], status=PENDING, last_error=error, next_attempt_at=now + backoff(row["attempts"]))
        return PENDING
    # Delivered: the body (private links, tokens, personal detail) is not kept; who, when, the
    # subject and the status stay for the audit trail.
    await _mark(row["id"], status=SENT, sent_at=now, body_text="", body_html=None, calendar_ics=None)
    return SENT


async def deliver_due(
    transport: Transport,
    *,
    now: datetime | None = None,
    max_attempts: int,
    batch: int = 100,
    sender: str | None = None,
) -> DeliveryReport:
    """Send every message due at ``now``, each at most once however many runs overlap.

    Call outside any transaction (claims must commit before sending). ``sender`` defaults to
    the configured ``mail_from``. A failure is recorded by exception type only (its message
    can echo addresses or content); the last allowed failure marks the message FAILED.
    """
    if sender is None:
        from peerwork.core.settings import current_settings

        sender = current_settings().mail_from
    now = now or clock.now()
    outcomes: Counter[str] = Counter()
    while rows := await _claim(now, batch):
        started = time.monotonic()
        for index, row in enumerate(rows):
            if _lease_half_gone(started):
                await _release(rows[index:], now)  # and stop: the next run takes them
                return _report(outcomes)
            outcomes[await _deliver_one(transport, row, sender=sender, now=now, max_attempts=max_attempts)] += 1
        if len(rows) < batch:
            break
    return _report(outcomes)


def _report(outcomes: Counter[str]) -> DeliveryReport:
    return DeliveryReport(sent=outcomes[SENT], retrying=outcomes[PENDING], failed=outcomes[FAILED])


async def outbox_status(organisation_id: UUID | None = None) -> dict[str, int]:
    """How many messages are in each status (every status present), for one organisation or all."""
    query = OutboxMessage.select(OutboxMessage.status, Count()).group_by(OutboxMessage.status)
    if organisation_id is not None:
        query = query.where(OutboxMessage.organisation == organisation_id)
    counts = dict.fromkeys(STATUSES, 0)
    counts.update({row["status"]: row["count"] for row in await query})
    return counts


async def retry_failed(message_id: UUID, *, organisation_id: UUID | None = None) -> None:
    """Put a failed message back in the queue with a fresh set of attempts, due now.

    With ``organisation_id``, only that organisation's messages are found (others: NotFound).
    """
    where = OutboxMessage.id == message_id
    if organisation_id is not None:
        where &= OutboxMessage.organisation == organisation_id
    async with transaction():
        row = await OutboxMessage.select(OutboxMessage.status).where(where).first()
        if row is None:
            raise NotFound("No such message.")
        if row["status"] != FAILED:
            raise Conflict(f"The message is {row['status']}, not failed.")
        await OutboxMessage.update(
            {OutboxMessage.status: PENDING, OutboxMessage.attempts: 0, OutboxMessage.next_attempt_at: clock.now()}
        ).where(OutboxMessage.id == message_id)
