"""Training API: the trainer pool, course runs and places on them."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post

from peerwork.core.access import Principal
from peerwork.training import places, runs
from peerwork.training.schemas import BookOtherIn, RequestOut, RunIn, RunOut, TrainerIn, TrainerOut
from peerwork.training.attendance_controllers import ATTENDANCE_ROUTES


class TrainerController(Controller):
    path = "/training/trainers"
    tags = ["training"]

    @get("/", opt={"right": "training:lead"})
    async def list_trainers(self, principal: Principal) -> list[TrainerOut]:
        return await runs.list_trainers(principal)

    @post("/", opt={"right": "training:lead"})
    async def add_trainer(self, principal: Principal, data: TrainerIn) -> TrainerOut:
        """Add an accredited trainer to the pool (or update their accreditation)."""
        return await runs.add_trainer(principal, data)


class RunController(Controller):
    path = "/training/runs"
    tags = ["training"]

    @get("/", opt={"right": "training:read"})
    async def list_runs(self, principal: Principal) -> list[RunOut]:
        return await runs.list_runs(principal)

    @post("/", opt={"right": "training:lead"})
    async def schedule_run(self, principal: Principal, data: RunIn) -> RunOut:
        """Schedule a course as ``sessions`` dated sessions repeating ``every`` day, week or fortnight."""
        return await runs.schedule_run(principal, data)

    @get("/{run_id:uuid}", opt={"right": "training:read"})
    async def get_run(self, principal: Principal, run_id: UUID) -> RunOut:
        return await runs.get_run(principal, run_id)

    @post("/{run_id:uuid}/cancel", opt={"right": "training:lead"})
    async def cancel_run(self, principal: Principal, run_id: UUID) -> RunOut:
        return await runs.cancel_run(principal, run_id)

    @post("/{run_id:uuid}/places", opt={"right": "training:book"})
    async def book(self, principal: Principal, run_id: UUID) -> RunOut:
        """A place for yourself on every session (or a request awaiting your manager's approval)."""
        return await places.book_self(principal, run_id)

    @post("/{run_id:uuid}/places/cancel", opt={"right": "training:book"})
    async def cancel_place(self, principal: Principal, run_id: UUID) -> RunOut:
        return await places.cancel_mine(principal, run_id)

    @post("/{run_id:uuid}/places/for", opt={"right": "training:book"})
    async def book_for(self, principal: Principal, run_id: UUID, data: BookOtherIn) -> RequestOut:
        """A training lead or the person's line manager books them a place; they may decline."""
        return await places.book_other(principal, run_id, data.account_id)


class RequestController(Controller):
    path = "/training/requests"
    tags = ["training"]

    @get("/", opt={"right": "training:book"})
    async def mine(self, principal: Principal) -> list[RequestOut]:
        """Places others booked for you and your requests awaiting approval."""
        return await places.my_requests(principal)

    @get("/awaiting-me", opt={"right": "training:book"})
    async def awaiting_me(self, principal: Principal) -> list[RequestOut]:
        return await places.awaiting_me(principal)

    @post("/{request_id:uuid}/decline", opt={"right": "training:book"})
    async def decline(self, principal: Principal, request_id: UUID) -> RequestOut:
        return await places.decline(principal, request_id)

    @post("/{request_id:uuid}/approve", opt={"right": "training:book"})
    async def approve(self, principal: Principal, request_id: UUID) -> RequestOut:
        return await places.decide(principal, request_id, approve=True)

    @post("/{request_id:uuid}/refuse", opt={"right": "training:book"})
    async def refuse(self, principal: Principal, request_id: UUID) -> RequestOut:
        return await places.decide(principal, request_id, approve=False)


ROUTES = [TrainerController, RunController, RequestController]
# Trainers' sessions and attendance; trainers' records and the programme figure.
ROUTES += ATTENDANCE_ROUTES
