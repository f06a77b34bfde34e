"""``peerwork demo`` gives every page something true to show, the same on every load, once."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date

from peerwork.community.bookings import upcoming
from peerwork.community.tables import Booking
from peerwork.core.access import system_principal
from peerwork.core.tables import Account, Membership
from peerwork.cpd.report import compliance
from peerwork.cpd.tables import CpdRecord
from peerwork.demo import ORGANISATIONS, load_demo
from peerwork.pairing.service import list_pairs, suggestions
from peerwork.recruitment.funnel import funnel
from peerwork.recruitment.scoring import read_scores
from peerwork.recruitment.tables import Application, Score
from peerwork.retention.service import reports_for
from peerwork.supervision.compliance_service import compliance_table
from peerwork.supervision.tables import SupervisionAgreement, SupervisionSession
from peerwork.supports.service import figures
from peerwork.workforce.organisations import organisation_by_slug
from tests.conftest import IS_POSTGRES, RUN_DIR, _empty_postgres

TODAY = date.today()


async def _principal(slug: str = "northfield-nhs"):
    org = await organisation_by_slug(slug)
    return system_principal(org.id, org.slug, org.name)


async def test_about_forty_peer_support_workers_have_accounts_and_the_seven_supports_cover_them():
    await load_demo(TODAY)
    psws = await Membership.count().where(Membership.role == "psw")
    assert 38 <= psws <= 46
    covered = 0
    for org in ORGANISATIONS:
        got = {f.key: f for f in await figures(await _principal(org["slug"]), TODAY)}
        covered += got["one_to_one_supervision"].psws
        for key in ("one_to_one_supervision", "group_supervision", "peer_leadership", "role_training",
                    "role_resources", "ongoing_cpd", "manager_support"):
            assert 0 < got[key].received < got[key].psws or key == "manager_support", (org["slug"], key)
    assert covered >= 40


async def test_supervision_compliance_shows_held_missed_and_overdue():
    await load_demo(TODAY)
    rows = [r for r in await compliance_table(await _principal(), TODAY) if r.one_to_one]
    assert sum(r.one_to_one.held_12m > 0 for r in rows) >= 20
    assert 1 <= sum(r.one_to_one.overdue for r in rows) < len(rows)
    assert sum(r.one_to_one.next_scheduled is not None for r in rows) >= 15
    statuses = Counter(await SupervisionSession.select(SupervisionSession.status).output(as_list=True))
    assert statuses["held"] > 100 and statuses["did_not_attend"] > 5 and statuses["cancelled"] > 5


async def test_retention_has_leavers_with_reasons_and_people_at_risk_at_one_two_and_three_years():
    await load_demo(TODAY)
    report = (await reports_for(await _principal(), TODAY))[0]
    assert report.leavers >= 5 and report.leavers_by_reason
    for estimate in report.retention:
        assert estimate.survival is not None and 0 < estimate.survival < 1, estimate
        assert estimate.at_risk >= 5, estimate  # enough people for a figure that means something


async def test_the_funnel_has_applicants_scored_by_the_panel_and_a_hire():
    await load_demo(TODAY)
    principal = await _principal()
    years, vacancies = await funnel(principal, TODAY.year)
    assert sum(v.stages.applications for v in vacancies) >= 10
    assert sum(v.stages.shortlisted for v in vacancies) >= 3 and sum(v.stages.hired for v in vacancies) == 1
    scorers: dict = {}
    for row in await Score.select(Score.application, Score.scorer):
        scorers.setdefault(row["application"], set()).add(row["scorer"])
    assert len(scorers) >= 8 and {len(s) for s in scorers.values()} == {2}  # two panel members each
    scored = next(iter(scorers))
    assert (await read_scores(principal, scored)).compliance == []  # the panel met policy
    assert await Application.count().where(Application.status == "submitted") >= 3  # the open vacancy


async def test_pairing_has_pairs_and_a_new_starter_left_to_pair():
    await load_demo(TODAY)
    principal = await _principal()
    pairs = await list_pairs(principal, TODAY)
    assert len(pairs) >= 3 and all(p.purpose == "buddy" for p in pairs)
    assert (await suggestions(principal, "new_starters", TODAY)).suggestions


async def test_cpd_compliance_has_training_done_expiring_and_expired():
    await load_demo(TODAY)
    org = await organisation_by_slug("northfield-nhs")
    statuses = Counter(c.status for p in await compliance(org.id, TODAY) for c in p.courses)
    assert statuses["done"] > 30 and statuses["expiring"] >= 1 and statuses["expired"] >= 1
    assert await CpdRecord.count().where(CpdRecord.status == "booked") >= 1


async def test_the_coming_spaces_have_bookings_and_one_is_full_with_a_waiting_list():
    await load_demo(TODAY)
    coming = await upcoming(await _principal(), days=90)
    assert sum(o.confirmed for o in coming) >= 50
    full = [o for o in coming if o.confirmed == o.capacity and o.waitlisted]
    assert full, "no full date with a waiting list"
    assert any(o.confirmed < o.capacity for o in coming if o.title == "Social drop-in")  # still bookable


async def _snapshot() -> dict:
    """What a person would see, without ids: accounts, figures, and how many of each thing."""
    snapshot: dict = {"accounts": sorted(tuple(r.values()) for r in await Account.select(
        Account.email, Account.display_name).output())}
    for org in ORGANISATIONS:
        principal = await _principal(org["slug"])
        snapshot[org["slug"]] = [(f.key, f.received, f.psws) for f in await figures(principal, TODAY)]
    for table in (SupervisionAgreement, SupervisionSession, CpdRecord, Booking, Application, Score):
        snapshot[table._meta.tablename] = await table.count()
    snapshot["sessions"] = sorted(Counter(await SupervisionSession.select(SupervisionSession.status).output(
        as_list=True)).items())
    return snapshot


async def test_loading_twice_changes_nothing():
    first_logins = await load_demo(TODAY)
    first = await _snapshot()
    assert await load_demo(TODAY) == first_logins
    assert await _snapshot() == first


async def test_two_fresh_databases_get_the_same_demo(engine):
    await load_demo(TODAY)
    first = await _snapshot()
    if IS_POSTGRES:
        await _empty_postgres(engine)
    else:
        fresh = RUN_DIR / "demo-determinism.sqlite3"
        shutil.copy(RUN_DIR / "template.sqlite3", fresh)
        engine.path = str(fresh)
    assert await Account.count() == 0
    await load_demo(TODAY)
    assert await _snapshot() == first


async def test_the_funnel_reaches_back_to_rounds_from_before_peerwork():
    await load_demo(TODAY)
    _, years = await funnel(await _principal(), 2018)  # (per vacancy, per year)
    (row,) = [y for y in years if y.label == "2018"]
    assert (row.posts, row.stages.applications, row.history_rounds) == (6, 217, 1)
    assert round(row.applications_per_post, 1) == 36.2
