"""Bring the schema up to date with Piccolo's migrations (the same ones the tests build from)."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

from peerwork.core.errors import DomainError


class MigrationFailed(DomainError):
    status_code = 500
    code = "migration-failed"
    title = "Migration failed"


def _migration_folders() -> list[Path]:
    """Each Piccolo app's migrations folder; they ship inside the package (peerwork/migrations/<app>/)."""
    from piccolo.conf.apps import Finder

    return [Path(app_config.resolved_migrations_folder_path)
            for app_config in Finder().get_app_registry().app_configs.values()]


def check_migrations_present() -> list[Path]:
    """Say plainly when an installation lacks its migrations (rather than failing later with a
    file-not-found that reads like an unreachable database); the migrations folders."""
    folders = _migration_folders()
    for folder in folders:
        if not (folder / "__init__.py").is_file():
            raise MigrationFailed(f"peerwork's migrations are missing from the installed package at {folder}")
    return folders


async def migrate(quiet: bool = True) -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    check_migrations_present()
    output = io.StringIO()
    with contextlib.redirect_stdout(output) if quiet else contextlib.nullcontext():
        result = await run_forwards(app_name="all", migration_id="all")
    if not result.success:
        raise MigrationFailed(f"migrations did not apply: {result.message}")


# What Piccolo writes at the top of every migration file: its ID, the name it is recorded by.
_MIGRATION_ID = re.compile(r"""^ID = (?:"([^"\\\n]+)"|'([^'\\\n]+)')[ \t]*(?:#.*)?$""", re.MULTILINE)


def migration_ids(folder: Path) -> set[str]:
    """The IDs of the migrations in ``folder``, as Piccolo knows them (each module's ``ID``).

    Read from the files' text rather than by importing them as Piccolo does: importing every
    migration (and Piccolo's migration machinery) is most of what checking costs when a server
    starts, and serving needs none of it. A file whose ID is not written as one plain string
    is left to Piccolo's own reading, so the answer is the same either way."""
    ids: set[str] = set()
    for path in folder.glob("*.py"):
        if path.name == "__init__.py":
            continue
        found = _MIGRATION_ID.findall(path.read_text(encoding="utf-8"))
        if len(found) != 1:
            from piccolo.apps.migrations.commands.base import BaseMigrationManager

            return set(BaseMigrationManager().get_migration_modules(str(folder)))
        double, single = found[0]
        ids.add(double or single)
    return ids


async def pending_migrations() -> list[str]:
    """IDs of migrations on disk that have not run against the current database."""
    from piccolo.apps.migrations.tables import Migration

    folders = check_migrations_present()
    if not await Migration.table_exists().run():
        ran: set[str] = set()
    else:
        ran = set(await Migration.select(Migration.name).output(as_list=True))
    pending = []
    for folder in folders:
        pending.extend(sorted(migration_ids(folder) - ran))
    return pending


class DatabaseNotMigrated(DomainError):
    status_code = 503
    code = "not-migrated"
    title = "Database not migrated"


async def require_migrated() -> None:
    pending = await pending_migrations()
    if pending:
        raise DatabaseNotMigrated(
            f"the database is missing {len(pending)} migration(s); run 'peerwork migrate' first"
        )
