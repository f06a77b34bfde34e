from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

# Migrations ship inside the package (peerwork/migrations/<app>/), so an installed wheel has them.
MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations" / "workforce"

APP_CONFIG = AppConfig(
    app_name="workforce",
    migrations_folder_path=MIGRATIONS,
    table_classes=table_finder(modules=["peerwork.core.tables", "peerwork.workforce.tables", "peerwork.cpd.tables", "peerwork.accounts.tables"], exclude_imported=True),
    migration_dependencies=[],
    commands=[],
)
