"""The outbox against a real SMTP server on loopback: delivered once, retried, never lost."""

from __future__ import annotations

import asyncio
import email
import email.policy
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from peerwork.core.db import transaction
from peerwork.core.errors import Conflict, NotFound
from peerwork.core.mail.outbox import LEASE, deliver_due, enqueue, outbox_status, retry_failed
from peerwork.core.mail.transports import FileTransport
from peerwork.core.tables import OutboxMessage
from tests.factories import make_org
from tests.unit.mail.invites import SENDER, invite_ics


def parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


async def row(message_id) -> dict:
    return await OutboxMessage.select().where(OutboxMessage.id == message_id).first()


async def queue(n: int = 0, **changes):
    fields = {"to_address": f"person{n}@north.example", "to_name": f"Person {n}",
              "subject": f"Message {n}", "body_text": "Hello"} | changes
    return await enqueue(**fields)


class Crash(BaseException):
    """The process going away mid-send: not an error a run could catch and record."""


class CrashingTransport:
    async def send(self, message_id, message):
        raise Crash


def deliver(transport, **options):
    return deliver_due(transport, sender=SENDER, max_attempts=options.pop("max_attempts", 5), **options)


async def test_an_invite_is_delivered_with_its_calendar_part(smtp):
    message_id = await queue(to_address="sam@north.example", to_name="Sam Patel", subject="Booked: Café group",
                             calendar=("REQUEST", invite_ics("REQUEST")))
    report = await deliver(smtp.transport)
    assert report.sent == 1
    [raw] = smtp.received
    assert smtp.envelopes == [(SENDER, ["sam@north.example"])]
    msg = parse(raw)
    assert msg["Subject"] == "Booked: Café group"
    assert msg["To"].addresses[0].addr_spec == "sam@north.example"
    assert msg["To"].addresses[0].display_name == "Sam Patel"
    [calendar] = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_content().startswith("BEGIN:VCALENDAR")
    assert "METHOD:REQUEST" in calendar.get_content()
    stored = await row(message_id)
    assert stored["status"] == "sent" and stored["attempts"] == 1 and stored["sent_at"] is not None


async def test_nothing_is_lost_while_the_server_is_down(smtp_down):
    message_id = await queue()
    before = datetime.now(timezone.utc)
    report = await deliver(smtp_down.transport, now=before)
    assert report.retrying == 1 and report.sent == 0
    stored = await row(message_id)
    assert stored["status"] == "pending" and stored["attempts"] == 1
    assert stored["next_attempt_at"] > before
    assert stored["last_error"] == "SMTPConnectError"  # the type only, never text that may hold an address

    smtp_down.start()
    assert (await deliver(smtp_down.transport, now=before)).sent == 0  # not due again yet
    later = stored["next_attempt_at"] + timedelta(seconds=1)
    assert (await deliver(smtp_down.transport, now=later)).sent == 1
    assert (await deliver(smtp_down.transport, now=later + timedelta(hours=1))).sent == 0
    assert len(smtp_down.received) == 1
    assert (await row(message_id))["status"] == "sent"


async def test_after_the_last_attempt_it_is_failed_visibly_and_an_admin_can_retry(smtp_down):
    org = await make_org("north")
    message_id = await queue(organisation_id=org.id)
    now = datetime.now(timezone.utc)
    for _ in range(3):
        now += timedelta(days=1)
        await deliver(smtp_down.transport, now=now, max_attempts=3)
    stored = await row(message_id)
    assert (stored["status"], stored["attempts"], stored["last_error"]) == ("failed", 3, "SMTPConnectError")
    assert (await deliver(smtp_down.transport, now=now + timedelta(days=30), max_attempts=3)).failed == 0
    assert await outbox_status(org.id) == {"pending": 0, "sending": 0, "sent": 0, "failed": 1}

    other = await make_org("south")
    with pytest.raises(NotFound):
        await retry_failed(message_id, organisation_id=other.id)
    await retry_failed(message_id, organisation_id=org.id)
    assert (await row(message_id))["status"] == "pending"
    smtp_down.start()
    assert (await deliver(smtp_down.transport, max_attempts=3)).sent == 1
    assert len(smtp_down.received) == 1
    with pytest.raises(Conflict):
        await retry_failed(message_id)
    assert await outbox_status(other.id) == {"pending": 0, "sending": 0, "sent": 0, "failed": 0}
    assert (await outbox_status())["sent"] == 1


