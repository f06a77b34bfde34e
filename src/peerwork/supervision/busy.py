"""What a person is already committed to: supervision, community bookings, facilitating."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from uuid import UUID

from peerwork.community.tables import Booking, Occurrence, SeriesFacilitator
from peerwork.supervision.scheduling import Busy
from peerwork.supervision.tables import GroupMember, SupervisionSession

HOLDING = ["proposed", "scheduled", "held"]


def group_key(group_id: UUID) -> str:
    return f"group:{group_id}"


async def busy_for(account_ids: list[UUID], start: datetime, end: datetime, *, except_agreement: UUID | None = None
                   ) -> dict[str, list[Busy]]:
    """Busy intervals per account (keyed by str(account id)) between start and end."""
    busy: dict[str, list[Busy]] = defaultdict(list)
    if not account_ids:
        return busy
    wanted = set(account_ids)
    sessions = SupervisionSession.select(
        SupervisionSession.supervisor, SupervisionSession.supervisee, SupervisionSession.start,
        SupervisionSession.end, SupervisionSession.agreement.peer_group.as_alias("group"),
        SupervisionSession.agreement,
    ).where(
        SupervisionSession.status.is_in(HOLDING) & (SupervisionSession.end > start) & (SupervisionSession.start < end)
    )
    memberships: dict[UUID, set[UUID]] = defaultdict(set)
    for m in await GroupMember.select(GroupMember.peer_group, GroupMember.account).where(
        GroupMember.account.is_in(list(wanted))
    ):
        memberships[m["peer_group"]].add(m["account"])
    for s in await sessions:
        if except_agreement is not None and s["agreement"] == except_agreement:
            continue
        people = {s["supervisor"], s["supervisee"]} | memberships.get(s["group"], set())
        for account_id in people & wanted:
            busy[str(account_id)].append(Busy(s["start"], s["end"], "supervision"))
    for b in await Booking.select(Booking.account, Booking.occurrence.start, Booking.occurrence.end,
                                  Booking.occurrence.series.title).where(
        Booking.account.is_in(list(wanted)) & (Booking.status == "confirmed")
        & (Booking.occurrence.status == "scheduled") & (Booking.occurrence.end > start)
        & (Booking.occurrence.start < end)
    ):
        busy[str(b["account"])].append(
            Busy(b["occurrence.start"], b["occurrence.end"], f"community: {b['occurrence.series.title']}"))
    facilitating = await SeriesFacilitator.select(SeriesFacilitator.series, SeriesFacilitator.account).where(
        SeriesFacilitator.account.is_in(list(wanted)))
    by_series: dict[UUID, set[UUID]] = defaultdict(set)
    for f in facilitating:
        by_series[f["series"]].add(f["account"])
    if by_series:
        for o in await Occurrence.select(Occurrence.series, Occurrence.start, Occurrence.end,
                                         Occurrence.series.title).where(
            Occurrence.series.is_in(list(by_series)) & (Occurrence.status == "scheduled")
            & (Occurrence.end > start) & (Occurrence.start < end)
        ):
            for account_id in by_series[o["series"]]:
                busy[str(account_id)].append(
                    Busy(o["start"], o["end"], f"facilitating: {o['series.title']}"))
    return busy
