"""Demo data: an NHS trust and a VCSE partner in one network, with five years of history.

``load_demo(today)`` builds, in order: the organisations and ~80 staff records (through the
assignments import), an account for every lived-experience worker in post (about 40 peer
support workers, their supervisors and peer leads) plus the documented logins, supervision
agreements with a year of sessions, reflective spaces with bookings and waiting lists, the
course catalogue and CPD records, buddy pairs, and vacancies with applicants and scores.

Deterministic: every random choice comes from ``random.Random`` seeded with a fixed string,
names from fixed lists, and dates are offsets from ``today``. Safe to re-run: each step first
looks for what it would make (the organisation, staff records, accounts by email, the series
by title, and per organisation any agreement, booking, CPD record, pair or vacancy) and skips
what is already there, so a second run changes nothing and prints the same logins.
"""

from __future__ import annotations

from datetime import date

from peerwork.core.db import transaction

from peerwork.demo.community import load_bookings, load_series
from peerwork.demo.development import load_cpd, load_pairs
from peerwork.demo.people import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    NETWORK,
    ORGANISATIONS,
    DemoOrganisation,
    load_accounts,
    load_organisation,
    set_demo_passwords,
)
from peerwork.demo.network import load_network
from peerwork.demo.recruitment import load_recruitment
from peerwork.demo.supervision import load_supervision

__all__ = ["DEMO_LOGINS", "DEMO_PASSWORD", "DEMO_TOTP_SECRET", "NETWORK", "ORGANISATIONS", "load_demo"]

Login = tuple[str, str, str, str, str | None]


async def load_demo(today: date | None = None) -> list[Login]:
    """Create (or leave as it is) the demo; returns (organisation, email, role, password,
    authenticator key or None) per documented login."""
    today = today or date.today()
    orgs: dict[str, DemoOrganisation] = {}
    logins: list[Login] = []
    # One transaction: all or nothing, and on SQLite one connection and one commit instead of
    # thousands (the services' own transactions join it).
    async with transaction():
        for seed, spec in enumerate(ORGANISATIONS, start=1):
            org = orgs[spec["slug"]] = await load_organisation(spec, today, seed)
            logins += await load_accounts(org)
        await set_demo_passwords([a for org in orgs.values() for a in org.account_ids])
        for org in orgs.values():
            await load_supervision(org, today)
            await load_cpd(org, today)
        await load_series(orgs, today)
        await load_bookings(orgs)
        for org in orgs.values():
            await load_pairs(org, today)
        await load_recruitment(orgs["northfield-nhs"], today)
        await load_network(orgs)
    return logins
