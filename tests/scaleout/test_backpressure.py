"""Back-pressure at the transport, against a real `manage.py serve`: what one socket writes cannot grow
the server's memory, the flooder is cut within a second, and the others lose nothing meanwhile.

Run with -s to see the figures that docs/reliability.md records.
"""

import asyncio
import base64
import json
import os
import struct
import time

import pytest

from meetings.protocol import Close

from .conftest import fresh_ticket

pytestmark = pytest.mark.django_db(transaction=True)

FLOODS = 5
FLOOD_SECONDS = 4
FRAME_BYTES = 2000
MIB = 1024 * 1024


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for process {pid}")


def client_frame(text):
    """One masked text frame as a browser sends it (the mask key is zero, which RFC 6455 allows)."""
    payload = text.encode()
    assert 125 < len(payload) < 65536
    return struct.pack("!BBH", 0x81, 0x80 | 126, len(payload)) + b"\0\0\0\0" + payload


async def read_frame(reader):
    """(opcode, payload) of the next server frame (servers do not mask)."""
    first, second = await reader.readexactly(2)
    length = second & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", await reader.readexactly(2))
    elif length == 127:
        (length,) = struct.unpack("!Q", await reader.readexactly(8))
    return first & 0x0F, await reader.readexactly(length)


async def open_raw_socket(server, meeting, name):
    """A websocket by hand: the handshake, then nothing but our own bytes."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            f"GET /ws/meetings/{meeting.code}/?ticket={fresh_ticket(meeting, name)} HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{server.port}\r\nOrigin: {server.url}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    assert head.startswith(b"HTTP/1.1 101"), head
    opcode, payload = await asyncio.wait_for(read_frame(reader), 10)
    assert json.loads(payload)["type"] == "welcome"
    return reader, writer


async def raw_flood(server, meeting, name):
    """Write 2,000-byte ping frames as fast as the socket takes them, for FLOOD_SECONDS or until the
    server closes. Returns (frames written, seconds until the close frame arrived, its code)."""
    reader, writer = await open_raw_socket(server, meeting, name)
    message = json.dumps({"type": "ping", "pad": ""})
    frame = client_frame(message[:-2] + "x" * (FRAME_BYTES - len(message)) + '"}')
    assert len(frame) == FRAME_BYTES + 8
    batch = frame * 32
    started = time.monotonic()
    closed = {}

    async def watch_for_close():
        while True:
            opcode, payload = await read_frame(reader)
            if opcode == 0x8:
                closed["after"] = time.monotonic() - started
                closed["code"] = struct.unpack("!H", payload[:2])[0] if payload else None
                return

    watcher = asyncio.create_task(watch_for_close())
    written = 0
    try:
        while time.monotonic() - started < FLOOD_SECONDS and not watcher.done():
            writer.write(batch)
            await asyncio.wait_for(writer.drain(), FLOOD_SECONDS)
            written += 32
    except (ConnectionError, TimeoutError):
        pass  # the server hung up, or stopped reading: either is the point
    try:
        await asyncio.wait_for(watcher, 5)
    except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
        watcher.cancel()
    writer.transport.abort()
    return written, closed.get("after"), closed.get("code")


async def test_five_raw_floods_leave_memory_flat_and_the_others_lose_no_signal(daphne, join, meeting):
    server = daphne(1)[0]
    ann = await join(server, meeting, "Ann")
    ben = await join(server, meeting, "Ben")
    await ann.expect("peer-joined")

    # Warm up the paths a flood takes (a flooder's join, its cut, its goodbye), then take the baseline.
    await raw_flood(server, meeting, "Warm-up")
    await ann.expect("peer-left", timeout=10)
    await ben.expect("peer-left", timeout=10)
    baseline = rss_bytes(server.process.pid)

    sent = {"Ann": 0, "Ben": 0}
    floods_over = asyncio.Event()

    async def keep_signalling(sender, receiver):
        """Offers, numbered, ten a second, for as long as the floods last."""
        while not floods_over.is_set():
            sent[sender.name] += 1
            description = {"type": "offer", "sdp": f"v=0 {sent[sender.name]}"}
            await sender.send({"type": "signal", "to": receiver.peer_id, "description": description})
            await asyncio.sleep(0.1)

    signallers = [
        asyncio.create_task(keep_signalling(ann, ben)),
        asyncio.create_task(keep_signalling(ben, ann)),
    ]
    floods = []
    peak = baseline
    for n in range(FLOODS):
        floods.append(await raw_flood(server, meeting, f"Flooder {n}"))
        peak = max(peak, rss_bytes(server.process.pid))
    floods_over.set()
    await asyncio.gather(*signallers)

    async def arrived(receiver, sender):
        numbers = set()
        for message in receiver.received("signal"):
            if message["from"] == sender.peer_id:
                numbers.add(int(message["description"]["sdp"].split()[1]))
        return numbers

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if len(await arrived(ben, ann)) == sent["Ann"] and len(await arrived(ann, ben)) == sent["Ben"]:
            break
        await asyncio.sleep(0.1)
    after = rss_bytes(server.process.pid)

    for written, cut_after, code in floods:
        print(
            f"flood: {written} frames of {FRAME_BYTES} bytes written, closed with {code} after {cut_after}s"
        )
    print(
        f"daphne RSS: {baseline / MIB:.1f} MiB before, peak {peak / MIB:.1f} MiB, {after / MIB:.1f} MiB after; "
        f"signals Ann->Ben {len(await arrived(ben, ann))}/{sent['Ann']}, Ben->Ann {len(await arrived(ann, ben))}/{sent['Ben']}"
    )
    assert [code for _, _, code in floods] == [Close.FLOOD] * FLOODS
    assert await arrived(ben, ann) == set(range(1, sent["Ann"] + 1))
    assert await arrived(ann, ben) == set(range(1, sent["Ben"] + 1))
    assert not ann.closed and not ben.closed
    assert after - baseline < 30 * MIB
