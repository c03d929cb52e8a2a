"""Three people in one call: media, chat, indicators, screen sharing, leaving."""

import time

import pytest
from playwright.sync_api import expect

from .call_helpers import (
    DESKTOP,
    PHONE,
    chat_log,
    join_as_guest,
    join_signed_in,
    screen_tile_of,
    screenshot,
    send_chat,
    tile_of,
    wait_for_flowing_media_everywhere,
    wait_for_growth_of,
    wait_for_screen_frames,
)

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)>"
GUEST = f"Gus {HOSTILE}"


@pytest.fixture
def three(signed_in_page, new_page, alice, bob, meeting):
    """alice (host), bob (member) and a guest whose name is markup, in one call with media flowing."""
    host = join_signed_in(signed_in_page(alice, viewport=DESKTOP), meeting)
    member = join_signed_in(signed_in_page(bob, viewport=DESKTOP), meeting)
    guest = join_as_guest(new_page(viewport=DESKTOP), meeting, GUEST)
    for page in (host, member, guest):
        page.dialogs = []
        page.on("dialog", lambda dialog, page=page: (page.dialogs.append(dialog.message), dialog.dismiss()))
    wait_for_flowing_media_everywhere([host, member, guest], 2)
    return host, member, guest


def test_three_people_see_and_hear_each_other(three):
    host, member, guest = three
    expect(tile_of(host, "Bob Member")).to_be_visible()
    expect(tile_of(host, GUEST)).to_be_visible()
    expect(tile_of(member, "Alice Host (host)")).to_be_visible()
    expect(tile_of(guest, "Alice Host (host)")).to_be_visible()
    expect(tile_of(guest, "Bob Member")).to_be_visible()
    for page in three:
        expect(page.locator("#participant-count")).to_have_text("3 people")

    screenshot(host, "three-people-desktop", DESKTOP)
    screenshot(guest, "three-people-phone", PHONE)
    screenshot(guest, "three-people-desktop-guest", DESKTOP)


def test_guest_chat_reaches_everyone_as_plain_text(three):
    host, member, guest = three
    send_chat(guest, f"Hello {HOSTILE} everyone")

    for page in (host, member, guest):
        message = chat_log(page).locator(".chat-message").last
        expect(message.locator(".chat-name")).to_have_text(GUEST)
        expect(message.locator(".chat-text")).to_have_text(f"Hello {HOSTILE} everyone")
    for page in (host, member):
        expect(page.get_by_role("button", name="Chat 1 unread")).to_be_visible()
        page.get_by_role("button", name="Chat 1 unread").click()
        expect(chat_log(page).get_by_text(f"Hello {HOSTILE} everyone")).to_be_visible()
        expect(tile_of(page, GUEST).locator(".tile-name")).to_have_text(GUEST)
    for page in three:
        page.get_by_role("button", name="Participants").click()
        expect(page.locator("#people-list")).to_contain_text(GUEST)
        assert page.locator("#chat-log img, #tiles img, #people-list img").count() == 0
        assert page.dialogs == []


def test_mute_stop_video_and_raised_hand_show_on_the_other_pages(three):
    host, member, guest = three

    member.get_by_role("button", name="Mute", exact=True).click()
    expect(member.get_by_role("button", name="Unmute")).to_have_attribute("aria-pressed", "true")
    for page in (host, guest):
        expect(tile_of(page, "Bob Member").locator(".indicator-muted")).to_be_visible()
        expect(tile_of(page, "Bob Member").locator(".indicator-camera-off")).to_be_hidden()

    guest.get_by_role("button", name="Stop video").click()
    expect(guest.get_by_role("button", name="Start video")).to_be_visible()
    for page in (host, member):
        expect(tile_of(page, GUEST).locator(".indicator-camera-off")).to_be_visible()
        expect(tile_of(page, GUEST).locator(".tile-placeholder .avatar")).to_be_visible()

    host.get_by_role("button", name="Raise hand").click()
    expect(host.get_by_role("button", name="Lower hand")).to_be_visible()
    for page in (member, guest):
        expect(tile_of(page, "Alice Host").locator(".indicator-hand")).to_have_text("Hand raised")

    # ...and back: the indicators go away, the guest's video flows again.
    member.get_by_role("button", name="Unmute").click()
    guest.get_by_role("button", name="Start video").click()
    host.get_by_role("button", name="Lower hand").click()
    for page in (host, guest):
        expect(tile_of(page, "Bob Member").locator(".indicator-muted")).to_be_hidden()
    for page in (member, guest):
        expect(tile_of(page, "Alice Host").locator(".indicator-hand")).to_be_hidden()
    for page in (host, member):
        expect(tile_of(page, GUEST).locator(".indicator-camera-off")).to_be_hidden()
        wait_for_growth_of(page, "Gus", "framesDecoded")
        wait_for_growth_of(page, "Bob Member" if page is host else "Alice Host", "audioSamples")


def test_shared_screen_reaches_the_others_and_goes_when_sharing_stops(three):
    host, member, guest = three

    member.get_by_role("button", name="Share screen").click()
    expect(member.get_by_role("button", name="Stop sharing")).to_be_visible()
    for page in (host, guest):
        expect(screen_tile_of(page, "Bob Member")).to_be_visible()
        wait_for_screen_frames(page, "Bob Member")
        wait_for_growth_of(page, "Bob Member", "framesDecoded")  # the camera goes on too
    screenshot(host, "three-people-screen-share-desktop", DESKTOP)
    screenshot(guest, "three-people-screen-share-phone", PHONE)

    member.get_by_role("button", name="Stop sharing").click()
    expect(member.get_by_role("button", name="Share screen")).to_be_visible()
    for page in (host, guest):
        expect(screen_tile_of(page, "Bob Member")).to_have_count(0)
        expect(tile_of(page, "Bob Member")).to_be_visible()


def test_leaving_or_closing_the_page_removes_the_tile_within_two_seconds(three):
    host, member, guest = three

    member.get_by_role("button", name="Leave").click()
    within_two_seconds = deadline(2)
    for page in (host, guest):
        expect(tile_of(page, "Bob Member")).to_have_count(0, timeout=within_two_seconds())
    expect(member.get_by_role("heading", name="You left the meeting")).to_be_visible()

    guest.context.close()
    within_two_seconds = deadline(2)
    expect(tile_of(host, "Gus")).to_have_count(0, timeout=within_two_seconds())
    expect(host.locator("#participant-count")).to_have_text("1 person")


def deadline(seconds):
    """A function giving the milliseconds left until `seconds` from now (at least 1: expect checks once)."""
    end = time.monotonic() + seconds
    return lambda: max(1, (end - time.monotonic()) * 1000)
