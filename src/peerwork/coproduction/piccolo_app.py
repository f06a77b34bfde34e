from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations" / "coproduction"

APP_CONFIG = AppConfig(
    app_name="coproduction",
    migrations_folder_path=MIGRATIONS,
    table_classes=table_finder(modules=["peerwork.coproduction.tables"], exclude_imported=True),
    migration_dependencies=["peerwork.workforce.piccolo_app"],
    commands=[],
)
