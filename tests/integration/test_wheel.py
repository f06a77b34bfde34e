"""A plain (non-editable) install: build a wheel, install it into a fresh venv, and run
``peerwork migrate`` from a directory outside the checkout. The migrations must ship in the
wheel; without them the command says so (not "cannot reach the database").

One test, as it builds a wheel (setuptools comes from PyPI through pip's build isolation).
The fresh venv gets the wheel itself with ``--no-deps``; its third-party dependencies are
reached through a ``.pth`` line naming this interpreter's site-packages, so the test does not
download half of PyPI. A ``.pth`` line only adds a path (the ``.pth`` files inside it, such as
an editable peerwork, are not run), and the test checks that the peerwork it ran is the
installed one.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_an_installed_wheel_migrates_a_new_database_from_anywhere(tmp_path):
    # Build from a clean copy, so nothing stale in the checkout (build/, egg-info) gets in.
    source = tmp_path / "source"
    source.mkdir()
    shutil.copy(ROOT / "pyproject.toml", source)
    shutil.copy(ROOT / "README.md", source)
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    wheels = tmp_path / "wheels"
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), "."], cwd=source)
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("peerwork-*.whl")

    venv = tmp_path / "venv"
    made = _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    installed = _run([str(python), "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)], cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     cwd=tmp_path).stdout.strip())
    (site / "zz_peerwork_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PEERWORK_", "PICCOLO_", "PYTHON"))}
    where = _run([str(python), "-c", "import peerwork; print(peerwork.__file__)"], cwd=elsewhere, env=env)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(site), where.stdout  # the wheel, not a checkout

    database = elsewhere / "fresh.sqlite3"
    env["PEERWORK_DATABASE_URL"] = f"sqlite:///{database}"
    migrated = _run([str(venv / "bin" / "peerwork"), "migrate"], cwd=elsewhere, env=env)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    with sqlite3.connect(database) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        ran = db.execute("SELECT COUNT(*) FROM migration").fetchone()[0]
    assert {"organisation", "event_series", "occurrence", "booking", "vacancy"} <= tables
    shipped = [p for p in (site / "peerwork" / "migrations").glob("*/*.py") if p.name != "__init__.py"]
    assert ran == len(shipped) == len([p for p in (ROOT / "src" / "peerwork" / "migrations").glob("*/*.py")
                                       if p.name != "__init__.py"])

    # An installation without its migrations says so, naming where it looked.
    shutil.rmtree(site / "peerwork" / "migrations" / "community")
    env["PEERWORK_DATABASE_URL"] = f"sqlite:///{elsewhere / 'other.sqlite3'}"
    broken = _run([str(venv / "bin" / "peerwork"), "migrate"], cwd=elsewhere, env=env)
    assert broken.returncode != 0
    message = broken.stdout + broken.stderr
    assert "peerwork's migrations are missing from the installed package at" in message, message
    assert str(site / "peerwork" / "migrations" / "community") in message
    assert "cannot reach the database" not in message
