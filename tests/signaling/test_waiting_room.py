"""The waiting room: newcomers hear nothing of the call until a host or co-host lets them in."""

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async

from meetings import services
from meetings.models import ChatMessage, Meeting, Participant
from meetings.protocol import PROTOCOL_VERSION, Close, Error

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def meeting(alice):
    """alice's meeting with a waiting room; guests may arrive before her."""
    return services.meeting_create(host=alice, title="Interviews", join_before_host=True, waiting_room=True)


@pytest_asyncio.fixture
async def newcomer(join, meeting, host, guest):
    """Someone knocking while alice and an admitted guest are in the call (alice heard the knock)."""
    person = await join(meeting, "Nina", expect="waiting")
    knock = await host.receive()
    assert knock["type"] == "knock"
    return person


@pytest_asyncio.fixture
async def guest(join, meeting, host):
    """A guest alice already let in."""
    person = await join(meeting, "Gus", expect="waiting")
    assert (await host.receive())["type"] == "knock"
    await host.send({"type": "admit", "peer": person.peer_id})
    assert (await person.receive())["type"] == "welcome"
    assert (await host.receive())["type"] == "waiting-left"
    assert (await host.receive())["type"] == "peer-joined"
    return person


async def test_newcomer_gets_waiting_and_the_host_a_knock(join, meeting, host, settings):
    newcomer = await join(meeting, "Nina", expect="waiting")

    assert newcomer.first == {
        "type": "waiting",
        "protocol": PROTOCOL_VERSION,
        "peer_id": newcomer.peer_id,
        "resume_token": newcomer.first["resume_token"],
        "meeting": {"code": meeting.code, "title": "Interviews"},
        "heartbeat_interval": settings.SIGNALING["HEARTBEAT_INTERVAL"],
    }
    assert newcomer.first["resume_token"]
    assert await host.receive() == {
        "type": "knock",
        "peer": {
            "peer_id": newcomer.peer_id,
            "name": "Nina",
            "role": "guest",
            "media": {"audio": True, "video": True, "screen": False, "hand": False},
        },
    }
    row = await Participant.objects.aget(peer_id=newcomer.peer_id)
    assert (row.status, row.joined_at) == (Participant.Status.WAITING, None)


async def test_admitted_guests_hear_no_knock(join, meeting, host, guest):
    await join(meeting, "Nina", expect="waiting")

    assert (await host.receive())["type"] == "knock"
    assert await guest.nothing()


async def test_waiting_newcomer_receives_nothing_of_the_call(join, meeting, host, guest, newcomer):
    other = await join(meeting, "Olga", expect="waiting")
    await host.receive_type("knock")
    await host.send({"type": "admit", "peer": other.peer_id})
    await other.receive_type("welcome")
    await host.send({"type": "chat", "text": "secret agenda"})
    await guest.send({"type": "media", "audio": False})
    await guest.send({"type": "signal", "to": host.peer_id, "description": {"type": "offer", "sdp": "v=0"}})
    await host.send({"type": "make-cohost", "peer": guest.peer_id})
    await host.send({"type": "lock", "locked": True})
    await other.hang_up(1001)

    assert await newcomer.nothing(timeout=0.5)
    seen = {(await guest.receive())["type"] for _ in range(7)}  # several senders: any order
    assert seen == {"peer-joined", "chat", "peer-media", "role", "peer-role", "locked", "peer-left"}


async def test_signal_to_a_waiting_peer_is_not_delivered(host, newcomer):
    await host.send(
        {"type": "signal", "to": newcomer.peer_id, "description": {"type": "offer", "sdp": "v=0"}}
    )

    assert (await host.receive())["code"] == Error.UNKNOWN_PEER
    assert await newcomer.nothing()


