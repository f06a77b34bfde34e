"""Places on course runs: booking yourself, booking someone else (who is told and may decline),
and a line manager's approval when the run asks for it.

A place on a run is a place on every one of its sessions, taken or given up together through
the community booking engine (``community.booking_sets``): capacity, the waiting list and its
promotion, invites and audit are the engine's, in the same transaction as the request here.

While a place awaits approval it holds no place and no queue position: approval books through
the engine at that moment (a place if one is left, else the back of the waiting list).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from peerwork.community import booking_sets
from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from peerwork.core.mail.outbox import enqueue
from peerwork.core.tables import Account, Membership
from peerwork.core.time import now
from peerwork.cpd.tables import LineManager
from peerwork.training.runs import get_run, run_row, session_ids
from peerwork.training.schemas import RequestOut, RunOut
from peerwork.training.tables import PlaceRequest


async def _open_sessions(run: dict[str, Any]) -> list[UUID]:
    if run["status"] != "scheduled":
        raise Conflict("This course run has been cancelled.")
    ids = await session_ids(run["series"])
    if not ids:
        raise Conflict("This course run has no sessions left to book.")
    return ids


async def _manager_of(organisation_id: UUID, account_id: UUID) -> UUID | None:
    row = await LineManager.select(LineManager.manager).where(
        (LineManager.organisation == organisation_id) & (LineManager.account == account_id)).first()
    return row["manager"] if row else None


async def _person(organisation_id: UUID, account_id: UUID) -> dict[str, Any]:
    if not await Membership.exists().where(
            (Membership.organisation == organisation_id) & (Membership.account == account_id)):
        raise InvalidInput("account_id: not an account in your organisation")
    return await Account.select(Account.id, Account.email, Account.display_name).where(
        Account.id == account_id).first()


async def _tell(principal: Principal, person: dict[str, Any], subject: str, text: str) -> None:
    await enqueue(to_address=person["email"], to_name=person["display_name"], subject=subject,
                  body_text=text, organisation_id=principal.organisation_id)


async def _live_request(run_id: UUID, account_id: UUID) -> dict[str, Any] | None:
    return await PlaceRequest.select().where(
        (PlaceRequest.run == run_id) & (PlaceRequest.account == account_id)
        & PlaceRequest.status.is_in(["pending", "booked"])).first()


async def _ask_approval(principal: Principal, run: dict[str, Any], person: dict[str, Any],
                        manager_id: UUID | None) -> None:
    """Inside the run's lock: a pending request (no place held) and an email to the manager."""
    if await _live_request(run["id"], person["id"]):
        return  # already asked (or already booked for them)
    request = PlaceRequest(organisation=principal.organisation_id, run=run["id"], account=person["id"],
                           booked_by=principal.account_id, status="pending")
    await request.save()
    await audit.record(principal, "create", "place_request", request.id, status="pending")
    if manager_id is not None:
        manager = await Account.select(Account.email, Account.display_name).where(Account.id == manager_id).first()
        await _tell(principal, manager, f"Approval asked: {run['course.title']}",
                    f"{person['display_name']} would like a place on {run['course.title']}. "
                    "Approve or refuse it on the course's page in peerwork (Training).")


async def book_self(principal: Principal, run_id: UUID) -> RunOut:
    """A place for yourself on every session; awaiting your line manager's approval when the run
    needs it."""
    principal.require("training:book")
    run = await run_row(principal, run_id)
    ids = await _open_sessions(run)
    person = await _person(principal.organisation_id, principal.account_id)
    async with booking_sets.held(ids):
        if run["requires_approval"]:
            manager = await _manager_of(principal.organisation_id, principal.account_id)
            await _ask_approval(principal, run, person, manager)
        else:
            await booking_sets.book_all(principal, principal.account_id, principal.organisation_id, ids)
    return await get_run(principal, run_id)


async def _may_book_for(principal: Principal, account_id: UUID) -> bool:
    """Training leads book anyone in the organisation; a line manager books the people they manage.
    True when the booker is the person's line manager (their booking is also their approval)."""
    is_manager = await _manager_of(principal.organisation_id, account_id) == principal.account_id
    if not (is_manager or principal.can("training:lead")):
        raise PermissionDenied("Only a training lead or the person's line manager books a place for them.")
    return is_manager


