from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations" / "training"

APP_CONFIG = AppConfig(
    app_name="training",
    migrations_folder_path=MIGRATIONS,
    table_classes=table_finder(modules=["peerwork.training.tables", "peerwork.training.completion_tables"], exclude_imported=True),
    migration_dependencies=["peerwork.workforce.piccolo_app", "peerwork.community.piccolo_app"],
    commands=[],
)
