"""A small TURN client (RFC 5389 STUN, RFC 5766 TURN), enough to check a TURN server end to end.

It does what a browser does before a relayed call: Allocate with the long-term credential mechanism
(a 401 names the realm and a nonce; the request is sent again signed with MD5(user:realm:password)),
then, for the relay check, two allocations that let each other in (CreatePermission) and pass a few
bytes from one relayed address to the other (Send and Data indications). UDP, TCP and TLS (turns:).
"""

import contextlib
import hashlib
import hmac
import ipaddress
import os
import socket
import ssl
import struct
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

MAGIC_COOKIE = 0x2112A442

ALLOCATE, REFRESH, SEND, DATA, CREATE_PERMISSION = 0x003, 0x004, 0x006, 0x007, 0x008
REQUEST, INDICATION, SUCCESS, ERROR = 0x0000, 0x0010, 0x0100, 0x0110

USERNAME = 0x0006
MESSAGE_INTEGRITY = 0x0008
ERROR_CODE = 0x0009
LIFETIME = 0x000D
XOR_PEER_ADDRESS = 0x0012
DATA_ATTRIBUTE = 0x0013
REALM = 0x0014
NONCE = 0x0015
XOR_RELAYED_ADDRESS = 0x0016
REQUESTED_TRANSPORT = 0x0019
XOR_MAPPED_ADDRESS = 0x0020
SOFTWARE = 0x8022

UDP_PROTOCOL = 17


class TurnError(Exception):
    """The server refused (code and reason from its ERROR-CODE) or did not answer (code 0)."""

    def __init__(self, code, reason):
        super().__init__(f"{code} {reason}" if code else reason)
        self.code = code
        self.reason = reason


@dataclass
class TurnServerAddress:
    host: str
    port: int
    transport: str  # "udp", "tcp" or "tls"

    @classmethod
    def from_url(cls, url):
        """turn:host[:port][?transport=udp|tcp], turns:host[:port] (TLS over TCP)."""
        scheme, _, rest = url.partition(":")
        if scheme not in ("turn", "turns"):
            raise ValueError(f"not a TURN URL: {url}")
        parts = urlsplit("//" + rest)
        query = dict(item.split("=", 1) for item in parts.query.split("&") if "=" in item)
        transport = "tls" if scheme == "turns" else query.get("transport", "udp").lower()
        if transport not in ("udp", "tcp", "tls"):
            raise ValueError(f"unknown transport in {url}")
        return cls(parts.hostname, parts.port or (5349 if scheme == "turns" else 3478), transport)


@dataclass
class Message:
    method: int
    kind: int
    transaction: bytes
    attributes: list  # (type, value bytes), in order

    def get(self, attribute):
        return next((value for kind, value in self.attributes if kind == attribute), None)


def _pad(data):
    return data + b"\0" * (-len(data) % 4)


def encode(method, kind, attributes, *, transaction=None, key=None):
    """A STUN message; with `key`, MESSAGE-INTEGRITY is added last (RFC 5389 section 15.4)."""
    transaction = transaction or os.urandom(12)
    message_type = (method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2) | kind
    body = b"".join(struct.pack("!HH", t, len(v)) + _pad(v) for t, v in attributes)
    if key is None:
        return struct.pack("!HHI", message_type, len(body), MAGIC_COOKIE) + transaction + body
    header = struct.pack("!HHI", message_type, len(body) + 24, MAGIC_COOKIE) + transaction
    digest = hmac.new(key, header + body, hashlib.sha1).digest()
    return header + body + struct.pack("!HH", MESSAGE_INTEGRITY, 20) + digest


def decode(data):
    message_type, length, cookie = struct.unpack("!HHI", data[:8])
    if cookie != MAGIC_COOKIE or len(data) < 20 + length:
        raise TurnError(0, "the answer is not a STUN message")
    method = (message_type & 0x000F) | ((message_type & 0x00E0) >> 1) | ((message_type & 0x3E00) >> 2)
    attributes, offset = [], 20
    while offset + 4 <= 20 + length:
        kind, size = struct.unpack("!HH", data[offset : offset + 4])
        attributes.append((kind, data[offset + 4 : offset + 4 + size]))
        offset += 4 + size + (-size % 4)
    return Message(method, message_type & 0x0110, data[8:20], attributes)


