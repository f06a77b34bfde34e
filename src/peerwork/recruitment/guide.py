"""Where a vacancy is in the recruitment order, what comes next, and what cannot happen yet.

The order is panel -> open -> close -> shortlist -> interview -> offer. Pure: the page passes
what it has already read (the vacancy's status, its panel, its applications and slots), so the
guide says exactly what the rules in ``vacancies`` and ``scoring`` will allow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

STEPS = [("panel", "Panel"), ("open", "Open"), ("close", "Close"), ("shortlist", "Shortlist"),
         ("interview", "Interview"), ("offer", "Offer")]
SHORTLISTED_OR_LATER = {"shortlisted", "offered", "hired"}
OFFERED_OR_LATER = {"offered", "hired"}


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    state: str  # "done", "current" or "to do"


@dataclass(frozen=True)
class Guide:
    steps: list[Step]
    next_step: str
    not_yet: list[str]  # "X: why not yet", one a line


def _done(status: str, panel_size: int, statuses: Sequence[str], booked: int) -> dict[str, bool]:
    after_open = status not in ("draft",)
    closed = status in ("closed", "shortlisting", "interviewing", "filled")
    return {
        "panel": panel_size > 0,
        "open": after_open,
        "close": closed,
        "shortlist": any(s in SHORTLISTED_OR_LATER for s in statuses) or status in ("interviewing", "filled"),
        "interview": booked > 0 or status in ("interviewing", "filled"),
        "offer": any(s in OFFERED_OR_LATER for s in statuses) or status == "filled",
    }


def vacancy_guide(*, status: str, panel_size: int, lived_experience_on_panel: bool, undeclared: int,
                  statuses: Sequence[str], slots: int, booked: int, closing_date: date, today: date) -> Guide:
    """The steps with the current one marked, the next thing to do, and what is not possible yet."""
    done = _done(status, panel_size, statuses, booked)
    current = next((key for key, _ in STEPS if not done[key]), None)
    steps = [Step(key, label, "done" if done[key] else "current" if key == current else "to do")
             for key, label in STEPS]
    hired = sum(1 for s in statuses if s == "hired")
    waiting = sum(1 for s in statuses if s == "submitted")
    not_yet: list[str] = []

    if status == "withdrawn":
        return Guide([Step(s.key, s.label, "done" if s.state == "done" else "to do") for s in steps],
                     "Nothing: this vacancy was withdrawn. Open a new vacancy to recruit again.", [])
    if status == "filled":
        return Guide(steps, "Nothing: this vacancy is filled. Onboarding continues on each hire's page.", [])

    policy = []
    if not lived_experience_on_panel:
        policy.append("at least one panel member must hold a lived-experience role")
    if undeclared:
        policy.append(f"{undeclared} panel member{'s' if undeclared != 1 else ''} must still declare conflicts")

    if status == "draft":
        if panel_size == 0:
            next_step = "Add the panel below, with at least one member in a lived-experience role."
            not_yet.append("Open: the vacancy needs a panel before it can take applications.")
        else:
            next_step = "Open the vacancy to applications (Move to: open)."
        not_yet.append("Shortlist: applications must be taken and then closed first.")
        not_yet.append("Interview days: the vacancy must be open first.")
    elif status == "open":
        when = "now that the closing date has passed" if closing_date < today else \
            f"after the closing date ({closing_date.strftime('%-d %b %Y')})"
        next_step = f"Close the vacancy to applications {when} (Move to: closed)."
        not_yet.append("Score and shortlist: applications are still coming in; close the vacancy first.")
    elif status == "closed" and not statuses:
        next_step = "No applications came in: reopen the vacancy with a later closing date, or withdraw it."
        not_yet.append("Shortlist: there is nobody to shortlist.")
    elif status in ("closed", "shortlisting") and not done["shortlist"]:
        next_step = (f"The panel scores each application ({waiting} waiting); then shortlist on the "
                     "application's page those the panel agrees on.")
        not_yet.append("Interview: nobody is shortlisted yet.")
    elif not done["interview"]:
        next_step = ("Shortlisted applicants book an interview through their private link."
                     if slots else "Add a recruitment day below so shortlisted applicants can book an interview.")
        not_yet.append("Offer: interviews have not happened yet.")
    elif not done["offer"]:
        next_step = "After the interviews, offer the post on the chosen applicant's page."
    elif hired == 0:
        next_step = "Hire the applicant who accepts, on their application's page: that starts onboarding."
    else:
        next_step = "Every post taken? Mark the vacancy filled (Move to: filled)."
    if hired == 0 and status != "draft":
        not_yet.append("Filled: nobody has been hired yet.")
    if policy and status in ("closed", "shortlisting", "interviewing"):
        not_yet.append("Decisions: " + "; ".join(policy) + ".")
    return Guide(steps, next_step, not_yet)
