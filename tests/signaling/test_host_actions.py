"""What hosts and co-hosts may do in a call, and that guests may not."""

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async

from meetings import services
from meetings.models import Meeting, Participant
from meetings.protocol import Close, Error

from .conftest import ticket_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest_asyncio.fixture
async def member(join, meeting, host, guest, bob):
    """bob, a signed-up member, in the call with alice and the guest."""
    person = await join(meeting, "Bob", user=bob)
    await host.receive_type("peer-joined")
    await guest.receive_type("peer-joined")
    return person


@pytest_asyncio.fixture
async def cohost(host, guest, member):
    """bob, made co-host by alice; everyone has heard of it."""
    await host.send({"type": "make-cohost", "peer": member.peer_id})
    for person in (host, guest, member):
        await person.receive_type("peer-role")
    return member


async def statuses():
    return {p.display_name: (p.status, p.role) async for p in Participant.objects.all()}


# --- Guests may not -------------------------------------------------------------------------------


def guest_attempts(host, guest):
    return {
        "admit": {"type": "admit", "peer": host.peer_id},
        "deny": {"type": "deny", "peer": host.peer_id},
        "remove": {"type": "remove", "peer": host.peer_id},
        "mute-request": {"type": "mute-request", "peer": host.peer_id},
        "make-cohost": {"type": "make-cohost", "peer": guest.peer_id},
        "lock": {"type": "lock", "locked": True},
        "end": {"type": "end"},
    }


@pytest.mark.parametrize("action", ["admit", "deny", "remove", "mute-request", "make-cohost", "lock", "end"])
async def test_guest_cannot_perform_host_actions(meeting, host, guest, action):
    before = await statuses()

    await guest.send({**guest_attempts(host, guest)[action], "id": action})

    reply = await guest.receive()
    assert (reply["type"], reply["code"], reply["re"]) == ("error", Error.NOT_ALLOWED, action)
    assert await host.nothing()
    assert await guest.nothing()
    assert await statuses() == before
    await meeting.arefresh_from_db()
    assert (meeting.state, meeting.locked) == (Meeting.State.LIVE, False)


# --- The host may ---------------------------------------------------------------------------------


async def test_host_removes_a_guest(meeting, host, guest, member):
    await host.send({"type": "remove", "peer": guest.peer_id})

    removed = await guest.receive()
    assert removed["type"] == "removed"
    assert removed["reason"]
    assert await guest.closed() == Close.REMOVED
    for person in (host, member):
        assert await person.receive() == {"type": "peer-left", "peer_id": guest.peer_id, "reason": "removed"}
    row = await Participant.objects.aget(peer_id=guest.peer_id)
    assert row.status == Participant.Status.REMOVED
    assert row.left_at is not None


async def test_removed_guest_cannot_resume(connect, meeting, host, guest):
    token = guest.welcome["resume_token"]
    await host.send({"type": "remove", "peer": guest.peer_id})
    await guest.receive_type("removed")
    await guest.closed()

    back = await connect(meeting, resume=token, headers=guest.headers, expect="refused")

    assert await back.refusal_code() == Close.RESUME_FAILED
    await host.receive_type("peer-left")
    assert await host.nothing()


async def test_removed_guest_cannot_reconnect_with_the_same_ticket(connect, meeting, host):
    ticket = ticket_for(meeting, "Gus")
    guest = await connect(meeting, ticket=ticket)
    await host.receive_type("peer-joined")
    await host.send({"type": "remove", "peer": guest.peer_id})
    await guest.receive_type("removed")
    await host.receive_type("peer-left")

    back = await connect(meeting, ticket=ticket, expect="refused")

    assert await back.refusal_code() == Close.TICKET_USED
    assert await host.nothing()


async def test_removed_guest_cannot_come_back_with_a_new_ticket(join, meeting, host, guest):
    await host.send({"type": "remove", "peer": guest.peer_id})
    await guest.receive_type("removed")

    back = await join(meeting, "Gus", expect="refused")

    assert await back.refusal_code() == Close.REMOVED


