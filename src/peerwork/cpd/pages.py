"""Development pages: my CPD, the course catalogue, CPD compliance, pairing, the seven supports."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Template

from peerwork.core.errors import DomainError
from peerwork.web.feedback import notice_for, redirect_with_notice
from peerwork.web.shell import MULTIPART, form_to, render, signed_in_principal
from peerwork.cpd import records as cpd, evidence as cpd_evidence, report as cpd_report
from peerwork.cpd.schemas import AcknowledgeIn, CourseIn, RecordIn
from peerwork.cpd.controllers import MAX_EVIDENCE_REQUEST_BYTES, evidence_response

STATUS_LABELS = {"due": "Due", "booked": "Booked", "done": "Done", "expiring": "Expiring soon", "expired": "Expired"}
NOTICES = {"recorded": "Your CPD is recorded.", "verified": "Record verified.",
           "acknowledged": "Thank you: your reading of the role description is recorded.",
           "course": "Course added to the catalogue."}


async def _cpd_page(request: Request, status_code: int = 200, error: str | None = None,
                    form: dict[str, Any] | None = None) -> Template:
    principal = signed_in_principal(request)
    return render(request, "cpd.html", status_code=status_code, title="My CPD", error=error, form=form or {},
                  records=await cpd.my_records(principal), courses=await cpd.list_courses(principal),
                  mine=await cpd_report.my_compliance(principal), acknowledged=await cpd.acknowledged(principal),
                  supervisees=await cpd.supervisee_records(principal) if principal.can("cpd:verify") else [],
                  status_labels=STATUS_LABELS, today=date.today(),
                  notice=None if error else notice_for(request, NOTICES))


@get("/cpd", include_in_schema=False)
async def cpd_page(request: Request) -> Template:
    signed_in_principal(request).require("cpd:record")
    return await _cpd_page(request)


@post("/cpd/records", include_in_schema=False, status_code=303, request_max_body_size=MAX_EVIDENCE_REQUEST_BYTES)
async def record_page(request: Request, data: Annotated[dict[str, Any], MULTIPART]) -> Template | Redirect:
    principal = signed_in_principal(request)
    form = {k: v for k, v in data.items() if isinstance(v, str)}
    try:
        upload = data.get("evidence")
        content = await upload.read() if isinstance(upload, UploadFile) and upload.filename else None
        if content is not None:  # check the file before saving anything
            cpd_evidence.check_file(upload.filename, content, request.app.state.settings.evidence_max_bytes)
        made = await cpd.record_cpd(principal, form_to(RecordIn, form, activity=form.get("activity", "").strip()))
        if content is not None:
            await cpd_evidence.attach(principal, made.id, upload.filename, content)
    except DomainError as exc:
        return await _cpd_page(request, status_code=exc.status_code, error=exc.detail, form=form)
    return redirect_with_notice("/cpd", "recorded")


@post("/cpd/records/{record_id:uuid}/verify", include_in_schema=False, status_code=303)
async def verify_page(request: Request, record_id: UUID) -> Redirect:
    await cpd.verify(signed_in_principal(request), record_id)
    return redirect_with_notice("/cpd", "verified")


@get("/cpd/records/{record_id:uuid}/evidence", include_in_schema=False)
async def evidence_page(request: Request, record_id: UUID) -> Response[bytes]:
    return evidence_response(await cpd_evidence.open_evidence(signed_in_principal(request), record_id))


@post("/cpd/acknowledge", include_in_schema=False, status_code=303)
async def acknowledge_page(request: Request) -> Redirect:
    await cpd.acknowledge(signed_in_principal(request), AcknowledgeIn())
    return redirect_with_notice("/cpd", "acknowledged")


@get("/cpd/courses", include_in_schema=False)
async def courses_page(request: Request) -> Template:
    principal = signed_in_principal(request)
    principal.require("cpd:manage")
    return render(request, "cpd_courses.html", title="Course catalogue", error=None, form={},
                  courses=await cpd.list_courses(principal, include_inactive=True),
                  notice=notice_for(request, NOTICES))


@post("/cpd/courses", include_in_schema=False, status_code=303)
async def create_course_page(request: Request) -> Template | Redirect:
    principal = signed_in_principal(request)
    principal.require("cpd:manage")
    form = await request.form()
    data = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        # One checkbox per role: the ticked ones make the list.
        course = form_to(CourseIn, data, title=data.get("title", "").strip(),
                         mandatory_for=form.getall("mandatory_for", []))
        await cpd.create_course(principal, course)
    except DomainError as exc:
        return render(request, "cpd_courses.html", status_code=exc.status_code, title="Course catalogue",
                      error=exc.detail, form=data, courses=await cpd.list_courses(principal, include_inactive=True))
    return redirect_with_notice("/cpd/courses", "course")


@get("/cpd/compliance", include_in_schema=False)
async def compliance_page(request: Request) -> Template:
    principal = signed_in_principal(request)
    rows = await cpd_report.organisation_compliance(principal)
    return render(request, "cpd_compliance.html", title="CPD compliance", rows=rows, status_labels=STATUS_LABELS)


@get("/cpd/compliance.csv", include_in_schema=False)
async def compliance_csv_page(request: Request) -> Response[str]:
    body = await cpd_report.compliance_csv(signed_in_principal(request))
    return Response(body, media_type="text/csv",  # Litestar adds "; charset=utf-8"
                    headers={"Content-Disposition": 'attachment; filename="cpd-compliance.csv"'})


PAGES = [cpd_page, record_page, verify_page, evidence_page, acknowledge_page, courses_page,
         create_course_page, compliance_page, compliance_csv_page]
