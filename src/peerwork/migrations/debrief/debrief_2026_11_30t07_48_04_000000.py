"""Keys Piccolo cannot declare: one rota entry per organisation, day and person, so two peer
leads adding the same person at once cannot put them on call twice; and one waiting request per
person and day, so a double click (even on two servers) cannot ask twice."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T07:48:04:000000"
VERSION = "1.38.0"
DESCRIPTION = "One rota entry per day and person; one waiting request per person and day"

STATEMENTS = [
    "CREATE UNIQUE INDEX debrief_rota_day_account ON debrief_rota (organisation, day, account)",
    "CREATE UNIQUE INDEX debrief_request_one_waiting ON debrief_request (requester, day) WHERE status = 'open'",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="debrief", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
