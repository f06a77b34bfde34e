"""``peerwork mail send`` as an operator runs it after an SMTP outage: what is due goes now,
``--all`` also sends what is waiting out a retry backoff, and two runs at once still send each
message exactly once (the delivery job's claim)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone

from peerwork.core.mail.outbox import enqueue
from peerwork.core.tables import OutboxMessage
from tests.integration.test_cli import cli_database_url


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "peerwork.cli", "mail", "send", *args]


def environment(smtp) -> dict[str, str]:
    return {**os.environ, "PEERWORK_DATABASE_URL": cli_database_url(),
            "PEERWORK_MAIL_URL": f"smtp://127.0.0.1:{smtp.port}"}


async def queue(n: int):
    return await enqueue(to_address=f"person{n}@north.example", to_name=f"Person {n}",
                         subject=f"Message {n}", body_text="Hello")


async def test_mail_send_delivers_what_is_due_and_all_what_waits_each_once(smtp):
    waiting = [await queue(n) for n in range(6)]
    # As after an outage: tried once, the next try an hour away.
    await OutboxMessage.update({OutboxMessage.attempts: 1,
                                OutboxMessage.next_attempt_at: datetime.now(timezone.utc) + timedelta(hours=1)}
                               ).where(OutboxMessage.id.is_in(waiting))
    await queue(99)  # due now

    due = subprocess.run(command(), env=environment(smtp), capture_output=True, text=True, timeout=120)
    assert due.returncode == 0, due.stderr
    assert due.stdout == "1 sent, 0 to retry later, 0 given up.\n"
    assert len(smtp.received) == 1

    # Two operators (or an operator and the job) at once: each message still goes once.
    runs = [subprocess.Popen(command("--all"), env=environment(smtp), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    sent = sum(int(out.split(" sent")[0]) for out, _ in outputs)
    assert sent == 6, outputs
    recipients = Counter(rcpt for _, rcpts in smtp.envelopes for rcpt in rcpts)
    assert recipients == Counter({f"person{n}@north.example": 1 for n in [*range(6), 99]})
    statuses = await OutboxMessage.select(OutboxMessage.status).output(as_list=True)
    assert sorted(statuses) == ["sent"] * 7
