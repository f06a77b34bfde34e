"""Retention's headline figures on the home page of HR and admins."""

from __future__ import annotations

from peerwork.core.access import Principal
from peerwork.core.privacy import SMALL_NUMBER
from peerwork.core.todo import TodoItem
from peerwork.retention.service import percent, reports_for

SECTION = "Retention"
HEADLINE_ROLES = frozenset({"hr", "admin"})  # peer leads have the page; the home page is HR's summary


def _one_year(report) -> str:
    first = next((e for e in report.retention if e.years == 1), None)
    if first is None or first.survival is None:
        return "no one has been in post a year yet"
    # An estimate from a handful of people is a guess: say so rather than show it bare.
    caution = " (uncertain: fewer than 5 people at risk)" if first.at_risk < SMALL_NUMBER else ""
    return f"{percent(first.survival)} still in post after a year{caution}"


async def todo(principal: Principal) -> list[TodoItem]:
    if not (principal.can("retention:read") and principal.roles & HEADLINE_ROLES):
        return []
    report = (await reports_for(principal, by=()))[0]
    return [TodoItem(
        kind="retention.headline", section=SECTION, href="/retention", count=report.in_post,
        title=f"{report.in_post} in post in lived-experience roles; {_one_year(report)}",
        detail=f"{report.leavers} {'leaver' if report.leavers == 1 else 'leavers'} over {report.spells} "
               f"employment {'spell' if report.spells == 1 else 'spells'} on record.")]


TODO = todo
