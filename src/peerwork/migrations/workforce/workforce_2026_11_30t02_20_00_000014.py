"""PostgreSQL tells every app instance when who-may-sign-in changes.

Each instance keeps a short-lived cache of which account an API token belongs to (see
core/auth_cache.py). These triggers NOTIFY the ``peerwork_auth`` channel whenever a token is
revoked or removed, an account is deactivated or renamed, a membership (a role) is added,
changed or removed, or an organisation is renamed or removed, whoever makes the change: the
app, a job, the CLI or someone at psql. PostgreSQL delivers the notice when the change
commits (never for a rollback), and every listening instance forgets its whole cache.

``UPDATE OF`` names only the columns that matter, so the hourly ``last_used_at`` write of a
token does not empty every cache. SQLite runs one instance and caches nothing: no triggers.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-30T02:20:00:000014"
VERSION = "1.38.0"
DESCRIPTION = "Notify app instances when tokens, accounts, memberships or organisations change"

CHANNEL = "peerwork_auth"
WATCHED = {  # table -> the statements that can change who a token identifies, or whether it does
    "api_token": "UPDATE OF revoked_at, token_hash, account, organisation OR DELETE OR TRUNCATE",
    "account": "UPDATE OF is_active, email, display_name, person, id OR DELETE OR TRUNCATE",
    "membership": "INSERT OR UPDATE OR DELETE OR TRUNCATE",
    "organisation": "UPDATE OF slug, name, id OR DELETE OR TRUNCATE",
}

STATEMENTS = [
    f"""
    CREATE FUNCTION peerwork_auth_changed() RETURNS trigger AS $$
    BEGIN
        PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME);
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    *(
        f"CREATE TRIGGER {table}_auth_changed AFTER {events} ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION peerwork_auth_changed()"
        for table, events in WATCHED.items()
    ),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="workforce", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        if isinstance(engine, PostgresEngine):
            for statement in STATEMENTS:
                await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
