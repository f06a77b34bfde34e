"""Retention by the supports received, on a hand-built organisation: who falls in which group
(judged on each spell's first six months), the log-rank test against lifelines, the small-number
rule, and the API and page around it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from peerwork.core.errors import PermissionDenied
from peerwork.pairing.tables import Pair
from peerwork.supervision.tables import SupervisionSession
from peerwork.supports.retention import retention_by_support
from tests.development_helpers import group_session, make_employee, one_to_one
from tests.factories import make_org, make_user
from tests.integration.web.test_forms import signed_in

lifelines = pytest.importorskip("lifelines")
from lifelines.statistics import logrank_test  # noqa: E402

TODAY = date.today()
STARTED = TODAY - timedelta(days=1500)
# Durations in days (None: still in post, so 1500 on as_of).
PAIRED = [900, 1300, None, None, None, None]
UNPAIRED = [300, 400, 450, 700, 1000, None]


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=UTC)


@pytest.fixture
async def north():
    org = await make_org("north")
    lead = await make_user(org, "peer_lead", email="lead@north.example")
    people = {}
    for name, duration in [*((f"P{i}", d) for i, d in enumerate(PAIRED)), *((f"U{i}", d) for i, d in enumerate(UNPAIRED))]:
        people[name] = await make_employee(org, name, started=STARTED,
                                           ended=STARTED + timedelta(days=duration) if duration else None)
    # Left within six months: never compared. Started long before any record: not compared.
    people["early"] = await make_employee(org, "early", started=STARTED, ended=STARTED + timedelta(days=100))
    people["old"] = await make_employee(org, "old", started=TODAY - timedelta(days=2500))
    # Records begin 2,000 days ago (a group session, before anyone compared started).
    await group_session(org, lead, attended=[people["old"]], absent=[], days=2000)
    for i in range(6):  # every P was paired 10 days in; one U was paired only after six months
        await Pair(organisation=org.id, new_peer=people[f"P{i}"].principal.account_id,
                   experienced_peer=lead.principal.account_id, start_date=STARTED + timedelta(days=10),
                   end_date=STARTED + timedelta(days=120)).save()
    await Pair(organisation=org.id, new_peer=people["U5"].principal.account_id,
               experienced_peer=lead.principal.account_id, start_date=STARTED + timedelta(days=200)).save()
    # 1:1 on time (every 28 days, 7 days' grace: 5 needed in 182 days): U0..U4 have 5, P0 has 4.
    for name, held in [*((f"U{i}", 5) for i in range(5)), ("P0", 4)]:
        agreement = await one_to_one(org, lead, people[name])
        for k in range(held):
            start = _at(STARTED + timedelta(days=5 + 35 * k))
            await SupervisionSession(organisation=org.id, agreement=agreement, supervisor=lead.principal.account_id,
                                     supervisee=people[name].principal.account_id, start=start,
                                     end=start + timedelta(hours=1), status="held").save()
    # Group supervision in the window for 4 people only: that group is under 5.
    await group_session(org, lead, attended=[people[f"P{i}"] for i in range(4)], absent=[people["U0"]],
                        days=(TODAY - STARTED).days - 30)
    hr = await make_user(org, "hr", email="hr@north.example")
    return {"org": org, "hr": hr, "lead": lead, **people}


def _durations(values):
    return [1500 if d is None else d for d in values], [d is not None for d in values]


async def test_spells_are_grouped_by_what_they_received_in_their_first_six_months(north):
    result = await retention_by_support(north["hr"].principal)
    assert result.records_begin == TODAY - timedelta(days=2000)
    assert (result.compared, result.left_before_landmark, result.before_records) == (12, 1, 1)
    by_key = {s.key: s for s in result.splits}

    pairing = by_key["pairing"]
    had, had_not = pairing.groups
    assert (had.people, had.spells, had.leavers) == (6, 6, "<5")
    assert (had_not.people, had_not.leavers) == (6, 5)
    # Paired: leavers at 900 and 1300 days among 6. S(1y) = S(2y) = 1; at 3 years (1,095 days)
    # 5/6 (the 900), with 5 at risk (1300 and four at 1500).
    assert [e.survival for e in had.retention] == pytest.approx([1.0, 1.0, 5 / 6])
    assert [e.at_risk for e in had.retention] == [6, 6, 5]
    # Not paired: leavers at 300, 400, 450, 700, 1000; at 1 year 5 at risk, then fewer: withheld.
    assert had_not.retention[0].survival == pytest.approx(5 / 6) and had_not.retention[0].at_risk == 5
    assert [(e.survival, e.at_risk) for e in had_not.retention[1:]] == [(None, "<5"), (None, "<5")]
    (a, ea), (b, eb) = _durations(PAIRED), _durations(UNPAIRED)
    oracle = logrank_test(a, b, event_observed_A=ea, event_observed_B=eb)
    assert pairing.test.statistic == pytest.approx(oracle.test_statistic, rel=1e-9)
    assert pairing.test.p_value == pytest.approx(oracle.p_value, rel=1e-7)

    on_time = by_key["one_to_one_on_time"]
    assert [g.people for g in on_time.groups] == [5, 7]
    assert on_time.test is not None

    group = by_key["group_supervision"]
    assert [g.people for g in group.groups] == ["<5", 8]
    assert group.groups[0].suppressed and group.groups[0].retention == ()
    assert group.test is None and "fewer than 5" in group.test_withheld


async def test_api_page_and_chart(client, north):
    response = await client.get("/api/v1/supports/retention", headers=north["hr"].headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "association, not cause" in body["caveat"]
    assert [s["key"] for s in body["supports"]] == ["pairing", "one_to_one_on_time", "group_supervision"]
    group = body["supports"][2]["groups"][0]
    assert group["people"] == "<5" and group["retention"] == [] and body["supports"][2]["test"] is None
    assert "curve" not in response.text and "E-P0" not in response.text  # figures only, no people

    await signed_in(client, "peer_lead", org=north["org"])
    page = await client.get("/supports/retention")
    assert page.status_code == 200
    assert "Association, not cause." in page.text and "Log-rank test: χ² =" in page.text
    assert "withheld (fewer than 5 people)" in page.text
    chart = await client.get("/supports/retention/chart.svg?support=pairing")
    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml")
    assert chart.headers["content-disposition"].startswith('attachment; filename="retention-by-pairing-north-')
    assert b"<svg" in chart.content and b"Had a pair" in chart.content
    assert (await client.get("/supports/retention/chart.svg?support=yoga")).status_code == 404


async def test_bad_input_and_rights(client, north):
    future = await client.get("/api/v1/supports/retention?as_of=2999-01-01", headers=north["hr"].headers)
    assert future.status_code == 422 and "future" in future.json()["detail"]
    garbled = await client.get("/api/v1/supports/retention?as_of=yesterday", headers=north["hr"].headers)
    assert garbled.status_code == 400
    psw = north["P0"]
    assert (await client.get("/api/v1/supports/retention", headers=psw.headers)).status_code == 403
    with pytest.raises(PermissionDenied):
        await retention_by_support(psw.principal)


async def test_another_organisations_records_never_count(north):
    south = await make_org("south")
    south_hr = await make_user(south, "hr", email="hr@south.example")
    result = await retention_by_support(south_hr.principal)
    assert result.records_begin is None and result.compared == 0


async def test_as_of_a_date_before_any_record_compares_nothing(north):
    result = await retention_by_support(north["hr"].principal, TODAY - timedelta(days=2001))
    assert result.records_begin is None and result.compared == 0
    assert all(g.people == 0 for s in result.splits for g in s.groups)


async def test_the_page_is_refused_to_peer_support_workers(client, north):
    await signed_in(client, "psw", org=north["org"])
    assert (await client.get("/supports/retention")).status_code == 403
    assert (await client.get("/supports/retention/chart.svg")).status_code == 403
