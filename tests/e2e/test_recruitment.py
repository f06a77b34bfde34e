"""A peer-led recruitment round in the browser: a recruiter opens a vacancy with a
lived-experience panel, an applicant applies without an account, two panel members score
anonymously, the recruiter shortlists, the applicant books an interview through their private
link, and the recruiter hires, which starts onboarding. The vacancy page guides each step
(panel -> open -> close -> shortlist -> interview -> offer); closing the vacancy and withdrawing
an application are asked about first, saying who is told."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import CreatedAccount, blocking_violations, main_nav, sign_in

pytestmark = pytest.mark.e2e

ORG = "northfield-nhs"
ANSWER = "Sharing what helped me, and listening to what helps you."
VALUES = ("Mutuality", "Reciprocity", "Hope and recovery focus", "Strengths focus", "Authenticity", "Inclusivity",
          "Safety")


def no_blocking_violations(page: Page) -> None:
    problems = blocking_violations(page)
    assert problems == [], "\n".join(problems)


def expect_step(page: Page, step: str, next_step: str) -> None:
    """The vacancy page marks ``step`` as where the vacancy is and names what to do next."""
    expect(page.locator('#vacancy-steps [aria-current="step"]')).to_have_text(f"{step}: now")
    expect(page.locator("#next-step")).to_contain_text(next_step)


def apply_as(applicant: Page, title: str, name: str, email: str) -> str:
    """Apply through the public page without an account; the private link."""
    applicant.goto(f"/jobs/{ORG}")
    applicant.get_by_role("link", name=title).click()
    applicant.get_by_label("Your name").fill(name)
    applicant.get_by_label("Email address").fill(email)
    for value in VALUES:
        applicant.get_by_label(value, exact=True).fill(ANSWER)
    applicant.get_by_role("button", name="Send application").click()
    expect(applicant.get_by_role("heading", level=1)).to_have_text("Application sent")
    return applicant.get_by_role("status").get_by_role("link").get_attribute("href")


def score_application(page: Page, account: CreatedAccount, title: str, reference: str, marks: int) -> None:
    sign_in(page, account.email, account.password)
    main_nav(page).get_by_role("link", name="Recruitment", exact=True).click()
    page.get_by_role("link", name=title).click()
    page.get_by_label("Your conflicts of interest (leave empty if none)").fill("")
    page.get_by_role("button", name="Declare conflicts").click()
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Application {reference}")
    expect(page.get_by_text("Alex Applicant")).to_have_count(0)  # anonymised
    expect(page.get_by_text(ANSWER).first).to_be_visible()
    expect(page.get_by_text("You will see the other scores once you have submitted your own.")).to_be_visible()
    for value in ("Mutuality", "Reciprocity", "Hope and recovery focus", "Strengths focus", "Authenticity",
                  "Inclusivity", "Safety"):
        page.get_by_label(f"Score for {value} (1 to 5)").select_option(str(marks))
        page.get_by_label(f"Comment on {value}").fill(f"Scored {marks}")
    page.get_by_role("button", name="Submit scores").click()
    expect(page.get_by_role("table", name="Scores per value: spread across scorers")).to_be_visible()


def test_a_peer_led_panel_runs_a_round_from_advert_to_first_day(
    page: Page, new_page: Callable[[], Page], create_account: Callable[..., CreatedAccount]
) -> None:
    recruiter, le_scorer, scorer = create_account("peer_lead"), create_account("psw"), create_account("supervisor")
    title = f"Peer Support Worker {le_scorer.email[8:16]}"

    # The recruiter opens a vacancy with a panel.
    sign_in(page, recruiter.email, recruiter.password)
    main_nav(page).get_by_role("link", name="Recruitment", exact=True).click()
    page.get_by_role("link", name="Open a new vacancy").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Agenda for Change band").select_option("4")
    page.get_by_label("Number of posts").fill("2")
    page.get_by_label("Closing date").fill((date.today() + timedelta(days=14)).isoformat())
    page.get_by_label("Role remit").fill("Support people on the ward using your lived experience.")
    page.get_by_label("Essential criteria").fill("Lived experience of mental ill-health and recovery.")
    page.get_by_role("button", name="Create vacancy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("status")).to_have_text("Vacancy created as a draft. Next: add the panel.")
    expect(page.locator("#remit")).to_have_text("Support people on the ward using your lived experience.")
    expect(page.locator("#criteria")).to_have_text("Lived experience of mental ill-health and recovery.")
    expect_step(page, "Panel", "Add the panel")
    expect(page.locator("#not-yet")).to_contain_text("Open: the vacancy needs a panel")
    for account, lived in ((le_scorer, True), (scorer, False)):
        option = page.locator("#account_id option", has_text="E2E").filter(
            has_text="Peer support worker" if lived else "Peer supervisor")
        page.get_by_label("Add to panel").select_option(option.last.get_attribute("value"))
        if lived:
            page.get_by_label("In a lived-experience role").check()
        page.get_by_role("button", name="Add member").click()
        expect(page.get_by_role("status")).to_have_text("Panel member saved.")
    expect_step(page, "Open", "Open the vacancy to applications")
    page.get_by_label("Move to").select_option("open")
    page.get_by_role("button", name="Change status").click()
    expect(page.locator("#vacancy-status")).to_have_text("open")
    expect(page.get_by_role("status")).to_have_text("The vacancy is open: its public page takes applications.")
    expect_step(page, "Close", "Close the vacancy to applications after the closing date")
    vacancy_url = page.url.split("?")[0]

    # An applicant, with no account, applies through the public page.
    applicant = new_page()
    applicant.goto(f"/jobs/{ORG}")
    applicant.get_by_role("link", name=title).click()
    no_blocking_violations(applicant)
    applicant.get_by_label("Your name").fill("Alex Applicant")
    applicant.get_by_label("Email address").fill("alex.applicant@example.org")
    for value in ("Mutuality", "Reciprocity", "Hope and recovery focus", "Strengths focus", "Authenticity",
                  "Inclusivity", "Safety"):
        applicant.get_by_label(value, exact=True).fill(ANSWER)
    applicant.get_by_label("Your lived experience (optional)").fill("I found my way back with peer support.")
    applicant.get_by_label("Adjustments you need for an interview (optional)").fill("A quiet room, please.")
    applicant.get_by_label("Do you consider yourself disabled?").select_option("Yes")
    applicant.get_by_role("button", name="Send application").click()
    expect(applicant.get_by_role("heading", level=1)).to_have_text("Application sent")
    reference = re.search(r"C-[A-Z0-9]{6}", applicant.get_by_role("status").inner_text()).group(0)
    private_link = applicant.get_by_role("status").get_by_role("link").get_attribute("href")
    assert private_link and "/application/" in private_link

    # A second applicant changes their mind: asked first, then withdrawn.
    second = new_page()
    second_link = apply_as(second, title, "Jo Second", "jo.second@example.org")
    second.goto(second_link)
    second.get_by_role("button", name="Withdraw my application").click()
    expect(second.get_by_role("heading", level=1)).to_have_text(f"Withdraw your application for {title}?")
    expect(second.locator("#confirm-effects")).to_contain_text("This cannot be undone.")
    expect(second.locator("#confirm-told")).to_have_text("Nobody is emailed.")
    no_blocking_violations(second)
    second.get_by_role("link", name="No, go back").click()
    expect(second.locator("#application-status")).to_have_text("Received")  # going back changed nothing
    second.get_by_role("button", name="Withdraw my application").click()
    second.get_by_role("button", name="Withdraw my application").click()
    expect(second.locator("#application-status")).to_have_text("Withdrawn")
    expect(second.get_by_role("status")).to_have_text("Your application is withdrawn. Thank you for your interest.")

    # Closing is asked about first: the page says what happens and that nobody is emailed.
    page.goto(vacancy_url)
    page.get_by_label("Move to").select_option("closed")
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Close {title} to applications?")
    expect(page.locator("#confirm-effects")).to_contain_text("Applications in progress (1) go to the panel to score.")
    expect(page.locator("#confirm-told")).to_have_text("Nobody is emailed.")
    no_blocking_violations(page)
    page.get_by_role("button", name="Close to applications").click()
    expect(page.locator("#vacancy-status")).to_have_text("closed")
    expect(page.get_by_role("status")).to_have_text("The vacancy is closed to applications: the panel can now score.")
    expect_step(page, "Shortlist", "The panel scores each application (1 waiting)")

    # Two panel members score independently, without seeing who applied.
    score_application(new_page(), le_scorer, title, reference, 4)
    score_application(new_page(), scorer, title, reference, 3)

    # The recruiter shortlists and sets up a recruitment day.
    page.goto(vacancy_url)
    page.get_by_role("link", name=reference).click()
    expect(page.locator("#compliance-ok")).to_be_visible()
    expect(page.locator("#statement")).to_have_text("I found my way back with peer support.")
    page.get_by_label("Agreed result and reasons").fill("Strong on mutuality; agreed 3.5.")
    page.get_by_role("button", name="Shortlist").click()
    expect(page.locator("#application-status")).to_have_text("shortlisted")
    expect(page.get_by_role("status")).to_contain_text("Shortlisted. The applicant is emailed")
    no_blocking_violations(page)
    page.goto(vacancy_url)
    expect_step(page, "Interview", "Add a recruitment day")
    interview_day = date.today() + timedelta(days=7)
    page.get_by_label("Interview date").fill(interview_day.isoformat())
    page.get_by_label("First slot starts (UK time)").fill("10:00")
    page.get_by_label("Last slot ends by").fill("11:30")
    page.get_by_label("Where").fill("Recovery College, Room 2")
    page.get_by_role("button", name="Add day").click()
    expect(page.get_by_role("table", name="Interview slots").locator("tbody tr")).to_have_count(2)
    expect(page.get_by_role("status")).to_contain_text("Recruitment day added")

    # The applicant books a slot through their private link.
    applicant.goto(private_link)
    expect(applicant.locator("#application-status")).to_contain_text("Shortlisted")
    applicant.get_by_label(re.compile(r"10:00 to 10:45")).check()
    applicant.get_by_role("button", name="Book this time").click()
    expect(applicant.locator("#interview-time")).to_contain_text("10:00 to 10:45, Recovery College, Room 2")
    expect(applicant.get_by_role("status")).to_contain_text("Your interview is booked.")
    no_blocking_violations(applicant)

    # Offer and hire: the new starter is invited to sign in and gets a first supervision agreement.
    page.goto(vacancy_url)
    expect(page.get_by_role("table", name="Interview slots")).to_contain_text(reference)
    expect_step(page, "Offer", "After the interviews, offer the post")
    page.get_by_role("link", name=reference).click()
    page.get_by_role("button", name="Offer the post").click()
    expect(page.locator("#application-status")).to_have_text("offered")
    expect(page.get_by_role("status")).to_contain_text("Offer recorded.")
    page.get_by_label("First day").fill((interview_day + timedelta(days=28)).isoformat())
    page.get_by_label("Peer supervisor").select_option(label="E2E supervisor")
    page.get_by_role("button", name="Hire and start onboarding").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Hired")
    expect(status).to_contain_text("supervision: done")
    expect(status).to_contain_text("sign-in: done – Invited to sign in")
    expect(status).to_contain_text("induction: done – Booked on Induction from their first day")
    expect(status).to_contain_text("pairing: pending – Suggested buddy")
    expect(page.locator("#application-status")).to_have_text("hired")

    applicant.goto(private_link)
    expect(applicant.locator("#application-status")).to_have_text("Hired")
