"""Attacks and faults on the transport, against real daphne processes (`manage.py serve`).

Each test prints the figure that docs/reliability.md records (run with -s to see them).
"""

import asyncio
import contextlib
import json
import time

import pytest

from meetings.protocol import MAX_SDP_CHARS, Close

from .conftest import open_resume_socket

pytestmark = pytest.mark.django_db(transaction=True)

CANDIDATE = {
    "candidate": "candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host",
    "sdpMid": "0",
    "sdpMLineIndex": 0,
}


async def test_a_2_mib_frame_is_refused_by_daphne_and_the_room_carries_on(daphne, join, meeting):
    server = daphne(1)[0]
    ann = await join(server, meeting, "Ann")
    attacker = await join(server, meeting, "Mallory")

    started = time.monotonic()
    await attacker.send({"type": "chat", "text": "x" * (2 * 1024 * 1024)})
    await attacker.wait_closed()
    print(f"2 MiB frame: closed with {attacker.close_code} after {time.monotonic() - started:.2f}s")

    # Refused by daphne before it reached Python, with the close frame the close-code table documents.
    assert attacker.close_code == 1009
    assert server.process.poll() is None
    await ann.send({"type": "chat", "text": "still here"})
    assert (await ann.expect("chat"))["text"] == "still here"


async def test_a_500_kb_sdp_is_refused_and_a_33_kb_one_gets_a_clear_error(daphne, join, meeting):
    server = daphne(1)[0]
    ann = await join(server, meeting, "Ann")
    sender = await join(server, meeting, "Sam")

    await sender.send(
        {
            "type": "signal",
            "to": ann.peer_id,
            "id": 1,
            "description": {"type": "offer", "sdp": "a" * (MAX_SDP_CHARS + 1000)},
        }
    )
    error = await sender.expect("error")
    assert (error["code"], error["re"]) == ("too_large", 1)
    assert not ann.received("signal")

    await sender.send(
        {"type": "signal", "to": ann.peer_id, "description": {"type": "offer", "sdp": "a" * 500_000}}
    )
    await sender.wait_closed()
    assert sender.close_code == 1009
    assert not ann.received("signal")
    await ann.send({"type": "chat", "text": "unaffected"})
    assert (await ann.expect("chat"))["text"] == "unaffected"


async def test_a_flooder_is_cut_off_while_two_others_negotiate_completely(daphne, join, meeting):
    server = daphne(1)[0]
    ann = await join(server, meeting, "Ann")
    ben = await join(server, meeting, "Ben")
    flooder = await join(server, meeting, "Flo")

    async def flood():
        """1,000 messages a second at Ann, for up to two seconds."""
        sent = 0
        try:
            for _ in range(2000):
                await flooder.send({"type": "signal", "to": ann.peer_id, "candidate": CANDIDATE})
                sent += 1
                await asyncio.sleep(0.001)
        except Exception:  # the server closed the socket: that is the point
            pass
        return sent

    async def negotiate():
        """Ben offers to Ann, Ann answers, ten candidates each way; every message must arrive."""
        await ben.send(
            {"type": "signal", "to": ann.peer_id, "description": {"type": "offer", "sdp": "v=0 offer"}}
        )
        await ann.expect(
            "signal",
            **{"from": ben.peer_id, "description": {"type": "offer", "sdp": "v=0 offer"}},
            timeout=10,
        )
        await ann.send(
            {"type": "signal", "to": ben.peer_id, "description": {"type": "answer", "sdp": "v=0 answer"}}
        )
        for n in range(10):
            await ann.send(
                {"type": "signal", "to": ben.peer_id, "candidate": {**CANDIDATE, "sdpMLineIndex": n}}
            )
            await ben.send(
                {"type": "signal", "to": ann.peer_id, "candidate": {**CANDIDATE, "sdpMLineIndex": n}}
            )
        await ben.expect(
            "signal",
            **{"from": ann.peer_id, "description": {"type": "answer", "sdp": "v=0 answer"}},
            timeout=10,
        )
        for n in range(10):
            await ben.expect(
                "signal", **{"from": ann.peer_id, "candidate": {**CANDIDATE, "sdpMLineIndex": n}}, timeout=10
            )
            await ann.expect(
                "signal", **{"from": ben.peer_id, "candidate": {**CANDIDATE, "sdpMLineIndex": n}}, timeout=10
            )

    started = time.monotonic()
    sent, _ = await asyncio.gather(flood(), negotiate())
    negotiated = time.monotonic() - started
    await flooder.wait_closed()

    assert flooder.close_code == Close.FLOOD
    assert (await ann.expect("peer-left", peer_id=flooder.peer_id))["reason"] == "left"
    print(f"flood: flooder sent {sent} messages before the cut; Ann and Ben negotiated in {negotiated:.2f}s")


