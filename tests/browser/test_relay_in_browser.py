"""Calls through a real coturn: meetings that hide addresses connect relay-only; a bad credential says so."""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.call_helpers import (
    chat_log,
    join_as_guest,
    send_chat,
    stats_of,
    tile_of,
    wait_for_flowing_media_everywhere,
)
from tests.browser.conftest import wait_until_nobody_is_in_a_call
from tests.servers import DaphneServer, TurnServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def coturn(tmp_path_factory):
    turn = TurnServer(tmp_path_factory.mktemp("coturn"))
    turn.start()
    yield turn
    turn.stop()


@pytest.fixture(scope="module")
def relay_daphne(django_db_setup, django_db_blocker, tmp_path_factory, coturn):
    """The site with TURN configured for the test's coturn."""
    daphne = DaphneServer(
        tmp_path_factory.mktemp("daphne-turn"),
        extra_env={"TURN_URLS": coturn.url, "TURN_SECRET": coturn.secret, "TURN_TTL": "600"},
    )
    daphne.start()
    yield daphne
    daphne.stop()


@pytest.fixture
def server(relay_daphne, coturn, transactional_db):
    """The pages of these tests talk to the TURN-configured site, with the right secret by default."""
    if (
        relay_daphne.environment["TURN_SECRET"] != coturn.secret
        or relay_daphne.environment["TURN_TTL"] != "600"
    ):
        relay_daphne.restart(extra_env={"TURN_SECRET": coturn.secret, "TURN_TTL": "600"})
    yield relay_daphne
    wait_until_nobody_is_in_a_call()


def remote_sdp(page):
    return page.evaluate(
        "() => [...window.huddle.transport.links.values()].map((link) => link.pc.remoteDescription?.sdp || '').join('\\n')"
    )


def test_two_people_who_hide_their_addresses_talk_through_the_relay_only(new_page, make_meeting):
    meeting = make_meeting(hide_network_addresses=True)
    ana, ben = new_page(), new_page()

    join_as_guest(ana, meeting, "Ana")
    join_as_guest(ben, meeting, "Ben")

    wait_for_flowing_media_everywhere([ana, ben], 1)
    for page, other in ((ana, "Ben"), (ben, "Ana")):
        stats = stats_of(page, other)
        assert (stats["localCandidate"], stats["remoteCandidate"]) == ("relay", "relay"), stats
        assert re.search(r"typ (host|srflx|prflx)", remote_sdp(page)) is None


@pytest.mark.parametrize(
    "change",
    [{"TURN_SECRET": "a-forged-secret-coturn-does-not-know"}, {"TURN_TTL": "-60"}],
    ids=["forged", "expired"],
)
def test_a_credential_the_relay_refuses_shows_who_cannot_be_reached(server, new_page, make_meeting, change):
    server.restart(extra_env=change)
    meeting = make_meeting(hide_network_addresses=True)
    ana, ben = new_page(), new_page()

    join_as_guest(ana, meeting, "Ana")
    join_as_guest(ben, meeting, "Ben")

    refused = "Can't reach {}: the relay server refused this browser's credentials"
    expect(tile_of(ana, "Ben")).to_contain_text(refused.format("Ben"), timeout=15_000)
    expect(tile_of(ben, "Ana")).to_contain_text(refused.format("Ana"), timeout=15_000)
    # Nothing else breaks: the call's roster and chat still work.
    send_chat(ana, "Can you see me?")
    expect(chat_log(ben)).to_contain_text("Can you see me?")
    for page in (ana, ben):
        assert not [line for line in page.console_lines if line.startswith("pageerror")], page.console_lines


def test_an_ice_restart_near_the_credentials_expiry_takes_fresh_ones_and_stays_on_the_relay(
    server, coturn, new_page, make_meeting
):
    server.restart(extra_env={"TURN_TTL": "300"})  # less than the client's margin: always "about to expire"
    meeting = make_meeting(hide_network_addresses=True)
    ana, ben = new_page(), new_page()
    join_as_guest(ana, meeting, "Ana")
    join_as_guest(ben, meeting, "Ben")
    wait_for_flowing_media_everywhere([ana, ben], 1)
    username = (
        "() => [...window.huddle.transport.links.values()][0].iceServers.find((s) => s.username).username"
    )
    before = ana.evaluate(username)

    ana.evaluate("() => [...window.huddle.transport.links.values()][0].restartIce()")

    ana.wait_for_function(f"(before) => ({username})() !== before", arg=before)
    after = ana.evaluate(username)
    assert after.split(":")[1] != before.split(":")[1]
    ana.wait_for_function(
        "() => [...window.huddle.transport.links.values()][0].pc.remoteDescription.sdp.includes('typ relay')"
    )
    # coturn allocates for the new credential: the restarted link really uses it. Media may already
    # flow again on the old pair before the new allocation is made, so wait for coturn's log line.
    wait_for_allocation(coturn.log_path, after)
    wait_for_flowing_media_everywhere([ana, ben], 1)
    assert stats_of(ana, "Ben")["localCandidate"] == "relay"


def wait_for_allocation(log_path, username, timeout=45):
    deadline = time.monotonic() + timeout
    allocated = []
    while time.monotonic() < deadline:
        allocated = [line for line in log_path.read_text().splitlines() if f"user <{username}>" in line]
        if any("ALLOCATE processed, success" in line for line in allocated):
            return
        time.sleep(0.2)
    raise AssertionError(f"coturn made no allocation for {username} within {timeout} s: {allocated[-5:]}")
