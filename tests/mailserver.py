"""A real SMTP server on loopback (aiosmtpd, in its own thread) that keeps what it receives:
used by the mail tests and by the browser tests' live server."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiosmtpd.controller import Controller

from peerwork.core.mail.transports import SmtpTransport
from tests.ports import free_port


@dataclass
class SmtpServer:
    port: int = field(default_factory=free_port)
    received: list[bytes] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd handler hook
        self.received.append(envelope.content)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def transport(self) -> SmtpTransport:
        return SmtpTransport("127.0.0.1", self.port, timeout=5)
