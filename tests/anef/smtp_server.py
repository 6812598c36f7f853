"""A tiny SMTP server on localhost for the outbox's tests: enough of RFC 5321 for smtplib
(greeting, EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), no TLS nor authentication. The
standard library's smtpd is deprecated (gone in Python 3.12) and aiosmtpd is not a dependency.

It can be stopped and started again on the same port: stopped, nothing listens and a client
gets "connection refused", as from a mail server that is down."""

import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> Message:
        return message_from_bytes(self.data)


@dataclass
class TinySmtpServer:
    host: str = "127.0.0.1"
    port: int = 0
    received: list[Received] = field(default_factory=list)
    _listener: socket.socket | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if not self.port:  # a free port, kept for every start
            probe = socket.socket()
            probe.bind((self.host, 0))
            self.port = probe.getsockname()[1]
            probe.close()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(5)
        self._listener = listener
        self._thread = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # closed by stop()
                return
            with client:
                client.settimeout(5)
                self._serve(client)

    def _serve(self, client: socket.socket) -> None:
        stream = client.makefile("rb")
        send = client.sendall
        send(b"220 tiny-smtp ready\r\n")
        sender, recipients = "", []
        while line := stream.readline():
            command = line.decode("ascii", "replace").strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                send(b"250-tiny-smtp\r\n250 8BITMIME\r\n")
            elif verb in ("HELO", "NOOP"):
                send(b"250 OK\r\n")
            elif verb == "MAIL":
                sender, recipients = command.split(":", 1)[1].strip().strip("<>"), []
                send(b"250 OK\r\n")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                send(b"250 OK\r\n")
            elif verb == "DATA":
                send(b"354 end with <CRLF>.<CRLF>\r\n")
                data = bytearray()
                while (chunk := stream.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                with self._lock:
                    self.received.append(Received(sender, recipients, bytes(data)))
                send(b"250 OK queued\r\n")
            elif verb == "RSET":
                sender, recipients = "", []
                send(b"250 OK\r\n")
            elif verb == "QUIT":
                send(b"221 bye\r\n")
                return
            else:
                send(b"502 not implemented\r\n")