async def bookable_people(principal: Principal) -> list[dict[str, Any]]:
    """Whom the caller may book (id and display name, by name): anyone else in the organisation
    for a training lead, else the people they line-manage (book_other checks the choice again)."""
    if principal.can("training:lead"):
        ids = await Membership.select(Membership.account).where(
            Membership.organisation == principal.organisation_id).output(as_list=True)
    else:
        ids = await LineManager.select(LineManager.account).where(
            (LineManager.organisation == principal.organisation_id) & (LineManager.manager == principal.account_id)
        ).output(as_list=True)
    ids = [i for i in ids if i != principal.account_id]
    if not ids:
        return []
    return await Account.select(Account.id, Account.display_name).where(Account.id.is_in(ids)).order_by(
        Account.display_name)


async def book_other(principal: Principal, run_id: UUID, account_id: UUID) -> RequestOut:
    """Book a place for someone else; they are emailed and may decline. When the run needs a
    manager's approval and the booker is not their line manager, the place awaits it."""
    principal.require("training:book")
    run = await run_row(principal, run_id)
    person = await _person(principal.organisation_id, account_id)
    is_manager = await _may_book_for(principal, account_id)
    ids = await _open_sessions(run)
    async with booking_sets.held(ids):
        if run["requires_approval"] and not is_manager:
            await _ask_approval(principal, run, person, await _manager_of(principal.organisation_id, account_id))
        else:
            await booking_sets.book_all(principal, account_id, principal.organisation_id, ids)
            if await _live_request(run_id, account_id) is None:
                request = PlaceRequest(organisation=principal.organisation_id, run=run_id, account=account_id,
                                       booked_by=principal.account_id, status="booked", decided_at=now())
                await request.save()
                await audit.record(principal, "create", "place_request", request.id, status="booked")
            await _tell(principal, person, f"You have a place: {run['course.title']}",
                        f"{principal.display_name} booked you a place on {run['course.title']}. "
                        "Your calendar invites follow. If you cannot go, decline it on the course's page in "
                        "peerwork (Training): the place goes to the next person waiting.")
    return await _request_out(principal, await _live_request(run_id, account_id))


async def _request(principal: Principal, request_id: UUID) -> dict[str, Any]:
    row = await PlaceRequest.select().where(
        (PlaceRequest.id == request_id) & (PlaceRequest.organisation == principal.organisation_id)).first()
    if row is None:
        raise NotFound("No such place request.")
    return row


async def _request_out(principal: Principal, row: dict[str, Any]) -> RequestOut:
    names = {a["id"]: a["display_name"] for a in await Account.select(Account.id, Account.display_name).where(
        Account.id.is_in([row["account"], row["booked_by"]]))}
    run = await run_row(principal, row["run"])
    return RequestOut(id=row["id"], run_id=row["run"], title=run["course.title"], account_id=row["account"],
                      name=names.get(row["account"], ""), booked_by=names.get(row["booked_by"], ""),
                      status=row["status"], created_at=row["created_at"])


async def decline(principal: Principal, request_id: UUID) -> RequestOut:
    """The person booked by someone else gives the place up; the next in the queue gets it."""
    principal.require("training:book")
    row = await _request(principal, request_id)
    if row["account"] != principal.account_id:
        raise NotFound("No such place request.")
    if row["status"] not in ("booked", "pending"):
        raise Conflict(f"This place is already {row['status']}.")
    run = await run_row(principal, row["run"])
    ids = await session_ids(run["series"])
    async with booking_sets.held(ids):
        if await PlaceRequest.select(PlaceRequest.status).where(
                PlaceRequest.id == request_id).first() != {"status": row["status"]}:
            raise Conflict("This place changed meanwhile; reload and try again.")
        await booking_sets.cancel_all(principal, principal.account_id, ids)
        await PlaceRequest.update({PlaceRequest.status: "declined", PlaceRequest.updated_at: now()}).where(
            PlaceRequest.id == request_id)
        await audit.record(principal, "decline", "place_request", request_id)
    return await _request_out(principal, await _request(principal, request_id))


