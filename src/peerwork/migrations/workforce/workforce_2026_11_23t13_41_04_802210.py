"""Keys Piccolo cannot declare (unique across two columns) and the append-only audit log.

The SQL here is the same on PostgreSQL and SQLite except for the triggers.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine import engine_finder

ID = "2026-11-23T13:41:04:802210"
VERSION = "1.38.0"
DESCRIPTION = "Composite unique keys and append-only audit log"

UNIQUE_KEYS = [
    "CREATE UNIQUE INDEX team_org_name ON team (organisation, name)",
    "CREATE UNIQUE INDEX person_org_employee_number ON person (organisation, employee_number)",
    "CREATE UNIQUE INDEX assignment_org_number ON assignment (organisation, assignment_number)",
    "CREATE UNIQUE INDEX membership_account_org_role ON membership (account, organisation, role)",
    "CREATE UNIQUE INDEX network_membership_pair ON network_membership (network, organisation)",
    "CREATE UNIQUE INDEX scheduled_run_job_due ON scheduled_run (job_id, due_key)",
]

POSTGRES_AUDIT_GUARD = [
    """
    CREATE FUNCTION audit_log_is_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit_log is append-only';
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only()
    """,
]

SQLITE_AUDIT_GUARD = [
    """
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END
    """,
    """
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END
    """,
]


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="workforce", description=DESCRIPTION
    )

    async def run():
        engine = engine_finder()
        guard = POSTGRES_AUDIT_GUARD if isinstance(engine, PostgresEngine) else SQLITE_AUDIT_GUARD
        for statement in UNIQUE_KEYS + guard:
            await engine.run_ddl(statement)

    manager.add_raw(run)

    return manager
