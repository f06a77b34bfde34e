"""Pairing from the database: who is experienced, suggestions with reasons, a person confirms,
the rules hold at confirmation, and a partner leaving leaves the other needing a new pair."""

from datetime import date, timedelta

import pytest

from peerwork.pairing import service as pairing_service
from peerwork.pairing.schemas import ProfileIn
from peerwork.cpd.tables import LineManager
from peerwork.workforce.tables import Assignment
from peerwork.core.tables import Person
from tests.development_helpers import make_employee
from tests.factories import make_org, make_user

TODAY = date.today()


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


@pytest.fixture
async def north():
    org = await make_org("north", network="mersey")
    people = {
        "ed": await make_employee(org, "Ed", started=ago(3 * 365), team="Willow Ward"),
        "eve": await make_employee(org, "Eve", started=ago(2 * 365), team="Oak Ward"),
        "nia": await make_employee(org, "Nia", started=ago(30), team="Willow Ward"),
        "noor": await make_employee(org, "Noor", started=ago(60), team="Oak Ward"),
        "almost": await make_employee(org, "Almost", started=ago(360), team="Oak Ward"),  # not yet 12 months
        "lead": await make_user(org, "peer_lead"),
    }
    await pairing_service.save_profile(people["ed"].principal, ProfileIn(interests=["Art", "walking"], capacity=2))
    await pairing_service.save_profile(people["nia"].principal, ProfileIn(interests=["art"]))
    # Eve line-manages Noor, so Noor goes with Ed even though Eve shares her team.
    await LineManager(organisation=org.id, account=people["noor"].principal.account_id,
                      manager=people["eve"].principal.account_id).save()
    return {"org": org, **people}


def pairs_of(found):
    return {(s.new_peer, s.experienced_peer) for s in found.suggestions}


async def test_suggestions_pair_new_starters_with_experienced_peers_and_show_why(north):
    found = await pairing_service.suggestions(north["lead"].principal)
    assert pairs_of(found) == {("Nia", "Ed"), ("Noor", "Ed"), ("Almost", "Eve")}
    nia = [s for s in found.suggestions if s.new_peer == "Nia"][0]
    assert nia.parts == {"base": 10, "same_team": 30, "same_organisation": 10, "shared_interests": 10,
                         "matching_preferences": 0}
    assert nia.score == 60 and found.total_score == sum(s.score for s in found.suggestions)
    assert found.needs_a_person_to_confirm
    assert await pairing_service.suggestions(north["lead"].principal) == found  # equal inputs, equal output


async def test_an_exclusion_is_never_suggested_or_confirmed(north):
    await pairing_service.save_profile(north["nia"].principal, ProfileIn(
        interests=["art"], exclusions=[north["ed"].principal.account_id]))
    found = await pairing_service.suggestions(north["lead"].principal)
    assert ("Nia", "Ed") not in pairs_of(found)
    from peerwork.pairing.schemas import PairIn
    from peerwork.core.errors import Conflict
    with pytest.raises(Conflict, match="excluded"):
        await pairing_service.confirm_pair(north["lead"].principal, PairIn(
            new_peer_id=north["nia"].principal.account_id, experienced_peer_id=north["ed"].principal.account_id))
    with pytest.raises(Conflict, match="line manager"):
        await pairing_service.confirm_pair(north["lead"].principal, PairIn(
            new_peer_id=north["noor"].principal.account_id, experienced_peer_id=north["eve"].principal.account_id))


async def test_a_person_confirms_and_when_a_partner_leaves_the_other_needs_a_new_pair(client, north):
    lead = north["lead"]
    nia, ed = north["nia"].principal.account_id, north["ed"].principal.account_id
    response = await client.post("/api/v1/pairing/pairs", headers=lead.headers, json={
        "new_peer_id": str(nia), "experienced_peer_id": str(ed), "purpose": "buddy"})
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "active" and response.json()["score"] == 60
    again = await client.post("/api/v1/pairing/pairs", headers=lead.headers, json={
        "new_peer_id": str(nia), "experienced_peer_id": str(ed)})
    assert again.status_code == 409
    found = (await client.get("/api/v1/pairing/suggestions", headers=lead.headers)).json()
    assert "Nia" not in {s["new_peer"] for s in found["suggestions"]}
    # Ed leaves: his assignment ends yesterday.
    person = await Person.select(Person.id).where(Person.employee_number == "E-Ed").first()
    await Assignment.update({Assignment.end_date: ago(1)}).where(Assignment.person == person["id"])
    pairs = (await client.get("/api/v1/pairing/pairs", headers=lead.headers)).json()
    assert [(p["status"], p["needs_new_pair"]) for p in pairs] == [("partner_left", "Nia")]
    found = (await client.get("/api/v1/pairing/suggestions", headers=lead.headers)).json()
    assert "Ed" not in {s["experienced_peer"] for s in found["suggestions"]}
    assert "Nia" in {s["new_peer"] for s in found["suggestions"]} | set(found["unmatched"])


