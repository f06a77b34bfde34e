"""The training lead's questionnaire pages, through the real app and database: create, edit
(a new version), choose for a course, send; who may use them; bad input re-shows the form."""

from __future__ import annotations

from decimal import Decimal

import pytest

from peerwork.core.tables import OutboxMessage
from peerwork.cpd import records as cpd
from peerwork.cpd.schemas import CourseIn
from peerwork.evaluation.tables import AnswerInvitation, CourseQuestionnaire, Questionnaire, QuestionnaireVersion
from tests.factories import PASSWORD, make_org, make_user
from tests.integration.evaluation.test_evaluation import DUE, signed_in_as
from tests.integration.workforce.test_auth import csrf_from

HOME = "/evaluation/questionnaires"
ITEMS = "likert: I feel confident using my lived experience at work | Mutuality\n\ntext: What would you like from this training?"


@pytest.fixture
async def lead_signed_in(client):
    org = await make_org("north")
    lead = await make_user(org, "peer_lead", email="lead@north.example", password=PASSWORD)
    await signed_in_as(client, lead.email, PASSWORD)
    return org, lead


async def post_form(client, path: str, data: dict, page: str = HOME):
    token = csrf_from((await client.get(page)).text)
    return await client.post(path, data={**data, "_csrf_token": token}, follow_redirects=False)


async def create(client, title: str = "Foundations", items: str = ITEMS):
    return await post_form(client, HOME, {"title": title, "items": items, "purpose": "course"})


async def test_create_edit_attach_and_send_from_the_pages(client, lead_signed_in):
    org, lead = lead_signed_in
    assert 'href="/evaluation/questionnaires"' in (await client.get("/evaluation")).text
    made = await create(client)
    assert made.status_code == 303 and made.headers["location"] == f"{HOME}?done=created"
    listed = await client.get(made.headers["location"])
    assert "Questionnaire saved as version 1." in listed.text and "Foundations" in listed.text
    row = await Questionnaire.select().first()
    [version] = await QuestionnaireVersion.select().where(QuestionnaireVersion.questionnaire == row["id"])
    items = version["items"] if isinstance(version["items"], list) else __import__("json").loads(version["items"])
    assert [(i["kind"], i["text"], i["value"]) for i in items] == [
        ("likert", "I feel confident using my lived experience at work", "Mutuality"),
        ("text", "What would you like from this training?", "")]

    # Edit: the form shows the current items one a line; saving makes version 2, version 1 stays.
    edit_path = f"{HOME}/{row['id']}"
    form = await client.get(edit_path)
    assert form.status_code == 200
    assert "likert: I feel confident using my lived experience at work | Mutuality" in form.text
    edited = await post_form(client, edit_path, {"title": "Foundations (2027)", "items": ITEMS.replace(
        "What would you like", "What do you hope to learn")}, page=edit_path)
    assert edited.status_code == 303, edited.text
    assert "Saved as a new version" in (await client.get(edited.headers["location"])).text
    versions = await QuestionnaireVersion.select().where(
        QuestionnaireVersion.questionnaire == row["id"]).order_by(QuestionnaireVersion.number)
    assert [v["number"] for v in versions] == [1, 2]
    assert "What would you like" in str(versions[0]["items"]) and "What do you hope" in str(versions[1]["items"])
    assert (await Questionnaire.select(Questionnaire.title, Questionnaire.current_version).first()) == {
        "title": "Foundations (2027)", "current_version": 2}

    # Attach to a catalogue course, then send to two chosen people.
    admin = await make_user(org, "admin")
    course = await cpd.create_course(admin.principal, CourseIn(title="Peer support foundations", hours=Decimal(12)))
    attached = await post_form(client, f"{HOME}/attach", {"course_id": str(course.id), "questionnaire_id": str(row["id"])})
    assert attached.status_code == 303 and attached.headers["location"].endswith("done=attached")
    assert (await CourseQuestionnaire.select(CourseQuestionnaire.questionnaire).first())["questionnaire"] == row["id"]
    sam = await make_user(org, "psw", email="sam@north.example")
    alex = await make_user(org, "psw", email="alex@north.example")
    page = await client.get(HOME)
    assert "sam" in page.text and "alex" in page.text
    sent = await client.post(f"{HOME}/send", data={
        "course_id": str(course.id), "moment": "before", "due_by": DUE, "_csrf_token": csrf_from(page.text),
        "account_ids": [str(sam.principal.account_id), str(alex.principal.account_id)]}, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"].endswith("done=sent"), sent.text
    assert await AnswerInvitation.count().where(AnswerInvitation.moment == "before") == 2
    addresses = await OutboxMessage.select(OutboxMessage.to_address).where(
        OutboxMessage.subject.like("A few questions%")).output(as_list=True)
    assert sorted(addresses) == ["alex@north.example", "sam@north.example"]


@pytest.mark.parametrize(("items", "error"), [
    ("", "type at least one item"),
    ("likert: Fine\nquestion: What?", "line 2 must start with"),
    ("likert: I feel hopeful | Punctuality", "not one of your organisation&#39;s peer values"),
])
async def test_bad_items_reshow_the_form_with_the_error(client, lead_signed_in, items, error):
    response = await create(client, "Keep my title", items)
    assert response.status_code in (400, 422)
    assert error in response.text and "There is a problem" in response.text
    assert 'value="Keep my title"' in response.text  # what was typed is shown again
    assert await Questionnaire.count() == 0


async def test_bad_edit_and_send_reshow_their_forms(client, lead_signed_in):
    await create(client)
    row = await Questionnaire.select().first()
    edit_path = f"{HOME}/{row['id']}"
    bad = await post_form(client, edit_path, {"title": "", "items": ITEMS}, page=edit_path)
    assert bad.status_code in (400, 422) and "give the questionnaire a title" in bad.text
    assert await QuestionnaireVersion.count() == 1
    no_people = await post_form(client, f"{HOME}/send", {"course_id": "x", "moment": "before", "due_by": DUE})
    assert no_people.status_code in (400, 422) and "tick at least one person" in no_people.text
    assert await AnswerInvitation.count() == 0


async def test_a_psw_gets_403_and_another_organisations_questionnaire_is_404(client):
    north = await make_org("north")
    lead = await make_user(north, "peer_lead", email="lead@north.example", password=PASSWORD)
    await signed_in_as(client, lead.email, PASSWORD)
    await create(client)
    row = await Questionnaire.select().first()
    psw = await make_user(north, "psw", email="psw@north.example", password=PASSWORD)
    await signed_in_as(client, psw.email, PASSWORD)
    assert (await client.get(HOME)).status_code == 403
    assert (await client.get(f"{HOME}/{row['id']}")).status_code == 403
    south = await make_user(await make_org("south"), "peer_lead", email="lead@south.example", password=PASSWORD)
    await signed_in_as(client, south.email, PASSWORD)
    assert (await client.get(f"{HOME}/{row['id']}")).status_code == 404
    stolen = await post_form(client, f"{HOME}/{row['id']}", {"title": "Mine now", "items": ITEMS})
    assert stolen.status_code == 404
    assert await QuestionnaireVersion.count() == 1
