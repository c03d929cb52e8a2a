"""Heartbeats, dropped sockets, resuming as the same peer, and pruning those who never came back."""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from meetings import room
from meetings.models import Participant
from meetings.protocol import Close, Error

from .conftest import browser_headers

pytestmark = pytest.mark.django_db(transaction=True)

OFFER = {"type": "offer", "sdp": "v=0"}


async def test_ping_gets_pong_and_records_the_heartbeat(host):
    an_hour_ago = timezone.now() - timedelta(hours=1)
    await Participant.objects.filter(peer_id=host.peer_id).aupdate(last_seen_at=an_hour_ago)

    await host.ping()

    row = await Participant.objects.aget(peer_id=host.peer_id)
    assert row.last_seen_at > timezone.now() - timedelta(seconds=5)


async def test_abnormal_drop_interrupts_but_keeps_the_place(host, guest):
    await guest.hang_up(1006)

    assert await host.receive() == {"type": "peer-interrupted", "peer_id": guest.peer_id}
    assert await host.nothing()
    row = await Participant.objects.aget(peer_id=guest.peer_id)
    assert (row.status, row.channel_name) == (Participant.Status.JOINED, "")


async def test_signal_to_an_interrupted_peer_is_an_error(host, guest):
    await guest.hang_up(1006)
    await host.receive_type("peer-interrupted")

    await host.send({"type": "signal", "to": guest.peer_id, "description": OFFER})

    assert (await host.receive())["code"] == Error.UNKNOWN_PEER


async def test_resume_within_the_grace_keeps_the_peer_id(connect, meeting, host, guest):
    await guest.hang_up(1006)
    await host.receive_type("peer-interrupted")

    back = await connect(meeting, resume=guest.welcome["resume_token"], headers=guest.headers)

    assert back.welcome["peer_id"] == guest.peer_id
    assert back.welcome["role"] == "guest"
    assert back.welcome["resume_token"] == guest.welcome["resume_token"]
    assert [p["peer_id"] for p in back.welcome["peers"]] == [host.peer_id]
    assert await host.receive() == {"type": "peer-resumed", "peer_id": guest.peer_id}
    assert await host.nothing()  # no peer-left, no peer-joined
    assert await Participant.objects.acount() == 2


async def test_relay_reaches_the_resumed_peers_new_socket(connect, meeting, host, guest):
    await guest.hang_up(1006)
    await host.receive_type("peer-interrupted")
    back = await connect(meeting, resume=guest.welcome["resume_token"], headers=guest.headers)
    await host.receive_type("peer-resumed")

    await host.send({"type": "signal", "to": guest.peer_id, "description": OFFER})
    assert await back.receive() == {"type": "signal", "from": host.peer_id, "description": OFFER}
    await back.send({"type": "signal", "to": host.peer_id, "candidate": None})
    assert await host.receive() == {"type": "signal", "from": guest.peer_id, "candidate": None}


async def test_resumed_peer_sees_chat_sent_while_away(connect, meeting, host, guest):
    await guest.hang_up(1006)
    await host.send({"type": "chat", "text": "are you there?"})
    await host.receive_type("chat")

    back = await connect(meeting, resume=guest.welcome["resume_token"], headers=guest.headers)

    assert [m["text"] for m in back.welcome["chat"]] == ["are you there?"]


async def test_resume_while_the_old_socket_is_open_replaces_it(connect, meeting, host, guest):
    second_window = await connect(meeting, resume=guest.welcome["resume_token"], headers=guest.headers)

    replaced = await guest.receive()
    assert replaced["type"] == "replaced"
    assert replaced["reason"]
    assert await guest.closed() == Close.REPLACED
    assert second_window.welcome["peer_id"] == guest.peer_id
    assert await host.receive() == {"type": "peer-resumed", "peer_id": guest.peer_id}
    assert await host.nothing()  # the old socket's close is not an interruption
    row = await Participant.objects.aget(peer_id=guest.peer_id)
    assert row.status == Participant.Status.JOINED
    await host.send({"type": "signal", "to": guest.peer_id, "candidate": None})
    assert (await second_window.receive())["from"] == host.peer_id


