"""Frames the server must refuse: each gets an error reply, and the connection stays usable."""

import json

import pytest

from meetings.protocol import MAX_CANDIDATE_CHARS, MAX_MESSAGE_BYTES, MAX_SDP_CHARS, Close, Error

pytestmark = pytest.mark.django_db(transaction=True)


async def assert_error_then_still_usable(person, code, bystander=None):
    reply = await person.receive()
    assert reply["type"] == "error", reply
    assert reply["code"] == code
    assert reply["message"]
    assert "re" not in reply
    await person.ping()
    if bystander is not None:
        assert await bystander.nothing()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("this is not json", Error.BAD_JSON),
        ('{"type": "ping"', Error.BAD_JSON),
        ("", Error.BAD_JSON),
        ('[{"type": "ping"}]', Error.INVALID),
        ('"ping"', Error.INVALID),
        ("null", Error.INVALID),
        ('{"text": "no type"}', Error.INVALID),
        ('{"type": 5}', Error.INVALID),
        ('{"type": null}', Error.INVALID),
        ('{"type": "dance"}', Error.UNKNOWN_TYPE),
        ('{"type": "welcome"}', Error.UNKNOWN_TYPE),
        ('{"type": "meeting.chat", "message": {}}', Error.UNKNOWN_TYPE),
        ('{"type": "chat", "text": "a", "text": "b"}', Error.BAD_JSON),
        ('{"type": "ping", "type": "end"}', Error.BAD_JSON),
    ],
    ids=[
        "not-json",
        "truncated-json",
        "empty-frame",
        "json-array",
        "json-string",
        "json-null",
        "missing-type",
        "numeric-type",
        "null-type",
        "unknown-type",
        "server-message-type",
        "channel-layer-event-type",
        "duplicate-key",
        "duplicate-type",
    ],
)
async def test_malformed_frame_gets_an_error_and_the_connection_stays_usable(host, guest, text, code):
    await guest.send_raw(text)

    await assert_error_then_still_usable(guest, code, bystander=host)


async def test_binary_frame_is_refused(host, guest):
    await guest.send_raw(data=b'{"type": "ping"}')

    await assert_error_then_still_usable(guest, Error.BAD_JSON, bystander=host)


@pytest.mark.parametrize(
    "message",
    [
        {"type": "signal", "description": {"type": "offer", "sdp": "v=0"}},
        {"type": "signal", "to": 5, "description": {"type": "offer", "sdp": "v=0"}},
        {"type": "signal", "to": "PEER"},
        {"type": "signal", "to": "PEER", "description": {"type": "offer", "sdp": "v=0"}, "candidate": None},
        {"type": "signal", "to": "PEER", "description": "v=0"},
        {"type": "signal", "to": "PEER", "description": {"type": "hello", "sdp": "v=0"}},
        {"type": "signal", "to": "PEER", "description": {"type": "offer", "sdp": 5}},
        {"type": "signal", "to": "PEER", "description": {"type": "offer", "sdp": ""}},
        {"type": "signal", "to": "PEER", "candidate": "candidate:1 1 udp"},
        {"type": "signal", "to": "PEER", "candidate": {"candidate": 5}},
        {"type": "signal", "to": "PEER", "candidate": {"candidate": "", "sdpMid": 0}},
        {"type": "signal", "to": "PEER", "candidate": {"candidate": "", "sdpMLineIndex": "0"}},
        {"type": "signal", "to": "PEER", "candidate": {"candidate": "", "sdpMLineIndex": True}},
        {"type": "signal", "to": "PEER", "candidate": {"candidate": "", "sdpMLineIndex": -1}},
        {"type": "signal", "to": "PEER", "candidate": {"candidate": "", "usernameFragment": 1}},
        {"type": "chat", "text": {"html": "<b>"}},
        {"type": "media", "audio": "false"},
        {"type": "lock", "locked": 1},
    ],
    ids=[
        "signal-without-to",
        "signal-to-number",
        "signal-without-payload",
        "signal-with-two-payloads",
        "description-not-object",
        "description-unknown-type",
        "sdp-not-string",
        "offer-without-sdp",
        "candidate-not-object",
        "candidate-text-not-string",
        "sdp-mid-not-string",
        "mline-index-string",
        "mline-index-boolean",
        "mline-index-negative",
        "ufrag-not-string",
        "chat-text-object",
        "media-string",
        "lock-number",
    ],
)
async def test_wrong_field_types_are_invalid_and_nothing_is_relayed(host, guest, message):
    message = json.loads(json.dumps(message).replace('"PEER"', json.dumps(host.peer_id)))

    await guest.send(message)

    await assert_error_then_still_usable(guest, Error.INVALID, bystander=host)


