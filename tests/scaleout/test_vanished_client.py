"""A client that vanishes without closing its socket is announced as gone within a bounded time."""

import os
import signal
import time

import pytest

from meetings.models import Participant
from meetings.protocol import Close

from .conftest import IDLE_TIMEOUT, RESUME_GRACE, joined_names, participant_rows

pytestmark = pytest.mark.django_db(transaction=True)

# Silent for IDLE_TIMEOUT, then RESUME_GRACE to come back, then a sweep (every second) and slack.
ANNOUNCED_WITHIN = IDLE_TIMEOUT + RESUME_GRACE + 4


async def test_a_client_that_stops_talking_is_closed_and_announced_as_left(daphne, join, meeting):
    first, second = daphne(2)
    ann = await join(first, meeting, "Ann")
    ben = await join(second, meeting, "Ben")
    await ann.expect("peer-joined")

    await ben.stop_pinging()  # the socket stays open; no more heartbeats
    silent_at = time.monotonic()
    await ann.expect("peer-interrupted", timeout=IDLE_TIMEOUT + 2, peer_id=ben.peer_id)
    left = await ann.expect("peer-left", timeout=ANNOUNCED_WITHIN, peer_id=ben.peer_id)
    announced_after = time.monotonic() - silent_at
    print(f"silent client announced as left after {announced_after:.1f}s")

    assert left["reason"] == "timeout"
    assert ben.closed and ben.close_code == Close.IDLE_TIMEOUT
    assert await joined_names(meeting) == ["Ann"]


async def test_a_frozen_client_process_is_announced_as_left(daphne, join, client_process, meeting):
    """SIGSTOP: like a laptop lid closed mid-call, the socket neither talks nor closes."""
    first, second = daphne(2)
    ann = await join(first, meeting, "Ann")
    ben, welcome = await client_process(second, meeting, "Ben")
    await ann.expect("peer-joined", timeout=5)

    os.kill(ben.pid, signal.SIGSTOP)
    frozen_at = time.monotonic()
    left = await ann.expect("peer-left", timeout=ANNOUNCED_WITHIN, peer_id=welcome["peer_id"])
    announced_after = time.monotonic() - frozen_at
    print(f"frozen client announced as left after {announced_after:.1f}s")

    assert left["reason"] == "timeout"
    assert ("Ben", welcome["peer_id"], Participant.Status.LEFT) in await participant_rows(meeting)
    assert await joined_names(meeting) == ["Ann"]
