"""The menu shows each person the pages their rights open, and no others."""

from __future__ import annotations

from uuid import uuid4

from peerwork.core.access import Principal
from peerwork.web.shell import nav_for


def menu(*roles: str) -> set[str]:
    principal = Principal(account_id=uuid4(), organisation_id=uuid4(), organisation_slug="north",
                          organisation_name="North", email="x@north.example", display_name="X",
                          roles=frozenset(roles))
    return {label for _, label in nav_for(principal)}


def test_hr_finds_networks_for_what_the_organisation_shares_and_the_board_pack():
    assert {"Networks", "Board pack"} <= menu("hr")


def test_a_network_lead_alone_finds_networks_and_nothing_of_the_organisation():
    assert menu("network_lead") == {"Home", "My calendar", "Supervision", "Networks", "My profile"}


def test_a_psw_finds_neither():
    assert not {"Networks", "Board pack"} & menu("psw")


def test_nobody_signed_in_has_no_menu():
    assert nav_for(None) == []
