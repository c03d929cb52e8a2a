"""Valid JSON text in hostile shapes: each gets its documented error and the socket stays open; a
handler that fails anyway closes only its own socket (1011) and the room hears peer-interrupted."""

import json
import time

import pytest
from channels.db import database_sync_to_async

from meetings import room
from meetings.models import Participant
from meetings.protocol import MAX_DEPTH, Error

pytestmark = pytest.mark.django_db(transaction=True)

LONE_SURROGATE = "\\ud800"  # as a hostile client writes it: a JSON escape, in plain ASCII


async def error_reply(person):
    reply = await person.receive()
    assert reply["type"] == "error", reply
    return reply


def nested(depth, inner="1"):
    return "[" * depth + inner + "]" * depth


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (nested(1000), Error.INVALID),
        ('{"type": "ping", "extra": ' + nested(1000) + "}", Error.INVALID),
        (
            '{"type": "chat", "text": "hi", "extra": ' + '{"a":' * 10_000 + "1" + "}" * 10_000 + "}",
            Error.INVALID,
        ),
        ('{"type": "ping", "extra": ' + nested(30_000) + "}", Error.INVALID),  # 60 KB, under the size cap
        (nested(100_000), Error.TOO_LARGE),  # 200 KB: over the 64 KiB message cap before parsing
        ('{"type": "ping", "extra": ' + nested(MAX_DEPTH) + "}", Error.INVALID),
    ],
    ids=[
        "array-1000",
        "array-1000-in-extra-key",
        "object-10000",
        "array-30000",
        "array-100000",
        "one-too-deep",
    ],
)
async def test_deep_json_gets_an_error_and_the_socket_stays_open(host, guest, frame, code):
    await guest.send_raw(frame)

    reply = await error_reply(guest)
    assert reply["code"] == code
    await guest.ping()
    assert await host.nothing()


async def test_json_nested_as_deep_as_allowed_is_accepted(host, guest):
    await guest.send_raw('{"type": "ping", "extra": ' + nested(MAX_DEPTH - 1) + "}")

    assert await guest.receive() == {"type": "pong"}


def signal_frame(to, **payload):
    return json.dumps({"type": "signal", "to": to, **payload}).replace("SURROGATE", LONE_SURROGATE)


@pytest.mark.parametrize(
    "build",
    [
        lambda to: '{"type": "chat", "text": "a' + LONE_SURROGATE + 'b"}',
        lambda to: signal_frame(to, description={"type": "offer", "sdp": "v=0 SURROGATE"}),
        lambda to: signal_frame(to, candidate={"candidate": "candidate:1 SURROGATE", "sdpMid": "0"}),
        lambda to: signal_frame(to, candidate={"candidate": "candidate:1", "sdpMid": "SURROGATE"}),
        lambda to: '{"type": "ping", "id": "x' + LONE_SURROGATE + '"}',
        lambda to: '{"type": "ping", "' + LONE_SURROGATE + '": 1}',
        lambda to: '{"type": "chat' + LONE_SURROGATE + '"}',
    ],
    ids=["chat", "sdp", "candidate", "sdp-mid", "id", "key", "type"],
)
async def test_a_lone_surrogate_anywhere_gets_bad_json_and_nothing_is_stored_or_relayed(host, guest, build):
    await guest.send_raw(build(host.peer_id))

    reply = await error_reply(guest)
    assert reply["code"] == Error.BAD_JSON
    assert "re" not in reply
    await guest.ping()
    assert await host.nothing()
    assert not await database_sync_to_async(lambda: room.ChatMessage.objects.exists())()


async def test_a_surrogate_pair_is_ordinary_text(host, guest):
    await guest.send_raw('{"type": "chat", "text": "smile \\ud83d\\ude00"}')

    assert (await host.receive())["text"] == "smile \U0001f600"


@pytest.mark.parametrize(
    "frame",
    [
        '{"type": "ping", "n": ' + "1" * 5000 + "}",
        '{"type": "ping", "n": 1e999}',
        '{"type": "signal", "to": "P", "candidate": {"candidate": "c", "sdpMLineIndex": 123456789012345678901234}}',
    ],
    ids=["5000-digits", "overflowing-float", "huge-line-index"],
)
async def test_huge_numbers_get_invalid_message(host, guest, frame):
    await guest.send_raw(frame)

    assert (await error_reply(guest))["code"] == Error.INVALID
    await guest.ping()


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
async def test_python_only_constants_are_not_json(host, guest, constant):
    await guest.send_raw('{"type": "ping", "id": ' + constant + "}")

    assert (await error_reply(guest))["code"] == Error.BAD_JSON
    await guest.ping()


@pytest.mark.parametrize(
    "odd_id",
    [True, 1.5, [1], {"a": 1}, "x" * 65, 2**53, -(2**53)],
    ids=["bool", "float", "list", "object", "long-string", "2^53", "-2^53"],
)
async def test_an_id_that_cannot_be_echoed_is_refused_without_re_and_nothing_happens(host, guest, odd_id):
    await guest.send({"type": "chat", "text": "hello", "id": odd_id})

    reply = await error_reply(guest)
    assert reply["code"] == Error.INVALID
    assert "re" not in reply
    assert await host.nothing()


@pytest.mark.parametrize("good_id", ["x" * 64, 2**53 - 1, -(2**53 - 1), 0, "✓"])
async def test_an_id_is_echoed_exactly(host, guest, good_id):
    await guest.send({"type": "dance", "id": good_id})

    assert (await error_reply(guest))["re"] == good_id


async def test_a_crash_in_a_handler_closes_with_1011_and_the_room_hears_peer_interrupted_at_once(
    host, guest, monkeypatch
):
    def broken_chat_post(**kwargs):
        raise RuntimeError("injected crash")

    monkeypatch.setattr(room, "chat_post", broken_chat_post)

    started = time.monotonic()
    await guest.send({"type": "chat", "text": "this will crash the handler"})

    interrupted = await host.receive(timeout=2)
    told_after = time.monotonic() - started
    assert interrupted == {"type": "peer-interrupted", "peer_id": guest.peer_id}
    assert await guest.closed() == 1011
    print(f"injected crash: the room heard peer-interrupted {told_after * 1000:.0f} ms after the frame")
    row = await database_sync_to_async(Participant.objects.get)(peer_id=guest.peer_id)
    assert (row.status, row.channel_name) == (Participant.Status.JOINED, "")  # kept for a resume
    assert await host.nothing()  # told once, not again when the socket finished closing
    await host.ping()
