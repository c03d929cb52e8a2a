"""What one server process holds of the live call: its consumers, its open sockets, its sweeper.

All of it is in memory and per process by design: a count or a registry that died with its process
cannot outlive the sockets it described. What must hold across processes lives in rows (presence,
meetings/room.py) or in the cache (rates, meetings/throttle.py).
"""

import asyncio
import logging
import threading
from collections import Counter

from channels.db import database_sync_to_async
from django.conf import settings

from . import room

logger = logging.getLogger(__name__)


# --- Consumers of this process --------------------------------------------------------------------

# By channel name: a signal to a peer connected here is handed over directly, without a channel-layer
# round trip (a Redis round trip with channels-redis).
_consumers = {}


def register(channel_name, consumer):
    _consumers[channel_name] = consumer


def unregister(channel_name):
    _consumers.pop(channel_name, None)


def local_consumer(channel_name):
    """The consumer of this channel if it lives in this process, else None."""
    return _consumers.get(channel_name)


# --- Sockets open at once -------------------------------------------------------------------------


class OpenSockets:
    """How many sockets are open at once per key (an address, an account) in this server process.

    In memory rather than in the cache: the counts are exact, and they cannot outlive a process that
    dies with its sockets. Each process bounds what it holds (its memory, its file descriptors);
    several processes behind one proxy each allow the limit.
    """

    def __init__(self):
        self._counts = Counter()
        self._lock = threading.Lock()  # opened in the database thread, closed in the event loop

    def try_open(self, key, limit):
        """Count one more socket for `key`, unless `limit` are open already; says which."""
        with self._lock:
            if self._counts[key] >= limit:
                return False
            self._counts[key] += 1
            return True

    def close(self, key):
        with self._lock:
            self._counts[key] -= 1
            if self._counts[key] <= 0:
                del self._counts[key]

    def count(self, key):
        return self._counts.get(key, 0)


SOCKETS_PER_ADDRESS = OpenSockets()
SOCKETS_PER_ACCOUNT = OpenSockets()


# --- The sweeper ----------------------------------------------------------------------------------

_sweeper = None


def ensure_sweeper():
    """One task per server process prunes participants whose heartbeat stopped (also at start-up)."""
    global _sweeper
    if _sweeper is None or _sweeper.done():
        _sweeper = asyncio.get_running_loop().create_task(_sweep_forever())


async def _sweep_forever():
    interval = max(1, settings.SIGNALING["RESUME_GRACE"] // 4)
    while True:
        try:
            await database_sync_to_async(room.participants_prune_stale)()
        except Exception:  # a database blip must not stop the sweeping for good
            logger.exception("pruning stale participants failed")
        await asyncio.sleep(interval)
