"""The seven supports API: the share of lived-experience staff in post who received each, and
who is missing which (people with no account yet included, marked)."""

from __future__ import annotations

from msgspec import Struct
from peerwork.supports import service as supports

from datetime import date
from uuid import UUID
from litestar import Controller, get
from peerwork.core.access import Principal
from peerwork.supports.retention_out import SupportRetentionOut, support_retention_out


class SupportFigureOut(Struct):
    key: str
    label: str
    received: int
    psws: int  # lived-experience staff in post, with or without an account
    without_account: int  # of them, how many have no account yet (nothing can be recorded for them)
    share: float | None


class PersonSupportsOut(Struct):
    account_id: UUID | None  # None: no account yet
    person_id: UUID | None  # None: an account with no staff record in the organisation
    has_account: bool
    name: str
    missing: list[str]


class SupportsController(Controller):
    path = "/supports"
    tags = ["supports"]

    @get("/", opt={"right": "supports:read"})
    async def figures(self, principal: Principal) -> list[SupportFigureOut]:
        """The share of lived-experience staff in post who received each of the seven supports in
        the last 12 months."""
        return [SupportFigureOut(key=f.key, label=f.label, received=f.received, psws=f.psws,
                                 without_account=f.without_account, share=f.share)
                for f in await supports.figures(principal)]

    @get("/missing", opt={"right": "supports:people"})
    async def missing(self, principal: Principal) -> list[PersonSupportsOut]:
        """Who is missing which support (peer leads and admins; own organisation only)."""
        return [PersonSupportsOut(account_id=p.account_id, person_id=p.person_id, has_account=p.has_account,
                                  name=p.name, missing=p.missing) for p in await supports.who_is_missing(principal)]


    @get("/retention", opt={"right": "retention:read"})
    async def retention(self, principal: Principal, as_of: date | None = None) -> SupportRetentionOut:
        """Retention by the supports received in a spell's first six months (pairing, 1:1 peer
        supervision on time, group supervision): Kaplan–Meier at 1, 2 and 3 years per group and
        the log-rank test. Aggregates only; groups under 5 people read "<5" with figures
        withheld. Association, not cause (definitions in docs/retention.md)."""
        from peerwork.supports.retention import retention_by_support

        return support_retention_out(await retention_by_support(principal, as_of))


ROUTES = [SupportsController]
