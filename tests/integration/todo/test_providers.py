"""Each capability's to-do provider: an item appears while its condition holds, goes when it
stops, and is only ever shown to someone whose rights allow it, in their own organisation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from peerwork import capabilities
from peerwork.community import bookings
from peerwork.community.tables import SeriesFacilitator
from peerwork.community.todo import todo as community_todo
from peerwork.cpd.todo import todo as cpd_todo
from peerwork.core.todo import TodoItem, ordered, todo_for
from peerwork.pairing import service as pairing_service
from peerwork.pairing.schemas import PairIn
from peerwork.pairing.todo import todo as pairing_todo
from peerwork.retention.todo import todo as retention_todo
from peerwork.supervision.tables import SupervisionSession
from peerwork.supervision.todo import todo as supervision_todo
from peerwork.workforce.importer import import_assignments
from peerwork.workforce.todo import todo as workforce_todo
from tests.development_helpers import days_ago, did, make_course, make_employee, one_to_one
from tests.factories import csv_text, make_org, make_user
from tests.integration.community.helpers import first_occurrence, make_series

TODAY = date.today()


def kinds(items: list[TodoItem]) -> list[str]:
    return [i.kind for i in items]


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


@pytest.fixture
async def north():
    org = await make_org("north")
    return {
        "org": org,
        "lead": await make_user(org, "peer_lead"),
        "hr": await make_user(org, "hr"),
        "supervisor": await make_employee(org, "Sam", "supervisor", started=ago(900), lived_experience=False),
        "psw": await make_employee(org, "Pat", started=ago(400)),
    }


def test_every_todo_module_is_collected_and_every_provider_is_a_callable():
    names = {p.__module__ for p in capabilities.todo_providers()}
    assert names == {"peerwork.workforce.todo", "peerwork.retention.todo", "peerwork.cpd.todo",
                     "peerwork.pairing.todo", "peerwork.supervision.todo", "peerwork.community.todo",
                     "peerwork.training.todo", "peerwork.coproduction.todo",
                     "peerwork.debrief.todo", "peerwork.wellbeing.todo"}
    assert {p.__module__ for p in capabilities.person_providers()} == {
        "peerwork.workforce.todo", "peerwork.cpd.todo", "peerwork.pairing.todo", "peerwork.supervision.todo"}


def test_items_are_ordered_most_pressing_then_soonest():
    later = TodoItem(kind="a", section="S", title="later", href="/", priority="soon", due=TODAY + timedelta(days=9))
    sooner = TodoItem(kind="b", section="S", title="sooner", href="/", priority="soon", due=TODAY)
    undated = TodoItem(kind="c", section="S", title="undated", href="/", priority="soon")
    urgent = TodoItem(kind="d", section="S", title="urgent", href="/", priority="urgent")
    info = TodoItem(kind="e", section="S", title="info", href="/", due=TODAY)
    assert [i.title for i in ordered([info, later, undated, sooner, urgent])] == [
        "urgent", "sooner", "later", "undated", "info"]


# --- supervision --------------------------------------------------------------------------

async def test_a_psw_sees_their_next_scheduled_session_until_it_is_cancelled(north):
    agreement = await one_to_one(north["org"], north["supervisor"], north["psw"], held_days_ago=3)
    start = days_ago(-2)
    session = SupervisionSession(organisation=north["org"].id, agreement=agreement,
                                 supervisor=north["supervisor"].principal.account_id,
                                 supervisee=north["psw"].principal.account_id, start=start,
                                 end=start + timedelta(hours=1), status="scheduled")
    await session.save()
    mine = await supervision_todo(north["psw"].principal)
    assert kinds(mine) == ["supervision.next_session"]
    assert "Sam" in mine[0].title and mine[0].href == "/my-calendar" and mine[0].due == start.date()
    theirs = await supervision_todo(north["supervisor"].principal)
    assert kinds(theirs) == ["supervision.next_session"] and "Pat" in theirs[0].title
    assert kinds(await supervision_todo(north["hr"].principal)) == []  # not a party, no right to the table

    await SupervisionSession.update({SupervisionSession.status: "cancelled"}).where(SupervisionSession.id == session.id)
    assert await supervision_todo(north["psw"].principal) == []


async def test_a_peer_lead_sees_overdue_supervision_until_a_session_is_held(north):
    agreement = await one_to_one(north["org"], north["supervisor"], north["psw"])  # started 500 days ago, never held
    items = await supervision_todo(north["lead"].principal)
    overdue = [i for i in items if i.kind == "supervision.overdue"]
    assert len(overdue) == 1 and overdue[0].count == 1 and overdue[0].priority == "urgent"
    assert overdue[0].href == "/supervision/compliance"
    assert "supervision.overdue" not in kinds(await supervision_todo(north["psw"].principal))

    start = days_ago(2)
    await SupervisionSession(organisation=north["org"].id, agreement=agreement,
                             supervisor=north["supervisor"].principal.account_id,
                             supervisee=north["psw"].principal.account_id, start=start,
                             end=start + timedelta(hours=1), status="held").save()
    assert "supervision.overdue" not in kinds(await supervision_todo(north["lead"].principal))


async def test_a_peer_lead_sees_people_in_post_with_no_agreement(north):
    items = await supervision_todo(north["lead"].principal)
    assert [i.count for i in items if i.kind == "supervision.no_agreement"] == [1]  # Pat
    await one_to_one(north["org"], north["supervisor"], north["psw"], held_days_ago=3)
    assert "supervision.no_agreement" not in kinds(await supervision_todo(north["lead"].principal))


# --- reflective spaces ------------------------------------------------------------------------

async def test_a_booking_shows_until_it_is_cancelled(north):
    made = await make_series(north["lead"], facilitators=[north["supervisor"].principal.account_id])
    occurrence = await first_occurrence(north["psw"], made.id)
    booking = await bookings.book(north["psw"].principal, occurrence.id)
    items = await community_todo(north["psw"].principal)
    assert kinds(items) == ["community.confirmed"]
    assert items[0].href == f"/community/occurrences/{occurrence.id}" and "Co-reflection" in items[0].title
    await bookings.cancel(north["psw"].principal, booking.id)
    assert await community_todo(north["psw"].principal) == []


async def test_a_waiting_list_place_says_its_position_and_peer_leads_see_the_queue(north):
    made = await make_series(north["lead"], capacity=1, facilitators=[north["supervisor"].principal.account_id])
    occurrence = await first_occurrence(north["psw"], made.id)
    await bookings.book(north["hr"].principal, occurrence.id)
    await bookings.book(north["psw"].principal, occurrence.id)
    mine = await community_todo(north["psw"].principal)
    assert kinds(mine) == ["community.waitlisted"] and "number 1 on the waiting list" in mine[0].title
    lead = await community_todo(north["lead"].principal)
    assert [(i.kind, i.count) for i in lead] == [("community.waiting_list", 1)]
    assert "community.waiting_list" not in kinds(await community_todo(north["hr"].principal))  # no community:manage


async def test_a_space_with_no_facilitator_is_flagged_until_one_is_added(north):
    made = await make_series(north["lead"], days_ahead=3)
    lead = await community_todo(north["lead"].principal)
    assert kinds(lead) == ["community.no_facilitator"] and lead[0].priority == "urgent"
    assert await community_todo(north["psw"].principal) == []
    await SeriesFacilitator(series=made.id, account=north["supervisor"].principal.account_id).save()
    assert await community_todo(north["lead"].principal) == []


async def test_spaces_further_than_two_weeks_away_wait(north):
    await make_series(north["lead"], days_ahead=20, rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=1")
    assert await community_todo(north["lead"].principal) == []


# --- CPD ---------------------------------------------------------------------------------------

async def test_training_due_shows_until_it_is_done(north):
    course = await make_course(north["org"], "Safeguarding adults", roles="psw", renewal_months=12)
    mine = await cpd_todo(north["psw"].principal)
    assert [(i.kind, i.title) for i in mine] == [("cpd.due", "Safeguarding adults is due: book it")]
    await did(north["org"], north["psw"], ago(30), course)
    assert await cpd_todo(north["psw"].principal) == []
    assert kinds(await cpd_todo(north["supervisor"].principal)) == []  # not mandatory for supervisors


async def test_expired_training_is_urgent_and_hr_sees_the_organisation_warning(north):
    course = await make_course(north["org"], "Safeguarding adults", roles="psw", renewal_months=12)
    await did(north["org"], north["psw"], ago(400), course)
    assert [(i.kind, i.priority) for i in await cpd_todo(north["psw"].principal)] == [("cpd.expired", "urgent")]
    hr = await cpd_todo(north["hr"].principal)
    assert [(i.kind, i.count, i.href) for i in hr] == [("cpd.lapsed", 1, "/cpd/compliance")]
    assert "cpd.lapsed" not in kinds(await cpd_todo(north["lead"].principal))  # peer leads: no cpd:report


async def test_a_new_starter_without_induction_is_named_to_peer_leads_until_it_is_recorded(north):
    nia = await make_employee(north["org"], "Nia", started=ago(40))
    induction = await make_course(north["org"], "Induction", kind="induction", roles="psw")
    lead = [i for i in await cpd_todo(north["lead"].principal) if i.kind == "cpd.induction_late"]
    assert len(lead) == 1 and lead[0].title.startswith("Nia started on") and lead[0].href.startswith("/people/")
    hr = [i for i in await cpd_todo(north["hr"].principal) if i.kind == "cpd.induction_late"]
    assert [(i.count, i.href) for i in hr] == [(1, "/cpd/compliance")]
    assert "cpd.my_induction" in kinds(await cpd_todo(nia.principal))
    await did(north["org"], nia, ago(30), induction)  # ten days after starting: in time
    assert "cpd.my_induction" not in kinds(await cpd_todo(nia.principal))
    assert "cpd.induction_late" not in kinds(await cpd_todo(north["lead"].principal))


# --- pairing -----------------------------------------------------------------------------------

async def test_unpaired_new_starters_show_to_peer_leads_and_a_pair_to_both_partners(north):
    nia = await make_employee(north["org"], "Nia", started=ago(30))
    lead = [i for i in await pairing_todo(north["lead"].principal) if i.kind == "pairing.unpaired_new_starters"]
    assert [(i.count, i.href) for i in lead] == [(1, "/pairing")]
    assert await pairing_todo(nia.principal) == []
    await pairing_service.confirm_pair(north["lead"].principal, PairIn(
        new_peer_id=nia.principal.account_id, experienced_peer_id=north["psw"].principal.account_id))
    assert "pairing.unpaired_new_starters" not in kinds(await pairing_todo(north["lead"].principal))
    assert [i.title for i in await pairing_todo(nia.principal)] == [f"Your buddy: Pat, since {TODAY}"]
    assert [i.title for i in await pairing_todo(north["psw"].principal)] == [f"Your buddy: Nia, since {TODAY}"]
    assert await pairing_todo(north["hr"].principal) == []


# --- retention and imports (HR) ---------------------------------------------------------------

async def test_hr_sees_retention_headline_and_peer_leads_and_psws_do_not(north):
    items = await retention_todo(north["hr"].principal)
    assert kinds(items) == ["retention.headline"] and items[0].count == 1 and items[0].href == "/retention"
    assert "1 in post" in items[0].title
    assert await retention_todo(north["lead"].principal) == []
    assert await retention_todo(north["psw"].principal) == []


async def test_the_latest_import_and_its_rejected_rows_show_to_hr(north):
    org = await make_org("south")
    hr = await make_user(org, "hr")
    first = await workforce_todo(hr.principal)
    assert [(i.kind, i.priority) for i in first] == [("workforce.no_import", "urgent")]
    content = csv_text("A1,E1,PSW,Y,4,Oak,2024-01-01,,,", "A2,E2,PSW,Y,4,Oak,not-a-date,,,").encode()
    await import_assignments(org.id, content, actor=hr.principal)
    items = await workforce_todo(hr.principal)
    assert kinds(items) == ["workforce.import"]
    assert "1 created" in items[0].title and "1 row rejected" in items[0].title and items[0].priority == "soon"
    assert await workforce_todo((await make_user(org, "peer_lead")).principal) == []


async def test_items_stay_in_their_organisation(north):
    south = await make_org("south")
    south_lead = await make_user(south, "peer_lead")
    await make_series(north["lead"], days_ahead=3)  # north's space with no facilitator
    await one_to_one(north["org"], north["supervisor"], north["psw"])  # north's overdue supervision
    everything = await todo_for(south_lead.principal, capabilities.todo_providers())
    assert "community.no_facilitator" not in kinds(everything)
    assert "supervision.overdue" not in kinds(everything)
    assert "community.no_facilitator" in kinds(await todo_for(north["lead"].principal, capabilities.todo_providers()))



async def test_a_partners_space_shared_across_the_network_is_theirs_to_staff():
    north = await make_org("north", network="mersey")
    south = await make_org("south", network="mersey")
    north_lead, south_lead = await make_user(north, "peer_lead"), await make_user(south, "peer_lead")
    await make_series(north_lead, days_ahead=3, visibility="network")
    assert await first_occurrence(south_lead)  # south can see (and book) it...
    assert await community_todo(south_lead.principal) == []  # ...but is not asked to staff it
    assert kinds(await community_todo(north_lead.principal)) == ["community.no_facilitator"]


async def test_a_failing_provider_leaves_the_rest_of_the_list_and_says_part_is_missing(north, caplog):
    psw = north["lead"].principal
    secret = "Pat's supervision note"

    async def broken(principal):
        raise ValueError(secret)

    async def fine(principal):
        return [TodoItem(kind="x.fine", section="S", title="Still here", href="/x")]

    items = await todo_for(psw, [broken, fine])
    assert kinds(items) == ["x.fine", "todo.unavailable"]
    failed = [r for r in caplog.records if r.name == "peerwork.todo"]
    assert failed and "ValueError" in failed[0].getMessage()
    assert secret not in caplog.text  # the message can hold a row's data: never logged


async def test_a_lost_database_is_not_hidden_as_a_missing_part(north):
    # It propagates as it is, so the app answers 503 with Retry-After for the whole page.
    async def database_gone(principal):
        raise ConnectionRefusedError(111, "Connection refused")

    with pytest.raises(ConnectionRefusedError):
        await todo_for(north["lead"].principal, [database_gone])
