"""Keys Piccolo cannot declare for recruitment."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T14:35:39:000001"
VERSION = "1.38.0"
DESCRIPTION = "One panel seat per person, one score per scorer and value, unique references"

STATEMENTS = [
    "CREATE UNIQUE INDEX panel_member_seat ON panel_member (vacancy, account)",
    "CREATE UNIQUE INDEX score_once ON score (application, scorer, peer_value)",
    "CREATE UNIQUE INDEX application_reference ON application (vacancy, reference)",
    "CREATE INDEX apply_attempt_client ON apply_attempt (client_hash, at)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="recruitment", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
