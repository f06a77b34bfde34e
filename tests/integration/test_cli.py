"""The ``peerwork`` command as a user runs it: a real process against the test database."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATABASE_URL, IS_POSTGRES, RUN_DIR


def run(*args: str, database_url: str | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PEERWORK_DATABASE_URL": database_url or cli_database_url()}
    return subprocess.run([sys.executable, "-m", "peerwork.cli", *args], capture_output=True, text=True,
                          env=env, input=stdin, timeout=120)


def cli_database_url() -> str:
    """The CLI runs in another process: on SQLite it needs the file this test is using."""
    if IS_POSTGRES:
        return DATABASE_URL
    from peerwork.core.db import current_engine

    return f"sqlite:///{current_engine().path}"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["users", "create", "--org", "x", "--email", "a@b.org", "--role", "king"], "argument --role: invalid choice: 'king'"),
        (["import", "assignments", "missing.csv", "--org", "north"], "missing.csv: no such file"),
        (["orgs", "create", "Bad Slug", "--name", "X"], "'Bad Slug' is not a valid slug"),
        (["orgs", "create", "north"], "the following arguments are required: --name"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(engine, args, message):
    result = run(*args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("peerwork: error: ") and message in lines[0]


def test_every_command_has_help(engine):
    for command in (["--help"], ["serve", "--help"], ["migrate", "--help"], ["demo", "--help"],
                    ["orgs", "create", "--help"], ["users", "create", "--help"], ["import", "assignments", "--help"]):
        result = run(*command)
        assert result.returncode == 0 and "usage: peerwork" in result.stdout, command


def test_create_org_user_and_import_from_the_command_line(engine, tmp_path):
    assert run("orgs", "create", "north", "--name", "North Trust", "--network", "region").returncode == 0
    duplicate = run("orgs", "create", "north", "--name", "North Trust")
    assert duplicate.returncode == 2 and "already exists" in duplicate.stderr

    user = run("users", "create", "--org", "north", "--email", "hr@north.example", "--role", "hr")
    assert user.returncode == 0, user.stderr
    token = user.stdout.strip().splitlines()[-1]
    assert token.startswith("pw_") and len(token) > 40
    unknown_org = run("users", "create", "--org", "nowhere", "--email", "a@b.org", "--role", "psw")
    assert unknown_org.returncode == 2 and "No organisation with slug 'nowhere'" in unknown_org.stderr

    good = tmp_path / "good.csv"
    good.write_text("assignment_number,person_id,position_title,lived_experience_role,start_date\n"
                    "A1,E1,Peer Support Worker,Y,2024-01-01\nA2,E2,Peer Lead,Y,01/02/2023\n")
    first = run("import", "assignments", str(good), "--org", "north")
    assert first.returncode == 0, first.stderr
    assert "2 rows, 2 valid, 0 with problems" in first.stdout and "2 created, 0 updated, 0 unchanged" in first.stdout
    again = run("import", "assignments", str(good), "--org", "north")
    assert "0 created, 0 updated, 2 unchanged" in again.stdout

    bad = tmp_path / "bad.csv"
    bad.write_text(good.read_text() + "A3,E3,Peer Support Worker,Y,2024-13-01\n")
    strict = run("import", "assignments", str(bad), "--org", "north", "--all-or-nothing")
    assert strict.returncode == 1
    assert "line 4: start_date: '2024-13-01' is not a date" in strict.stderr
    assert "Nothing was imported" in strict.stdout
    dry = run("import", "assignments", str(bad), "--org", "north", "--dry-run")
    assert dry.returncode == 1 and "Dry run: nothing was changed." in dry.stdout


def test_migrate_and_demo_on_a_new_sqlite_file_are_repeatable(engine):
    if IS_POSTGRES:
        url = DATABASE_URL  # already migrated: migrate must be a no-op
    else:
        url = f"sqlite:///{RUN_DIR / 'cli-demo.sqlite3'}"
    assert run("migrate", "--quiet", database_url=url).returncode == 0
    first = run("demo", database_url=url)
    assert first.returncode == 0, first.stderr
    for role in ("admin", "hr", "peer_lead", "supervisor", "psw"):
        assert f" {role} " in first.stdout
    assert "password: peer-support-demo" in first.stdout
    second = run("demo", database_url=url)
    assert second.returncode == 0 and second.stdout == first.stdout


@pytest.mark.parametrize("command", [["serve", "--port", "1"], ["retention", "--org", "north"], ["demo"],
                                     ["mail", "send"]])
def test_a_missing_sqlite_database_is_one_line_that_says_what_to_do(engine, tmp_path, command):
    missing = tmp_path / "nowhere" / "peerwork.sqlite3"
    result = run(*command, database_url=f"sqlite:///{missing}")
    assert result.returncode == 2
    assert result.stderr == (f"peerwork: error: there is no database at {missing}; run 'make run' from the "
                             "repository root, or 'peerwork migrate' (and 'peerwork demo' for demo data), or set "
                             "PEERWORK_DATABASE_URL\n")
    assert not missing.exists()  # looking for it did not leave an empty file behind


@pytest.mark.parametrize("command", [["serve", "--port", "1"], ["retention", "--org", "north"], ["demo"],
                                     ["users", "create", "--org", "north", "--email", "a@b.org", "--role", "psw"]])
def test_an_unmigrated_database_is_one_line_that_says_what_to_do(engine, tmp_path, command):
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    result = run(*command, database_url=f"sqlite:///{empty}")
    assert result.returncode == 2
    assert re.fullmatch(
        rf"peerwork: error: the database at {re.escape(str(empty))} is missing \d+ migration\(s\); "
        r"run 'peerwork migrate' first\n", result.stderr)


@pytest.mark.skipif(not IS_POSTGRES, reason="a PostgreSQL server to ask for a database it does not have")
def test_an_unknown_postgresql_database_is_one_line(engine):
    from urllib.parse import urlsplit, urlunsplit

    url = urlunsplit(urlsplit(DATABASE_URL)._replace(path="/peerwork_no_such_database"))
    result = run("retention", "--org", "north", database_url=url)
    assert result.returncode == 2
    assert result.stderr == (f"peerwork: error: cannot reach the database at {url} (database "
                             "\"peerwork_no_such_database\" does not exist); check PEERWORK_DATABASE_URL\n")


def test_without_a_database_url_every_command_uses_the_one_make_run_uses(engine, tmp_path):
    """`make run` leaves PEERWORK_DATABASE_URL unset, so its database is the default one:
    var/peerwork.sqlite3 under the folder it runs in (the repository root)."""
    run_script = (Path(__file__).resolve().parents[2] / "scripts" / "run").read_text()
    assert "PEERWORK_DATABASE_URL" not in run_script
    env = {k: v for k, v in os.environ.items() if k != "PEERWORK_DATABASE_URL"}

    def here(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "peerwork.cli", *args], capture_output=True, text=True,
                              env=env, cwd=tmp_path, timeout=120)

    before = here("retention", "--org", "north")
    default = tmp_path / "var" / "peerwork.sqlite3"
    assert before.returncode == 2 and f"there is no database at {default};" in before.stderr
    migrated = here("migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert migrated.stdout == f"The database at {default} is up to date.\n"
    assert here("orgs", "create", "north", "--name", "North Trust").returncode == 0
    retention = here("retention", "--org", "north", "--format", "csv")
    assert retention.returncode == 0, retention.stderr


def test_import_help_lists_every_column_and_date_format(engine):
    from peerwork.workforce.csv_rows import COLUMN_SPECS
    from peerwork.workforce.rules import DATE_FORMATS

    result = run("import", "assignments", "--help")
    assert result.returncode == 0
    for column in COLUMN_SPECS:
        assert f"  {column.name}{' (required)' if column.required else ''}\n" in result.stdout
    for date_format in DATE_FORMATS:
        assert date_format in result.stdout
    assert "peerwork import assignments --template > staff.csv" in result.stdout


def test_the_template_prints_and_imports_cleanly(engine, tmp_path):
    template = run("import", "assignments", "--template")
    assert template.returncode == 0 and template.stderr == ""
    documented = Path(__file__).resolve().parents[2] / "docs" / "assignments-template.csv"
    assert template.stdout.splitlines() == documented.read_text().splitlines()
    assert run("orgs", "create", "north", "--name", "North Trust").returncode == 0
    staff = tmp_path / "staff.csv"
    staff.write_text(template.stdout)
    imported = run("import", "assignments", str(staff), "--org", "north")
    assert imported.returncode == 0, imported.stderr
    assert "staff.csv: 4 rows, 4 valid, 0 with problems." in imported.stdout


def test_import_without_a_file_or_organisation_is_one_line(engine):
    result = run("import", "assignments", "--org", "north")
    assert result.returncode == 2
    assert result.stderr == ("peerwork: error: the following arguments are required: FILE.csv "
                             "(see 'peerwork import assignments --help')\n")


def test_the_database_is_named_without_its_password(tmp_path):
    from peerwork.cli import database_location
    from peerwork.core.settings import Settings

    assert database_location(Settings(database_url="postgresql://peerwork:s3cret@db.example/peerwork")) == \
        "postgresql://peerwork:***@db.example/peerwork"
    assert database_location(Settings(database_url="postgresql://peerwork@db.example/peerwork")) == \
        "postgresql://peerwork@db.example/peerwork"
    assert database_location(Settings(database_url=f"sqlite:///{tmp_path}/x/../db.sqlite3")) == \
        str(tmp_path / "db.sqlite3")
