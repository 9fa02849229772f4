"""A minimal SMTP server on localhost that keeps what it receives: enough of RFC 5321 for smtplib."""

from __future__ import annotations

import socketserver
import threading
from email import message_from_bytes
from email.message import Message
from types import TracebackType


class _Session(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        self._reply(b"220 sink ESMTP")
        while line := self.rfile.readline():
            command = line.strip().split(b" ", 1)[0].upper()
            if command == b"EHLO":
                self._reply(b"250 sink")
            elif command in (b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                self._reply(b"250 OK")
            elif command == b"DATA":
                self._reply(b"354 end with <CRLF>.<CRLF>")
                self.server.received.append(message_from_bytes(self._data()))
                self._reply(b"250 queued")
            elif command == b"QUIT":
                self._reply(b"221 bye")
                return
            else:
                self._reply(b"502 not implemented")

    def _data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines)

    def _reply(self, text: bytes) -> None:
        self.wfile.write(text + b"\r\n")


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    received: list[Message]


class SmtpSink:
    def __init__(self, port: int) -> None:
        self.port = port
        self.received: list[Message] = []
        self._server: _Server | None = None

    def __enter__(self) -> SmtpSink:
        self._server = _Server(("127.0.0.1", self.port), _Session)
        self._server.received = self.received
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()
