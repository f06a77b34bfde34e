"""The reflective spaces page: week by week, filtered by kind and organisation, a compact row for
a series that meets several times a week, and a clear message for a filter value we do not know."""

from __future__ import annotations

import re
from datetime import date, timedelta

from peerwork.core.time import LONDON
from peerwork.community import bookings
from tests.factories import make_org, make_user
from tests.integration.community.helpers import make_series
from tests.integration.community.space_builders import monthly_and_daily
from tests.integration.web.test_forms import signed_in


def sections(html: str) -> list[str]:
    return re.findall(r'<section class="week".*?</section>', html, re.DOTALL)


def heading(section: str) -> str:
    return re.search(r"<h2 [^>]*>([^<]+)</h2>", section).group(1)


async def test_dates_are_grouped_by_week_and_a_daily_debrief_is_one_row_per_week(client):
    org = await make_org()
    lead = await make_user(org, "peer_lead")
    monthly, daily = await monthly_and_daily(lead)
    psw = await signed_in(client, "psw", org=org)
    booked = [o for o in await bookings.upcoming(psw.principal, days=62) if o.series_id == daily.id][1]
    await bookings.book(psw.principal, booked.id)

    page = await client.get("/community")
    assert page.status_code == 200
    weeks = sections(page.text)
    listed = await bookings.upcoming(psw.principal, days=62)
    mondays = sorted({o.start.astimezone(LONDON).date() - timedelta(days=o.start.astimezone(LONDON).weekday())
                      for o in listed})
    assert len(weeks) == len(mondays)  # one section per week that has dates, in order
    headings = [heading(w) for w in weeks]
    this_monday = date.today() - timedelta(days=date.today().weekday())
    for monday, text in zip(mondays, headings):
        expected = {this_monday: "This week", this_monday + timedelta(days=7): "Next week"}.get(
            monday, f"Week of Monday {monday:%-d %B}")
        assert text == expected

    daily_dates = [o for o in listed if o.series_id == daily.id]
    compact_weeks = 0
    for week in weeks:
        rows = re.findall(r'<li class="card series-week">.*?</ul>\s*</li>', week, re.DOTALL)
        in_week = [o for o in daily_dates if f'href="/community/occurrences/{o.id}"' in week]
        # A week with several debriefs shows them as one row listing each date, not a card each.
        if len(in_week) > 1:
            compact_weeks += 1
            assert len(rows) == 1 and rows[0].count("<time ") == len(in_week)
            assert "Daily debrief" in rows[0] and week.count(">Daily debrief</a></h3>") == 1
            for o in in_week:  # every date still bookable from the row (or shows the booking)
                if o.id == booked.id:
                    assert "You are booked" in rows[0]
                else:
                    assert f'action="/community/occurrences/{o.id}/book"' in rows[0]
                    assert "3 of 3 places left" in rows[0]
    assert compact_weeks >= 7  # two months of weekday debriefs
    monthly_dates = [o for o in listed if o.series_id == monthly.id]
    assert monthly_dates and all(f'<h3><a href="/community/occurrences/{o.id}">Monthly co-reflection</a></h3>'
                                 in page.text for o in monthly_dates)  # a once-a-week date keeps its card


async def test_the_filter_keeps_one_kind_and_one_organisation(client):
    north, south = await make_org("north", network="north-east"), await make_org("south", network="north-east")
    await monthly_and_daily(await make_user(north, "peer_lead"))
    await make_series(await make_user(south, "peer_lead"), title="Partner network drop-in", visibility="network")
    await make_series(await make_user(south, "peer_lead", email="other@south.example"), title="South only")
    await signed_in(client, "psw", org=north)

    everything = await client.get("/community")
    assert "Partner network drop-in" in everything.text and "Daily debrief" in everything.text
    assert "South only" not in everything.text  # not shared with the network
    assert '<input type="radio" id="org-south" name="org" value="south">' in everything.text
    assert '<label for="org-south">South Trust</label>' in everything.text

    partner = await client.get("/community?org=south")
    assert partner.status_code == 200
    assert "Partner network drop-in" in partner.text
    assert "Daily debrief" not in partner.text and "Monthly co-reflection" not in partner.text
    assert '<input type="radio" id="org-south" name="org" value="south" checked>' in partner.text

    debriefs = await client.get("/community?kind=debrief")
    assert set(re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', debriefs.text)) == {"Daily debrief"}
    assert '<option value="debrief" selected>' in debriefs.text

    own = await client.get("/community?org=north&kind=co_reflection")
    titles = set(re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', own.text))
    assert titles == {"Monthly co-reflection"}


async def test_filter_values_we_do_not_know_get_a_clear_message_not_a_server_error(client):
    north = await make_org("north")
    await monthly_and_daily(await make_user(north, "peer_lead"))
    stranger = await make_org("elsewhere")
    await make_series(await make_user(stranger, "peer_lead"), title="Somebody else's space", visibility="network")
    await signed_in(client, "psw", org=north)

    bad_kind = await client.get("/community?kind=karaoke")
    assert bad_kind.status_code == 400
    assert "There is a problem with the filter" in bad_kind.text
    assert "there is no kind of space called “karaoke”" in bad_kind.text
    assert "Daily debrief" in bad_kind.text  # the list still shows, without the bad choice

    # An organisation outside the network is refused like one that does not exist.
    for slug in ("elsewhere", "no-such-trust", "<script>"):
        response = await client.get("/community", params={"org": slug})
        assert response.status_code == 400, slug
        assert "is not your organisation or one of its network partners" in response.text
        assert "<script>" not in response.text
        assert "Somebody else&#39;s space" not in response.text and "Somebody else's space" not in response.text