async def test_the_same_dedupe_key_queues_one_message(smtp):
    first = await queue(dedupe_key="booking:1:0:confirmed")
    second = await queue(dedupe_key="booking:1:0:confirmed", subject="A retried request")
    assert first is not None and second is None
    assert await OutboxMessage.count() == 1
    await deliver(smtp.transport)
    assert len(smtp.received) == 1


async def test_concurrent_runs_send_each_message_exactly_once(smtp):
    ids = [await queue(n) for n in range(10)]
    reports = await asyncio.gather(*(deliver(smtp.transport, batch=3) for _ in range(3)))
    assert sum(r.sent for r in reports) == 10
    received = Counter(parse(raw)["Message-ID"] for raw in smtp.received)
    assert sorted(received.values()) == [1] * 10
    assert await OutboxMessage.count().where(OutboxMessage.status == "sent") == len(ids)


async def test_a_run_that_dies_after_claiming_loses_nothing(smtp):
    message_id = await queue()
    now = datetime.now(timezone.utc)
    with pytest.raises(Crash):
        await deliver(CrashingTransport(), now=now)
    assert (await row(message_id))["status"] == "sending"
    assert (await deliver(smtp.transport, now=now + timedelta(minutes=1))).sent == 0  # still leased
    assert (await deliver(smtp.transport, now=now + LEASE + timedelta(seconds=1))).sent == 1
    assert len(smtp.received) == 1


async def test_file_transport_writes_a_parseable_eml(tmp_path):
    message_id = await queue(subject="Booked", calendar=("REQUEST", invite_ics("REQUEST")))
    transport = FileTransport(tmp_path / "outbox")
    assert (await deliver(transport)).sent == 1
    msg = parse(transport.path_for(message_id).read_bytes())
    assert msg["Subject"] == "Booked"
    assert msg["Message-ID"] == f"<{message_id}@trust.example>"
    assert any(p.get_filename() == "invite.ics" for p in msg.walk())


async def test_an_email_queued_in_a_rolled_back_transaction_is_gone():
    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned):
        async with transaction():
            await queue(1)
            raise Abandoned
    assert await OutboxMessage.count() == 0

    async with transaction():
        kept = await queue(2)
    assert (await row(kept))["status"] == "pending"


async def test_a_message_whose_last_attempt_was_interrupted_is_failed_not_resent(smtp):
    message_id = await queue()
    now = datetime.now(timezone.utc)
    with pytest.raises(Crash):
        await deliver(CrashingTransport(), now=now, max_attempts=1)
    assert (await deliver(smtp.transport, now=now + 2 * LEASE, max_attempts=1)).failed == 1
    stored = await row(message_id)
    assert (stored["status"], stored["last_error"]) == ("failed", "Interrupted")
    assert smtp.received == []


async def test_a_slow_run_hands_back_what_it_has_no_time_left_to_send(smtp, monkeypatch):
    from peerwork.core.mail import outbox

    checks = iter([False, False, True])  # time runs out before the third message of the batch
    monkeypatch.setattr(outbox, "_lease_half_gone", lambda started: next(checks))
    ids = [await queue(n) for n in range(4)]
    assert (await deliver(smtp.transport, batch=4)).sent == 2
    statuses = Counter([(await row(i))["status"] for i in ids])
    assert statuses == {"sent": 2, "pending": 2}
    assert {(await row(i))["attempts"] for i in ids if (await row(i))["status"] == "pending"} == {0}
    monkeypatch.setattr(outbox, "_lease_half_gone", lambda started: False)
    assert (await deliver(smtp.transport)).sent == 2  # due at once, with no attempt used up
    assert len(smtp.received) == 4
