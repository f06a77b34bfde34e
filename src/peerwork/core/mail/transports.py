"""Where messages go once the outbox lets them out: an SMTP server, or a folder of .eml files."""

from __future__ import annotations

import asyncio
import os
import tempfile
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit
from uuid import UUID

import aiosmtplib

from peerwork.core.mail.message import POLICY
from peerwork.core.settings import SettingsError


@dataclass(frozen=True)
class SmtpTransport:
    """One connection per message: the job sends a handful a minute, and a fresh connection
    never inherits a half-broken session from an earlier failure."""

    host: str
    port: int
    use_tls: bool = False  # implicit TLS (smtps); otherwise STARTTLS is used when offered
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 10

    async def send(self, message_id: UUID, message: EmailMessage) -> None:
        await aiosmtplib.send(
            message, hostname=self.host, port=self.port, use_tls=self.use_tls,
            username=self.username, password=self.password, timeout=self.timeout,
        )


@dataclass(frozen=True)
class FileTransport:
    """Writes ``<outbox id>.eml`` into ``folder``: a demo or test needs no mail server."""

    folder: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "folder", Path(self.folder))  # accept a str too

    def path_for(self, message_id: UUID) -> Path:
        return self.folder / f"{message_id}.eml"

    def _write(self, message_id: UUID, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        # Write then rename: a reader never sees half a message, and a resend replaces it whole.
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path_for(message_id))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    async def send(self, message_id: UUID, message: EmailMessage) -> None:
        await asyncio.to_thread(self._write, message_id, message.as_bytes(policy=POLICY))


def transport_from_url(url: str) -> SmtpTransport | FileTransport:
    """``smtp://[user:password@]host[:port]`` (port 25; STARTTLS when offered),
    ``smtps://...`` (implicit TLS, port 465), ``file:///absolute/folder`` or ``file://relative/folder``."""
    if url.startswith("file://"):
        folder = unquote(url.removeprefix("file://"))
        if not folder:
            raise SettingsError(f"Mail URL {url!r} names no folder.")
        return FileTransport(folder)
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise SettingsError(
            f"Mail URL {url!r} is not understood: use smtp://host:port, smtps://host:port or file:///folder."
        )
    try:
        port = parts.port
    except ValueError:
        raise SettingsError(f"Mail URL {url!r} has a port that is not a number.") from None
    use_tls = parts.scheme == "smtps"
    return SmtpTransport(
        host=parts.hostname,
        port=port or (465 if use_tls else 25),
        use_tls=use_tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )
