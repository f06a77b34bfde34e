"""Estimates resting on fewer than 5 people at risk are flagged uncertain on every surface (API,
CSV, page, chart), and the chart and CSV downloads arrive as named attachments."""

import csv
import io
import re

from peerwork.core.privacy import SMALL_NUMBER
from peerwork.retention.survival import SurvivalEstimate
from peerwork.workforce.importer import import_assignments
from tests.factories import csv_text, make_org, make_user
from tests.integration.web.test_forms import signed_in

AS_OF = "2025-01-06"


def _rows() -> list[str]:
    # On 6 January 2025, all in post: 4 started in 2020 (over 3 years), 3 in June 2022 (over 2
    # years, under 3), 3 in January 2024 (just over 1 year). At risk: 10 at 1 year, 7 at 2, 4 at 3.
    starts = ["2020-01-06"] * 4 + ["2022-06-01"] * 3 + ["2024-01-01"] * 3
    return [f"U{i},P{i},Peer Support Worker,Y,4,Willow,{start},,," for i, start in enumerate(starts)]


async def _org_with_staff():
    org = await make_org()
    await import_assignments(org.id, csv_text(*_rows()).encode())
    return org


def test_uncertain_means_fewer_than_the_small_number_at_risk():
    def estimate(at_risk: int) -> SurvivalEstimate:
        return SurvivalEstimate(3, 1095, 0.5, 0.2, 0.8, at_risk)

    assert estimate(SMALL_NUMBER - 1).uncertain and estimate(0).uncertain
    assert not estimate(SMALL_NUMBER).uncertain


async def test_the_api_flags_each_estimate_beside_its_number_at_risk(client):
    org = await _org_with_staff()
    hr = await make_user(org, "hr")
    response = await client.get(f"/api/v1/retention?as_of={AS_OF}&by=team&compare=true", headers=hr.headers)
    assert response.status_code == 200, response.text
    le = response.json()["lived_experience"]
    assert [(e["at_risk"], e["uncertain"]) for e in le["retention"]] == [(10, False), (7, False), (4, True)]
    (willow,) = le["breakdowns"]["team"]
    assert [e["uncertain"] for e in willow["retention"]] == [False, False, True]
    # Nobody in other roles: nothing at risk, so uncertain (and there is no estimate at all).
    assert all(e["uncertain"] and e["survival"] is None for e in response.json()["other_roles"]["retention"])


async def test_the_page_and_its_csv_flag_the_three_year_figure(client):
    org = await _org_with_staff()
    await signed_in(client, "hr", org=org)
    page = await client.get(f"/retention?as_of={AS_OF}")
    assert page.status_code == 200, page.text
    headline = re.search(r'<table id="headline">.*?</table>', page.text, re.S).group(0)
    rows = re.findall(r"<tr><th scope=\"row\">(\d) years?</th>(.*?)</tr>", headline, re.S)
    flagged = {years for years, cells in rows if "(uncertain)" in cells}
    assert [years for years, _ in rows] == ["1", "2", "3"] and flagged == {"3"}
    assert f"fewer than {SMALL_NUMBER} people" in page.text
    assert "3 years 100.0% (uncertain: 4 still at risk)" in page.text  # the chart's text alternative
    compared = await client.get(f"/retention?as_of={AS_OF}&compare=true")
    assert compared.status_code == 200 and "all other roles: 1 year –" in compared.text  # nobody else: no figure

    download = await client.get(f"/retention.csv?as_of={AS_OF}&by=team")
    assert download.headers["content-disposition"] == (
        f'attachment; filename="retention-{org.slug}-{AS_OF}-team.csv"')
    (row,) = csv.DictReader(io.StringIO(download.text))
    assert (row["uncertain_1y"], row["uncertain_2y"], row["uncertain_3y"]) == ("no", "no", "yes")
    header = download.text.splitlines()[0].split(",")
    assert header[-3:] == ["uncertain_1y", "uncertain_2y", "uncertain_3y"]  # new columns last


async def test_the_chart_marks_uncertain_counts_and_downloads_under_a_name(client):
    org = await _org_with_staff()
    await signed_in(client, "hr", org=org)
    for fmt in ("svg", "png"):
        chart = await client.get(f"/retention/chart.{fmt}?as_of={AS_OF}")
        assert chart.status_code == 200
        assert chart.headers["content-disposition"] == f'attachment; filename="retention-{org.slug}-{AS_OF}.{fmt}"'
    svg = (await client.get(f"/retention/chart.svg?as_of={AS_OF}")).text
    assert "Lived-experience roles: 10 / 10 / 7 / 4*" in svg
    assert f"* fewer than {SMALL_NUMBER}" in svg


async def test_the_api_chart_downloads_under_a_name(client):
    org = await _org_with_staff()
    hr = await make_user(org, "hr")
    chart = await client.get(f"/api/v1/retention/chart.png?as_of={AS_OF}&compare=true", headers=hr.headers)
    assert chart.status_code == 200 and chart.content.startswith(b"\x89PNG")
    assert chart.headers["content-disposition"] == f'attachment; filename="retention-{org.slug}-{AS_OF}-compared.png"'
