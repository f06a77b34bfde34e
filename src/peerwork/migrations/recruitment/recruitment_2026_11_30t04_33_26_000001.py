"""What Piccolo cannot declare for past recruitment rounds."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T04:33:26:000001"
VERSION = "1.38.0"
DESCRIPTION = "One past round per organisation and reference"

# Re-loading a file updates the round with the same reference, so the key must hold even when
# two loads run at once.
STATEMENTS = [
    "CREATE UNIQUE INDEX past_round_key ON past_round (organisation, reference)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="recruitment", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
