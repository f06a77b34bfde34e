"""Bring the schema up to date with Piccolo's migrations (the same ones the tests build from)."""

from __future__ import annotations

import contextlib
import io
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


def check_migrations_present() -> None:
    """Say plainly when an installation lacks its migrations (rather than failing later with a
    file-not-found that reads like an unreachable database)."""
    for folder in _migration_folders():
        if not (folder / "__init__.py").is_file():
            raise MigrationFailed(f"peerwork's migrations are missing from the installed package at {folder}")


async def migrate(quiet: bool = True) -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    check_migrations_present()
    output = io.StringIO()
    with contextlib.redirect_stdout(output) if quiet else contextlib.nullcontext():
        result = await run_forwards(app_name="all", migration_id="all")
    if not result.success:
        raise MigrationFailed(f"migrations did not apply: {result.message}")


async def pending_migrations() -> list[str]:
    """IDs of migrations on disk that have not run against the current database."""
    from piccolo.apps.migrations.commands.base import BaseMigrationManager
    from piccolo.apps.migrations.tables import Migration
    from piccolo.conf.apps import Finder

    check_migrations_present()
    manager = BaseMigrationManager()
    if not await Migration.table_exists().run():
        ran: set[str] = set()
    else:
        ran = set(await Migration.select(Migration.name).output(as_list=True))
    pending = []
    for app_config in Finder().get_app_registry().app_configs.values():
        modules = manager.get_migration_modules(app_config.resolved_migrations_folder_path)
        pending.extend(sorted(set(modules) - ran))
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
