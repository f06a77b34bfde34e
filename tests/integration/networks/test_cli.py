"""`peerwork networks` as an operator runs it: naming a host, printing the figures."""

from __future__ import annotations

import json
from datetime import date

from peerwork.networks.tables import NetworkHost
from tests.integration.networks.builders import two_member_network
from tests.integration.test_cli import run


async def test_an_operator_names_the_host_and_prints_the_figures(engine):
    await two_member_network(date.today())
    hosted = run("networks", "host", "bay", "--org", "south")
    assert hosted.returncode == 0, hosted.stderr
    assert "south now hosts network bay" in hosted.stdout
    assert await NetworkHost.count() == 1
    printed = run("networks", "figures", "bay")
    assert printed.returncode == 0, printed.stderr
    figures = json.loads(printed.stdout)
    assert [m["key"] for m in figures["members"]] == ["north", "south"]
    assert figures["pooled"]["recruitment"]["applications"] == {"value": 10, "shown": "10"}
    assert "@north.example" not in printed.stdout and "E-a1" not in printed.stdout


async def test_bad_arguments_are_one_line_and_exit_2(engine):
    await two_member_network(date.today())
    for args, message in ((["networks", "figures", "nowhere"], "there is no network 'nowhere'"),
                          (["networks", "host", "nowhere", "--org", "north"], "No such network"),
                          (["networks", "figures", "bay", "--as-of", "2199-01-01"], "As of:")):
        result = run(*args)
        assert result.returncode == 2, (args, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("peerwork: error: ") and message in lines[0], lines
