"""Development API: the course catalogue, CPD records and evidence, compliance, the seven supports."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, patch, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body

from peerwork.core.errors import InvalidInput, NotFound
from peerwork.cpd import records as cpd, evidence as cpd_evidence, report as cpd_report
from peerwork.core.access import Principal
from peerwork.cpd.schemas import (
    AcknowledgeIn,
    CourseIn,
    CourseOut,
    CoursePatch,
    LineManagerIn,
    PersonCompliance,
    PolicyIn,
    RecordIn,
    RecordOut,
)

# Above the evidence limit, so an oversized file gets peerwork's own clear 413.
MAX_EVIDENCE_REQUEST_BYTES = 64 * 1024 * 1024
EVIDENCE_MEDIA_TYPES = tuple(dict.fromkeys(media for media, _ in cpd_evidence.ALLOWED.values()))


def evidence_response(evidence: cpd_evidence.Evidence) -> Response[bytes]:
    safe = evidence.filename.replace('"', "")
    return Response(evidence.path.read_bytes(), media_type=evidence.media_type, headers={
        "Content-Disposition": f'attachment; filename="{safe}"', "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store"})


class CourseController(Controller):
    path = "/cpd/courses"
    tags = ["cpd"]

    @get("/", opt={"right": "cpd:record"})
    async def list_courses(self, principal: Principal) -> list[CourseOut]:
        return await cpd.list_courses(principal, include_inactive=principal.can("cpd:manage"))

    @post("/", opt={"right": "cpd:manage"})
    async def create_course(self, principal: Principal, data: CourseIn) -> CourseOut:
        return await cpd.create_course(principal, data)

    @patch("/{course_id:uuid}", opt={"right": "cpd:manage"})
    async def update_course(self, principal: Principal, course_id: UUID, data: CoursePatch) -> CourseOut:
        return await cpd.update_course(principal, course_id, data)


class RecordController(Controller):
    path = "/cpd/records"
    tags = ["cpd"]

    @get("/", opt={"right": "cpd:record"})
    async def my_records(self, principal: Principal) -> list[RecordOut]:
        """The caller's own CPD record, newest first."""
        return await cpd.my_records(principal)

    @post("/", opt={"right": "cpd:record"})
    async def record(self, principal: Principal, data: RecordIn) -> RecordOut:
        return await cpd.record_cpd(principal, data)

    @get("/supervisees", opt={"right": "cpd:verify"})
    async def supervisee_records(self, principal: Principal) -> list[RecordOut]:
        """Completed CPD of the people the caller supervises (no reflections)."""
        return await cpd.supervisee_records(principal)

    @post("/{record_id:uuid}/verify", status_code=200, opt={"right": "cpd:verify"})
    async def verify(self, principal: Principal, record_id: UUID) -> RecordOut:
        return await cpd.verify(principal, record_id)

    @post("/{record_id:uuid}/evidence", status_code=200, request_max_body_size=MAX_EVIDENCE_REQUEST_BYTES,
          opt={"right": "cpd:record"})
    async def attach_evidence(self, principal: Principal, record_id: UUID,
                              data: Annotated[UploadFile, Body(media_type=RequestEncodingType.MULTI_PART)]) -> RecordOut:
        """Upload a PDF, PNG, JPEG or .docx (10 MB at most) as the multipart field ``data``."""
        if not isinstance(data, UploadFile):
            raise InvalidInput("Send the evidence as a multipart file field named 'data'.")
        return await cpd_evidence.attach(principal, record_id, data.filename or "", await data.read())

    @get("/{record_id:uuid}/evidence", opt={"right": "cpd:record", "media_types": EVIDENCE_MEDIA_TYPES})
    async def evidence(self, principal: Principal, record_id: UUID) -> Response[bytes]:
        """The evidence file: for the owner, their supervisor and admins only."""
        return evidence_response(await cpd_evidence.open_evidence(principal, record_id))


class CpdController(Controller):
    path = "/cpd"
    tags = ["cpd"]

    @get("/compliance", opt={"right": "cpd:report"})
    async def compliance(self, principal: Principal) -> list[PersonCompliance]:
        return await cpd_report.organisation_compliance(principal)

    @get("/compliance.csv", media_type="text/csv", opt={"right": "cpd:report"})
    async def compliance_csv(self, principal: Principal) -> Response[str]:
        body = await cpd_report.compliance_csv(principal)
        return Response(body, media_type="text/csv",  # Litestar adds "; charset=utf-8"
                        headers={"Content-Disposition": 'attachment; filename="cpd-compliance.csv"'})

    @get("/compliance/mine", opt={"right": "cpd:record"})
    async def my_compliance(self, principal: Principal) -> PersonCompliance:
        found = await cpd_report.my_compliance(principal)
        if found is None:
            raise NotFound("You have no active role in this organisation.")
        return found

    @put("/policy", opt={"right": "cpd:manage"})
    async def set_policy(self, principal: Principal, data: PolicyIn) -> PolicyIn:
        return await cpd.set_policy(principal, data)

    @put("/line-managers", opt={"right": "people:write"})
    async def set_line_manager(self, principal: Principal, data: LineManagerIn) -> LineManagerIn:
        return await cpd.set_line_manager(principal, data)

    @post("/acknowledgements", status_code=200, opt={"right": "cpd:record"})
    async def acknowledge(self, principal: Principal, data: AcknowledgeIn) -> AcknowledgeIn:
        """The caller confirms they have read their written role description."""
        return await cpd.acknowledge(principal, data)


ROUTES = [CourseController, RecordController, CpdController]
