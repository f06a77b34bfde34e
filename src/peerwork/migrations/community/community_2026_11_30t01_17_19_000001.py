"""What Piccolo cannot declare for invite replies and delivery choices."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T01:17:19:000001"
VERSION = "1.38.0"
DESCRIPTION = "Reply selectors unique; existing places recorded as invited"

STATEMENTS = [
    # SQLite cannot add a UNIQUE column, so the key is an index of its own.
    "CREATE UNIQUE INDEX booking_reply_selector ON booking (reply_selector)",
    # Until now every confirmed place was emailed as a REQUEST, and every place on an
    # occurrence that was called off got a CANCEL: record where those copies are, so the
    # person's feed does not show them a second time.
    "UPDATE booking SET invite_state = CASE WHEN EXISTS (SELECT 1 FROM occurrence o "
    "WHERE o.id = booking.occurrence AND o.status = 'cancelled') THEN 'cancel' ELSE 'request' END "
    "WHERE status = 'confirmed'",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="community", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
