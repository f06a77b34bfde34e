"""Recruitment API for the figures beyond live vacancies: past rounds loaded from a file, and
the funnel split by ethnicity and disability."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body

from peerwork.core.access import Principal
from peerwork.core.errors import InvalidInput
from peerwork.recruitment import funnel_equality, history
from peerwork.recruitment.schemas import EqualityFunnelYear, PastRoundOut, RoundsImportOut

MAX_ROUNDS_BYTES = 5 * 1024 * 1024  # thousands of rounds; a person's file is a few lines


class RecruitmentHistoryController(Controller):
    path = "/recruitment"
    tags = ["recruitment"]

    @get("/rounds", opt={"right": "recruitment:funnel"})
    async def list_rounds(self, principal: Principal) -> list[PastRoundOut]:
        """Past recruitment rounds loaded as figures; a null stage was not recorded (unknown)."""
        return await history.list_rounds(principal)

    @post("/rounds/import", status_code=200, request_max_body_size=MAX_ROUNDS_BYTES,
          opt={"right": "recruitment:manage"})
    async def import_rounds(
        self, principal: Principal, data: Annotated[UploadFile, Body(media_type=RequestEncodingType.MULTI_PART)],
        dry_run: bool = False,
    ) -> RoundsImportOut:
        """Upload a CSV of past rounds as the multipart field ``data`` (docs/recruitment-history.md).
        Any problem comes back in ``errors`` as line, column and problem, and nothing is loaded."""
        if not isinstance(data, UploadFile):
            raise InvalidInput("Send the CSV as a multipart file field named 'data'.")
        report = await history.import_rounds(principal.organisation_id, await data.read(), actor=principal,
                                             dry_run=dry_run)
        return report.out()

    @get("/funnel/equality", opt={"right": "recruitment:equality"})
    async def equality_funnel(self, principal: Principal, year: int | None = None) -> list[EqualityFunnelYear]:
        """Per year: applied, shortlisted and appointed by ethnicity and by disability, and the
        relative likelihood of appointment from shortlisting (WRES indicator 2, WDES metric 2).
        Counts under 5 read "<5" and their rates are withheld."""
        return await funnel_equality.equality_funnel(principal, year)


ROUTES = [RecruitmentHistoryController]