@pytest.mark.parametrize(
    "message",
    [
        {"type": "chat", "text": "hello?"},
        {"type": "media", "audio": False},
        {"type": "signal", "to": "x", "candidate": None},
        {"type": "lock", "locked": True},
        {"type": "end"},
    ],
    ids=["chat", "media", "signal", "lock", "end"],
)
async def test_waiting_newcomer_may_not_act_in_the_call(meeting, host, guest, newcomer, message):
    await newcomer.send({**message, "id": 1})

    assert await newcomer.receive() == {
        "type": "error",
        "code": Error.NOT_JOINED,
        "message": "You are in the waiting room.",
        "re": 1,
    }
    assert await host.nothing()
    assert await guest.nothing()
    assert await ChatMessage.objects.acount() == 0
    await meeting.arefresh_from_db()
    assert (meeting.state, meeting.locked) == (Meeting.State.LIVE, False)


async def test_waiting_newcomer_may_ping(newcomer):
    await newcomer.ping()


async def test_host_welcome_lists_those_already_waiting(join, meeting, alice):
    early = await join(meeting, "Early", expect="waiting")

    host = await join(meeting, "Alice", user=alice)

    assert [(p["peer_id"], p["name"]) for p in host.welcome["waiting"]] == [(early.peer_id, "Early")]
    assert host.welcome["peers"] == []
    assert await early.nothing()


async def test_guest_welcome_does_not_list_those_waiting(join, meeting, host, guest, newcomer):
    late = await join(meeting, "Late", expect="waiting")
    await host.receive_type("knock")
    await host.send({"type": "admit", "peer": late.peer_id})

    welcome = await late.receive()

    assert welcome["type"] == "welcome"
    assert welcome["waiting"] == []


async def test_admitted_newcomer_gets_the_welcome_and_the_others_peer_joined(host, guest, newcomer):
    await host.send({"type": "chat", "text": "before you came"})
    await host.receive_type("chat")
    await guest.receive_type("chat")

    await host.send({"type": "admit", "peer": newcomer.peer_id})

    welcome = await newcomer.receive()
    assert welcome["type"] == "welcome"
    assert welcome["peer_id"] == newcomer.peer_id
    assert welcome["role"] == "guest"
    assert {p["name"] for p in welcome["peers"]} == {"Alice", "Gus"}
    assert [m["text"] for m in welcome["chat"]] == ["before you came"]
    assert await host.receive() == {"type": "waiting-left", "peer_id": newcomer.peer_id}
    for person in (host, guest):
        joined = await person.receive()
        assert (joined["type"], joined["peer"]["peer_id"]) == ("peer-joined", newcomer.peer_id)
    row = await Participant.objects.aget(peer_id=newcomer.peer_id)
    assert row.status == Participant.Status.JOINED
    assert row.admitted_at is not None


async def test_admitted_newcomer_can_signal_and_be_signalled(host, guest, newcomer):
    await host.send({"type": "admit", "peer": newcomer.peer_id})
    await newcomer.receive_type("welcome")
    await guest.receive_type("peer-joined")

    await newcomer.send({"type": "signal", "to": guest.peer_id, "candidate": None})
    assert await guest.receive() == {"type": "signal", "from": newcomer.peer_id, "candidate": None}
    await guest.send({"type": "signal", "to": newcomer.peer_id, "candidate": None})
    assert await newcomer.receive() == {"type": "signal", "from": guest.peer_id, "candidate": None}


async def test_host_denies_a_newcomer(host, guest, newcomer):
    await host.send({"type": "deny", "peer": newcomer.peer_id})

    denied = await newcomer.receive()
    assert denied["type"] == "denied"
    assert denied["reason"]
    assert await newcomer.closed() == Close.DENIED
    assert await host.receive() == {"type": "waiting-left", "peer_id": newcomer.peer_id}
    assert await guest.nothing()
    row = await Participant.objects.aget(peer_id=newcomer.peer_id)
    assert row.status == Participant.Status.DENIED


async def test_admit_and_deny_only_apply_to_people_waiting(host, guest):
    for action in ("admit", "deny"):
        await host.send({"type": action, "peer": guest.peer_id})
        assert (await host.receive())["code"] == Error.UNKNOWN_PEER
    assert await guest.nothing()


async def test_guest_cannot_admit_or_deny(host, guest, newcomer):
    for action in ("admit", "deny"):
        await guest.send({"type": action, "peer": newcomer.peer_id})
        assert (await guest.receive())["code"] == Error.NOT_ALLOWED
    assert await newcomer.nothing()
    assert await host.nothing()
    assert (await Participant.objects.aget(peer_id=newcomer.peer_id)).status == Participant.Status.WAITING


