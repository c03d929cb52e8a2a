"""Counters that slow abuse down: failures and events in the cache, shared by every process.

Sockets open at once are counted per process, in meetings/connections.py.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


def client_ip(request):
    """The client's address; X-Forwarded-For counts only through the trusted proxies in front of us."""
    proxies = settings.ALLAUTH_TRUSTED_PROXY_COUNT
    forwarded = request.headers.get("x-forwarded-for", "")
    if proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "unknown")


@dataclass(frozen=True)
class FailureLimit:
    """At most `limit` failures per `window` seconds for one key."""

    name: str
    limit: int
    window: int

    def _key(self, key):
        return f"throttle:{self.name}:{key}"

    def is_exceeded(self, key):
        return cache.get(self._key(key), 0) >= self.limit

    def record(self, key):
        cache_key = self._key(key)
        if cache.add(cache_key, 1, self.window):
            return
        try:
            cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, self.window)


def websocket_connects_per_ip():
    """Websocket connections (joins and reconnects) one address may open per minute."""
    return FailureLimit("ws-connect-ip", limit=settings.SIGNALING["CONNECTS_PER_IP_PER_MINUTE"], window=60)


def chats_per_participant():
    """Chat messages one participant may post per 10 seconds (fixed windows, in the cache)."""
    return FailureLimit("chat", limit=settings.SIGNALING["CHAT_PER_10_SECONDS"], window=10)


def knocks_per_ip_per_meeting():
    """Knocks (entries into a waiting room) one address may make on one meeting per 10 minutes."""
    return FailureLimit("knock-ip", limit=settings.SIGNALING["KNOCKS_PER_IP_PER_MEETING"], window=600)


PASSCODE_FAILURES_PER_CLIENT = FailureLimit("passcode-client", limit=5, window=300)
PASSCODE_FAILURES_PER_MEETING = FailureLimit("passcode-meeting", limit=50, window=900)