async def test_a_previous_partner_is_not_suggested_again(client, north):
    lead = north["lead"]
    made = (await client.post("/api/v1/pairing/pairs", headers=lead.headers, json={
        "new_peer_id": str(north["nia"].principal.account_id),
        "experienced_peer_id": str(north["ed"].principal.account_id)})).json()
    assert (await client.post(f"/api/v1/pairing/pairs/{made['id']}/end", headers=lead.headers)).json()["status"] == "ended"
    found = await pairing_service.suggestions(lead.principal)
    assert ("Nia", "Ed") not in pairs_of(found)
    # Eve's one place does more good with Almost (same team) than with Nia.
    assert found.unmatched == ["Nia"]


async def test_across_organisations_only_when_both_opted_into_the_network(north):
    south = await make_org("south", network="mersey")
    sal = await make_employee(south, "Sal", started=ago(5 * 365), team="Willow Ward")
    await pairing_service.save_profile(sal.principal, ProfileIn(interests=["art", "walking"], capacity=3))
    # Ed and Eve are busy with no places; Nia has not opted in, so Sal is not suggested.
    await pairing_service.save_profile(north["ed"].principal, ProfileIn(capacity=0))
    await pairing_service.save_profile(north["eve"].principal, ProfileIn(capacity=0))
    found = await pairing_service.suggestions(north["lead"].principal)
    assert found.suggestions == []
    await pairing_service.save_profile(north["nia"].principal, ProfileIn(interests=["art"], network_opt_in=True))
    found = await pairing_service.suggestions(north["lead"].principal)
    assert found.suggestions == []  # Sal has not opted in either
    await pairing_service.save_profile(sal.principal, ProfileIn(interests=["art"], capacity=3, network_opt_in=True))
    found = await pairing_service.suggestions(north["lead"].principal)
    assert pairs_of(found) == {("Nia", "Sal")}
    assert found.suggestions[0].experienced_organisation == "South Trust"
    assert found.suggestions[0].parts["same_organisation"] == 0


async def test_a_new_starters_suggested_buddy_does_not_depend_on_who_else_is_waiting(north):
    """Onboarding asks for this one person's best buddy: with Ed's two places and Eve's one
    taken by others in the overall plan, each new starter still gets their own best fit."""
    from peerwork.pairing.schemas import PairIn

    lead = north["lead"].principal
    ed = north["ed"].principal.account_id
    await pairing_service.confirm_pair(lead, PairIn(new_peer_id=north["nia"].principal.account_id,
                                                    experienced_peer_id=ed, purpose="buddy"))
    await pairing_service.confirm_pair(lead, PairIn(new_peer_id=north["almost"].principal.account_id,
                                                    experienced_peer_id=north["eve"].principal.account_id,
                                                    purpose="buddy"))
    # Ed has one place left; Noor cannot have Eve (her line manager), so Ed is hers.
    best = await pairing_service.suggested_buddy(lead, north["noor"].principal.account_id, TODAY)
    assert best is not None and best.experienced_peer == "Ed"
    assert best.parts == (await pairing_service.suggestions(lead)).suggestions[0].parts
    await pairing_service.confirm_pair(lead, PairIn(new_peer_id=north["noor"].principal.account_id,
                                                    experienced_peer_id=ed, purpose="buddy"))
    late = await make_employee(north["org"], "Late", started=ago(5), team="Oak Ward")
    assert await pairing_service.suggested_buddy(lead, late.principal.account_id, TODAY) is None  # nobody has room
