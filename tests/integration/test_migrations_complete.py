"""The migrations describe the tables exactly: Piccolo's auto-migration, run against the tables
as the code declares them, finds nothing to add for any app. A column added to a table without
its migration fails here, not on an operator's database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import peerwork
from peerwork.piccolo_conf import APP_REGISTRY

MIGRATIONS = Path(peerwork.__file__).parent / "migrations"
APPS = [name.rsplit(".", 2)[-2] for name in APP_REGISTRY.apps]


@pytest.mark.parametrize("app", APPS)
def test_auto_migration_finds_nothing_to_do(app, tmp_path):
    before = set((MIGRATIONS / app).glob("*.py"))
    env = {**os.environ, "PICCOLO_CONF": "peerwork.piccolo_conf",
           "PEERWORK_DATABASE_URL": f"sqlite:///{tmp_path / 'auto.sqlite3'}"}
    done = subprocess.run([sys.executable, "-m", "piccolo.main", "migrations", "new", app, "--auto"],
                          env=env, capture_output=True, text=True, timeout=120)
    written = set((MIGRATIONS / app).glob("*.py")) - before
    for path in written:  # never leave a stray migration in the package
        path.unlink()
    assert done.returncode == 0, done.stderr[-2000:]
    assert not written and "No changes detected" in done.stdout, done.stdout[-2000:]