async def test_cohost_hears_knocks_and_admits(join, meeting, host, guest, newcomer):
    await host.send({"type": "make-cohost", "peer": guest.peer_id})
    role = await guest.receive()
    assert role == {"type": "role", "role": "cohost", "waiting": [role["waiting"][0]]}
    assert role["waiting"][0]["peer_id"] == newcomer.peer_id
    await guest.receive_type("peer-role")

    late = await join(meeting, "Late", expect="waiting")
    assert (await guest.receive())["type"] == "knock"
    await guest.send({"type": "admit", "peer": late.peer_id})

    assert (await late.receive())["type"] == "welcome"


async def test_newcomer_who_gives_up_is_gone_from_the_hosts_list(host, guest, newcomer):
    await newcomer.send({"type": "leave"})

    assert await newcomer.closed() == 1000
    assert await host.receive() == {"type": "waiting-left", "peer_id": newcomer.peer_id}
    assert await guest.nothing()
    assert (await Participant.objects.aget(peer_id=newcomer.peer_id)).status == Participant.Status.LEFT


async def test_newcomer_hears_when_the_meeting_ends(meeting, host, guest, newcomer):
    await sync_to_async(services.meeting_end)(meeting=meeting)

    assert (await newcomer.receive())["type"] == "ended"
    assert await newcomer.closed() == Close.MEETING_ENDED


async def test_admission_into_a_full_room_is_refused(meeting, host, guest, newcomer):
    await Meeting.objects.filter(pk=meeting.pk).aupdate(max_participants=2)

    await host.send({"type": "admit", "peer": newcomer.peer_id})

    refused = await newcomer.receive()
    assert (refused["type"], refused["code"]) == ("refused", Close.ROOM_FULL)
    assert await newcomer.closed() == Close.ROOM_FULL
    assert await guest.nothing()


async def test_an_admission_made_while_the_knockers_socket_was_down_lets_it_in_on_resume(
    connect, join, meeting, alice
):
    from meetings.models import Participant

    meeting.waiting_room = True
    await meeting.asave()
    host = await join(meeting, "Alice", user=alice)
    knocker = await join(meeting, "Kim", expect="waiting")
    await host.receive_type("knock")
    token = knocker.first["resume_token"]
    await knocker.hang_up(1006)

    await host.send({"type": "admit", "peer": knocker.first["peer_id"]})
    await host.receive_type("waiting-left")
    back = await connect(meeting, resume=token, headers=knocker.headers)

    assert back.first["peer_id"] == knocker.first["peer_id"]
    assert (await host.receive_type("peer-joined"))["peer"]["peer_id"] == knocker.first["peer_id"]
    assert (await Participant.objects.aget(peer_id=knocker.first["peer_id"])).status == "joined"


async def test_a_denied_browser_waits_before_knocking_again(join, meeting, host, guest, newcomer, settings):
    await host.send({"type": "deny", "peer": newcomer.peer_id})
    assert (await newcomer.receive())["type"] == "denied"
    await newcomer.closed()

    again = await join(meeting, "Nina", expect="refused")  # same browser, fresh ticket, at once

    assert await again.refusal_code() == Close.KNOCK_LIMIT
    assert await host.receive_type("waiting-left")
    assert await host.nothing()  # no knock reached the host
    settings.SIGNALING = {**settings.SIGNALING, "KNOCK_AGAIN_AFTER_DENIAL": 0}
    later = await join(meeting, "Nina", expect="waiting")
    assert (await host.receive())["peer"]["peer_id"] == later.peer_id


async def test_one_address_may_knock_on_a_meeting_only_so_often(join, meeting, host, settings):
    settings.SIGNALING = {**settings.SIGNALING, "KNOCKS_PER_IP_PER_MEETING": 2}
    await join(meeting, "First", expect="waiting")
    await join(meeting, "Second", expect="waiting")

    third = await join(meeting, "Third", expect="refused")

    assert await third.refusal_code() == Close.KNOCK_LIMIT
    assert [(await host.receive())["type"] for _ in range(2)] == ["knock", "knock"]
    assert await host.nothing()