async def test_host_cannot_be_removed_even_by_the_host(host, guest):
    await host.send({"type": "remove", "peer": host.peer_id})

    assert (await host.receive())["code"] == Error.NOT_ALLOWED
    assert await guest.nothing()


async def test_host_asks_a_guest_to_unmute(host, guest):
    await host.send({"type": "mute-request", "peer": guest.peer_id})

    assert await guest.receive() == {"type": "mute-request", "by": "Alice"}
    assert await host.nothing()
    assert (await Participant.objects.aget(peer_id=guest.peer_id)).media["audio"] is True


async def test_host_makes_a_member_cohost(host, guest, member):
    await host.send({"type": "make-cohost", "peer": member.peer_id})

    assert await member.receive() == {"type": "role", "role": "cohost", "waiting": []}
    announcement = {"type": "peer-role", "peer_id": member.peer_id, "role": "cohost"}
    for person in (member, host, guest):
        assert await person.receive() == announcement
    assert (await Participant.objects.aget(peer_id=member.peer_id)).role == Participant.Role.COHOST


async def test_cohost_keeps_the_role_on_rejoining(join, meeting, host, cohost, bob):
    await cohost.hang_up(1000)

    again = await join(meeting, "Bob", user=bob)

    assert again.welcome["role"] == "cohost"


async def test_making_the_host_cohost_changes_nothing(host, guest):
    await host.send({"type": "make-cohost", "peer": host.peer_id})

    assert await host.nothing()
    assert await guest.nothing()
    assert (await Participant.objects.aget(peer_id=host.peer_id)).role == Participant.Role.HOST


async def test_host_locks_and_unlocks_the_meeting(join, meeting, host, guest):
    await host.send({"type": "lock", "locked": True})

    for person in (host, guest):
        assert await person.receive() == {"type": "locked", "locked": True}
    await meeting.arefresh_from_db()
    assert meeting.locked is True
    shut_out = await join(meeting, "Late", expect="refused")
    assert await shut_out.refusal_code() == Close.MEETING_LOCKED

    await host.send({"type": "lock", "locked": False})

    for person in (host, guest):
        assert await person.receive() == {"type": "locked", "locked": False}
    welcome = await join(meeting, "Later")
    assert welcome.welcome["meeting"]["locked"] is False


async def test_locking_a_locked_meeting_tells_nobody_again(host, guest):
    await host.send({"type": "lock", "locked": True})
    await host.receive_type("locked")
    await guest.receive_type("locked")

    await host.send({"type": "lock", "locked": True})

    assert await host.nothing()
    assert await guest.nothing()


async def test_lock_needs_a_boolean(host, guest):
    await host.send({"type": "lock", "locked": "yes"})

    assert (await host.receive())["code"] == Error.INVALID
    assert await guest.nothing()


async def test_host_ends_the_meeting_for_everyone(meeting, host, guest, member):
    await host.send({"type": "end"})

    for person in (host, guest, member):
        ended = await person.receive()
        assert ended["type"] == "ended"
        assert await person.closed() == Close.MEETING_ENDED
    await meeting.arefresh_from_db()
    assert meeting.state == Meeting.State.ENDED
    assert meeting.ended_at is not None
    assert {status for status, _ in (await statuses()).values()} == {Participant.Status.LEFT}


async def test_ending_a_personal_room_leaves_it_ready_for_next_time(join, alice):
    room = await sync_to_async(services.personal_room_get_or_create)(user=alice)
    await Meeting.objects.filter(pk=room.pk).aupdate(join_before_host=True)
    host = await join(room, "Alice", user=alice)

    await host.send({"type": "end"})

    assert (await host.receive())["type"] == "ended"
    assert await host.closed() == Close.MEETING_ENDED
    await room.arefresh_from_db()
    assert room.state == Meeting.State.SCHEDULED
    again = await join(room, "Alice", user=alice)
    assert again.welcome["chat"] == []


