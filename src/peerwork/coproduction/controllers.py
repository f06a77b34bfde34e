"""Co-production API: the involvement policy and who is paid under it, activities and their
lines, finance's export and payments, and each person's own record."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, patch, post, put
from litestar.params import QueryParameter

from peerwork.core.access import Principal
from peerwork.coproduction import activities, participants, payments, policy
from peerwork.coproduction.schemas import (
    ActivityIn, ActivityOut, ActivitySummary, CorrectionIn, LineEdit, LineIn, LineOut, MyRecord, PaidIn, PaidOut,
    ParticipantIn, ParticipantOut, PolicyIn, PolicyOut, PreferenceIn,
)

MaybeFrom = Annotated[date | None, QueryParameter(name="from", description="First activity date (inclusive)")]
MaybeTo = Annotated[date | None, QueryParameter(name="to", description="Last activity date (inclusive; by default today)")]


class CoproductionController(Controller):
    path = "/coproduction"
    tags = ["coproduction"]

    @get("/policy", opt={"right": "coproduction:manage"})
    async def get_policy(self, principal: Principal) -> PolicyOut:
        return await policy.get_policy(principal)

    @put("/policy", opt={"right": "coproduction:manage"})
    async def set_policy(self, principal: Principal, data: PolicyIn) -> PolicyOut:
        """Rates apply to lines recorded from now on; recorded lines keep the rate they copied."""
        return await policy.set_policy(principal, data)

    @get("/participants", opt={"right": "coproduction:manage"})
    async def list_participants(self, principal: Principal) -> list[ParticipantOut]:
        return await participants.list_participants(principal)

    @post("/participants", opt={"right": "coproduction:manage"})
    async def add_participant(self, principal: Principal, data: ParticipantIn) -> ParticipantOut:
        return await participants.add_participant(principal, data)

    @patch("/participants/{participant_id:uuid}", opt={"right": "coproduction:manage"})
    async def set_preference(self, principal: Principal, participant_id: UUID, data: PreferenceIn) -> ParticipantOut:
        return await participants.set_preference(principal, participant_id, data.preference)

    @get("/activities", opt={"right": "coproduction:manage"})
    async def list_activities(self, principal: Principal, start: MaybeFrom = None,
                              end: MaybeTo = None) -> list[ActivitySummary]:
        return await activities.list_activities(principal, start, end)

    @post("/activities", opt={"right": "coproduction:manage"})
    async def create_activity(self, principal: Principal, data: ActivityIn) -> ActivityOut:
        return await activities.create_activity(principal, data)

    @get("/activities/{activity_id:uuid}", opt={"right": "coproduction:manage"})
    async def get_activity(self, principal: Principal, activity_id: UUID) -> ActivityOut:
        return await activities.get_activity(principal, activity_id)

    @post("/activities/{activity_id:uuid}/lines", opt={"right": "coproduction:manage"})
    async def add_line(self, principal: Principal, activity_id: UUID, data: LineIn) -> LineOut:
        return await activities.add_line(principal, activity_id, data)

    @patch("/lines/{line_id:uuid}", opt={"right": "coproduction:manage"})
    async def edit_line(self, principal: Principal, line_id: UUID, data: LineEdit) -> LineOut:
        """Only while due; a paid line is corrected with a correcting line."""
        return await activities.edit_line(principal, line_id, data)

    @post("/lines/{line_id:uuid}/correction", opt={"right": "coproduction:manage"})
    async def correct_line(self, principal: Principal, line_id: UUID, data: CorrectionIn) -> LineOut:
        return await activities.correct_line(principal, line_id, data)

    @post("/payments", status_code=200, opt={"right": "coproduction:finance"})
    async def mark_paid(self, principal: Principal, data: PaidIn) -> PaidOut:
        return await payments.mark_paid(principal, data)

    @get("/due.csv", media_type="text/csv", opt={"right": "coproduction:finance"})
    async def due_csv(self, principal: Principal, start: MaybeFrom = None, end: MaybeTo = None) -> Response[str]:
        """What is due for activities held in the dates (by default the last year), one row per
        person and activity."""
        body = await payments.due_csv(principal, start, end)
        return Response(body, media_type="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="involvement-due.csv"'})

    @get("/mine", opt={"right": "coproduction:mine"})
    async def mine(self, principal: Principal) -> MyRecord:
        return await payments.my_record(principal)


ROUTES = [CoproductionController]
