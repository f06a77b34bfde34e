"""The seven supports on a hand-built organisation, figures worked out by hand."""

from datetime import date, timedelta

import pytest

from peerwork.core.errors import PermissionDenied
from peerwork.core import accounts
from peerwork.cpd.tables import LineManager, RoleAcknowledgement
from peerwork.supports.service import figures, overview, who_is_missing
from tests.development_helpers import did, group_session, make_course, one_to_one
from tests.factories import make_org, make_user


@pytest.fixture
async def north():
    org = await make_org("north")
    u = {name: await make_user(org, role, email=f"{name}@north.example") for name, role in [
        ("p1", "psw"), ("p2", "psw"), ("p3", "psw"), ("p4", "psw"), ("gone", "psw"),
        ("lead", "peer_lead"), ("sup", "supervisor"), ("manager", "supervisor"), ("untrained", "supervisor"),
        ("hr", "hr")]}
    core = await make_course(org, "Core", kind="core")
    manager_course = await make_course(org, "Managing peers", kind="manager", roles="supervisor")
    today = date.today()
    # p1 gets all seven.
    await did(org, u["p1"], today - timedelta(days=100), core)
    await group_session(org, u["sup"], attended=[u["p1"]], absent=[u["p2"]], days=30)
    await one_to_one(org, u["lead"], u["p1"], held_days_ago=20)
    await did(org, u["manager"], today - timedelta(days=900), manager_course)
    await LineManager(organisation=org.id, account=u["p1"].principal.account_id, manager=u["manager"].principal.account_id).save()
    await RoleAcknowledgement(organisation=org.id, account=u["p1"].principal.account_id).save()
    # p2: a 1:1 held with a supervisor who is not a peer lead; CPD only from 400 days ago; an untrained manager;
    # a group session they missed.
    await one_to_one(org, u["sup"], u["p2"], held_days_ago=10)
    await did(org, u["p2"], today - timedelta(days=400))
    await LineManager(organisation=org.id, account=u["p2"].principal.account_id,
                      manager=u["untrained"].principal.account_id).save()
    # p3: core training too long ago; a peer lead's 1:1 that was cancelled; role description read.
    await did(org, u["p3"], today - timedelta(days=400), core)
    await one_to_one(org, u["lead"], u["p3"], held_days_ago=5, status="cancelled")
    await RoleAcknowledgement(organisation=org.id, account=u["p3"].principal.account_id).save()
    # p4: nothing. "gone" left (inactive): not a current PSW, even with everything.
    await did(org, u["gone"], today - timedelta(days=10), core)
    await accounts.update_account(await _admin(org), u["gone"].principal.account_id, is_active=False)
    # Another organisation's PSW never counts here.
    south = await make_org("south")
    south_psw = await make_user(south, "psw")
    await did(south, south_psw, today - timedelta(days=10))
    return {"org": org, **u}


async def _admin(org):
    return (await make_user(org, "admin", email="admin@north.example")).principal


async def test_each_support_is_the_share_of_current_psws_who_received_it(north):
    got = {f.key: (f.received, f.psws) for f in await figures(north["lead"].principal)}
    assert got == {
        "role_training": (1, 4),
        "group_supervision": (1, 4),
        "one_to_one_supervision": (2, 4),
        "peer_leadership": (1, 4),
        "manager_support": (1, 4),
        "role_resources": (2, 4),
        "ongoing_cpd": (1, 4),
    }
    together, _ = await overview(north["lead"].principal)
    assert together == await figures(north["lead"].principal)
    shares = {f.key: f.share for f in await figures(north["hr"].principal)}
    assert shares["one_to_one_supervision"] == 0.5


async def test_peer_leads_see_who_is_missing_what_and_hr_does_not(north):
    missing = {p.name: p.missing for p in await who_is_missing(north["lead"].principal)}
    assert missing == {
        "p1": [],
        "p2": ["role_training", "group_supervision", "peer_leadership", "manager_support", "role_resources",
               "ongoing_cpd"],
        "p3": ["role_training", "group_supervision", "one_to_one_supervision", "peer_leadership",
               "manager_support", "ongoing_cpd"],
        "p4": ["role_training", "group_supervision", "one_to_one_supervision", "peer_leadership",
               "manager_support", "role_resources", "ongoing_cpd"],
    }
    with pytest.raises(PermissionDenied):
        await who_is_missing(north["hr"].principal)
    with pytest.raises(PermissionDenied):
        await figures(north["p1"].principal)


async def test_the_pages_show_figures_and_drill_down(client, north):
    response = await client.get("/api/v1/supports", headers=north["hr"].headers)
    assert response.status_code == 200
    assert {f["key"]: f["received"] for f in response.json()}["role_resources"] == 2
    assert (await client.get("/api/v1/supports/missing", headers=north["hr"].headers)).status_code == 403
    rows = (await client.get("/api/v1/supports/missing", headers=north["lead"].headers)).json()
    assert [r["name"] for r in rows] == ["p1", "p2", "p3", "p4"]
