"""Mail this service receives: an SMTP listener, started and stopped with the app.

It runs on the app's own event loop (aiosmtpd's protocol under ``loop.create_server``, not its
threaded ``Controller``), so the handler can use the app's database pool. It is meant to sit
behind the organisation's mail relay on an internal address (no TLS, no sign-in of its own):
it takes mail only for recipients ``accepts`` approves, at most ``max_bytes`` a message and a
few recipients a message, and it answers every well-formed message the same way whatever the
handler made of it, so a sender learns nothing about what exists. Nothing about a message
(addresses, content) is ever logged.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiosmtpd.smtp import SMTP

logger = logging.getLogger("peerwork.mail.inbound")

Accepts = Callable[[str], bool]
Deliver = Callable[[bytes, list[str]], Awaitable[None]]
MAX_RECIPIENTS = 5


@dataclass
class _Handler:
    accepts: Accepts
    deliver: Deliver

    async def handle_RCPT(self, server, session, envelope, address: str, rcpt_options) -> str:  # aiosmtpd hook
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        if not self.accepts(address):
            return "550 5.1.1 Not a mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd hook
        content = envelope.original_content or envelope.content or b""
        try:
            await self.deliver(bytes(content), list(envelope.rcpt_tos))
        except Exception as exc:  # one bad message must not stop the listener
            # The type and stack, never the message: it could echo the mail or a row.
            stack = "".join(traceback.format_tb(exc.__traceback__))
            logger.error("inbound message not handled: %s\n%s", type(exc).__name__, stack)
        return "250 OK"


class InboundListener:
    """``start()`` listens on host:port; ``stop()`` closes the port and waits for it."""

    def __init__(self, host: str, port: int, *, accepts: Accepts, deliver: Deliver, max_bytes: int) -> None:
        self.host, self.port, self.max_bytes = host, port, max_bytes
        self._handler = _Handler(accepts, deliver)
        self._server: asyncio.base_events.Server | None = None

    async def start(self) -> None:
        # aiosmtpd logs each session's commands (addresses included) on "mail.log".
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: SMTP(self._handler, data_size_limit=self.max_bytes, hostname="peerwork",
                         ident="peerwork", timeout=60, loop=loop),
            host=self.host, port=self.port,
        )
        logger.info("listening for invite replies on %s:%s", self.host, self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
