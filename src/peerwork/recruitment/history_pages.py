"""Pages for past recruitment rounds: see what is loaded, download the template, load a file."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.response import Template

from peerwork.recruitment import history, history_csv
from peerwork.recruitment.history_controllers import MAX_ROUNDS_BYTES
from peerwork.web.shell import MULTIPART, render, signed_in_principal

# What the page says about the file: the parser's own description, never a copy.
FORMAT_HELP = {"columns": history_csv.COLUMN_SPECS, "file_help": history_csv.FILE_HELP,
               "date_help": history_csv.DATE_HELP}
TITLE = "Past recruitment rounds"


async def _page(request: Request, *, status_code: int = 200, report: history.RoundsReport | None = None,
                filename: str = "", error: str | None = None) -> Template:
    principal = signed_in_principal(request)
    rounds = await history.list_rounds(principal)
    return render(request, "rounds.html", status_code=status_code, title=TITLE, rounds=rounds, report=report,
                  filename=filename, error=error, can_load=principal.can("recruitment:manage"), **FORMAT_HELP)


@get("/recruitment/rounds", include_in_schema=False)
async def rounds_page(request: Request) -> Template:
    return await _page(request)


@get("/recruitment/rounds-template.csv", include_in_schema=False)
async def rounds_template(request: Request) -> Response[str]:
    signed_in_principal(request).require("recruitment:manage")
    return Response(history_csv.template_csv(), media_type="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="past-rounds-template.csv"'})


@post("/recruitment/rounds", include_in_schema=False, status_code=200, request_max_body_size=MAX_ROUNDS_BYTES)
async def rounds_upload(request: Request, data: Annotated[dict[str, Any], MULTIPART]) -> Template:
    principal = signed_in_principal(request)
    principal.require("recruitment:manage")
    upload = data.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _page(request, status_code=400, error="Choose a CSV file to upload.")
    report = await history.import_rounds(principal.organisation_id, await upload.read(), actor=principal,
                                         dry_run=data.get("dry_run") == "yes")
    return await _page(request, status_code=200 if report.ok else 422, report=report, filename=upload.filename)


PAGES = [rounds_page, rounds_template, rounds_upload]
