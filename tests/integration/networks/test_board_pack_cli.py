"""``peerwork report``: the board pack from the command line, and its one-line errors."""

from __future__ import annotations

import pytest

from peerwork.cli import main
from tests.factories import make_org
from tests.integration.test_cli import run


@pytest.mark.parametrize(("args", "message"), [
    (["--org", "north", "--network", "bay"], "give one of --org or --network"),
    ([], "give one of --org or --network"),
    (["--org", "north", "--as-of", "2026-02-30"], "argument --as-of: '2026-02-30' is not a date"),
    (["--org", "north", "--output", "/no/such/directory/pack.pdf"], "cannot write there"),
    (["--org", "north", "--format", "docx"], "argument --format: invalid choice: 'docx'"),
])
def test_bad_arguments_are_one_line_and_exit_2(capsys, tmp_path, args, message):
    defaults = {"--format": "pdf", "--output": str(tmp_path / "pack.pdf")}
    given = set(args[::2])
    argv = ["report", *args] + [part for flag, value in defaults.items() if flag not in given for part in (flag, value)]
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("peerwork: error: ") and message in lines[0], lines
    assert not (tmp_path / "pack.pdf").exists()


def test_output_that_is_a_directory_is_refused(capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--org", "north", "--format", "html", "--output", str(tmp_path)])
    assert exit_.value.code == 2 and "cannot write there" in capsys.readouterr().err


async def test_the_real_command_writes_a_pdf_and_names_an_unknown_network_in_one_line(tmp_path):
    await make_org("north", network="bay")
    made = run("report", "--org", "north", "--format", "pdf", "--output", str(tmp_path / "north.pdf"))
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "north.pdf").read_bytes().startswith(b"%PDF-")
    assert "north.pdf" in made.stdout
    unknown = run("report", "--network", "nowhere", "--format", "html", "--output", str(tmp_path / "n.html"))
    assert unknown.returncode == 2
    assert unknown.stderr.strip().splitlines() == ["peerwork: error: No network with slug 'nowhere'."]
    assert not (tmp_path / "n.html").exists()
