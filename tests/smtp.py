"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 at a free port, recording what arrives.

``smtp_server()`` starts one; ``free_port()`` reserves a port number for a server that is started
later ("SMTP down, then up"). Received mails are parsed with the standard library, so tests see
what a mail program would: recipients, decoded subject and text, and the calendar part.
"""
from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.raw, policy=policy.default)  # type: ignore[return-value]

    @property
    def subject(self) -> str:
        # Python's header folder may fold right after "Subject:"; mail programs strip that space.
        return str(self.message["Subject"]).strip()

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def text(self) -> str:
        body = self.message.get_body(preferencelist=("plain",))
        return body.get_content().replace("\r\n", "\n") if body is not None else ""

    def calendar_parts(self) -> list[EmailMessage]:
        return [part for part in self.message.walk() if part.get_content_type() == "text/calendar"]

    @property
    def calendar(self) -> str:
        parts = self.calendar_parts()
        return parts[0].get_content() if parts else ""

    def attachments(self) -> list[EmailMessage]:
        return list(self.message.iter_attachments())


@dataclass
class Recorder:
    """aiosmtpd handler: keeps every message; ``delay`` slows each DATA down (to overlap workers)."""

    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content
                                          or envelope.content))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    recorder: Recorder

    @property
    def received(self) -> list[Received]:
        with self.recorder.lock:
            return list(self.recorder.received)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.received) >= count:
                break
            time.sleep(0.02)
        return self.received


@contextmanager
def smtp_server(port: int | None = None, delay: float = 0.0, recorder: Recorder | None = None) -> Iterator[SmtpServer]:
    """``recorder``: a handler of one's own (a ``Recorder`` subclass that refuses or holds a message)."""
    recorder = recorder or Recorder(delay=delay)
    port = port or free_port()
    controller = Controller(recorder, hostname=HOST, port=port, ready_timeout=10)
    controller.start()
    try:
        yield SmtpServer(HOST, port, recorder)
    finally:
        controller.stop()


@contextmanager
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections and never says a word: an SMTP server that hangs."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((HOST, 0))
    listener.listen(16)
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()