async def test_message_over_64_kib_is_too_large(host, guest):
    text = json.dumps({"type": "chat", "text": "x" * MAX_MESSAGE_BYTES})

    await guest.send_raw(text)

    await assert_error_then_still_usable(guest, Error.TOO_LARGE, bystander=host)


async def test_message_over_64_kib_in_utf8_is_too_large(host, guest):
    text = json.dumps({"type": "chat", "text": "é" * (MAX_MESSAGE_BYTES // 2)}, ensure_ascii=False)
    assert len(text) < MAX_MESSAGE_BYTES < len(text.encode())

    await guest.send_raw(text)

    await assert_error_then_still_usable(guest, Error.TOO_LARGE, bystander=host)


async def test_sdp_over_the_cap_is_too_large(host, guest):
    offer = {"type": "offer", "sdp": "a" * (MAX_SDP_CHARS + 1)}

    await guest.send({"type": "signal", "to": host.peer_id, "description": offer})

    await assert_error_then_still_usable(guest, Error.TOO_LARGE, bystander=host)


async def test_sdp_at_the_cap_is_relayed(host, guest):
    offer = {"type": "offer", "sdp": "a" * MAX_SDP_CHARS}

    await guest.send({"type": "signal", "to": host.peer_id, "description": offer})

    assert (await host.receive())["description"] == offer


async def test_candidate_over_the_cap_is_too_large(host, guest):
    await guest.send(
        {"type": "signal", "to": host.peer_id, "candidate": {"candidate": "c" * (MAX_CANDIDATE_CHARS + 1)}}
    )

    await assert_error_then_still_usable(guest, Error.TOO_LARGE, bystander=host)


async def test_peer_id_over_the_cap_is_too_large(host, guest):
    await guest.send({"type": "signal", "to": "p" * 33, "candidate": None})

    await assert_error_then_still_usable(guest, Error.TOO_LARGE, bystander=host)


@pytest.mark.parametrize("reference", ["req-1", 42, 0], ids=["string", "number", "zero"])
async def test_error_reply_echoes_the_message_id(guest, reference):
    await guest.send({"type": "dance", "id": reference})

    reply = await guest.receive()
    assert (reply["code"], reply["re"]) == (Error.UNKNOWN_TYPE, reference)


async def test_a_null_id_is_no_id(guest):
    await guest.send({"type": "dance", "id": None})

    reply = await guest.receive()
    assert reply["code"] == Error.UNKNOWN_TYPE
    assert "re" not in reply


@pytest.mark.parametrize("reference", [{"x": 1}, [1]], ids=["object", "list"])
async def test_an_id_that_is_not_a_string_or_integer_is_refused_without_re(guest, reference):
    await guest.send({"type": "dance", "id": reference})

    reply = await guest.receive()
    assert reply["code"] == Error.INVALID
    assert "re" not in reply


async def test_long_unknown_type_is_cut_short_in_the_reply(guest):
    await guest.send({"type": "x" * 5000})

    reply = await guest.receive()
    assert reply["code"] == Error.UNKNOWN_TYPE
    assert len(reply["message"]) < 100


async def test_flood_is_rate_limited_then_closed_and_announced_as_left(settings, join, meeting, host, guest):
    settings.SIGNALING = {**settings.SIGNALING, "RATE": 1, "BURST": 5}
    flooder = await join(meeting, "Flo")  # the bucket is sized when the socket opens
    await host.receive_type("peer-joined")
    await guest.receive_type("peer-joined")

    for _ in range(10):
        await flooder.send({"type": "ping"})

    replies = [await flooder.receive() for _ in range(6)]
    assert replies[:5] == [{"type": "pong"}] * 5
    assert replies[5] == {
        "type": "error",
        "code": Error.RATE_LIMITED,
        "message": "Too many messages; the connection is closed.",
    }
    assert await flooder.closed() == Close.FLOOD
    assert await host.receive() == {"type": "peer-left", "peer_id": flooder.peer_id, "reason": "left"}
    assert await guest.receive() == {"type": "peer-left", "peer_id": flooder.peer_id, "reason": "left"}
    await host.ping()
    await guest.ping()
