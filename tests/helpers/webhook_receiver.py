"""A real HTTP receiver for webhook tests: http.server in a thread that checks each delivery's Standard Webhooks
signature itself (as a receiver would, without Turnus's code) and keeps what it got."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    id: str
    timestamp: int
    body: dict[str, Any]
    signed: bool  # the signature matched the receiver's secret
    raw: bytes = b""  # the body as it came
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Receiver:
    url: str
    secret: str = ""  # whsec_…: set once the webhook is added
    status: int = 200  # what it answers
    delay: float = 0.0  # seconds it waits before answering (longer than the sender's timeout: a time-out)
    got: list[Received] = field(default_factory=list)
    attempts: int = 0  # requests seen, answered or not
    lock: threading.Lock = field(default_factory=threading.Lock)

    def verify(self, msg_id: str, timestamp: str, body: bytes, header: str) -> bool:
        key = base64.b64decode(self.secret.removeprefix("whsec_"))
        mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
        expected = "v1," + base64.b64encode(mac).decode()
        return any(hmac.compare_digest(expected, s) for s in header.split())

    def events(self) -> list[str]:
        return [r.body["type"] for r in self.got]


@contextmanager
def receiver() -> Iterator[Receiver]:
    box: list[Receiver] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            rec = box[0]
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with rec.lock:
                rec.attempts += 1
                status, delay = rec.status, rec.delay
            if delay:
                time.sleep(delay)
            if 200 <= status < 300:
                signed = rec.verify(self.headers["webhook-id"], self.headers["webhook-timestamp"], body,
                                    self.headers["webhook-signature"])
                with rec.lock:
                    rec.got.append(Received(self.headers["webhook-id"], int(self.headers["webhook-timestamp"]),
                                            json.loads(body), signed, body, {k.lower(): v for k, v in
                                                                             self.headers.items()}))
            try:
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()
            except OSError:  # the sender gave up waiting and closed the connection
                pass

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    box.append(Receiver(f"http://127.0.0.1:{server.server_address[1]}/hook"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield box[0]
    finally:
        server.shutdown()
        server.server_close()
