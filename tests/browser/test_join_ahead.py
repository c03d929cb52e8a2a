"""What the pre-join page prepares before Join: the held socket and the connection with its offer."""

import pytest
from playwright.sync_api import expect

from meetings.models import Participant

from .call_helpers import (
    chat_log,
    join_from_prejoin,
    join_signed_in,
    send_chat,
    tile_of,
    wait_for_flowing_media_everywhere,
)

pytestmark = pytest.mark.browser

# Counts the sockets and peer connections a page makes, and the messages it sends on its sockets.
COUNT_CONNECTIONS = """
window.__made = { sockets: 0, peerConnections: 0, sent: [] };
const RealWebSocket = window.WebSocket;
window.WebSocket = class extends RealWebSocket {
  constructor(...args) { super(...args); window.__made.sockets += 1; }
  send(data) { window.__made.sent.push(JSON.parse(data).type); return super.send(data); }
};
const RealPeerConnection = window.RTCPeerConnection;
window.RTCPeerConnection = class extends RealPeerConnection {
  constructor(...args) { super(...args); window.__made.peerConnections += 1; }
};
"""


def made(page):
    return page.evaluate("() => window.__made")


def open_prejoin_as_guest(page, meeting, name):
    page.add_init_script(COUNT_CONNECTIONS)
    page.goto(f"/m/{meeting.code}/")
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Continue").click()
    return page


def wait_until_prepared(page, connections=1):
    """The socket is held and `connections` connections, one per person in the call, have their offers."""
    page.wait_for_function(
        """(count) => window.huddle && window.huddle.transport.prepared.length === count
            && window.huddle.transport.prepared.every((link) => link.pc.localDescription?.type === 'offer')""",
        arg=connections,
    )


def test_join_uses_the_socket_and_the_offer_prepared_on_the_prejoin_page(
    signed_in_page, new_page, alice, meeting
):
    host = join_signed_in(signed_in_page(alice), meeting)
    guest = open_prejoin_as_guest(new_page(), meeting, "Early Erin")
    wait_until_prepared(guest)

    # Prepared, but not in the meeting: nobody sees Erin and she holds no place. The host's own chat
    # message reaches her after anything the server told the call before it (a peer-joined, say).
    assert made(guest)["sockets"] == 1
    assert not Participant.objects.filter(display_name="Early Erin").exists()
    send_chat(host, "Anyone else here?")
    expect(chat_log(host).get_by_text("Anyone else here?")).to_have_count(1)
    expect(tile_of(host, "Early Erin")).to_have_count(0)

    join_from_prejoin(guest)

    wait_for_flowing_media_everywhere([host, guest], 1)
    counts = made(guest)
    assert counts["sockets"] == 1  # the held socket carried the join
    assert counts["peerConnections"] == 1  # the prepared connection became the call with the host
    assert counts["sent"][counts["sent"].index("join") + 1] == "signal"  # its offer went out at once


def test_the_prejoin_page_prepares_a_connection_for_each_person_who_joins_meanwhile(
    signed_in_page, new_page, alice, bob, meeting
):
    host = join_signed_in(signed_in_page(alice), meeting)
    guest = open_prejoin_as_guest(new_page(), meeting, "Early Erin")
    wait_until_prepared(guest, 1)

    # Bob joins while Erin looks at her preview: her page makes a second connection ready.
    member = join_signed_in(signed_in_page(bob), meeting)
    wait_for_flowing_media_everywhere([host, member], 1)
    wait_until_prepared(guest, 2)
    assert made(guest)["sockets"] == 1
    assert not Participant.objects.filter(display_name="Early Erin").exists()

    join_from_prejoin(guest)

    wait_for_flowing_media_everywhere([host, member, guest], 2)
    counts = made(guest)
    assert counts["sockets"] == 1
    assert counts["peerConnections"] == 2  # both calls run on connections made before Join


def test_a_name_changed_on_the_prejoin_page_is_the_name_the_others_see(
    signed_in_page, new_page, alice, meeting
):
    host = join_signed_in(signed_in_page(alice), meeting)
    guest = open_prejoin_as_guest(new_page(), meeting, "First Name")
    wait_until_prepared(guest)

    name = guest.get_by_label("Your name")
    name.fill("Second Name")
    name.blur()
    join_from_prejoin(guest)

    expect(tile_of(host, "Second Name")).to_have_count(1)
    expect(tile_of(host, "First Name")).to_have_count(0)
    wait_for_flowing_media_everywhere([host, guest], 1)


def test_join_still_works_when_the_held_socket_was_lost(
    signed_in_page, new_page, alice, meeting, restartable_server
):
    host = join_signed_in(signed_in_page(alice), meeting)
    guest = open_prejoin_as_guest(new_page(), meeting, "Patient Pat")
    wait_until_prepared(guest)

    restartable_server.stop()  # the held socket goes down with the server
    restartable_server.start()
    expect(host.get_by_role("status").filter(has_text="Connection lost, reconnecting…")).to_be_hidden(
        timeout=30_000
    )
    join_from_prejoin(guest)

    expect(tile_of(host, "Patient Pat")).to_have_count(1)
    wait_for_flowing_media_everywhere([host, guest], 1)
    assert made(guest)["sockets"] == 2  # the lost held socket, then a new one with a fresh ticket
