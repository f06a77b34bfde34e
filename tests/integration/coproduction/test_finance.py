"""Finance's export of what is due: one row per person-activity line, money as pounds with two
decimals, formula-looking names neutralised, paid lines and other dates left out, audited."""

from __future__ import annotations

import csv
import io

from peerwork.core.tables import AuditLog
from peerwork.coproduction import participants
from peerwork.coproduction.schemas import LineIn, ParticipantIn
from tests.factories import make_org, make_user
from tests.integration.coproduction.helpers import API, an_activity, set_up


async def test_the_csv_lists_what_is_due_in_the_range_in_pounds_with_formulas_neutralised(client):
    org = await make_org("north")
    hr = await make_user(org, "hr")
    people = await set_up(org, hr)
    sneaky = await participants.add_participant(hr.principal, ParticipantIn(
        name="=HYPERLINK(\"http://evil.example\")", email="sneaky@experts.example", preference="none"))
    await an_activity(hr, people, lines=[
        LineIn(participant_id=people["staff"].id, minutes=90),
        LineIn(participant_id=people["external"].id, minutes=25, expenses_pence=640),
        LineIn(participant_id=sneaky.id, minutes=60, expenses_pence=1205)])
    paid_line = await an_activity(hr, people, title="Already paid", held_on="2026-03-10",
                                  lines=[LineIn(participant_id=people["staff"].id, minutes=60)])
    await an_activity(hr, people, title="Out of range", held_on="2026-05-01",
                      lines=[LineIn(participant_id=people["staff"].id, minutes=60)])
    assert (await client.post(f"{API}/payments", headers=hr.headers, json={
        "line_ids": [str(paid_line.lines[0].id)], "paid_on": "2026-03-31"})).status_code == 200
    response = await client.get(f"{API}/due.csv?from=2026-03-01&to=2026-03-31", headers=hr.headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 3 and {r["activity"] for r in rows} == {"Redesigning the crisis pathway"}
    by_payee = {r["payee"]: r for r in rows}
    sam = by_payee["Sam Staff"]
    assert (sam["hours"], sam["rate_per_hour_gbp"], sam["amount_gbp"], sam["expenses_gbp"], sam["total_gbp"]) == (
        "1.50", "20.00", "30.00", "0.00", "30.00")
    assert sam["preference"] == "Paid" and sam["kind"] == "Co-designing a service"
    ali = by_payee["Ali External"]
    assert (ali["hours"], ali["amount_gbp"], ali["expenses_gbp"], ali["total_gbp"], ali["preference"]) == (
        "0.42", "8.33", "6.40", "14.73", "Voucher")
    neutralised = by_payee["'=HYPERLINK(\"http://evil.example\")"]
    assert (neutralised["amount_gbp"], neutralised["expenses_gbp"], neutralised["preference"]) == (
        "0.00", "12.05", "No payment")
    assert not any(cell.startswith("=") for r in rows for cell in r.values())
    exported = await AuditLog.select(AuditLog.detail).where(
        (AuditLog.action == "export") & (AuditLog.table_name == "coproduction_line")).output(load_json=True)
    assert exported and exported[0]["detail"]["rows"] == 3


async def test_a_negative_correction_is_exported_as_a_plain_negative_number_not_text(client):
    org = await make_org("north")
    hr = await make_user(org, "hr")
    people = await set_up(org, hr)
    activity = await an_activity(hr, people, lines=[LineIn(participant_id=people["staff"].id, minutes=120)])
    line = activity.lines[0]
    await client.post(f"{API}/payments", headers=hr.headers, json={"line_ids": [str(line.id)], "paid_on": "2026-03-31"})
    await client.post(f"{API}/lines/{line.id}/correction", headers=hr.headers,
                      json={"minutes": 90, "expenses_pence": 0, "note": "Left early"})
    rows = list(csv.DictReader(io.StringIO((await client.get(
        f"{API}/due.csv?from=2026-01-01&to=2026-12-31", headers=hr.headers)).text)))
    assert [(r["hours"], r["amount_gbp"], r["total_gbp"], r["corrects_line_id"]) for r in rows] == [
        ("-0.50", "-10.00", "-10.00", str(line.id))]
