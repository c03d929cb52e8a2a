"""A socket opened on the pre-join page (hold=1) waits, unseen, until it sends join."""

import pytest
from asgiref.sync import sync_to_async

from meetings import services
from meetings.models import Participant
from meetings.protocol import Close

from .conftest import signed_in, ticket_for, until_ticket_expired

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hold(connect):
    """Open a socket with a fresh ticket and hold=1, as the pre-join page does."""

    async def hold_as(meeting, name, *, user=None, client_key=None, ticket=None, expect="held"):
        ticket = ticket or ticket_for(meeting, name, user=user, client_key=client_key)
        return await connect(meeting, ticket=ticket, query="hold=1", expect=expect)

    return hold_as


async def test_a_held_socket_is_invisible_until_it_joins(hold, meeting, host, settings):
    settings.ICE_SERVERS = [{"urls": "stun:stun.example.org"}]
    waiting = await hold(meeting, "Gus")

    assert waiting.first["ice_servers"] == [{"urls": "stun:stun.example.org"}]
    assert waiting.first["heartbeat_interval"] == settings.SIGNALING["HEARTBEAT_INTERVAL"]
    assert await host.nothing()
    assert await Participant.objects.filter(display_name="Gus").acount() == 0

    await waiting.send({"type": "join"})

    welcome = await waiting.receive()
    assert welcome["type"] == "welcome"
    assert [peer["peer_id"] for peer in welcome["peers"]] == [host.peer_id]
    joined = await host.receive_type("peer-joined")
    assert joined["peer"]["peer_id"] == welcome["peer_id"]
    assert joined["peer"]["name"] == "Gus"


async def test_a_held_socket_relays_after_join(hold, meeting, host):
    newcomer = await hold(meeting, "Gus")
    await newcomer.send({"type": "join"})
    welcome = await newcomer.receive_type("welcome")
    await host.receive_type("peer-joined")

    offer = {"type": "offer", "sdp": "v=0\r\n"}
    await newcomer.send({"type": "signal", "to": host.peer_id, "description": offer})

    signal = await host.receive_type("signal")
    assert signal["from"] == welcome["peer_id"]
    assert signal["description"] == offer


async def test_before_join_only_ping_is_answered(hold, meeting, host):
    waiting = await hold(meeting, "Gus")

    await waiting.ping()
    await waiting.send({"type": "chat", "text": "hello", "id": 3})
    error = await waiting.receive()
    assert error == {"type": "error", "code": "not_joined", "message": "Send join first.", "re": 3}
    await waiting.send({"type": "signal", "to": host.peer_id, "description": {"type": "offer", "sdp": "x"}})
    assert (await waiting.receive())["code"] == "not_joined"

    assert await host.nothing()  # neither the chat nor the signal reached the call
    await waiting.ping()  # and the held socket still works


async def test_join_twice_is_an_error_that_changes_nothing(hold, meeting, host):
    newcomer = await hold(meeting, "Gus")
    await newcomer.send({"type": "join"})
    await newcomer.receive_type("welcome")

    await newcomer.send({"type": "join", "id": "again"})

    error = await newcomer.receive_type("error")
    assert error["code"] == "invalid_message"
    assert error["re"] == "again"
    assert await Participant.objects.filter(display_name="Gus").acount() == 1


async def test_join_on_a_plain_socket_is_an_error(join, meeting, host):
    guest = await join(meeting, "Gus")

    await guest.send({"type": "join"})

    assert (await guest.receive_type("error"))["code"] == "invalid_message"
    await guest.ping()


async def test_a_bad_ticket_is_refused_when_the_socket_opens(hold, meeting):
    refused = await hold(meeting, "Gus", ticket="not-a-ticket", expect="refused")

    assert await refused.refusal_code() == Close.BAD_TICKET


async def test_holding_without_a_ticket_is_refused_even_when_signed_in(connect, meeting, alice):
    refused = await connect(meeting, query="hold=1", headers=await signed_in(alice), expect="refused")

    assert await refused.refusal_code() == Close.NO_CREDENTIALS
    assert await Participant.objects.filter(user=alice).acount() == 0


