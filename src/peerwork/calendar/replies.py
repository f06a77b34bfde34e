"""Replies to invites, from the inbound mail listener to the capability whose invite it was.

Off unless both ``PEERWORK_REPLY_ADDRESS`` and ``PEERWORK_REPLY_SMTP_PORT`` are set. The
listener takes mail only for ``<reply local part>+<token>@<reply domain>``; a message that is
too big, is not one REPLY, or whose token nobody recognises is dropped without a word.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from peerwork.calendar import imip
from peerwork.calendar.providers import CalendarProvider
from peerwork.core.settings import Settings

if TYPE_CHECKING:
    from peerwork.core.mail.inbound import InboundListener


def reply_listener(settings: Settings, providers: Sequence[CalendarProvider]) -> InboundListener | None:
    """The listener this process should run, or None when replies are not configured here."""
    if not settings.reply_address or not settings.reply_smtp_port:
        return None
    from peerwork.core.mail.inbound import InboundListener  # aiosmtpd: only where replies come in

    handlers = [p.reply for p in providers if p.reply is not None]
    base = settings.reply_address

    def accepts(recipient: str) -> bool:
        return imip.token_from(recipient, base) is not None

    async def deliver(raw: bytes, recipients: list[str]) -> None:
        if len(raw) > settings.reply_max_bytes:
            return
        reply = imip.parse_reply(raw)
        if reply is None:
            return
        for recipient in recipients:
            token = imip.token_from(recipient, base)
            if token is None:
                continue
            for handle in handlers:
                if await handle(token, reply):
                    break

    return InboundListener(settings.reply_smtp_host, settings.reply_smtp_port, accepts=accepts,
                           deliver=deliver, max_bytes=settings.reply_max_bytes)
