"""Review-date reminders: the owner is emailed once for each review date that falls due.

The email names only which record is due and links to it: never a word of it. Each document's
``reminded_for`` moves to the due review date in the same transaction as the email is queued,
and only from the value read, and the email carries a dedupe key for that document and date: a
second instance (or a second run) finds nothing left to send. Setting a new review date starts
the next reminder.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from peerwork.core.db import transaction
from peerwork.core.mail import outbox
from peerwork.core.settings import current_settings
from peerwork.core.tables import Account
from peerwork.core.time import LONDON
from peerwork.wellbeing.schemas import KIND_LABELS
from peerwork.wellbeing.tables import WellbeingDocument


def due_line(kind: str) -> str:
    """Which record is due for review, in the owner's words: "Your wellness plan is due for review"."""
    return f"Your {KIND_LABELS[kind].lower()} is due for review"


def reminder_text(kind: str, link: str) -> tuple[str, str]:
    """Subject and body: which record is due for review, and where to review it."""
    label = KIND_LABELS[kind].lower()
    body = (f"Hello,\n\nYour {label} is due for review. You can read it, change it, set the next "
            f"review date and see who can read it here:\n\n{link}\n\n"
            "Nobody else has been told. This email does not include anything you wrote.\n")
    return due_line(kind), body


async def due_for_review(owner: UUID, today: date) -> list[dict[str, Any]]:
    """The kind and review date of each of ``owner``'s records whose review date is ``today`` or
    past (the reminders' rule; the date is kept in the clear for them), plan before passport.
    Nothing of what they wrote is read."""
    rows = await WellbeingDocument.select(WellbeingDocument.kind, WellbeingDocument.review_date).where(
        (WellbeingDocument.owner == owner) & WellbeingDocument.review_date.is_not_null()
        & (WellbeingDocument.review_date <= today))
    order = list(KIND_LABELS)
    return sorted(rows, key=lambda row: order.index(row["kind"]))


async def send_review_reminders(due: datetime) -> int:
    """Email every owner whose review date has come and who was not reminded of it yet."""
    today = due.astimezone(LONDON).date()
    rows = await WellbeingDocument.select(
        WellbeingDocument.id, WellbeingDocument.organisation, WellbeingDocument.owner, WellbeingDocument.kind,
        WellbeingDocument.review_date, WellbeingDocument.reminded_for,
    ).where(WellbeingDocument.review_date.is_not_null() & (WellbeingDocument.review_date <= today))
    link = f"{current_settings().site_url}/wellbeing"
    sent = 0
    for row in rows:
        if row["reminded_for"] == row["review_date"]:
            continue
        sent += await _remind(row, link)
    return sent


async def _remind(row: dict, link: str) -> int:
    async with transaction():
        condition = (WellbeingDocument.id == row["id"]) & (WellbeingDocument.review_date == row["review_date"])
        condition &= (WellbeingDocument.reminded_for.is_null() if row["reminded_for"] is None
                      else WellbeingDocument.reminded_for == row["reminded_for"])
        claimed = await WellbeingDocument.update({WellbeingDocument.reminded_for: row["review_date"]}).where(
            condition).returning(WellbeingDocument.id)
        if not claimed:  # another instance took it, or the owner changed the date meanwhile
            return 0
        owner = await Account.select(Account.email, Account.display_name).where(Account.id == row["owner"]).first()
        subject, body = reminder_text(row["kind"], link)
        queued = await outbox.enqueue(to_address=owner["email"], to_name=owner["display_name"], subject=subject,
                                      body_text=body, organisation_id=row["organisation"],
                                      dedupe_key=f"wellbeing-review:{row['id']}:{row['review_date'].isoformat()}")
        return 1 if queued else 0
