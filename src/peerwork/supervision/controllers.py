"""Supervision API: agreements, groups, sessions, notes (parties only), compliance, cover."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post, put

from peerwork.supervision import agreements, compliance_service, notes, sessions
from peerwork.supervision.schemas import (
    AcceptIn,
    AgreementIn,
    AgreementOut,
    CancelIn,
    CommentIn,
    ComplianceRow,
    CoverIn,
    CoverOut,
    GroupIn,
    GroupOut,
    MoveIn,
    NotesIn,
    NotesOut,
    OutcomeIn,
    PolicyIn,
    ProposeIn,
    SessionOut,
)
from peerwork.core.access import Principal


class AgreementController(Controller):
    path = "/supervision/agreements"
    tags = ["supervision"]

    @get("/", opt={"right": "supervision:read"})
    async def list_agreements(self, principal: Principal) -> list[AgreementOut]:
        return await agreements.list_agreements(principal)

    @post("/", opt={"right": "supervision:manage"})
    async def create_agreement(self, principal: Principal, data: AgreementIn) -> AgreementOut:
        return await agreements.create_agreement(principal, data)

    @get("/{agreement_id:uuid}", opt={"right": "supervision:read"})
    async def get_agreement(self, principal: Principal, agreement_id: UUID) -> AgreementOut:
        return await agreements.get_agreement(principal, agreement_id)

    @post("/{agreement_id:uuid}/end", status_code=200, opt={"right": "supervision:manage"})
    async def end_agreement(self, principal: Principal, agreement_id: UUID) -> AgreementOut:
        return await agreements.end_agreement(principal, agreement_id)

    @post("/{agreement_id:uuid}/proposals", opt={"right": "supervision:manage"})
    async def propose(self, principal: Principal, agreement_id: UUID, data: ProposeIn) -> list[SessionOut]:
        """Propose the coming months' sessions; unavoidable clashes come back with a reason."""
        return await sessions.propose_sessions(principal, agreement_id, data.months)

    @post("/{agreement_id:uuid}/accept", status_code=200, opt={"right": "supervision:manage"})
    async def accept(self, principal: Principal, agreement_id: UUID, data: AcceptIn) -> list[SessionOut]:
        return await sessions.accept(principal, agreement_id, data.session_ids)

    @get("/{agreement_id:uuid}/sessions", opt={"right": "supervision:read"})
    async def agreement_sessions(self, principal: Principal, agreement_id: UUID) -> list[SessionOut]:
        return await sessions.sessions_for(principal, agreement_id=agreement_id)


class GroupController(Controller):
    path = "/supervision/groups"
    tags = ["supervision"]

    @post("/", opt={"right": "supervision:manage"})
    async def create_group(self, principal: Principal, data: GroupIn) -> GroupOut:
        return await agreements.create_group(principal, data)

    @get("/{group_id:uuid}", opt={"right": "supervision:manage"})
    async def get_group(self, principal: Principal, group_id: UUID) -> GroupOut:
        return await agreements.get_group(principal, group_id)


class SessionController(Controller):
    path = "/supervision/sessions"
    tags = ["supervision"]

    @get("/", opt={"right": "supervision:read"})
    async def my_sessions(self, principal: Principal) -> list[SessionOut]:
        """The caller's own sessions (as supervisor, supervisee or group member)."""
        return await sessions.sessions_for(principal, mine=True)

    @get("/{session_id:uuid}", opt={"right": "supervision:read"})
    async def get_session(self, principal: Principal, session_id: UUID) -> SessionOut:
        return await sessions.get_session(principal, session_id)

    @post("/{session_id:uuid}/move", status_code=200, opt={"right": "supervision:read"})
    async def move(self, principal: Principal, session_id: UUID, data: MoveIn) -> SessionOut:
        return await sessions.move(principal, session_id, data.start, data.end, data.reason)

    @post("/{session_id:uuid}/cancel", status_code=200, opt={"right": "supervision:read"})
    async def cancel(self, principal: Principal, session_id: UUID, data: CancelIn) -> SessionOut:
        return await sessions.cancel(principal, session_id, data.by, data.reason)

    @post("/{session_id:uuid}/outcome", status_code=200, opt={"right": "supervision:read"})
    async def outcome(self, principal: Principal, session_id: UUID, data: OutcomeIn) -> SessionOut:
        return await sessions.record_outcome(principal, session_id, data.status, data.attended_ids)

    @get("/{session_id:uuid}/notes", opt={"right": "supervision:read"})
    async def read_notes(self, principal: Principal, session_id: UUID) -> NotesOut:
        """Only the session's supervisor and supervisee; every read is audited."""
        return await notes.read_notes(principal, session_id)

    @put("/{session_id:uuid}/notes", opt={"right": "supervision:read"})
    async def write_notes(self, principal: Principal, session_id: UUID, data: NotesIn) -> NotesOut:
        return await notes.write_notes(principal, session_id, data.notes, data.actions)

    @post("/{session_id:uuid}/notes/comment", status_code=200, opt={"right": "supervision:read"})
    async def comment(self, principal: Principal, session_id: UUID, data: CommentIn) -> NotesOut:
        return await notes.comment(principal, session_id, data.comment, data.confirm)


class ComplianceController(Controller):
    path = "/supervision"
    tags = ["supervision"]

    @get("/compliance", opt={"right": "supervision:manage"})
    async def compliance(self, principal: Principal) -> list[ComplianceRow]:
        return await compliance_service.compliance_table(principal)

    @post("/cover", opt={"right": "supervision:manage"})
    async def cover(self, principal: Principal, data: CoverIn) -> CoverOut:
        arrangement, moved = await sessions.arrange_cover(principal, data.away_id, data.cover_id, data.start_date,
                                                          data.end_date)
        return CoverOut(id=arrangement, sessions_moved=moved)

    @put("/policy", opt={"right": "supervision:policy"})
    async def set_policy(self, principal: Principal, data: PolicyIn) -> PolicyIn:
        return await agreements.set_policy(principal, data)


ROUTES = [AgreementController, GroupController, SessionController, ComplianceController]
