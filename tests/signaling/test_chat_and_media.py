"""Chat and media state: stored, broadcast to everyone in the call, and part of the next welcome."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from meetings.models import ChatMessage, Meeting, Participant
from meetings.protocol import MAX_CHAT_CHARS, Error

pytestmark = pytest.mark.django_db(transaction=True)


async def test_chat_is_stored_and_broadcast_to_everyone_with_name_and_server_time(meeting, host, guest):
    before = timezone.now()

    await guest.send({"type": "chat", "text": "Hello all", "name": "Forged", "sent_at": "1999-01-01"})

    to_host = await host.receive()
    assert to_host == await guest.receive()
    stored = await ChatMessage.objects.aget()
    assert to_host == {
        "type": "chat",
        "id": stored.id,
        "from": guest.peer_id,
        "name": "Gus",
        "text": "Hello all",
        "sent_at": stored.sent_at.isoformat(),
    }
    assert stored.meeting_id == meeting.id
    assert stored.sender_name == "Gus"
    assert before <= datetime.fromisoformat(to_host["sent_at"]) <= timezone.now() + timedelta(seconds=1)


async def test_chat_text_is_stored_and_sent_exactly_as_typed(host, guest):
    text = "  <script>alert('x')</script> &amp; <b>bold</b>\nsecond line 🎉 "

    await guest.send({"type": "chat", "text": text})

    assert (await host.receive())["text"] == text
    assert (await ChatMessage.objects.aget()).text == text


async def test_chat_at_the_limit_is_accepted(host, guest):
    await guest.send({"type": "chat", "text": "x" * MAX_CHAT_CHARS})

    assert len((await host.receive())["text"]) == MAX_CHAT_CHARS


async def test_too_long_chat_is_refused(host, guest):
    await guest.send({"type": "chat", "text": "x" * (MAX_CHAT_CHARS + 1), "id": "c1"})

    reply = await guest.receive()
    assert (reply["code"], reply["re"]) == (Error.TOO_LARGE, "c1")
    assert await ChatMessage.objects.acount() == 0
    assert await host.nothing()


@pytest.mark.parametrize(
    "text", ["", "   \n\t", None, 42, ["hi"]], ids=["empty", "blank", "null", "int", "list"]
)
async def test_empty_or_non_text_chat_is_invalid(host, guest, text):
    await guest.send({"type": "chat", "text": text})

    assert (await guest.receive())["code"] == Error.INVALID
    assert await ChatMessage.objects.acount() == 0
    assert await host.nothing()


async def test_chat_history_is_in_the_next_joiners_welcome(join, meeting, host, guest):
    for text in ["first", "second"]:
        await host.send({"type": "chat", "text": text})
        await host.receive_type("chat")

    late = await join(meeting, "Late")

    assert [(m["name"], m["text"], m["from"]) for m in late.welcome["chat"]] == [
        ("Alice", "first", host.peer_id),
        ("Alice", "second", host.peer_id),
    ]


async def test_welcome_has_only_the_most_recent_chat(join, meeting, host):
    from meetings.room import RECENT_CHAT

    participant = await Participant.objects.aget(peer_id=host.peer_id)
    await ChatMessage.objects.abulk_create(
        ChatMessage(meeting=meeting, participant=participant, sender_name="Alice", text=str(n))
        for n in range(RECENT_CHAT + 5)
    )

    late = await join(meeting, "Late")

    texts = [m["text"] for m in late.welcome["chat"]]
    assert texts == [str(n) for n in range(5, RECENT_CHAT + 5)]


async def test_chat_of_another_meeting_is_not_in_the_welcome(join, other_meeting, charlie, meeting, host):
    elsewhere = await join(other_meeting, "Charlie", user=charlie)
    await elsewhere.send({"type": "chat", "text": "private"})
    await elsewhere.receive_type("chat")

    late = await join(meeting, "Late")

    assert late.welcome["chat"] == []
    assert await host.receive_type("peer-joined")
    assert await host.nothing()


async def test_media_change_is_broadcast_and_stored(host, guest):
    await guest.send({"type": "media", "audio": False, "hand": True})

    expected = {
        "type": "peer-media",
        "peer_id": guest.peer_id,
        "media": {"audio": False, "video": True, "screen": False, "hand": True},
    }
    assert await host.receive() == expected
    assert await guest.receive() == expected
    participant = await Participant.objects.aget(peer_id=guest.peer_id)
    assert participant.media == expected["media"]


async def test_later_joiners_see_media_state_in_the_welcome(join, meeting, host):
    await host.send({"type": "media", "video": False, "screen": True})
    await host.receive_type("peer-media")

    late = await join(meeting, "Late")

    assert late.welcome["peers"][0]["media"] == {"audio": True, "video": False, "screen": True, "hand": False}


@pytest.mark.parametrize(
    "message",
    [{}, {"audio": "off"}, {"video": 0}, {"hand": None}, {"camera": False}],
    ids=["nothing", "string", "int", "null", "unknown-key-only"],
)
async def test_invalid_media_update_is_refused(host, guest, message):
    await guest.send({"type": "media", **message})

    assert (await guest.receive())["code"] == Error.INVALID
    assert await host.nothing()


async def test_mute_on_entry_mutes_guests_but_not_the_host(join, meeting, alice):
    await Meeting.objects.filter(pk=meeting.pk).aupdate(mute_on_entry=True)
    host = await join(meeting, "Alice", user=alice)

    guest = await join(meeting, "Gus")

    assert host.welcome["media"]["audio"] is True
    assert host.welcome["meeting"]["mute_on_entry"] is True
    assert guest.welcome["media"] == {"audio": False, "video": True, "screen": False, "hand": False}
    joined = await host.receive_type("peer-joined")
    assert joined["peer"]["media"]["audio"] is False
    late = await join(meeting, "Late")
    roster = {peer["name"]: peer["media"]["audio"] for peer in late.welcome["peers"]}
    assert roster == {"Alice": True, "Gus": False}
