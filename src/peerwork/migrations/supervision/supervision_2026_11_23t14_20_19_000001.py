"""Keys Piccolo cannot declare for supervision."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T14:20:19:000001"
VERSION = "1.38.0"
DESCRIPTION = "Unique policy per role and kind; one membership and attendance per person"

STATEMENTS = [
    "CREATE UNIQUE INDEX supervision_policy_key ON supervision_policy (organisation, role, kind)",
    "CREATE UNIQUE INDEX group_member_pair ON group_member (peer_group, account)",
    "CREATE UNIQUE INDEX group_attendance_pair ON group_attendance (session, account)",
    "CREATE INDEX supervision_session_people ON supervision_session (supervisor, supervisee, start)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="supervision", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
