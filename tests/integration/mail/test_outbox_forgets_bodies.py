"""A delivered message's body (private links, personal detail) is not kept in the outbox; the
audit fields (who, when, subject, status, calendar method) are."""

from __future__ import annotations

from peerwork.core.mail.outbox import deliver_due, enqueue
from peerwork.core.tables import OutboxMessage
from tests.unit.mail.invites import SENDER, invite_ics


class Recording:
    def __init__(self, fail: bool = False):
        self.sent, self.fail = [], fail

    async def send(self, message_id, message):
        if self.fail:
            raise ConnectionRefusedError
        self.sent.append(message)


async def _queue():
    return await enqueue(to_address="sam@north.example", to_name="Sam Patel", subject="Your invitation",
                         body_text="Sign in: https://peerwork.example/invitations/SECRET-TOKEN",
                         body_html="<a href='https://peerwork.example/invitations/SECRET-TOKEN'>Sign in</a>",
                         calendar=("REQUEST", invite_ics("REQUEST")), dedupe_key="invite-sam")


async def test_a_delivered_message_keeps_who_when_and_subject_but_not_its_body():
    message_id = await _queue()
    transport = Recording()
    report = await deliver_due(transport, sender=SENDER, max_attempts=5)
    assert report.sent == 1
    assert "SECRET-TOKEN" in transport.sent[0].as_string()  # the email itself carried the link
    stored = await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
    assert (stored["body_text"], stored["body_html"], stored["calendar_ics"]) == ("", None, None)
    assert (stored["status"], stored["to_address"], stored["to_name"], stored["subject"]) == \
        ("sent", "sam@north.example", "Sam Patel", "Your invitation")
    assert stored["sent_at"] is not None and stored["created_at"] is not None and stored["attempts"] == 1
    assert (stored["calendar_method"], stored["dedupe_key"]) == ("REQUEST", "invite-sam")


async def test_a_message_not_yet_delivered_keeps_its_body_for_the_retry():
    message_id = await _queue()
    report = await deliver_due(Recording(fail=True), sender=SENDER, max_attempts=5)
    assert report.retrying == 1
    stored = await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
    assert "SECRET-TOKEN" in stored["body_text"] and "SECRET-TOKEN" in stored["body_html"]
    assert stored["calendar_ics"].startswith("BEGIN:VCALENDAR")
