"""Questionnaires before and after a course, end to end on the real database: versions, the
single-use links, pairing, the aggregate-only report and its suppression, session feedback."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from scipy.stats import wilcoxon

from peerwork.core.tables import OutboxMessage
from peerwork.core.time import now
from peerwork.cpd import records as cpd
from peerwork.cpd.schemas import CourseIn
from peerwork.evaluation import answering
from peerwork.evaluation.schemas import AnswerIn
from peerwork.evaluation.tables import Answer, AnswerInvitation, Response
from tests.factories import PASSWORD, make_org, make_user
from tests.integration.test_cli import run
from tests.integration.workforce.test_auth import csrf_from, sign_in

LIKERT = {"kind": "likert", "text": "I feel confident using my lived experience at work", "value": "Mutuality"}
TEXT = {"kind": "text", "text": "What would you like from this training?"}
DUE = (date.today() + timedelta(days=14)).isoformat()
API = "/api/v1/evaluation"


async def course_with_questionnaire(client, org, lead, items=(LIKERT, TEXT)) -> tuple[str, dict]:
    admin = await make_user(org, "admin", email=f"admin-{uuid.uuid4().hex[:8]}@{org.slug}.example")
    course = await cpd.create_course(admin.principal,
                                     CourseIn(title="Peer support foundations", hours=Decimal(12)))
    made = await client.post(f"{API}/questionnaires", headers=lead.headers,
                             json={"title": "Foundations", "items": list(items)})
    assert made.status_code == 201, made.text
    attached = await client.put(f"{API}/courses/{course.id}/questionnaire", headers=lead.headers,
                                json={"questionnaire_id": made.json()["id"]})
    assert attached.status_code == 200, attached.text
    return str(course.id), made.json()


async def people(org, count: int, start: int = 0) -> list:
    return [await make_user(org, "psw", email=f"person{i}@{org.slug}.example") for i in range(start, start + count)]


async def send(client, lead, course_id, moment, users) -> dict:
    response = await client.post(f"{API}/courses/{course_id}/send", headers=lead.headers, json={
        "moment": moment, "account_ids": [str(u.principal.account_id) for u in users], "due_by": DUE})
    assert response.status_code == 201, response.text
    return response.json()


async def token_for(user, nth: int = -1, moment: str = "") -> str:
    bodies = await OutboxMessage.select(OutboxMessage.body_text).where(
        (OutboxMessage.to_address == user.email)
        & OutboxMessage.subject.like(f"A few questions {moment}%")).order_by(
        OutboxMessage.created_at).output(as_list=True)
    return re.search(r"/evaluation/answer/(\S+)", bodies[nth]).group(1)


async def answer(user, items: list[dict], score: int | None, text: str | None = None, moment: str = "") -> None:
    token = await token_for(user, moment=moment)
    given = [AnswerIn(item=i["key"], score=score) for i in items if i["kind"] == "likert" and score is not None]
    given += [AnswerIn(item=i["key"], text=text) for i in items if i["kind"] == "text" and text]
    await answering.submit(token, given)


async def signed_in_as(client, email: str, password: str) -> None:
    client.cookies.clear()  # one browser, one person at a time
    await sign_in(client, email, password)


@pytest.fixture
async def north():
    org = await make_org("north")
    return org, await make_user(org, "peer_lead")


async def test_editing_a_questionnaire_makes_a_new_version_and_old_answers_keep_theirs(client, north):
    org, lead = north
    course_id, made = await course_with_questionnaire(client, org, lead)
    [psw] = await people(org, 1)
    await send(client, lead, course_id, "before", [psw])  # sent with version 1
    likert_key = made["current"]["items"][0]["key"]
    reworded = {**TEXT, "text": "What do you hope to learn?"}
    edited = await client.put(f"{API}/questionnaires/{made['id']}", headers=lead.headers,
                              json={"items": [LIKERT, reworded]})
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert body["versions"] == [1, 2] and body["current"]["number"] == 2
    # An unchanged item keeps its key (and pairs across versions); a reworded one does not.
    assert body["current"]["items"][0]["key"] == likert_key
    assert body["current"]["items"][1]["key"] != made["current"]["items"][1]["key"]
    # The link sent before the edit still asks version 1's wording, and its answers refer to it.
    page = await client.get(f"/evaluation/answer/{await token_for(psw)}")
    assert "What would you like from this training?" in page.text and "What do you hope to learn?" not in page.text
    await answer(psw, made["current"]["items"], 4, "More role play")
    saved = await Response.select(Response.version.number.as_alias("number")).first()
    assert saved["number"] == 1
    assert await Answer.count().where(Answer.text == "More role play") == 1


async def test_items_use_the_organisations_peer_values(client, north):
    org, lead = north
    bad = await client.post(f"{API}/questionnaires", headers=lead.headers,
                            json={"title": "X", "items": [{**LIKERT, "value": "Punctuality"}]})
    assert bad.status_code == 422 and "not one of your organisation's peer values" in bad.json()["detail"]
    await client.put("/api/v1/recruitment/values", headers=(await make_user(org, "admin")).headers,
                     json={"values": ["Punctuality", "Hope"]})
    good = await client.post(f"{API}/questionnaires", headers=lead.headers,
                             json={"title": "X", "items": [{**LIKERT, "value": "Punctuality"}]})
    assert good.status_code == 201 and good.json()["peer_values"] == ["Punctuality", "Hope"]


async def test_a_link_answers_once_and_expires(client, north):
    org, lead = north
    course_id, made = await course_with_questionnaire(client, org, lead)
    first, second = await people(org, 2)
    await send(client, lead, course_id, "before", [first, second])
    path = f"/evaluation/answer/{await token_for(first)}"
    page = await client.get(path)
    assert page.status_code == 200
    key = made["current"]["items"][0]["key"]
    posted = await client.post(path, data={key: "3", "_csrf_token": csrf_from(page.text)})
    assert posted.status_code == 200 and "Thank you" in posted.text
    again = await client.get(path)
    assert again.status_code == 410 and "already been answered" in again.text
    assert await AnswerInvitation.count().where(AnswerInvitation.used_at.is_not_null()) == 1
    # The token itself is never stored: only its SHA-256.
    assert not await AnswerInvitation.exists().where(AnswerInvitation.token_hash == path.rsplit("/", 1)[1])
    # Sending again skips who already answered, and replaces the other's earlier link.
    resent = await send(client, lead, course_id, "before", [first, second])
    assert resent == {"invited": 1, "already_answered": 1, "version": 1}
    old = await client.get(f"/evaluation/answer/{await token_for(second, 0)}")
    assert old.status_code == 410
    await AnswerInvitation.update({AnswerInvitation.expires_at: now() - timedelta(minutes=1)}).where(
        AnswerInvitation.used_at.is_null())
    expired = await client.get(f"/evaluation/answer/{await token_for(second)}")
    assert expired.status_code == 410 and "expired" in expired.text
    assert (await client.get("/evaluation/answer/made-up")).status_code == 410


async def test_a_bad_answer_is_refused_and_the_link_stays_usable(client, north):
    org, lead = north
    course_id, made = await course_with_questionnaire(client, org, lead)
    [psw] = await people(org, 1)
    await send(client, lead, course_id, "before", [psw])
    path = f"/evaluation/answer/{await token_for(psw)}"
    page = await client.get(path)
    refused = await client.post(path, data={made["current"]["items"][0]["key"]: "9",
                                            "_csrf_token": csrf_from(page.text)})
    assert refused.status_code == 422 and "choose one of the five" in refused.text
    assert await Response.count() == 0
    assert (await client.get(path)).status_code == 200


async def test_before_and_after_pair_by_key_and_the_report_equals_scipy(client, north):
    org, lead = north
    course_id, made = await course_with_questionnaire(client, org, lead)
    items = made["current"]["items"]
    group = await people(org, 7)
    await send(client, lead, course_id, "before", group)
    befores = [1, 2, 2, 3, 3, 4, 2]
    for user, score in zip(group, befores):
        await answer(user, items, score, f"hope {score}")
    await send(client, lead, course_id, "after", group[:6])
    afters = [3, 3, 2, 5, 4, 4]
    for user, score in zip(group[:6], afters):
        await answer(user, items, score)
    # Each person's before and after share one key; people's keys differ; no account on a response.
    keys = await Response.select(Response.pairing_key, Response.moment)
    assert len({k["pairing_key"] for k in keys}) == 7
    assert "account" not in {c._meta.name for c in Response._meta.columns}
    report = await client.get(f"{API}/courses/{course_id}/report", headers=lead.headers)
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["before"] == {"invited": 7, "answered": 7, "rate": 1.0}
    assert body["after"]["invited"] == 6 and body["after"]["answered"] == 6
    assert body["paired_people"] == 6
    [item] = body["items"]
    expected = wilcoxon(afters, befores[:6])
    assert item["paired"] == 6 and item["median_change"] == 1.0
    assert item["p_value"] == pytest.approx(float(expected.pvalue))
    assert item["wilcoxon_statistic"] == pytest.approx(float(expected.statistic))
    assert item["ci_low"] <= item["pseudo_median"] <= item["ci_high"]
    [comments] = body["comments"]
    assert comments["count"] == 7 and sorted(comments["comments"]) == sorted(f"hope {s}" for s in befores)
    csv = await client.get(f"{API}/courses/{course_id}/report.csv", headers=lead.headers)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "paired change" in csv.text and "hope 3" in csv.text
    await signed_in_as(client, (await make_user(org, "peer_lead", email="lead.page@north.example", password=PASSWORD)).email,
                  PASSWORD)
    page = await client.get(f"/evaluation/courses/{course_id}")
    assert page.status_code == 200 and "I feel confident" in page.text and "hope 3" in page.text


async def test_answers_after_pair_with_answers_before_given_later(client, north):
    org, lead = north
    course_id, made = await course_with_questionnaire(client, org, lead)
    items = made["current"]["items"]
    group = await people(org, 5)
    await send(client, lead, course_id, "after", group)
    await send(client, lead, course_id, "before", group)
    for user, score in zip(group, [5, 4, 4, 3, 5]):
        await answer(user, items, score, moment="after")
    for user, score in zip(group, [2, 2, 3, 3, 1]):
        await answer(user, items, score, moment="before")
    [item] = (await client.get(f"{API}/courses/{course_id}/report", headers=lead.headers)).json()["items"]
    assert item["paired"] == 5 and item["median_before"] == 2 and item["median_after"] == 4
    assert item["median_change"] == 2
    assert item["p_value"] == pytest.approx(float(wilcoxon([5, 4, 4, 3, 5], [2, 2, 3, 3, 1]).pvalue))


async def test_fewer_than_five_are_withheld_everywhere(client, north):
    org, lead = north
    course_id, made = await course_with_questionnaire(client, org, lead)
    items = made["current"]["items"]
    group = await people(org, 4)
    await send(client, lead, course_id, "before", group)
    await send(client, lead, course_id, "after", group)
    for user in group:
        await answer(user, items, 2, "only mine", moment="before")
    for user in group:
        await answer(user, items, 4, moment="after")
    body = (await client.get(f"{API}/courses/{course_id}/report", headers=lead.headers)).json()
    assert body["before"] == {"invited": "<5", "answered": "<5", "rate": None}
    assert body["paired_people"] == "<5"
    [item] = body["items"]
    assert item["paired"] == "<5" and item["median_change"] is None and item["p_value"] is None
    assert body["comments"][0]["count"] == "<5" and body["comments"][0]["comments"] == []
    csv = (await client.get(f"{API}/courses/{course_id}/report.csv", headers=lead.headers)).text
    assert "only mine" not in csv and "<5" in csv


async def test_only_training_leads_see_reports_and_nobody_reads_one_persons_answers(client, north):
    org, lead = north
    course_id, made = await course_with_questionnaire(client, org, lead)
    [psw] = await people(org, 1)
    await send(client, lead, course_id, "before", [psw])
    await answer(psw, made["current"]["items"], 5, "a very personal remark")
    supervisor, hr = await make_user(org, "supervisor"), await make_user(org, "hr")
    admin = await make_user(org, "admin", email="second.admin@north.example")
    for user in (psw, supervisor, hr):
        assert (await client.get(f"{API}/courses/{course_id}/report", headers=user.headers)).status_code == 403
    for role in ("psw", "supervisor"):
        await signed_in_as(client, (await make_user(org, role, email=f"{role}.page@north.example", password=PASSWORD)).email,
                      PASSWORD)
        assert (await client.get(f"/evaluation/courses/{course_id}")).status_code == 403
    south = await make_user(await make_org("south"), "admin")
    assert (await client.get(f"{API}/courses/{course_id}/report", headers=south.headers)).status_code == 404
    # Every route a training lead or admin can read: the one person's answer appears in none.
    for user in (lead, admin):
        for path in (f"{API}/courses/{course_id}/report", f"{API}/courses/{course_id}/report.csv",
                     f"{API}/questionnaires", f"{API}/questionnaires/{made['id']}",
                     f"{API}/questionnaires/{made['id']}/feedback", *(["/api/v1/audit"] if user is admin else [])):
            response = await client.get(path, headers=user.headers)
            assert response.status_code == 200, (path, response.text)
            assert "a very personal remark" not in response.text, path
            assert psw.email not in response.text, path
    await signed_in_as(client, (await make_user(org, "peer_lead", email="page.lead@north.example", password=PASSWORD)).email,
                  PASSWORD)
    for path in (f"/evaluation/courses/{course_id}", "/evaluation"):
        response = await client.get(path)
        assert response.status_code == 200 and "a very personal remark" not in response.text, path


async def test_sending_checks_its_input(client, north):
    org, lead = north
    course = await cpd.create_course((await make_user(org, "admin")).principal, CourseIn(title="C", hours=Decimal(1)))
    [psw] = await people(org, 1)
    url = f"{API}/courses/{course.id}/send"
    body = {"moment": "before", "account_ids": [str(psw.principal.account_id)], "due_by": DUE}
    no_questionnaire = await client.post(url, headers=lead.headers, json=body)
    assert no_questionnaire.status_code == 409
    course_id, _ = await course_with_questionnaire(client, org, lead)
    url = f"{API}/courses/{course_id}/send"
    stranger = await make_user(await make_org("south"), "psw")
    outsider = await client.post(url, headers=lead.headers,
                                 json={**body, "account_ids": [str(stranger.principal.account_id)]})
    assert outsider.status_code == 422
    past = await client.post(url, headers=lead.headers, json={**body, "due_by": "2020-01-01"})
    assert past.status_code == 422
    assert await AnswerInvitation.count() == 0 and await OutboxMessage.count().where(
        OutboxMessage.subject.like("A few questions%")) == 0


async def test_session_feedback_is_anonymous_and_aggregated(client, north):
    org, lead = north
    made = await client.post(f"{API}/questionnaires", headers=lead.headers, json={
        "title": "After the session", "purpose": "session", "items": [LIKERT, TEXT]})
    assert made.status_code == 201, made.text
    questionnaire = made.json()
    likert, text = (i["key"] for i in questionnaire["current"]["items"])
    group = await people(org, 5)
    for n, user in enumerate(group):
        body = {"questionnaire_id": questionnaire["id"], "context": "co_reflection",
                "answers": [{"item": likert, "score": 3 + n % 2}, {"item": text, "text": f"felt heard {n}"}]}
        posted = await client.post(f"{API}/feedback", headers=user.headers, json=body)
        assert posted.status_code == 201, posted.text
        if n == 3:
            four = (await client.get(f"{API}/questionnaires/{questionnaire['id']}/feedback",
                                     headers=lead.headers)).json()
            assert four["responses"] == "<5" and four["items"][0]["distribution"] is None
    report = await client.get(f"{API}/questionnaires/{questionnaire['id']}/feedback",
                              params={"context": "co_reflection"}, headers=lead.headers)
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["responses"] == 5 and body["items"][0]["answered"] == 5 and body["items"][0]["median"] == 3
    # Each score's count is under 5 (none is 0 < 5 too): the median is the figure shown.
    assert body["items"][0]["distribution"] == ["<5"] * 5
    assert len(body["comments"][0]["comments"]) == 5
    assert (await client.get(f"{API}/questionnaires/{questionnaire['id']}/feedback",
                             params={"context": "supervision"}, headers=lead.headers)).json()["responses"] == "<5"
    assert not await Response.exists().where(Response.pairing_key.is_not_null())
    assert (await client.get(f"{API}/questionnaires/{questionnaire['id']}/feedback",
                             headers=group[0].headers)).status_code == 403
    course_id, course_questionnaire = await course_with_questionnaire(client, org, lead)
    wrong = await client.post(f"{API}/feedback", headers=group[0].headers, json={
        "questionnaire_id": course_questionnaire["id"], "context": "supervision",
        "answers": [{"item": course_questionnaire["current"]["items"][0]["key"], "score": 3}]})
    assert wrong.status_code == 422
    unknown_item = await client.post(f"{API}/feedback", headers=group[0].headers, json={
        "questionnaire_id": questionnaire["id"], "context": "supervision", "answers": [{"item": "nope", "score": 3}]})
    assert unknown_item.status_code == 422


async def test_the_command_line_sends_a_courses_questionnaire(client, north):
    org, lead = north
    course_id, _ = await course_with_questionnaire(client, org, lead)
    [psw] = await people(org, 1)
    args = ("evaluation", "send", "--org", "north", "--course", course_id, "--moment", "after", "--due-by", DUE)
    done = await asyncio.to_thread(run, *args, "--to", psw.email)
    assert done.returncode == 0, done.stderr
    assert "Sent 1 invitations" in done.stdout and "/evaluation/answer/" not in done.stdout
    assert (await client.get(f"/evaluation/answer/{await token_for(psw, moment='after')}")).status_code == 200
    unknown = await asyncio.to_thread(run, *args, "--to", "nobody@north.example")
    assert unknown.returncode == 2 and unknown.stderr.strip() == "peerwork: error: --to: 1 of the addresses have no account."


async def test_two_live_links_answered_at_once_save_one_answer_and_refuse_the_other(client, north, monkeypatch):
    org, lead = north
    course_id, made = await course_with_questionnaire(client, org, lead)
    (psw,) = await people(org, 1)
    await send(client, lead, course_id, "before", [psw])
    await send(client, lead, course_id, "before", [psw])  # the second replaces the first...
    await AnswerInvitation.update({AnswerInvitation.expires_at: now() + timedelta(days=1)}).where(
        AnswerInvitation.account == psw.principal.account_id)  # ...unless both are still live
    given = [AnswerIn(item=i["key"], score=4) for i in made["current"]["items"] if i["kind"] == "likert"]
    first, second = await token_for(psw, 0), await token_for(psw, 1)
    await answering.submit(first, given)

    async def not_yet_committed(*args) -> bool:
        return False  # the race: the other answer is not visible yet when this one checks

    monkeypatch.setattr(answering, "_answered", not_yet_committed)
    with pytest.raises(answering.AnswerLinkNotUsable):  # the unique slot refuses it: no 500
        await answering.submit(second, given)
    assert await Response.count().where(Response.course == course_id) == 1
    assert await AnswerInvitation.count().where(AnswerInvitation.used_at.is_null()) == 1  # rolled back whole