async def test_resume_with_an_unknown_token_is_refused(connect, meeting, host):
    stranger = await connect(meeting, resume="not-a-token", headers=host.headers, expect="refused")

    assert await stranger.refusal_code() == Close.RESUME_FAILED
    assert await host.nothing()


async def test_resume_token_of_another_meeting_is_refused(
    connect, join, other_meeting, charlie, meeting, host
):
    elsewhere = await join(other_meeting, "Charlie", user=charlie)

    crossing = await connect(
        meeting, resume=elsewhere.welcome["resume_token"], headers=elsewhere.headers, expect="refused"
    )

    assert await crossing.refusal_code() == Close.RESUME_FAILED
    assert await host.nothing()
    assert await elsewhere.nothing()


async def test_resume_after_leaving_is_refused(connect, meeting, host, guest):
    await guest.send({"type": "leave"})
    await guest.closed()
    await host.receive_type("peer-left")

    back = await connect(
        meeting, resume=guest.welcome["resume_token"], headers=guest.headers, expect="refused"
    )

    assert await back.refusal_code() == Close.RESUME_FAILED


async def test_flooder_cannot_resume(settings, connect, join, meeting, host):
    settings.SIGNALING = {**settings.SIGNALING, "RATE": 1, "BURST": 2}
    flooder = await join(meeting, "Flo")
    for _ in range(3):
        await flooder.send({"type": "ping"})
    await flooder.receive_type("error")
    assert await flooder.closed() == Close.FLOOD

    back = await connect(
        meeting, resume=flooder.welcome["resume_token"], headers=flooder.headers, expect="refused"
    )

    assert await back.refusal_code() == Close.RESUME_FAILED


async def test_after_the_grace_the_dropped_peer_is_pruned_as_timed_out(host, guest, settings):
    await guest.hang_up(1006)
    await host.receive_type("peer-interrupted")
    after_grace = timezone.now() + timedelta(seconds=settings.SIGNALING["RESUME_GRACE"] + 1)

    pruned = await sync_to_async(room.participants_prune_stale)(now=after_grace)

    assert pruned == 1
    assert await host.receive() == {"type": "peer-left", "peer_id": guest.peer_id, "reason": "timeout"}
    assert (await Participant.objects.aget(peer_id=guest.peer_id)).status == Participant.Status.LEFT
    assert (await Participant.objects.aget(peer_id=host.peer_id)).status == Participant.Status.JOINED


async def test_pruned_peer_cannot_resume(connect, meeting, host, guest, settings):
    await guest.hang_up(1006)
    after_grace = timezone.now() + timedelta(seconds=settings.SIGNALING["RESUME_GRACE"] + 1)
    await sync_to_async(room.participants_prune_stale)(now=after_grace)

    back = await connect(
        meeting, resume=guest.welcome["resume_token"], headers=guest.headers, expect="refused"
    )

    assert await back.refusal_code() == Close.RESUME_FAILED


async def test_prune_within_the_grace_keeps_the_dropped_peer(host, guest):
    await guest.hang_up(1006)
    await host.receive_type("peer-interrupted")

    assert await sync_to_async(room.participants_prune_stale)() == 0
    assert await host.nothing()


async def test_connected_peer_whose_heartbeat_stopped_is_pruned(host, guest, settings):
    """Its socket looks open, but its server died or the row was never refreshed: it is gone."""
    config = settings.SIGNALING
    long_ago = timezone.now() - timedelta(seconds=config["IDLE_TIMEOUT"] + config["RESUME_GRACE"] + 1)
    await Participant.objects.filter(peer_id=guest.peer_id).aupdate(last_seen_at=long_ago)

    await sync_to_async(room.participants_prune_stale)()

    assert await host.receive() == {"type": "peer-left", "peer_id": guest.peer_id, "reason": "timeout"}
    assert (await Participant.objects.aget(peer_id=guest.peer_id)).status == Participant.Status.LEFT