async def test_a_ticket_for_another_meeting_is_refused_when_the_socket_opens(hold, meeting, other_meeting):
    ticket = ticket_for(other_meeting, "Gus")

    refused = await hold(meeting, "Gus", ticket=ticket, expect="refused")

    assert await refused.refusal_code() == Close.WRONG_MEETING


async def test_the_ticket_may_expire_while_the_socket_holds(hold, meeting, host, settings):
    settings.SIGNALING = {**settings.SIGNALING, "TICKET_MAX_AGE": 1}
    ticket = ticket_for(meeting, "Gus")
    newcomer = await hold(meeting, "Gus", ticket=ticket)

    await until_ticket_expired(ticket, meeting)
    await newcomer.send({"type": "join"})

    assert (await newcomer.receive())["type"] == "welcome"


async def test_the_rules_apply_when_join_is_sent_not_when_the_socket_opens(hold, meeting, host):
    newcomer = await hold(meeting, "Gus")
    await sync_to_async(services.meeting_set_locked)(meeting=meeting, locked=True)
    await host.receive_type("locked")
    assert await newcomer.receive() == {"type": "peer-count", "peer_count": 0}

    await newcomer.send({"type": "join"})

    refused = await newcomer.receive()
    assert refused["type"] == "refused"
    assert refused["code"] == Close.MEETING_LOCKED
    assert await newcomer.closed() == Close.MEETING_LOCKED
    assert await Participant.objects.filter(display_name="Gus").acount() == 0


async def test_a_held_guest_knocks_only_when_joining(hold, meeting, host):
    await sync_to_async(type(meeting).objects.filter(pk=meeting.pk).update)(waiting_room=True)
    newcomer = await hold(meeting, "Gus")
    assert await host.nothing()

    await newcomer.send({"type": "join"})

    assert (await newcomer.receive())["type"] == "waiting"
    assert (await host.receive_type("knock"))["peer"]["name"] == "Gus"


async def test_one_ticket_enters_once_even_if_two_sockets_hold_it(hold, meeting, host):
    ticket = ticket_for(meeting, "Gus")
    first = await hold(meeting, "Gus", ticket=ticket)
    second = await hold(meeting, "Gus", ticket=ticket)

    await first.send({"type": "join"})
    assert (await first.receive())["type"] == "welcome"
    assert await second.receive() == {"type": "peer-count", "peer_count": 0}  # its join would be refused
    await second.send({"type": "join"})

    assert (await second.receive())["code"] == Close.TICKET_USED
    assert await second.closed() == Close.TICKET_USED


async def test_a_hold_without_join_expires(hold, meeting, host, settings):
    settings.SIGNALING = {**settings.SIGNALING, "HOLD_TIMEOUT": 0.3}
    newcomer = await hold(meeting, "Gus")

    assert await newcomer.closed(timeout=2) == Close.HOLD_EXPIRED
    assert await host.nothing()
    assert await Participant.objects.filter(display_name="Gus").acount() == 0


async def test_leaving_a_held_socket_closes_it_and_tells_nobody(hold, meeting, host):
    newcomer = await hold(meeting, "Gus")

    await newcomer.send({"type": "leave"})

    assert await newcomer.closed() == 1000
    assert await host.nothing()
    assert await Participant.objects.filter(display_name="Gus").acount() == 0


async def test_deactivating_the_account_closes_its_held_socket(hold, meeting, host, bob):
    newcomer = await hold(meeting, "Bob", user=bob)

    bob.is_active = False
    await sync_to_async(bob.save)()

    assert (await newcomer.receive_type("signed-out"))["type"] == "signed-out"
    assert await newcomer.closed() == Close.LOGGED_OUT
    assert await Participant.objects.filter(user=bob).acount() == 0


async def test_a_held_socket_that_floods_is_cut(hold, meeting, host, settings):
    settings.SIGNALING = {**settings.SIGNALING, "RATE": 1, "BURST": 2}
    newcomer = await hold(meeting, "Gus")

    for _ in range(4):
        await newcomer.send({"type": "ping"})

    assert (await newcomer.receive_type("error"))["code"] == "rate_limited"
    assert await newcomer.closed() == Close.FLOOD
    assert await Participant.objects.filter(display_name="Gus").acount() == 0


