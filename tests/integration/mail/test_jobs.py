"""The delivery job sends what is due through the configured transport, every minute."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from peerwork.core.mail.jobs import JOBS
from peerwork.core.mail.outbox import enqueue
from peerwork.core.jobs import latest_due, run_once
from peerwork.core.settings import use_settings
from peerwork.core.tables import OutboxMessage


async def test_the_job_delivers_the_outbox_through_the_configured_transport(settings, tmp_path):
    [job] = JOBS
    use_settings(settings.with_overrides(mail_url=f"file://{tmp_path}", mail_from="north@trust.example"))
    now = datetime.now(timezone.utc)
    assert latest_due(job.trigger, now, job.catch_up_window) > now - timedelta(minutes=1)  # every minute
    message_id = await enqueue(to_address="sam@north.example", subject="Booked", body_text="Hello")
    try:
        assert await run_once(job, latest_due(job.trigger, now, job.catch_up_window))
    finally:
        use_settings(settings)
    assert (tmp_path / f"{message_id}.eml").read_bytes().startswith(b"From: north@trust.example")
    assert await OutboxMessage.count().where(OutboxMessage.status == "sent") == 1
