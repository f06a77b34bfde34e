"""What the outbox refuses up front, and how long it waits between attempts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from peerwork.core.errors import InvalidInput
from peerwork.core.mail.outbox import backoff, enqueue
from tests.unit.mail.invites import invite_ics


def test_backoff_grows_then_levels_off():
    assert [backoff(n) for n in range(1, 9)] == [
        timedelta(minutes=m) for m in (1, 5, 15, 60, 240, 720, 720, 720)
    ]


@pytest.mark.parametrize(
    "changes",
    [
        {"to_address": "not an address"},
        {"to_address": "sam@north.example\r\nBcc: everyone@example.com"},
        {"subject": "Booked\r\nBcc: everyone@example.com"},
        {"calendar": ("REPLY", invite_ics("REQUEST"))},
        {"calendar": ("CANCEL", invite_ics("REQUEST"))},  # the part's method must match METHOD inside
        {"calendar": ("REQUEST", b"not a calendar")},
        {"dedupe_key": "x" * 201},
    ],
)
async def test_what_could_never_be_sent_is_refused_when_queued(changes):
    fields = {"to_address": "sam@north.example", "subject": "Booked", "body_text": "Hello"} | changes
    with pytest.raises(InvalidInput):
        await enqueue(**fields)
