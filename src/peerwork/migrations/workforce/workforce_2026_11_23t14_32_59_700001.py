"""Keys Piccolo cannot declare for the development (CPD) tables."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T14:32:59:700001"
VERSION = "1.38.0"
DESCRIPTION = "One line manager per person; one acknowledgement per document; CPD by person and date"

STATEMENTS = [
    "CREATE UNIQUE INDEX line_manager_key ON line_manager (organisation, account)",
    "CREATE UNIQUE INDEX role_acknowledgement_key ON role_acknowledgement (account, document)",
    "CREATE INDEX cpd_record_person ON cpd_record (account, done_on)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="workforce", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
