"""What the host decides for others: the waiting room, removing someone, ending the meeting."""

import pytest
from playwright.sync_api import expect

from .call_helpers import (
    join_as_guest,
    join_from_prejoin,
    join_signed_in,
    open_participants,
    tile_of,
    wait_for_flowing_media_everywhere,
)

pytestmark = pytest.mark.browser


def test_host_admits_one_guest_from_the_waiting_room_and_denies_another(
    signed_in_page, new_page, alice, make_meeting
):
    meeting = make_meeting(waiting_room=True)
    host = join_signed_in(signed_in_page(alice), meeting)
    expect(host.locator("#participant-count")).to_have_text("1 person")

    wendy = join_as_guest(new_page(), meeting, "Wendy Waiting")
    expect(wendy.get_by_role("heading", name="Waiting for the host to let you in")).to_be_visible()
    expect(host.get_by_role("button", name="Participants 1 waiting")).to_be_visible()
    expect(tile_of(host, "Wendy Waiting")).to_have_count(0)

    panel = open_participants(host)
    panel.get_by_role("button", name="Admit Wendy Waiting").click()
    expect(wendy.get_by_role("heading", name="Waiting for the host to let you in")).to_be_hidden()
    wait_for_flowing_media_everywhere([host, wendy], 1)
    expect(tile_of(host, "Wendy Waiting")).to_be_visible()
    expect(tile_of(wendy, "Alice Host (host)")).to_be_visible()
    expect(panel.locator("#waiting-section")).to_be_hidden()

    dan = join_as_guest(new_page(), meeting, "Dan Denied")
    expect(dan.get_by_role("heading", name="Waiting for the host to let you in")).to_be_visible()
    panel.get_by_role("button", name="Deny Dan Denied").click()
    expect(dan.get_by_role("heading", name="The host did not let you in")).to_be_visible()
    expect(panel.locator("#waiting-section")).to_be_hidden()
    expect(host.get_by_role("button", name="Participants", exact=True)).to_be_visible()
    for page in (host, wendy):
        expect(tile_of(page, "Dan Denied")).to_have_count(0)
        expect(page.locator("#participant-count")).to_have_text("2 people")


def test_host_removes_a_guest_then_ends_the_meeting_for_everyone(
    signed_in_page, new_page, alice, bob, meeting
):
    host = join_signed_in(signed_in_page(alice), meeting)
    member = join_signed_in(signed_in_page(bob), meeting)
    guest = join_as_guest(new_page(), meeting, "Gus Guest")
    wait_for_flowing_media_everywhere([host, member, guest], 2)

    open_participants(host).get_by_role("button", name="Remove Gus Guest").click()
    expect(guest.get_by_role("heading", name="You were removed from the meeting")).to_be_visible()
    for page in (host, member):
        expect(tile_of(page, "Gus Guest")).to_have_count(0)
    # Coming back through the join link does not get a removed guest in again.
    guest.goto(f"/m/{meeting.code}/")
    guest.get_by_label("Your name").fill("Gus Again")
    join_from_prejoin(guest)
    expect(guest.get_by_role("heading", name="You were removed from the meeting")).to_be_visible()
    expect(tile_of(host, "Gus Again")).to_have_count(0)

    host.get_by_role("button", name="End for all").click()
    host.get_by_role("alertdialog", name="End the meeting for everyone?").get_by_role(
        "button", name="End meeting for everyone"
    ).click()
    for page in (host, member):
        expect(page.get_by_role("heading", name="The meeting has ended")).to_be_visible()
        expect(page.locator("#call")).to_be_hidden()
        expect(page.locator("#tiles video")).to_have_count(0)
