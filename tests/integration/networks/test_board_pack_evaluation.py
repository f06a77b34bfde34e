"""The organisation's board pack carries its course evaluations: every figure printed in that
section equals the evaluation API's report, with the same "<5" suppression; a course answered
before the pack's 12 months is left out, and a network's pack never has the section."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from peerwork.core.time import now
from peerwork.cpd import records as cpd
from peerwork.cpd.schemas import CourseIn
from peerwork.evaluation.tables import AnswerInvitation
from peerwork.networks.board_pack import export_organisation_pack
from tests.factories import make_org, make_user
from tests.integration.evaluation.test_evaluation import (
    API,
    LIKERT,
    TEXT,
    answer,
    course_with_questionnaire,
    people,
    send,
)
from tests.integration.networks.test_board_pack import assert_in_order, num, pct, pdf_text

SECOND = {"kind": "likert", "text": "I know where to find support"}


async def small_course(client, org, lead) -> tuple[str, dict]:
    course = await cpd.create_course((await make_user(org, "admin", email="admin2@north.example")).principal,
                                     CourseIn(title="Supervision skills", hours=Decimal(3)))
    made = await client.post(f"{API}/questionnaires", headers=lead.headers, json={"title": "Skills", "items": [LIKERT]})
    attached = await client.put(f"{API}/courses/{course.id}/questionnaire", headers=lead.headers,
                                json={"questionnaire_id": made.json()["id"]})
    assert attached.status_code == 200, attached.text
    return str(course.id), made.json()


def expected(report: dict) -> list[str]:
    """What the pack must say for one course, in order, from the API's JSON."""
    tokens = [report["course_title"]]
    for moment in ("before", "after"):
        rate = report[moment]
        tokens += [str(rate["invited"]), str(rate["answered"]), pct(rate["rate"])]
    for item in report["items"]:
        interval = "–" if item["ci_low"] is None else f"{num(item['ci_low'])} to {num(item['ci_high'])}"
        tokens += [str(item["paired"]), num(item["median_before"]), num(item["median_after"]),
                   num(item["median_change"]), num(item["pseudo_median"]), interval]
    return tokens


async def test_the_pack_shows_each_courses_evaluation_as_the_api_reports_it(client, tmp_path):
    org = await make_org("north")
    lead, hr = await make_user(org, "peer_lead"), await make_user(org, "hr")
    # A course with six people before and after (figures shown), one with three (withheld).
    big_id, big = await course_with_questionnaire(client, org, lead, items=(LIKERT, SECOND, TEXT))
    group = await people(org, 6)
    await send(client, lead, big_id, "before", group)
    for person, score in zip(group, (1, 2, 2, 3, 2, 1)):
        await answer(person, big["current"]["items"], score, moment="before")
    await send(client, lead, big_id, "after", group)
    for person, score in zip(group, (4, 3, 5, 3, 4, 2)):
        await answer(person, big["current"]["items"], score, moment="after")
    small_id, small = await small_course(client, org, lead)
    few = await people(org, 3, start=10)
    await send(client, lead, small_id, "before", few)
    for person in few:
        await answer(person, small["current"]["items"], 3, moment="before")

    body, _ = await export_organisation_pack(hr.principal, None, "pdf")
    text = pdf_text(body, tmp_path)
    section = text[text.index("\n6. Course evaluation"):text.index("\n7. Definitions")]
    for course_id in (big_id, small_id):
        report = await client.get(f"{API}/courses/{course_id}/report", headers=lead.headers)
        assert report.status_code == 200, report.text
        assert_in_order(section, expected(report.json()), course_id)
    big_report = (await client.get(f"{API}/courses/{big_id}/report", headers=lead.headers)).json()
    assert big_report["items"][0]["ci_low"] is not None  # the figures are really shown, not all withheld
    assert "<5" in section  # the small course's counts

    # Answered only before the pack's 12 months: the course is left out, and so is the section.
    await AnswerInvitation.update({AnswerInvitation.used_at: now() - timedelta(days=400)}).where(
        AnswerInvitation.used_at.is_not_null())
    html, _ = await export_organisation_pack(hr.principal, None, "html")
    assert b"Course evaluation" not in html and b"6. Definitions" in html
