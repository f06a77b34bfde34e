"""What a check-in suggests, as a pure function of the need and what there is to offer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from peerwork.wellbeing.schemas import Link, Suggestion

DEBRIEF_PATH = "/debrief"  # the debrief-on-request page (its own package; linked, never imported)
SPACES_PATH = "/community"
SUPERVISION_PATH = "/supervision"
PLAN_PATH = "/wellbeing#plan"


@dataclass(frozen=True)
class NextSpace:
    title: str
    start: datetime
    href: str


def suggestion(need: str, *, next_space: NextSpace | None, what_helps: str, supervisor: str = "") -> Suggestion:
    """Connection: the next reflective space they could book; rest: their own words on what
    helps; support: ask for a debrief, or talk to their supervisor."""
    if need == "connection":
        if next_space is not None:
            when = next_space.start.strftime("%-d %b at %H:%M")
            return Suggestion(text=f"The next space you could book is {next_space.title} on {when}.",
                              links=[Link(label=f"Book {next_space.title}", href=next_space.href),
                                     Link(label="All reflective spaces", href=SPACES_PATH)])
        return Suggestion(text="There is no space open for booking just now; see what is coming up.",
                          links=[Link(label="Reflective spaces", href=SPACES_PATH)])
    if need == "rest":
        if what_helps.strip():
            return Suggestion(text=f"In your plan you said this helps: {what_helps.strip()}",
                              links=[Link(label="My wellness plan", href=PLAN_PATH)])
        return Suggestion(text="Your plan does not say yet what helps you rest. You could add it now.",
                          links=[Link(label="My wellness plan", href=PLAN_PATH)])
    who = f"your supervisor, {supervisor}" if supervisor else "your supervisor"
    return Suggestion(text=f"You could ask for a debrief, or talk to {who}.",
                      links=[Link(label="Ask for a debrief", href=DEBRIEF_PATH),
                             Link(label="My supervision and supervisor", href=SUPERVISION_PATH)])
