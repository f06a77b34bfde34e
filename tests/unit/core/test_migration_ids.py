"""The start-up check reads each migration's ID from its file, as Piccolo would by importing it."""

from __future__ import annotations

from pathlib import Path

from piccolo.apps.migrations.commands.base import BaseMigrationManager

from peerwork.core.migrate import migration_ids

MIGRATIONS = Path(__file__).resolve().parents[3] / "src" / "peerwork" / "migrations"


def test_the_ids_read_from_the_files_are_the_ones_piccolo_finds_by_importing_them():
    folders = [folder for folder in sorted(MIGRATIONS.iterdir()) if (folder / "__init__.py").is_file()]
    assert folders
    for folder in folders:
        assert migration_ids(folder) == set(BaseMigrationManager().get_migration_modules(str(folder)))


def test_a_file_whose_id_is_not_one_plain_string_is_left_to_piccolo(tmp_path):
    folder = tmp_path / "readme_app_migrations"
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    (folder / "readme_app_2026_01_01t00_00_00_000001.py").write_text('ID = "2026-01-01T00:00:00:000001"\n')
    (folder / "readme_app_2026_01_02t00_00_00_000001.py").write_text(
        'DAY = "2026-01-02"\nID = DAY + "T00:00:00:000001"\n')
    assert migration_ids(folder) == {"2026-01-01T00:00:00:000001", "2026-01-02T00:00:00:000001"}
