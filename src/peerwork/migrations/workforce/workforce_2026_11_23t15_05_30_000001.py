"""Partial covering indexes for the retention spells query (lived-experience roles, and the
other roles that compare mode reads): one organisation's rows in (person, start, number) order,
so the gaps-and-islands windows need no sort and never touch the other 95% of the table.

SQLite has no INCLUDE: there the same partial indexes hold the key columns only.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-23T15:05:30:000001"
VERSION = "1.38.0"
DESCRIPTION = "Partial covering indexes for retention spells"

KEY = "(organisation, person, start_date, assignment_number)"
INCLUDE = " INCLUDE (end_date, team, afc_band, leaving_reason)"
INDEXES = [
    ("assignment_le_spells", "lived_experience_role"),
    ("assignment_other_spells", "NOT lived_experience_role"),
]


def statements(postgres: bool) -> list[str]:
    include = INCLUDE if postgres else ""
    return [f"CREATE INDEX {name} ON assignment {KEY}{include} WHERE {where}" for name, where in INDEXES]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="workforce", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in statements(isinstance(engine, PostgresEngine)):
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