async def cancel_mine(principal: Principal, run_id: UUID) -> RunOut:
    """Give up your place (or queue position, or pending request) on every session."""
    principal.require("training:book")
    run = await run_row(principal, run_id)
    ids = await session_ids(run["series"])
    async with booking_sets.held(ids):
        await booking_sets.cancel_all(principal, principal.account_id, ids)
        await PlaceRequest.update({PlaceRequest.status: "cancelled", PlaceRequest.updated_at: now()}).where(
            (PlaceRequest.run == run_id) & (PlaceRequest.account == principal.account_id)
            & PlaceRequest.status.is_in(["pending", "booked"]))
        await audit.record(principal, "cancel", "course_run_place", run_id)
    return await get_run(principal, run_id)


async def _may_decide(principal: Principal, row: dict[str, Any]) -> None:
    """The person's line manager decides; a training lead may when nobody manages them."""
    manager = await _manager_of(principal.organisation_id, row["account"])
    if manager == principal.account_id or (manager is None and principal.can("training:lead")):
        return
    raise PermissionDenied("Only the person's line manager approves or refuses this place.")


async def decide(principal: Principal, request_id: UUID, *, approve: bool) -> RequestOut:
    """Approve (the place is booked through the engine: confirmed and invited, or waitlisted
    if the run filled meanwhile) or refuse (nothing was held, so nothing is freed)."""
    principal.require("training:book")
    row = await _request(principal, request_id)
    await _may_decide(principal, row)
    run = await run_row(principal, row["run"])
    ids = await _open_sessions(run) if approve else await session_ids(run["series"])
    person = await _person(principal.organisation_id, row["account"])
    async with booking_sets.held(ids):
        status = (await PlaceRequest.select(PlaceRequest.status).where(PlaceRequest.id == request_id).first())["status"]
        if status != "pending":
            raise Conflict(f"This request is already {status}.")
        if approve:
            await booking_sets.book_all(principal, row["account"], principal.organisation_id, ids)
        await PlaceRequest.update({
            PlaceRequest.status: "booked" if approve else "refused", PlaceRequest.decided_by: principal.account_id,
            PlaceRequest.decided_at: now(), PlaceRequest.updated_at: now(),
        }).where(PlaceRequest.id == request_id)
        await audit.record(principal, "approve" if approve else "refuse", "place_request", request_id)
        await _tell(principal, person, f"{'Approved' if approve else 'Not approved'}: {run['course.title']}",
                    f"Your place on {run['course.title']} was {'approved' if approve else 'not approved'} "
                    f"by {principal.display_name}."
                    + (" Your calendar invites follow." if approve else ""))
    return await _request_out(principal, await _request(principal, request_id))


async def awaiting_me(principal: Principal) -> list[RequestOut]:
    """Requests waiting for the caller's approval (as line manager; a training lead also sees
    those of people nobody manages)."""
    principal.require("training:book")
    managed = await LineManager.select(LineManager.account).where(
        (LineManager.organisation == principal.organisation_id) & (LineManager.manager == principal.account_id)
    ).output(as_list=True)
    rows = await PlaceRequest.select().where(
        (PlaceRequest.organisation == principal.organisation_id) & (PlaceRequest.status == "pending")
    ).order_by(PlaceRequest.created_at)
    mine = []
    for row in rows:
        if row["account"] in managed:
            mine.append(row)
        elif principal.can("training:lead") and await _manager_of(principal.organisation_id, row["account"]) is None:
            mine.append(row)
    return [await _request_out(principal, r) for r in mine]


async def my_requests(principal: Principal) -> list[RequestOut]:
    """Places others booked for me (to decline) and my requests awaiting approval."""
    principal.require("training:book")
    rows = await PlaceRequest.select().where(
        (PlaceRequest.organisation == principal.organisation_id) & (PlaceRequest.account == principal.account_id)
        & PlaceRequest.status.is_in(["pending", "booked"])).order_by(PlaceRequest.created_at)
    return [await _request_out(principal, r) for r in rows]
