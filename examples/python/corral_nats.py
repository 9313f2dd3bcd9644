"""A tiny NATS client over a plain socket (the NATS text protocol), Python standard library only.

Enough to publish a JetStream message with headers and wait for its ack, and to make a request.
"""
import json
import socket
import uuid
from urllib.parse import urlparse


class NatsError(Exception):
    pass


class Nats:
    def __init__(self, url="nats://127.0.0.1:4222", timeout=10.0):
        """`url` may list several servers of a cluster, comma-separated; each carries its own user."""
        self.urls = [u.strip() for u in url.split(",") if u.strip()]
        self.timeout = timeout
        self.sock = None
        self._next = 0
        self.reconnect()

    def reconnect(self):
        """(Re)connects to the first server of the list, from the one after the last used, that answers."""
        if self.sock:
            self.sock.close()
        errors = []
        for _ in self.urls:
            url = self.urls[self._next % len(self.urls)]
            self._next += 1
            try:
                self._connect(urlparse(url))
                return
            except (OSError, NatsError) as error:
                errors.append("%s: %s" % (urlparse(url).netloc.split("@")[-1], error))
        raise NatsError("no NATS server answered (%s)" % "; ".join(errors))

    def _connect(self, parsed):
        self.sock = socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 4222), timeout=self.timeout)
        self.buf = b""
        self._sid = 0
        info = self._line()
        if not info.startswith(b"INFO "):
            raise NatsError("not a NATS server: %r" % info[:40])
        connect = {"verbose": False, "pedantic": False, "headers": True, "no_responders": True, "lang": "python-stdlib", "version": "1"}
        if parsed.username:
            connect.update({"user": parsed.username, "pass": parsed.password or ""})
        self._send(b"CONNECT " + json.dumps(connect).encode() + b"\r\nPING\r\n")
        self._expect_pong()

    def _send(self, data):
        self.sock.sendall(data)

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise NatsError("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _bytes(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise NatsError("connection closed")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def _expect_pong(self):
        while True:
            line = self._line()
            if line == b"PONG":
                return
            if line.startswith(b"-ERR"):
                raise NatsError(line.decode())

    def _next_message(self):
        """Returns (headers: dict, payload: bytes) of the next MSG/HMSG, answering PINGs on the way."""
        while True:
            line = self._line()
            if line == b"PING":
                self._send(b"PONG\r\n")
                continue
            if line.startswith(b"-ERR"):
                raise NatsError(line.decode())
            parts = line.split()
            if parts[0] == b"MSG":
                return {}, self._bytes(int(parts[-1]))
            if parts[0] == b"HMSG":
                header_len, total = int(parts[-2]), int(parts[-1])
                raw = self._bytes(total)
                return self._parse_headers(raw[:header_len]), raw[header_len:]

    @staticmethod
    def _parse_headers(raw):
        lines = raw.decode().split("\r\n")
        headers = {"_status": lines[0][len("NATS/1.0"):].strip()}
        for line in lines[1:]:
            if ":" in line:
                key, value = line.split(":", 1)
                headers[key.strip()] = value.strip()
        return headers

    def request(self, subject, payload, headers=None):
        self._sid += 1
        inbox = "_INBOX." + uuid.uuid4().hex
        self._send(("SUB %s %d\r\n" % (inbox, self._sid)).encode())
        if headers:
            head = "NATS/1.0\r\n" + "".join("%s: %s\r\n" % kv for kv in headers.items()) + "\r\n"
            hb = head.encode()
            self._send(("HPUB %s %s %d %d\r\n" % (subject, inbox, len(hb), len(hb) + len(payload))).encode() + hb + payload + b"\r\n")
        else:
            self._send(("PUB %s %s %d\r\n" % (subject, inbox, len(payload))).encode() + payload + b"\r\n")
        hdrs, data = self._next_message()
        self._send(("UNSUB %d\r\n" % self._sid).encode())
        if hdrs.get("_status", "").startswith("503"):
            raise NatsError("no responders on " + subject)
        return data

    def close(self):
        self.sock.close()
