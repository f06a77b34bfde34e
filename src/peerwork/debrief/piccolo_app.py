from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations" / "debrief"

APP_CONFIG = AppConfig(
    app_name="debrief",
    migrations_folder_path=MIGRATIONS,
    table_classes=table_finder(modules=["peerwork.debrief.tables"], exclude_imported=True),
    migration_dependencies=["peerwork.workforce.piccolo_app"],
    commands=[],
)