async def test_meeting_ended_from_outside_the_call_reaches_everyone(meeting, host, guest):
    """The dashboard's "End meeting" and the admin action call services.meeting_end."""
    await sync_to_async(services.meeting_end)(meeting=meeting)

    for person in (host, guest):
        assert (await person.receive())["type"] == "ended"
        assert await person.closed() == Close.MEETING_ENDED


@pytest.mark.parametrize("action", ["admit", "deny", "remove", "mute-request", "make-cohost"])
async def test_host_action_on_an_unknown_peer_is_an_error(host, guest, action):
    await host.send({"type": action, "peer": "nobody-by-this-id"})

    assert (await host.receive())["code"] == Error.UNKNOWN_PEER
    assert await guest.nothing()


@pytest.mark.parametrize("peer", [None, "", 12, "x" * 33], ids=["missing", "empty", "number", "too-long"])
async def test_host_action_needs_a_peer_id(host, guest, peer):
    message = {"type": "remove"} if peer is None else {"type": "remove", "peer": peer}

    await host.send(message)

    assert (await host.receive())["code"] in (Error.INVALID, Error.TOO_LARGE)
    assert await guest.nothing()


async def test_host_action_on_a_peer_of_another_meeting_is_an_error(join, other_meeting, charlie, host):
    elsewhere = await join(other_meeting, "Charlie", user=charlie)

    await host.send({"type": "remove", "peer": elsewhere.peer_id})

    assert (await host.receive())["code"] == Error.UNKNOWN_PEER
    assert await elsewhere.nothing()
    assert (await Participant.objects.aget(peer_id=elsewhere.peer_id)).status == Participant.Status.JOINED


# --- Co-hosts may moderate guests, not the host ---------------------------------------------------


async def test_cohost_removes_a_guest(host, guest, cohost):
    await cohost.send({"type": "remove", "peer": guest.peer_id})

    assert (await guest.receive())["type"] == "removed"
    assert await guest.closed() == Close.REMOVED
    assert (await host.receive())["reason"] == "removed"


async def test_cohost_cannot_remove_the_host(host, guest, cohost):
    await cohost.send({"type": "remove", "peer": host.peer_id})

    assert (await cohost.receive())["code"] == Error.NOT_ALLOWED
    assert await host.nothing()
    assert (await Participant.objects.aget(peer_id=host.peer_id)).status == Participant.Status.JOINED


async def test_cohost_cannot_make_cohosts(host, guest, cohost):
    await cohost.send({"type": "make-cohost", "peer": guest.peer_id})

    assert (await cohost.receive())["code"] == Error.NOT_ALLOWED
    assert await guest.nothing()
    assert (await Participant.objects.aget(peer_id=guest.peer_id)).role == Participant.Role.GUEST


async def test_cohost_cannot_remove_another_cohost_but_the_host_can(
    join, meeting, host, guest, cohost, charlie
):
    other = await join(meeting, "Charlie", user=charlie)
    await host.send({"type": "make-cohost", "peer": other.peer_id})
    for person in (host, guest, cohost, other):
        await person.receive_type("peer-role")

    await cohost.send({"type": "remove", "peer": other.peer_id})
    assert (await cohost.receive())["code"] == Error.NOT_ALLOWED
    assert await other.nothing()

    await host.send({"type": "remove", "peer": other.peer_id})
    assert (await other.receive())["type"] == "removed"


async def test_cohost_may_lock_and_ask_to_unmute(host, guest, cohost):
    await cohost.send({"type": "mute-request", "peer": guest.peer_id})
    assert await guest.receive() == {"type": "mute-request", "by": "Bob"}

    await cohost.send({"type": "lock", "locked": True})
    assert await host.receive() == {"type": "locked", "locked": True}
