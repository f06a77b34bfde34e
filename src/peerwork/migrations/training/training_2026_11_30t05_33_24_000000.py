"""A key Piccolo cannot declare: one completion per run and person, so two trainers marking a
run's last sessions at once cannot record the course twice."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T05:33:24:000000"
VERSION = "1.38.0"
DESCRIPTION = "One completion per run and person"

STATEMENTS = [
    "CREATE UNIQUE INDEX run_completion_run_account ON run_completion (run, account)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="training", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
