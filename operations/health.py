"""Readiness checks: each component the site needs, asked whether it answers.

A check is a function that returns a short detail string when the component is fine, raises when
it is not, and returns `NOT_CONFIGURED` when the site does not use it (then it is left out of the
report). The app that owns a component registers its check with `@readiness_check("name")`; the
built-in ones below cover the database, the channel layer and TURN/STUN from ICE_SERVERS.
"""

import asyncio
import os
import socket
import time
from urllib.parse import urlsplit

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection

NOT_CONFIGURED = object()
CHECK_TIMEOUT = 3.0  # seconds; a load balancer's probe usually gives up after 5

_checks = {}


def readiness_check(name):
    """Register `function` as the readiness check called `name` (a later one replaces it)."""

    def register(function):
        _checks[name] = function
        return function

    return register


def readiness_report():
    """(ready, {name: {"ok": bool, "detail": str, "ms": float}}) for every configured component."""
    results = {}
    for name, check in _checks.items():
        started = time.monotonic()
        try:
            detail = check()
            ok = True
        except Exception as error:  # a probe reports any failure; it never raises
            detail, ok = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__, False
        if detail is NOT_CONFIGURED:
            continue
        results[name] = {
            "ok": ok,
            "detail": detail or "",
            "ms": round((time.monotonic() - started) * 1000, 1),
        }
    return all(result["ok"] for result in results.values()), results


@readiness_check("database")
def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


@readiness_check("channel_layer")
def check_channel_layer():
    """A message sent to a fresh channel comes back: the layer (Redis, if configured) works."""
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")

    async def round_trip():
        channel = await layer.new_channel("readyz")
        await layer.send(channel, {"type": "readyz.ping"})
        message = await layer.receive(channel)
        if message.get("type") != "readyz.ping":
            raise RuntimeError("the channel layer returned a different message")

    async def within_time():
        try:
            await asyncio.wait_for(round_trip(), CHECK_TIMEOUT)
        except TimeoutError:
            raise TimeoutError(f"no answer within {CHECK_TIMEOUT:g} s") from None

    async_to_sync(within_time)()
    return type(layer).__name__


@readiness_check("turn")
def check_turn():
    """Every STUN/TURN server in ICE_SERVERS and TURN_URLS answers a STUN Binding request over UDP."""
    servers = sorted({server for server in _ice_server_addresses()})
    if not servers:
        return NOT_CONFIGURED
    for host, port in servers:
        stun_binding(host, port)
    return ", ".join(f"{host}:{port}" for host, port in servers)


def _ice_server_addresses():
    configured = [server.get("urls", []) for server in settings.ICE_SERVERS] + [settings.TURN_URLS]
    for urls in configured:
        for url in [urls] if isinstance(urls, str) else urls:
            scheme, _, rest = url.partition(":")
            if scheme not in ("stun", "turn") or "transport=tcp" in rest:
                continue  # turns: and TCP-only relays are not probed over UDP
            parts = urlsplit("//" + rest.split("?", 1)[0])
            yield parts.hostname, parts.port or 3478


STUN_BINDING_REQUEST = 0x0001
STUN_BINDING_SUCCESS = 0x0101
STUN_MAGIC_COOKIE = 0x2112A442


def stun_binding(host, port, timeout=CHECK_TIMEOUT):
    """Send one RFC 5389 Binding request; raise unless a Binding success with our ID comes back."""
    transaction_id = os.urandom(12)
    request = (
        STUN_BINDING_REQUEST.to_bytes(2, "big")
        + (0).to_bytes(2, "big")
        + STUN_MAGIC_COOKIE.to_bytes(4, "big")
        + transaction_id
    )
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(request, (host, port))
        try:
            response, _ = sock.recvfrom(2048)
        except TimeoutError:
            raise TimeoutError(f"no STUN answer from {host}:{port} within {timeout:g} s") from None
    kind = int.from_bytes(response[0:2], "big")
    if len(response) < 20 or response[8:20] != transaction_id or kind != STUN_BINDING_SUCCESS:
        raise RuntimeError(f"unexpected STUN answer from {host}:{port}")
