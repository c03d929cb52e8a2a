"""Relay of offers, answers and ICE candidates: to the named peer of the same call only."""

import asyncio

import pytest
import pytest_asyncio

from meetings.protocol import Error

pytestmark = pytest.mark.django_db(transaction=True)

OFFER = {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}
ANSWER = {"type": "answer", "sdp": "v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\n"}
CANDIDATE = {
    "candidate": "candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host",
    "sdpMid": "0",
    "sdpMLineIndex": 0,
    "usernameFragment": "abcd",
}


@pytest_asyncio.fixture
async def third(join, meeting, host, guest):
    """A third person in the call, to prove that a signal for someone else does not reach them."""
    person = await join(meeting, "Tess")
    await host.receive_type("peer-joined")
    await guest.receive_type("peer-joined")
    return person


@pytest.mark.parametrize(
    "payload",
    [
        {"description": OFFER},
        {"description": ANSWER},
        {"description": {"type": "rollback", "sdp": ""}},
        {"candidate": CANDIDATE},
        {"candidate": {"candidate": ""}},
        {"candidate": None},
    ],
    ids=["offer", "answer", "rollback", "candidate", "empty-candidate", "end-of-candidates"],
)
async def test_signal_reaches_only_its_target_stamped_with_the_sender(host, guest, third, payload):
    await guest.send({"type": "signal", "to": host.peer_id, **payload})

    assert await host.receive() == {"type": "signal", "from": guest.peer_id, **payload}
    assert await third.nothing()
    assert await guest.nothing()


async def test_offer_and_answer_go_both_ways(host, guest):
    await guest.send({"type": "signal", "to": host.peer_id, "description": OFFER})
    assert (await host.receive())["description"] == OFFER

    await host.send({"type": "signal", "to": guest.peer_id, "description": ANSWER})

    assert await guest.receive() == {"type": "signal", "from": host.peer_id, "description": ANSWER}


async def test_spoofed_from_is_replaced_by_the_real_sender(host, guest, third):
    await guest.send({"type": "signal", "to": host.peer_id, "from": third.peer_id, "description": OFFER})

    assert (await host.receive())["from"] == guest.peer_id


async def test_extra_fields_are_not_relayed(host, guest):
    await guest.send(
        {
            "type": "signal",
            "to": host.peer_id,
            "from": "forged",
            "role": "host",
            "html": "<img src=x onerror=alert(1)>",
            "description": {**OFFER, "extra": "dropped"},
        }
    )

    assert await host.receive() == {"type": "signal", "from": guest.peer_id, "description": OFFER}


async def test_extra_candidate_fields_are_not_relayed(host, guest):
    await guest.send(
        {"type": "signal", "to": host.peer_id, "candidate": {**CANDIDATE, "evil": True, "sdpMid": None}}
    )

    relayed = await host.receive()
    assert relayed["candidate"] == {
        "candidate": CANDIDATE["candidate"],
        "sdpMLineIndex": 0,
        "usernameFragment": "abcd",
    }


async def test_signal_to_an_unknown_peer_is_an_error(host, guest):
    await guest.send({"type": "signal", "to": "nobody-by-this-id", "description": OFFER, "id": 7})

    assert await guest.receive() == {
        "type": "error",
        "code": Error.UNKNOWN_PEER,
        "message": "That peer is not in this call (or is reconnecting).",
        "re": 7,
    }
    assert await host.nothing()


async def test_signal_to_oneself_is_an_error(host, guest):
    await guest.send({"type": "signal", "to": guest.peer_id, "description": OFFER})

    assert (await guest.receive())["code"] == Error.UNKNOWN_PEER
    assert await guest.nothing()
    assert await host.nothing()


async def test_signal_to_a_peer_in_another_meeting_is_not_delivered(
    join, other_meeting, charlie, host, guest
):
    elsewhere = await join(other_meeting, "Charlie", user=charlie)

    await guest.send({"type": "signal", "to": elsewhere.peer_id, "description": OFFER})

    assert (await guest.receive())["code"] == Error.UNKNOWN_PEER
    assert await elsewhere.nothing()
    assert await host.nothing()


async def test_signal_after_the_target_left_is_an_error(host, guest):
    await host.send({"type": "leave"})
    await guest.receive_type("peer-left")

    await guest.send({"type": "signal", "to": host.peer_id, "candidate": CANDIDATE})

    assert (await guest.receive())["code"] == Error.UNKNOWN_PEER


async def test_signal_to_a_peer_who_joined_later_is_delivered(join, meeting, host, guest):
    """The relay's roster follows peer-joined events, not only the welcome."""
    late = await join(meeting, "Late")
    await guest.receive_type("peer-joined")

    await guest.send({"type": "signal", "to": late.peer_id, "description": OFFER})

    assert await late.receive() == {"type": "signal", "from": guest.peer_id, "description": OFFER}


async def test_an_answer_finds_a_sender_whose_peer_joined_has_not_arrived_yet(host):
    """A relayed offer can overtake the peer-joined that introduces its sender (direct in-process
    delivery, or two processes): the answer must still reach the sender, and nothing is refused."""
    from channels.layers import get_channel_layer

    from meetings.models import Participant

    layer = get_channel_layer()
    newcomer_channel = await layer.new_channel()
    host_channel = (await Participant.objects.aget(peer_id=host.peer_id)).channel_name
    offer = {"description": {"type": "offer", "sdp": "v=0 early"}}
    await layer.send(
        host_channel,
        {"type": "meeting.signal", "from": "newcomer", "channel": newcomer_channel, "payload": offer},
    )
    assert (await host.receive_type("signal"))["from"] == "newcomer"

    await host.send(
        {"type": "signal", "to": "newcomer", "description": {"type": "answer", "sdp": "v=0 answer"}}
    )

    relayed = await asyncio.wait_for(layer.receive(newcomer_channel), 2)
    assert relayed["from"] == host.peer_id
    assert relayed["payload"] == {"description": {"type": "answer", "sdp": "v=0 answer"}}
    assert await host.nothing()  # no unknown_peer error