async def test_a_held_socket_counts_against_the_address_limit(hold, meeting, settings):
    settings.SIGNALING = {**settings.SIGNALING, "CONNECTS_PER_IP_PER_MINUTE": 1}
    await hold(meeting, "Gus")

    refused = await hold(meeting, "Gus", expect="refused")

    assert await refused.refusal_code() == Close.ADDRESS_BUSY


# --- How many a held socket would meet -------------------------------------------------------------


async def test_held_counts_nobody_in_an_empty_meeting(hold, meeting):
    newcomer = await hold(meeting, "Gus")

    assert newcomer.first["peer_count"] == 0


async def test_held_counts_the_people_in_the_call(hold, meeting, host):
    newcomer = await hold(meeting, "Gus")

    assert newcomer.first["peer_count"] == 1


async def test_a_held_socket_is_told_the_count_when_someone_joins_and_leaves(hold, join, meeting, host):
    newcomer = await hold(meeting, "Gus")

    bob = await join(meeting, "Bob")
    assert await newcomer.receive() == {"type": "peer-count", "peer_count": 2}  # no name, no peer ID

    await bob.send({"type": "leave"})
    assert await newcomer.receive() == {"type": "peer-count", "peer_count": 1}
    assert await newcomer.nothing()


async def test_a_held_socket_is_not_told_a_count_that_did_not_change(hold, meeting, host, guest):
    newcomer = await hold(meeting, "Hal")
    assert newcomer.first["peer_count"] == 2

    await host.send({"type": "make-cohost", "peer": guest.peer_id})  # may change a count, not this one
    await host.receive_type("peer-role")

    assert await newcomer.nothing()


async def test_a_held_guest_who_would_knock_counts_nobody_and_hears_nothing(hold, join, meeting, alice):
    await sync_to_async(type(meeting).objects.filter(pk=meeting.pk).update)(waiting_room=True)
    newcomer = await hold(meeting, "Gus")
    assert newcomer.first["peer_count"] == 0

    await join(meeting, "Alice", user=alice)  # the host goes straight in

    assert await newcomer.nothing()


async def test_a_held_guest_is_told_the_count_when_the_host_arrives(hold, join, meeting, alice):
    await sync_to_async(type(meeting).objects.filter(pk=meeting.pk).update)(join_before_host=False)
    newcomer = await hold(meeting, "Gus")
    assert newcomer.first["peer_count"] == 0  # it would be refused: the host has not arrived

    await join(meeting, "Alice", user=alice)

    assert await newcomer.receive() == {"type": "peer-count", "peer_count": 1}


async def test_locking_tells_a_held_guest_it_would_meet_nobody(hold, meeting, host):
    newcomer = await hold(meeting, "Gus")

    await host.send({"type": "lock", "locked": True})
    assert await newcomer.receive() == {"type": "peer-count", "peer_count": 0}
    await host.send({"type": "lock", "locked": False})
    assert await newcomer.receive() == {"type": "peer-count", "peer_count": 1}


async def test_ending_the_meeting_tells_a_held_socket_it_would_meet_nobody(hold, meeting, host):
    newcomer = await hold(meeting, "Gus")

    await host.send({"type": "end"})

    assert await newcomer.receive() == {"type": "peer-count", "peer_count": 0}


async def test_a_held_socket_does_not_count_its_own_browsers_earlier_place(hold, join, meeting, host):
    await join(meeting, "Gus", client_key="gus-browser")
    await host.receive_type("peer-joined")

    reload = await hold(meeting, "Gus", client_key="gus-browser")

    assert reload.first["peer_count"] == 1  # the host; joining again retires the old place


async def test_after_join_a_held_socket_is_told_no_more_counts(hold, join, meeting, host):
    newcomer = await hold(meeting, "Gus")
    await newcomer.send({"type": "join"})
    await newcomer.receive_type("welcome")

    await join(meeting, "Bob")

    assert (await newcomer.receive())["type"] == "peer-joined"
    assert await newcomer.nothing()
