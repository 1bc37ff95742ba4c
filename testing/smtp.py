"""A real SMTP server for tests (aiosmtpd), on 127.0.0.1 at a free port, keeping what it
accepts; Django's SMTP backend is pointed at it for the test.

``smtp_server.refuse(n)`` makes it answer 451 (try again later) to the next ``n`` messages,
as a busy or failing server does; ``smtp_server.down()`` points Django at a port where
nothing listens, so connecting is refused. Use it in a test module with::

    from testing.smtp import smtp_server_fixture  # noqa: F401
"""

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage
    raw: bytes

    def part(self, content_type: str) -> str:
        """The text of the message's part of this type ("text/plain", "text/html")."""
        for part in self.message.walk():
            if part.get_content_type() == content_type and not part.is_multipart():
                content = part.get_content()
                assert isinstance(content, str)
                return content
        raise AssertionError(f"No {content_type} part in {self.message['Subject']!r}")

    def header(self, name: str) -> str:
        """The header as a mail program reads it: unfolded, without the space around it."""
        value = self.message[name]
        assert value is not None, f"No {name} header"
        return " ".join(str(value).split())


@dataclass
class Handler:
    """aiosmtpd's handler: refuses while ``refusals`` lasts, then keeps each message."""

    refusals: int = 0
    refused: int = 0
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.lock:
            if self.refusals > 0:
                self.refusals -= 1
                self.refused += 1
                return "451 4.3.0 Try again later (test)"
            content = envelope.content
            assert isinstance(content, bytes)
            message = message_from_bytes(content, policy=policy.default)
            assert isinstance(message, EmailMessage)
            self.received.append(
                Received(
                    sender=str(envelope.mail_from),
                    recipients=[str(r) for r in envelope.rcpt_tos],
                    message=message,
                    raw=content,
                )
            )
        return "250 OK"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class SmtpServer:
    def __init__(self, settings: Any) -> None:
        self.handler = Handler()
        self.port = _free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.settings = settings

    @property
    def messages(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    @property
    def refused(self) -> int:
        return self.handler.refused

    def refuse(self, count: int) -> None:
        """Answer 451 to the next ``count`` messages."""
        with self.handler.lock:
            self.handler.refusals = count

    def down(self) -> None:
        """Nothing listens where Django sends mail: connecting is refused."""
        self.settings.EMAIL_PORT = _free_port()

    def up(self) -> None:
        self.settings.EMAIL_PORT = self.port

    def use(self) -> None:
        self.settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        self.settings.EMAIL_HOST = "127.0.0.1"
        self.settings.EMAIL_HOST_USER = ""
        self.settings.EMAIL_HOST_PASSWORD = ""
        self.settings.EMAIL_USE_TLS = False
        self.settings.EMAIL_USE_SSL = False
        self.settings.EMAIL_TIMEOUT = 5
        self.up()


@pytest.fixture(name="smtp_server")
def smtp_server_fixture(settings: Any) -> Iterator[SmtpServer]:
    server = SmtpServer(settings)
    server.controller.start()
    server.use()
    try:
        yield server
    finally:
        server.controller.stop()
