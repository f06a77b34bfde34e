"""What Piccolo cannot declare for panel members' interview invites."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T02:30:16:000001"
VERSION = "1.38.0"
DESCRIPTION = "One invite state per interview and panel member; invites already sent recorded"

# Until now every panel member got a REQUEST when an interview was booked or moved: record
# those copies, so a feed does not show them a second time. A cancelled interview's slot is
# cleared, so it is in no feed and needs no row (a rebooking sends a fresh invite either way).
STATEMENTS = [
    "CREATE UNIQUE INDEX interview_invite_pair ON interview_invite (application, account)",
    "INSERT INTO interview_invite (application, account, invite_state) SELECT a.id, p.account, 'request' "
    "FROM application a JOIN panel_member p ON p.vacancy = a.vacancy WHERE a.slot IS NOT NULL",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="recruitment", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
