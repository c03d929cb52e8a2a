"""A daphne process killed with participants in it: nobody stays "joined", nobody is doubled."""

import time

import pytest

from meetings.models import Participant

from .conftest import IDLE_TIMEOUT, joined_names, participant_rows, poll

pytestmark = pytest.mark.django_db(transaction=True)

# A dead socket's row is stale IDLE_TIMEOUT + RESUME_GRACE (4 s) after its last heartbeat and the
# sweeper runs every second; the rest is room for a slow restart on a busy machine.
CLEANUP_WITHIN = 15
RESUME_AFTER_RESTART_GRACE = 8


async def test_participants_of_a_killed_server_are_marked_left_after_restart(daphne, join, meeting):
    (server,) = daphne()
    ann = await join(server, meeting, "Ann")
    ben = await join(server, meeting, "Ben")
    await ann.expect("peer-joined")

    server.kill()
    killed_at = time.monotonic()
    await ann.wait_closed()
    await ben.wait_closed()
    server.restart()  # nobody comes back: only the restarted server itself can clean up
    restarted_after = time.monotonic() - killed_at

    assert await poll(lambda: _nobody_joined(meeting), timeout=CLEANUP_WITHIN), await participant_rows(
        meeting
    )
    cleaned_after = time.monotonic() - killed_at
    print(f"restart took {restarted_after:.1f}s; rows marked left {cleaned_after:.1f}s after SIGKILL")
    assert {status for _, _, status in await participant_rows(meeting)} == {Participant.Status.LEFT}


async def _nobody_joined(meeting):
    return not await joined_names(meeting)


async def test_after_a_crash_resume_keeps_the_peer_id_and_rejoining_doubles_nobody(daphne, join, meeting):
    (server,) = daphne()
    ann = await join(server, meeting, "Ann")
    ben = await join(server, meeting, "Ben")
    await ann.expect("peer-joined")
    old_ben = ben.peer_id

    server.kill()
    killed_at = time.monotonic()
    # A dead socket's row is kept IDLE_TIMEOUT + grace after its last heartbeat; a longer grace than
    # elsewhere here, so that a slow restart on a busy machine still leaves Ann time to resume.
    server.restart(extra_env={"SIGNALING_RESUME_GRACE": str(RESUME_AFTER_RESTART_GRACE)})
    restarted_after = time.monotonic() - killed_at
    assert restarted_after < IDLE_TIMEOUT + RESUME_AFTER_RESTART_GRACE, f"restart took {restarted_after:.1f}s"

    ann_again = await join(server, meeting, "Ann", resume=ann.welcome["resume_token"])
    assert ann_again.peer_id == ann.peer_id
    ben_again = await join(server, meeting, "Ben")  # a fresh ticket: a new peer
    assert ben_again.peer_id != old_ben
    await ann_again.expect("peer-joined")

    # Ben's first self was on the dead server and never comes back: the sweeper lets him go.
    await ann_again.expect("peer-left", timeout=CLEANUP_WITHIN, peer_id=old_ben)
    assert await joined_names(meeting) == ["Ann", "Ben"]
    assert await participant_rows(meeting) == [
        ("Ann", ann.peer_id, Participant.Status.JOINED),
        ("Ben", old_ben, Participant.Status.LEFT),
        ("Ben", ben_again.peer_id, Participant.Status.JOINED),
    ]

    # The room agrees with the rows: Ann still talks to Ben, and only to the Ben who is here.
    await ann_again.send({"type": "signal", "to": ben_again.peer_id, "candidate": None})
    assert (await ben_again.expect("signal"))["from"] == ann.peer_id
    await ann_again.send({"type": "signal", "to": old_ben, "candidate": None})
    assert (await ann_again.expect("error"))["code"] == "unknown_peer"
