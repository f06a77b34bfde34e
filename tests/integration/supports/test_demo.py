"""The demo trust: the seven supports, supervision and CPD compliance count every
lived-experience worker in post, worked out here independently from its assignments."""

from datetime import date

from peerwork.core.access import system_principal
from peerwork.cpd.report import compliance
from peerwork.demo import load_demo
from peerwork.supervision.compliance_service import compliance_table
from peerwork.supports.service import figures, overview
from peerwork.workforce.organisations import organisation_by_slug
from peerwork.workforce.tables import Assignment

# Two of the trust's newest starters are invited but have no account yet (docs/demo.md).
WITHOUT_ACCOUNT = 2


async def _in_post(organisation_id, today: date) -> dict:
    """Person -> their current lived-experience assignments, straight from the rows."""
    found: dict = {}
    for a in await Assignment.select().where(Assignment.organisation == organisation_id):
        if a["lived_experience_role"] and a["start_date"] <= today and (a["end_date"] is None or a["end_date"] >= today):
            found.setdefault(a["person"], []).append(a)
    return found


async def test_the_demo_trusts_figures_count_every_lived_experience_worker_in_post():
    today = date.today()
    await load_demo(today)
    org = await organisation_by_slug("northfield-nhs")
    principal = system_principal(org.id, org.slug, org.name)
    in_post = await _in_post(org.id, today)
    assert len(in_post) == 42  # the figure docs/demo.md gives

    got = {f.key: f for f in await figures(principal, today)}
    assert {f.psws for f in got.values()} == {len(in_post)}
    assert {f.without_account for f in got.values()} == {WITHOUT_ACCOUNT}
    # Support for managers, from the imported line managers: the demo supervisor's post manages
    # everyone but the lead and herself, the lead's post manages the supervisor, and both have
    # done the managers' course; the lead has no manager.
    managed = [p for p, rows in in_post.items() if any(r["line_manager_assignment_number"] in ("NO10001-1", "NO10002-1")
                                                       for r in rows)]
    assert got["manager_support"].received == len(managed) == len(in_post) - 1

    _, people = await overview(principal, today)
    assert len(people) == len(in_post) and {p.person_id for p in people} == set(in_post)
    supervision = await compliance_table(principal, today)
    assert {r.person_id for r in supervision} == set(in_post)
    assert sum(not r.has_account for r in supervision) == WITHOUT_ACCOUNT
    cpd = [p for p in await compliance(org.id, today) if p.person_id in in_post]
    assert len(cpd) == len(in_post) and sum(not p.has_account for p in cpd) == WITHOUT_ACCOUNT
