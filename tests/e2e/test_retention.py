"""HR's retention page agrees with the API; a peer support worker cannot see it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.browser import demo_email, fetch, main_nav

pytestmark = pytest.mark.e2e

HR = demo_email("northfield-nhs", "hr")
PSW = demo_email("northfield-nhs", "psw")
PERCENT = re.compile(r"^(\d{1,3}\.\d)%$")


def as_percent(text: str) -> float | None:
    """A figure the page shows ("83.4%", or "–" for none) as a number of percent."""
    text = text.strip()
    if text == "–":
        return None
    match = PERCENT.match(text)
    assert match, f"not a percentage: {text!r}"
    return float(match.group(1))


def assert_same_figure(shown: str, api_value: float | None, what: str) -> None:
    on_page = as_percent(shown)
    if api_value is None:
        assert on_page is None, f"{what}: page {shown!r}, API none"
        return
    assert on_page is not None, f"{what}: page {shown!r}, API {api_value}"
    assert abs(on_page - api_value * 100) <= 0.05 + 1e-9, f"{what}: page {shown!r}, API {api_value * 100:.4f}%"


def chart_loads(page: Page, img: Locator) -> None:
    """The <img> has decoded (naturalWidth > 0) and its src is an SVG."""
    expect(img).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())
    assert img.evaluate("img => img.naturalWidth") > 0
    response = page.request.get(img.get_attribute("src") or "")
    assert response.status == 200, response.status
    assert response.headers["content-type"].split(";")[0] == "image/svg+xml", response.headers["content-type"]
    assert b"<svg" in response.body()


def api(live_server: str, token: str, **params: str) -> dict[str, Any]:
    answer = fetch(f"{live_server}/api/v1/retention?{urlencode(params)}", bearer=token)
    assert answer.status == 200 and answer.content_type.startswith("application/json"), answer
    data = answer.json()
    assert isinstance(data, dict)
    return data


def create_api_token(page: Page) -> str:
    main_nav(page).get_by_role("link", name="My profile", exact=True).click()
    page.get_by_label("Label for a new token").fill("e2e retention check")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("status")).to_contain_text("shown only once")
    return page.get_by_role("status").locator("code.token").inner_text().strip()


def test_hr_retention_page_matches_the_api(signed_in: Callable[[str], Page], live_server: str) -> None:
    page = signed_in(HR)
    token = create_api_token(page)

    main_nav(page).get_by_role("link", name="Retention", exact=True).click()
    expect(page).to_have_url(re.compile(r"/retention$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Retention of peer support workers")
    chart = page.locator("figure.chart img")
    expect(chart).to_have_attribute("alt", re.compile(r"^Kaplan–Meier retention of lived-experience roles: 1 year "))
    chart_loads(page, chart)

    as_of = page.get_by_label("As of").input_value()
    assert as_of == date.today().isoformat(), as_of
    report = api(live_server, token, as_of=as_of)["lived_experience"]
    assert report["as_of"] == as_of
    expect(page.get_by_role("main")).to_contain_text(
        f"{report['spells']} spells of employment, {report['leavers']} ended, {report['in_post']} in post.")

    rows = page.locator("#headline tbody tr")
    expect(rows).to_have_count(3)
    assert [e["years"] for e in report["retention"]] == [1, 2, 3]
    for row, estimate in zip(rows.all(), report["retention"]):
        years = estimate["years"]
        expect(row.locator("th")).to_have_text(f"{years} year{'s' if years > 1 else ''}")
        assert_same_figure(row.locator("td").nth(0).inner_text(), estimate["survival"], f"KM at {years} years")
        expect(row.locator("td").nth(2)).to_have_text(str(estimate["at_risk"]))

    page.get_by_label("Compare with all other roles").check()
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"[?&]compare=true(&|$)"))
    figure = r"(\d{1,3}\.\d%|–)"
    other_sentence = page.get_by_role("main").locator("p").filter(has_text=re.compile(r"^All other roles:"))
    expect(other_sentence).to_have_text(re.compile(
        rf"^All other roles: 1 year {figure}, 2 years {figure}, 3 years {figure} \(\d+ spells\)\.$"))
    other = api(live_server, token, as_of=as_of, compare="true")["other_roles"]
    assert other is not None
    shown = re.findall(r"(\d) years? (\d{1,3}\.\d%|–)", other_sentence.inner_text())
    assert [int(years) for years, _ in shown] == [1, 2, 3], shown
    for (years, text), estimate in zip(shown, other["retention"]):
        assert_same_figure(text, estimate["survival"], f"other roles at {years} years")
    expect(other_sentence).to_contain_text(f"({other['spells']} spells)")
    chart_loads(page, page.locator("figure.chart img"))

    start = (date.fromisoformat(as_of) - timedelta(days=365)).isoformat()
    page.get_by_label("From").fill(start)
    page.get_by_label("To").fill(as_of)
    page.get_by_role("button", name="Work out").click()
    period = page.locator("#period")
    stability = period.locator("div").filter(has=page.locator("dt", has_text="Stability index")).locator("dd")
    expect(stability).to_have_text(PERCENT)
    figures = api(live_server, token, as_of=as_of, period_start=start, period_end=as_of)["lived_experience"]["period"]
    assert_same_figure(stability.inner_text(), figures["stability_index"], "stability index")


def test_psw_has_no_retention(signed_in: Callable[[str], Page]) -> None:
    page = signed_in(PSW)
    expect(main_nav(page).get_by_role("link", name="Reflective spaces", exact=True)).to_be_visible()
    expect(main_nav(page).get_by_role("link", name="Retention", exact=True)).to_have_count(0)

    for path in ("/retention", "/retention/chart.svg", "/retention.csv"):
        response = page.goto(path)
        assert response is not None and response.status == 403, f"{path} answered {response and response.status}"
        expect(page.get_by_role("heading", level=1)).to_contain_text("You do not have access")