@pytest.mark.parametrize("code", [1000, 1001], ids=["normal", "going-away"])
async def test_intentional_close_is_an_immediate_leave(host, guest, code):
    await guest.hang_up(code)

    assert await host.receive() == {"type": "peer-left", "peer_id": guest.peer_id, "reason": "left"}
    assert (await Participant.objects.aget(peer_id=guest.peer_id)).status == Participant.Status.LEFT


async def test_silent_client_is_closed_by_the_idle_watchdog(settings, join, meeting, host):
    settings.SIGNALING = {**settings.SIGNALING, "IDLE_TIMEOUT": 1}
    silent = await join(meeting, "Quiet")
    await host.receive_type("peer-joined")

    assert await silent.closed(timeout=3) == Close.IDLE_TIMEOUT
    assert await host.receive() == {"type": "peer-interrupted", "peer_id": silent.peer_id}


async def test_pinging_client_is_not_closed_by_the_idle_watchdog(settings, join, meeting):
    settings.SIGNALING = {**settings.SIGNALING, "IDLE_TIMEOUT": 1}
    talker = await join(meeting, "Chatty")

    for _ in range(4):
        await talker.ping()
        assert await talker.nothing(timeout=0.4)


async def test_a_stolen_resume_token_is_refused_from_another_session_and_the_victim_stays(
    connect, meeting, host, guest
):
    token = guest.welcome["resume_token"]

    without_cookie = await connect(meeting, resume=token, expect="refused")
    other_browser = await connect(meeting, resume=token, headers=browser_headers("thief"), expect="refused")

    assert await without_cookie.refusal_code() == Close.RESUME_FAILED
    assert await other_browser.refusal_code() == Close.RESUME_FAILED
    assert await guest.nothing()  # not replaced
    assert await host.nothing()  # no peer-resumed, no peer-left
    await guest.send({"type": "chat", "text": "still me"})
    assert (await host.receive())["name"] == "Gus"
    row = await Participant.objects.aget(peer_id=guest.peer_id)
    assert row.status == Participant.Status.JOINED


async def test_a_second_tab_of_the_same_session_resumes(resume, meeting, host, guest):
    second_tab = await resume(meeting, guest)  # same cookie, same token

    assert second_tab.welcome["peer_id"] == guest.peer_id
    assert await guest.receive_type("replaced")
    assert await guest.closed() == Close.REPLACED
    assert await host.receive() == {"type": "peer-resumed", "peer_id": guest.peer_id}


async def test_a_resume_token_in_the_url_is_refused(connect, meeting, host, guest):
    leaked = await connect(
        meeting, query=f"resume={guest.welcome['resume_token']}", headers=guest.headers, expect="refused"
    )

    assert await leaked.refusal_code() == Close.RESUME_FAILED
    assert await guest.nothing()


async def test_a_resume_socket_must_send_resume_first(connect, meeting, host, guest):
    early = await connect(meeting, query="resume=1", headers=guest.headers, expect=None)
    await early.send({"type": "chat", "text": "let me in"})

    assert (await early.receive())["code"] == Error.NOT_JOINED
    await early.send({"type": "resume", "token": guest.welcome["resume_token"]})
    assert (await early.receive())["peer_id"] == guest.peer_id
    assert await host.receive_type("peer-resumed")


async def test_a_resume_socket_that_sends_nothing_is_refused_in_time(connect, meeting, monkeypatch):
    monkeypatch.setattr("meetings.consumers.RESUME_FRAME_TIMEOUT", 0.2)
    silent = await connect(meeting, query="resume=1", headers=browser_headers("silent"), expect="refused")

    assert await silent.refusal_code() == Close.RESUME_FAILED