def integrity_ok(data, key):
    """Check a response's MESSAGE-INTEGRITY: proof that the server knows the same secret."""
    offset = 20
    while offset + 4 <= len(data):
        kind, size = struct.unpack("!HH", data[offset : offset + 4])
        if kind == MESSAGE_INTEGRITY:
            header = data[:2] + struct.pack("!H", offset - 20 + 24) + data[4:20]
            expected = hmac.new(key, header + data[20:offset], hashlib.sha1).digest()
            return hmac.compare_digest(expected, data[offset + 4 : offset + 24])
        offset += 4 + size + (-size % 4)
    return False


def xor_address(value, transaction):
    family, port = struct.unpack("!xBH", value[:4])
    port ^= MAGIC_COOKIE >> 16
    mask = struct.pack("!I", MAGIC_COOKIE) + (transaction if family == 2 else b"")
    raw = bytes(a ^ b for a, b in zip(value[4:], mask, strict=False))
    return str(ipaddress.ip_address(raw)), port


def xor_address_value(host, port, transaction):
    address = ipaddress.ip_address(host)
    mask = struct.pack("!I", MAGIC_COOKIE) + (transaction if address.version == 6 else b"")
    raw = bytes(a ^ b for a, b in zip(address.packed, mask, strict=False))
    family = 1 if address.version == 4 else 2
    return struct.pack("!xBH", family, port ^ (MAGIC_COOKIE >> 16)) + raw


def _error(message):
    value = message.get(ERROR_CODE)
    if not value:
        return TurnError(0, "error response without a code")
    return TurnError(value[2] * 100 + value[3], value[4:].decode(errors="replace"))


