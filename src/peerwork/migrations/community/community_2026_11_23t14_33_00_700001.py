"""Keys Piccolo cannot declare for pairing."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T14:33:00:700001"
VERSION = "1.38.0"
DESCRIPTION = "Pairs looked up by both partners"

STATEMENTS = [
    "CREATE INDEX pair_partners ON pair (new_peer, experienced_peer)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="community", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
