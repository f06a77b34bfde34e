"""The figures: requests per month and time to the first acceptance, no names, counts under 5
shown as "<5" (and then the median and share withheld)."""

from __future__ import annotations

from datetime import timedelta

from peerwork.core.time import now
from peerwork.debrief import rota, stats
from peerwork.debrief.tables import DebriefRequest
from tests.factories import make_user
from tests.integration.debrief.helpers import make_team

API = "/api/v1/debrief/figures"


async def _asked(team, minutes: list[int | None]) -> None:
    """Requests this month, each taken after so many minutes (None: never taken)."""
    base = now() - timedelta(minutes=600)
    for i, wait in enumerate(minutes):
        await DebriefRequest(organisation=team.org.id, requester=team.asker.principal.account_id, day=rota.today(),
                             reason="incident", note="private", status="expired" if wait is None else "accepted",
                             created_at=base + timedelta(seconds=i),
                             accepted_by=None if wait is None else team.debriefers[0].principal.account_id,
                             accepted_at=None if wait is None else base + timedelta(seconds=i, minutes=wait)).save()


async def test_small_months_are_suppressed_and_nobody_is_named(client):
    team = await make_team()
    await _asked(team, [10, 20, None])
    hr = await make_user(team.org, "hr")
    body = (await client.get(API, headers=hr.headers)).json()
    this = body["months"][-1]
    assert this["month"] == stats.month_key(rota.today()) and len(body["months"]) == 12
    assert this == {"month": this["month"], "requests": "<5", "accepted": "<5", "median_minutes_to_accept": None,
                    "answered_within_hour": None}
    assert all(m["requests"] == "<5" for m in body["months"][:-1])
    assert "asker" not in str(body) and "debriefer" not in str(body) and "private" not in str(body)


async def test_a_month_of_five_or_more_shows_the_median_and_the_share_within_an_hour(client):
    team = await make_team()
    await _asked(team, [5, 15, 30, 50, 90, 200, None])
    this = (await client.get(API, headers=team.lead.headers, params={"months": 1})).json()["months"]
    assert this == [{"month": stats.month_key(rota.today()), "requests": 7, "accepted": 6,
                     "median_minutes_to_accept": 40.0, "answered_within_hour": round(4 / 7, 3)}]


async def test_only_leads_hr_and_admins_see_figures_and_bad_months_are_refused(client):
    team = await make_team()
    for user in (team.asker, team.debriefers[0]):
        assert (await client.get(API, headers=user.headers)).status_code == 403
    for months in ("0", "37", "x"):
        response = await client.get(API, headers=team.lead.headers, params={"months": months})
        assert response.status_code == 400 and response.headers["content-type"].startswith("application/problem")