async def test_redis_stopped_for_ten_seconds_everyone_resumes_and_no_chat_is_lost(
    daphne, join, meeting, redis
):
    first, second = daphne(2, SIGNALING_RESUME_GRACE="30", SIGNALING_IDLE_TIMEOUT="30")
    ann = await join(first, meeting, "Ann")
    ben = await join(second, meeting, "Ben")
    await ann.expect("peer-joined")
    await ann.send({"type": "chat", "text": "before the outage"})
    await ben.expect("chat", text="before the outage")

    redis.stop()
    try:
        await ann.wait_closed(timeout=15)
        await ben.wait_closed(timeout=15)
        dropped = {ann.close_code, ben.close_code}
        await asyncio.sleep(10)
    finally:
        redis.start()
    restarted = time.monotonic()

    async def resume(server, client):
        """What the browser does: retry with its resume token until it is welcomed back."""
        while time.monotonic() - restarted < 20:
            try:
                socket = await open_resume_socket(
                    server, meeting, client.name, client.welcome["resume_token"], open_timeout=3
                )
                welcome = json.loads(await asyncio.wait_for(socket.recv(), 3))
                if welcome["type"] == "welcome":
                    return socket, welcome
                await socket.close()
            except Exception:
                pass
            await asyncio.sleep(0.5)
        raise AssertionError(f"{client.name} did not resume")

    (ann_socket, ann_back), (ben_socket, ben_back) = await asyncio.gather(
        resume(first, ann), resume(second, ben)
    )
    resumed_after = time.monotonic() - restarted
    assert ann_back["peer_id"] == ann.peer_id and ben_back["peer_id"] == ben.peer_id
    assert [p["peer_id"] for p in ann_back["peers"]] == [ben.peer_id]
    assert "before the outage" in [m["text"] for m in ben_back["chat"]]

    # Chat after the outage arrives; a socket that still drops resumes again, as the browser does.
    delivered = False
    try:
        while not delivered and time.monotonic() - restarted < 30:
            try:
                await ann_socket.send(json.dumps({"type": "chat", "text": "after the outage"}))
                while not delivered:
                    message = json.loads(await asyncio.wait_for(ben_socket.recv(), 5))
                    delivered = message["type"] == "chat" and message["text"] == "after the outage"
            except Exception:
                await ann_socket.close()
                await ben_socket.close()
                (ann_socket, ann_back), (ben_socket, ben_back) = await asyncio.gather(
                    resume(first, ann), resume(second, ben)
                )
                delivered = "after the outage" in [m["text"] for m in ben_back["chat"]]
    finally:
        await ann_socket.close()
        await ben_socket.close()
    assert delivered
    assert (ann_back["peer_id"], ben_back["peer_id"]) == (ann.peer_id, ben.peer_id)
    print(
        f"redis outage: sockets dropped with {sorted(dropped)}; both resumed {resumed_after:.2f}s after Redis returned"
    )


async def test_a_request_head_sent_a_byte_at_a_time_is_cut_at_the_header_deadline(daphne):
    server = daphne(1, HTTP_HEADER_TIMEOUT="2")[0]
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    started = time.monotonic()
    head = b"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200

    async def trickle():
        """One byte every 0.2 s: Twisted's idle timeout never fires, the deadline must."""
        for byte in head:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.2)

    trickling = asyncio.create_task(trickle())
    try:
        with contextlib.suppress(ConnectionResetError):  # aborted: a reset, no response
            assert await asyncio.wait_for(reader.read(), 30) == b""
    finally:
        trickling.cancel()
        writer.transport.abort()
    held = time.monotonic() - started
    print(f"slow request head: connection closed after {held:.2f}s (HTTP_HEADER_TIMEOUT=2)")
    assert held >= 1.9

    # A normal request on a new connection is served as ever.
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    response = await asyncio.wait_for(reader.read(), 30)
    writer.close()
    assert response.startswith(b"HTTP/1.1 200"), response[:200]
