"""CPD evidence files: checked by type and size, kept outside the web root, served only to the
record's owner, their supervisor and admins. Files are stored under a random name; the name
the person gave is kept only for the download."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from peerwork.core.db import transaction
from peerwork.core.errors import InvalidInput, NotFound, PermissionDenied
from peerwork.core.settings import current_settings
from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.cpd.records import may_see, record_out, record_row
from peerwork.cpd.schemas import RecordOut
from peerwork.cpd.tables import CpdRecord

# extension -> (media type, how the file starts)
ALLOWED = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
}


class UnsupportedEvidence(InvalidInput):
    status_code = 415
    code = "unsupported-file-type"
    title = "File type not accepted"


class EvidenceTooLarge(InvalidInput):
    status_code = 413
    code = "file-too-large"
    title = "File too large"


@dataclass(frozen=True)
class Evidence:
    path: Path
    filename: str
    media_type: str


def check_file(filename: str, content: bytes, max_bytes: int) -> str:
    """The media type of an acceptable evidence file, or a clear 413/415/422."""
    if not content:
        raise InvalidInput("The evidence file is empty.")
    if len(content) > max_bytes:
        raise EvidenceTooLarge(f"The evidence file is {len(content) / 1048576:.1f} MB; the limit is "
                               f"{max_bytes / 1048576:.0f} MB.")
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in ALLOWED:
        raise UnsupportedEvidence("Evidence must be a PDF, PNG, JPEG or Word (.docx) file.")
    media_type, signatures = ALLOWED[extension]
    if not content.startswith(signatures):
        raise UnsupportedEvidence(f"This file is not really a .{extension} file.")
    return media_type


def _safe_name(filename: str) -> str:
    name = re.sub(r"[^\w.\- ]", "_", Path(filename).name).strip() or "evidence"
    return name[:200]


def files_root() -> Path:
    return Path(current_settings().files_dir).resolve()


async def attach(principal: Principal, record_id: UUID, filename: str, content: bytes) -> RecordOut:
    """Attach (or replace) the evidence for one of the caller's own records."""
    principal.require("cpd:record")
    row = await record_row(principal, record_id)
    if row["account_id"] != principal.account_id:
        raise PermissionDenied("Only the person whose record this is can add evidence.")
    media_type = check_file(filename, content, current_settings().evidence_max_bytes)
    folder = files_root() / "cpd" / str(principal.organisation_id)
    folder.mkdir(parents=True, exist_ok=True)
    key = uuid.uuid4().hex
    (folder / key).write_bytes(content)
    old = row["evidence_key"]
    async with transaction():
        await CpdRecord.update({
            CpdRecord.evidence_key: key, CpdRecord.evidence_name: _safe_name(filename),
            CpdRecord.evidence_type: media_type, CpdRecord.evidence_size: len(content),
        }).where(CpdRecord.id == record_id)
        await audit.record(principal, "update", "cpd_record", record_id, fields=["evidence"])
    if old:
        (folder / old).unlink(missing_ok=True)
    return record_out(await record_row(principal, record_id), principal)


async def open_evidence(principal: Principal, record_id: UUID) -> Evidence:
    """The evidence file, for the owner, their supervisor or an admin; each read is audited."""
    row = await record_row(principal, record_id)
    if not await may_see(principal, row["account_id"]):
        raise PermissionDenied("Only the person, their supervisor and admins can open this evidence.")
    if not row["evidence_key"]:
        raise NotFound("This CPD record has no evidence file.")
    path = files_root() / "cpd" / str(principal.organisation_id) / row["evidence_key"]
    if not path.is_file():
        raise NotFound("The evidence file is missing.")
    await audit.record(principal, "read", "cpd_record", record_id, fields=["evidence"])
    return Evidence(path=path, filename=row["evidence_name"] or "evidence", media_type=row["evidence_type"])
