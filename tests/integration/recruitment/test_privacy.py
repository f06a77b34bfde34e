"""Who sees what in recruitment, as a table over every role: identity, the lived-experience
statement, equality data and other scorers' marks; reads of sensitive fields are audited."""

from __future__ import annotations

import pytest

from peerwork.recruitment import funnel, scoring, vacancies
from peerwork.recruitment.schemas import ScoreIn
from peerwork.core.tables import AuditLog
from tests.factories import make_all_roles_user, make_org, make_user
from tests.integration.recruitment.helpers import VALUES, apply, make_round

STATEMENT = "I have lived with psychosis."
EQUALITY = {"ethnicity": "Mixed or multiple", "religion": "Sikh"}

# who: (application read status, sees identity, sees statement)
TABLE = [
    ("recruiter", 200, True, True),  # not scoring here; a recruiter who scores sees no names (below)
    ("le_scorer", 200, False, True),
    ("scorer", 200, False, True),
    ("other_lead", 200, True, False),
    ("admin", 200, True, False),
    ("hr", 403, False, False),
    ("psw", 403, False, False),
    ("supervisor_not_on_panel", 403, False, False),
    ("other_organisation", 404, False, False),
]


@pytest.fixture
async def world():
    r = await make_round()
    sent = await apply(r, equality=EQUALITY, statement=STATEMENT)
    users = {"recruiter": r.recruiter, "le_scorer": r.le_scorer, "scorer": r.scorer, "other_lead": r.other_lead,
             "admin": await make_user(r.org, "admin"), "hr": r.hr, "psw": r.psw,
             "supervisor_not_on_panel": await make_user(r.org, "supervisor", email="sup2@north.example"),
             "other_organisation": await make_all_roles_user(await make_org("south"))}
    return r, sent, users


@pytest.mark.parametrize(("who", "status", "identity", "statement"), TABLE, ids=[t[0] for t in TABLE])
async def test_each_role_sees_only_what_it_may_of_an_application(client, world, who, status, identity, statement):
    r, sent, users = world
    response = await client.get(f"/api/v1/recruitment/applications/{sent.application_id}", headers=users[who].headers)
    assert response.status_code == status, response.text
    text = response.text
    for value in EQUALITY.values():  # equality answers never appear per person, to anyone
        assert value not in text
    if status != 200:
        assert "Alex" not in text and STATEMENT not in text
        return
    body = response.json()
    assert body["answers"] == {v: f"My answer about {v}" for v in VALUES}
    assert (body["name"] == "Alex Applicant") is identity
    assert (body["email"] == "alex@applicant.example") is identity and (body["phone"] is not None) is identity
    assert (body["statement"] == STATEMENT) is statement
    reads = await AuditLog.select(AuditLog.detail).where(
        (AuditLog.action == "read") & (AuditLog.record_id == str(sent.application_id))
        & (AuditLog.account == users[who].principal.account_id)).output(load_json=True)
    assert any(r["detail"].get("fields") == ["statement"] for r in reads) is statement
    assert all(STATEMENT not in str(r["detail"]) for r in reads)


@pytest.mark.parametrize(("who", "status", "identity", "statement"), TABLE, ids=[t[0] for t in TABLE])
async def test_the_applications_list_names_people_only_for_recruiters(client, world, who, status, identity, statement):
    r, sent, users = world
    response = await client.get(f"/api/v1/recruitment/vacancies/{r.vacancy_id}/applications", headers=users[who].headers)
    assert response.status_code == status
    if status == 200:
        row = response.json()[0]
        assert row["reference"].startswith("C-")
        managers = {"recruiter", "other_lead", "admin"}
        assert (row["name"] == "Alex Applicant") is (who in managers)


async def test_a_scorer_sees_others_scores_only_after_submitting_their_own(world):
    r, sent, _ = world
    await scoring.submit_scores(r.scorer.principal, sent.application_id, [ScoreIn(value=v, score=2, comment="thin")
                                                                           for v in VALUES])
    before = await scoring.read_scores(r.le_scorer.principal, sent.application_id)
    assert before.others_visible is False and before.others == [] and before.spread == [] and before.total_mean is None
    after = await scoring.submit_scores(r.le_scorer.principal, sent.application_id,
                                        [ScoreIn(value=v, score=5) for v in VALUES])
    assert after.others_visible and [o.comment for o in after.others] == ["thin", "thin"]
    assert after.spread[0].scores == [2, 5]
    # A recruiter who does not score moderates: they see everyone's.
    assert (await scoring.read_scores(r.recruiter.principal, sent.application_id)).others_visible


async def test_a_recruiter_who_scores_sees_no_names_until_the_shortlist(client, world):
    r, sent, _ = world
    from peerwork.recruitment.schemas import PanelMemberIn
    await vacancies.add_panel_member(r.recruiter.principal, r.vacancy_id,
                                     PanelMemberIn(account_id=r.recruiter.principal.account_id, lived_experience=True))
    body = (await client.get(f"/api/v1/recruitment/applications/{sent.application_id}", headers=r.recruiter.headers)).json()
    assert body["name"] is None and body["statement"] == STATEMENT


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("hr", 200), ("peer_lead", 403), ("supervisor", 403),
                                              ("psw", 403)])
async def test_equality_monitoring_is_aggregate_only_with_small_numbers_suppressed(client, world, role, status):
    r, sent, users = world
    user = await make_user(r.org, role, email=f"eq-{role}@north.example")
    response = await client.get(f"/api/v1/recruitment/vacancies/{r.vacancy_id}/equality", headers=user.headers)
    assert response.status_code == status
    if status == 200:
        mixed = next(x for x in response.json() if x["answer"] == "Mixed or multiple")
        assert mixed["applied"] == "<5" and mixed["shortlisted_rate"] is None
        assert "Alex" not in response.text


def test_equality_counts_of_five_or_more_are_shown_with_their_rate():
    rows = [{"application": i, "answers": {"disability": "Yes"}, "shortlisted": False} for i in range(8)]
    table = funnel.equality_table(rows, shortlisted={0, 1, 2, 3, 4})
    yes = next(x for x in table if x.question == "disability" and x.answer == "Yes")
    assert (yes.applied, yes.shortlisted, yes.shortlisted_rate) == (8, 5, 0.625)
    no = next(x for x in table if x.question == "disability" and x.answer == "No")
    assert (no.applied, no.shortlisted_rate) == ("<5", None)
