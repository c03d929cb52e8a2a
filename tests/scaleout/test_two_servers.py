"""Two daphne processes, one Redis: a meeting spans servers as if it were on one."""

import asyncio

import pytest

from meetings.models import Participant

from .conftest import joined_names, participant_rows

pytestmark = pytest.mark.django_db(transaction=True)

OFFER = {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n"}
ANSWER = {"type": "answer", "sdp": "v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\n"}
CANDIDATE = {
    "candidate": "candidate:1 1 udp 2122252543 192.0.2.1 54400 typ host",
    "sdpMid": "0",
    "sdpMLineIndex": 0,
}
QUIET_FOR = 6.5  # longer than channels-redis's 5 s blocking read


async def test_participants_on_different_servers_meet_signal_chat_and_leave(daphne, join, meeting):
    first, second = daphne(2)

    ann = await join(first, meeting, "Ann")
    assert ann.welcome["peers"] == []
    ben = await join(second, meeting, "Ben")
    assert [peer["peer_id"] for peer in ben.welcome["peers"]] == [ann.peer_id]
    joined = await ann.expect("peer-joined")
    assert joined["peer"]["peer_id"] == ben.peer_id
    assert joined["peer"]["name"] == "Ben"

    # Offer, answer and candidates cross the servers both ways; "from" is the server's word.
    await ann.send({"type": "signal", "to": ben.peer_id, "from": "forged", "description": OFFER})
    offer = await ben.expect("signal")
    assert offer == {"type": "signal", "from": ann.peer_id, "description": OFFER}
    await ben.send({"type": "signal", "to": ann.peer_id, "description": ANSWER})
    assert (await ann.expect("signal"))["description"] == ANSWER
    await ann.send({"type": "signal", "to": ben.peer_id, "candidate": CANDIDATE})
    assert (await ben.expect("signal", **{"from": ann.peer_id}))["candidate"] == CANDIDATE
    await ben.send({"type": "signal", "to": ann.peer_id, "from": ann.peer_id, "candidate": CANDIDATE})
    assert (await ann.expect("signal"))["from"] == ben.peer_id

    await ann.send({"type": "chat", "text": "Hello from server one"})
    await ben.send({"type": "chat", "text": "Hello from server two"})
    for person in (ann, ben):
        from_ann = await person.expect("chat", text="Hello from server one")
        from_ben = await person.expect("chat", text="Hello from server two")
        assert (from_ann["from"], from_ben["from"]) == (ann.peer_id, ben.peer_id)

    await ben.send({"type": "leave"})
    left = await ann.expect("peer-left", peer_id=ben.peer_id)
    assert left["reason"] == "left"
    await ben.wait_closed()
    assert ben.close_code == 1000
    assert await joined_names(meeting) == ["Ann"]

    await ann.send({"type": "leave"})
    await ann.wait_closed()
    assert sorted(await participant_rows(meeting)) == [
        ("Ann", ann.peer_id, Participant.Status.LEFT),
        ("Ben", ben.peer_id, Participant.Status.LEFT),
    ]
    assert not ben.received("error") and not ann.received("error")


async def test_a_quiet_call_keeps_its_sockets(daphne, join, meeting):
    """Nothing but heartbeats for longer than a channel-layer read: nobody is dropped.

    channels-redis waits for messages with a 5 s BZPOPMIN; redis-py 8 also gives every socket a
    5 s read timeout by default, so unless the layer's connections get a longer one, a consumer with
    nothing to receive for 5 s dies with close code 1011 (django/channels_redis#422).
    """
    first, second = daphne(2)
    ann = await join(first, meeting, "Ann")
    ben = await join(second, meeting, "Ben")
    await ann.expect("peer-joined")

    await asyncio.sleep(QUIET_FOR)

    assert not ann.closed and not ben.closed, (ann.close_code, ben.close_code)
    await ann.send({"type": "signal", "to": ben.peer_id, "description": OFFER})
    assert (await ben.expect("signal"))["from"] == ann.peer_id