class TurnConnection:
    """One transport to one TURN server, with its credential and (after allocate) its allocation."""

    def __init__(self, server, username, password, *, timeout=5.0, tls_context=None):
        self.server = server
        self.username = username.encode()
        self.password = password
        self.timeout = timeout
        self.realm = self.nonce = self.key = None
        self.relayed = self.mapped = None
        self.lifetime = None
        family = socket.getaddrinfo(server.host, server.port)[0][0]
        if server.transport == "udp":
            self.sock = socket.socket(family, socket.SOCK_DGRAM)
            self.sock.connect((server.host, server.port))
        else:
            self.sock = socket.create_connection((server.host, server.port), timeout=timeout)
            if server.transport == "tls":
                context = tls_context or ssl.create_default_context()
                self.sock = context.wrap_socket(self.sock, server_hostname=server.host)
        self.sock.settimeout(timeout)
        self.buffer = b""

    def close(self):
        self.sock.close()

    def _send(self, data):
        self.sock.sendall(data)

    def _receive(self, deadline):
        """One STUN message (over TCP, as many bytes as its header says)."""
        self.sock.settimeout(max(0.01, deadline - time.monotonic()))
        if self.server.transport == "udp":
            return self.sock.recv(65536)
        while len(self.buffer) < 20 or len(self.buffer) < 20 + struct.unpack("!H", self.buffer[2:4])[0]:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise TurnError(0, "the server closed the connection")
            self.buffer += chunk
        size = 20 + struct.unpack("!H", self.buffer[2:4])[0]
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def request(self, method, attributes):
        """Send a request, signed once the realm is known; retry on 401 and stale nonce (438)."""
        for _attempt in range(3):
            signed = []
            if self.key:
                signed = [(USERNAME, self.username), (REALM, self.realm), (NONCE, self.nonce)]
            transaction = os.urandom(12)
            data = encode(method, REQUEST, attributes + signed, transaction=transaction, key=self.key)
            reply = self._exchange(data, transaction)
            message = decode(reply)
            if message.kind == SUCCESS:
                if self.key and not integrity_ok(reply, self.key):
                    raise TurnError(0, "the answer's MESSAGE-INTEGRITY is wrong (another secret?)")
                return message
            error = _error(message)
            if error.code in (401, 438) and message.get(NONCE) and (error.code == 438 or not self.key):
                self.realm = message.get(REALM) or self.realm
                self.nonce = message.get(NONCE)
                secret = b"%s:%s:%s" % (self.username, self.realm, self.password.encode())
                self.key = hashlib.md5(secret).digest()  # noqa: S324 - RFC 5389's long-term key
                continue
            raise error
        raise TurnError(0, "the server kept asking for credentials")

    def _exchange(self, data, transaction):
        """Send and wait for the answer to this transaction; UDP resends with backoff (RFC 5389 7.2.1)."""
        deadline = time.monotonic() + self.timeout
        interval = 0.5
        while time.monotonic() < deadline:
            self._send(data)
            resend_at = min(deadline, time.monotonic() + interval)
            interval *= 2
            while time.monotonic() < resend_at or self.server.transport != "udp":
                try:
                    reply = self._receive(resend_at if self.server.transport == "udp" else deadline)
                except TimeoutError:
                    if self.server.transport != "udp":
                        raise TurnError(0, "no answer from the server") from None
                    break
                if len(reply) >= 20 and reply[8:20] == transaction:
                    return reply
        raise TurnError(
            0, f"no answer from {self.server.host}:{self.server.port} within {self.timeout:.0f} s"
        )

    def allocate(self):
        message = self.request(ALLOCATE, [(REQUESTED_TRANSPORT, struct.pack("!B3x", UDP_PROTOCOL))])
        self.relayed = xor_address(message.get(XOR_RELAYED_ADDRESS), message.transaction)
        mapped = message.get(XOR_MAPPED_ADDRESS)
        self.mapped = xor_address(mapped, message.transaction) if mapped else None
        lifetime = message.get(LIFETIME)
        self.lifetime = struct.unpack("!I", lifetime)[0] if lifetime else None
        return self.relayed

    def permit(self, host):
        transaction = os.urandom(12)
        self.request(CREATE_PERMISSION, [(XOR_PEER_ADDRESS, xor_address_value(host, 0, transaction))])

    def send_to(self, peer, payload):
        transaction = os.urandom(12)
        attributes = [(XOR_PEER_ADDRESS, xor_address_value(*peer, transaction)), (DATA_ATTRIBUTE, payload)]
        self._send(encode(SEND, INDICATION, attributes, transaction=transaction))

    def receive_data(self, timeout):
        """The payload of the next Data indication, or None."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                message = decode(self._receive(deadline))
            except TimeoutError:
                return None
            if message.method == DATA and message.kind == INDICATION:
                return message.get(DATA_ATTRIBUTE)
        return None

    def release(self):
        """Refresh with a lifetime of 0 frees the allocation at once (RFC 5766 section 7)."""
        with contextlib.suppress(TurnError, OSError):
            self.request(REFRESH, [(LIFETIME, struct.pack("!I", 0))])


@dataclass
class CheckResult:
    url: str
    ok: bool
    message: str
    relayed: tuple | None = None
    mapped: tuple | None = None
    lifetime: int | None = None
    error_code: int | None = None
    seconds: float = 0.0


def turn_check(url, username, password, *, relay=True, timeout=5.0, tls_context=None):
    """Allocate on one TURN URL with this credential; with `relay`, pass bytes between two allocations."""
    started = time.monotonic()
    connections = []
    try:
        server = TurnServerAddress.from_url(url)
        first = TurnConnection(server, username, password, timeout=timeout, tls_context=tls_context)
        connections.append(first)
        first.allocate()
        result = CheckResult(url, True, "allocated", first.relayed, first.mapped, first.lifetime, seconds=0.0)
        if relay:
            second = TurnConnection(server, username, password, timeout=timeout, tls_context=tls_context)
            connections.append(second)
            second.allocate()
            first.permit(second.relayed[0])
            second.permit(first.relayed[0])
            payload = os.urandom(16)
            first.send_to(second.relayed, payload)
            if second.receive_data(timeout) != payload:
                result.ok = False
                result.message = "allocated, but data sent between two relayed addresses did not arrive"
            else:
                result.message = "allocated, and relayed data between two allocations"
    except TurnError as error:
        result = CheckResult(url, False, str(error), error_code=error.code or None)
    except (OSError, ValueError) as error:
        result = CheckResult(url, False, f"{type(error).__name__}: {error}")
    finally:
        for connection in connections:
            connection.release()
            connection.close()
    result.seconds = time.monotonic() - started
    return result
