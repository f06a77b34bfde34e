"""Keys Piccolo cannot declare: one occurrence per series and original start, one booking
row per person and occurrence (so nobody holds two places)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T14:04:55:162592"
VERSION = "1.38.0"
DESCRIPTION = "Unique occurrence per series start; one booking per person and occurrence"

STATEMENTS = [
    "CREATE UNIQUE INDEX occurrence_series_original_start ON occurrence (series, original_start)",
    "CREATE UNIQUE INDEX booking_occurrence_account ON booking (occurrence, account)",
    "CREATE INDEX booking_occurrence_status_queue ON booking (occurrence, status, queue_position)",
    "CREATE UNIQUE INDEX series_facilitator_pair ON series_facilitator (series, account)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="community", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
