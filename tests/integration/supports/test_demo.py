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
    assert len(in_post) == 36  # the figure the demo's docstring (and the issue) gives

    got = {f.key: f for f in await figures(principal, today)}
    assert {f.psws for f in got.values()} == {len(in_post)}
    # Three demo logins are linked to staff records (lead, supervisor, PSW); nobody else has an account.
    assert {f.without_account for f in got.values()} == {len(in_post) - 3}
    # Support for managers, for imported staff: the demo supervisor's post manages everyone but
    # the lead and herself, and she has done the managers' course.
    supervisor_post = "NO10002-1"
    managed = [p for p, rows in in_post.items() if any(r["line_manager_assignment_number"] == supervisor_post
                                                       for r in rows)]
    assert got["manager_support"].received == len(managed) == len(in_post) - 2

    _, people = await overview(principal, today)
    assert len(people) == len(in_post) and {p.person_id for p in people} == set(in_post)
    supervision = await compliance_table(principal, today)
    assert {r.person_id for r in supervision} == set(in_post)
    assert sum(not r.has_account for r in supervision) == len(in_post) - 3
    cpd = [p for p in await compliance(org.id, today) if p.person_id in in_post]
    assert len(cpd) == len(in_post) and sum(not p.has_account for p in cpd) == len(in_post) - 3
