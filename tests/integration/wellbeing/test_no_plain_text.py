"""The words of a plan, a passport and a check-in note are never stored, logged or emailed in
the clear: after writing, reading, sharing, bad input and a review reminder, a dump of the whole
database (pg_dump on PostgreSQL, the file's bytes on SQLite), every log record and every email
sent are searched for a marker in UTF-8 and UTF-16 and it is in none of them."""

from __future__ import annotations

import logging
import subprocess
from datetime import date, timedelta
from pathlib import Path

import msgspec

from peerwork.core.mail import outbox
from peerwork.core.tables import OutboxMessage
from peerwork.core.time import now
from peerwork.wellbeing import reminders
from peerwork.wellbeing.tables import WellbeingDocument
from tests.conftest import DATABASE_URL, IS_POSTGRES
from tests.integration.wellbeing.helpers import MARKER, PASSPORT_MARKER, build_world, close_world, plan_in

NOTE_MARKER = "Narwhal-teapot-5520 rough night"
MARKERS = (MARKER, PASSPORT_MARKER, NOTE_MARKER)


def encodings(text: str) -> list[bytes]:
    return [text.encode("utf-8"), text.encode("utf-16-le"), text.encode("utf-16-be")]


def assert_absent(where: str, data: bytes) -> None:
    for marker in MARKERS:
        for encoded in encodings(marker) + encodings(marker.split()[0]):
            assert encoded not in data, f"{marker!r} found in {where}"


class Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        self.lines.append(text)


def database_bytes(engine) -> bytes:
    if IS_POSTGRES:
        done = subprocess.run(["/usr/bin/pg_dump", "--dbname", DATABASE_URL, "--no-owner"], capture_output=True,
                              timeout=120, check=True)
        assert b"wellbeing_document" in done.stdout  # the dump is of the right database
        return done.stdout
    path = Path(engine.path)
    files = [path, *(Path(f"{path}{suffix}") for suffix in ("-wal", "-shm", "-journal"))]
    data = b"".join(f.read_bytes() for f in files if f.exists())
    assert b"wellbeing_document" in data
    return data


async def test_no_plan_text_in_the_database_logs_or_emails(app, engine, smtp):
    handler = Everything()
    loggers = [logging.getLogger(), logging.getLogger("peerwork"), logging.getLogger("litestar"),
               logging.getLogger("uvicorn.error"), logging.getLogger("httpx")]
    for logger in loggers:
        logger.addHandler(handler)
    previous = logging.getLogger().level
    logging.getLogger().setLevel(logging.DEBUG)
    world = await build_world(app)
    owner, sharee = world["owner"], world["sharee"]
    try:
        plan = msgspec.to_builtins(plan_in())
        past = (date.today() - timedelta(days=1)).isoformat()
        saved = await owner.client.put("/api/v1/wellbeing/plan", headers=owner.headers,
                                       json={**plan, "review_date": past})
        assert saved.status_code == 200 and MARKER in saved.text
        page = await owner.client.post("/wellbeing/passport", data={
            "adjustments": PASSPORT_MARKER, "agreed_by": "My manager", "review_date": past,
            "_csrf_token": owner.csrf}, follow_redirects=False)
        assert page.status_code == 303
        checked = await owner.client.post("/api/v1/wellbeing/check-ins", headers=owner.headers,
                                          json={"need": "rest", "note": NOTE_MARKER})
        assert checked.status_code == 201 and MARKER in checked.json()["suggestion"]["text"]
        shown = await owner.client.post("/wellbeing/check-in", data={
            "need": "support", "note": NOTE_MARKER, "_csrf_token": owner.csrf})
        assert shown.status_code == 200 and "/debrief" in shown.text
        assert NOTE_MARKER in (await owner.client.get("/wellbeing")).text
        read = await sharee.client.get(f"/wellbeing/shared/{world.plan_id}")
        assert read.status_code == 200 and MARKER in read.text

        # Refused input carrying the words does not echo them into a log.
        too_long = await owner.client.put("/api/v1/wellbeing/plan", headers=owner.headers,
                                          json={"what_helps": MARKER * 200})
        assert too_long.status_code == 400
        nul = await owner.client.put("/api/v1/wellbeing/plan", headers={**owner.headers, "Content-Type": "application/json"},
                                     content=('{"what_helps": "' + MARKER + '\\u0000"}').encode())
        assert nul.status_code == 400
        form_nul = await owner.client.post("/wellbeing/plan", data={"what_helps": MARKER + "\x00",
                                                                     "_csrf_token": owner.csrf})
        assert form_nul.status_code in (400, 422)
        assert MARKER in (await owner.client.get("/api/v1/wellbeing/plan", headers=owner.headers)).text

        # The review reminders go out, by email, without a word of either record.
        assert await reminders.send_review_reminders(now()) == 2
        report = await outbox.deliver_due(smtp.transport, max_attempts=3)
        assert report is not None and len(smtp.received) == 2
        assert all(b"due for review" in message for message in smtp.received)
        for message in smtp.received:
            assert_absent("an email", message)
        rows = await OutboxMessage.select(OutboxMessage.subject, OutboxMessage.body_text)
        assert_absent("the outbox", repr(rows).encode())

        assert await WellbeingDocument.count() == 2 + 0  # the owner's plan and passport only
        dump = database_bytes(engine)
        assert b"owner@north.example" in dump  # text in the clear would be found: emails are
        assert_absent("the database", dump)
        assert_absent("the logs", "\n".join(handler.lines).encode())
        assert any("wellbeing" in line for line in handler.lines)  # the handler did see the requests
    finally:
        await close_world(world)
        for logger in loggers:
            logger.removeHandler(handler)
        logging.getLogger().setLevel(previous)
