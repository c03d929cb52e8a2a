"""Calls under strain: the server restarting mid-call, and six people in one mesh."""

import pytest
from playwright.sync_api import expect

from .call_helpers import (
    DESKTOP,
    PHONE,
    chat_log,
    join_as_guest,
    join_from_prejoin,
    join_signed_in,
    media_stats,
    screenshot,
    send_chat,
    wait_for_camera_budgets,
    wait_for_flowing_media_everywhere,
    wait_for_growth_of,
)

pytestmark = pytest.mark.browser

BANNER = "Connection lost, reconnecting…"


@pytest.mark.parametrize("how", ["stop", "kill"])
def test_media_keeps_flowing_while_the_server_restarts_and_chat_works_after(
    signed_in_page, new_page, alice, meeting, restartable_server, how
):
    """`stop` is a clean restart (SIGTERM); `kill` a crash (SIGKILL), where no socket is closed properly."""
    host = join_signed_in(signed_in_page(alice), meeting)
    guest = join_as_guest(new_page(), meeting, "Gus Guest")
    wait_for_flowing_media_everywhere([host, guest], 1)
    peers_before = {page: set(media_stats(page)) for page in (host, guest)}

    getattr(restartable_server, how)()
    for page in (host, guest):
        expect(page.get_by_role("status").filter(has_text=BANNER)).to_be_visible()
    # The media goes browser to browser: it does not need the server.
    wait_for_growth_of(host, "Gus Guest", "framesDecoded")
    wait_for_growth_of(guest, "Alice Host", "framesDecoded")

    restartable_server.start()
    for page in (host, guest):
        # Reconnecting backs off up to 8 s (jittered), so allow for a couple of attempts.
        expect(page.get_by_role("status").filter(has_text=BANNER)).to_be_hidden(timeout=30_000)
    wait_for_flowing_media_everywhere([host, guest], 1)
    for page in (host, guest):
        assert set(media_stats(page)) == peers_before[page]  # the same peers: resumed, not rejoined
        expect(page.get_by_role("heading", name="The meeting has ended")).to_have_count(0)

    send_chat(guest, "Still here after the restart")
    expect(chat_log(host).get_by_text("Still here after the restart")).to_have_count(1)
    send_chat(host, "Me too")
    expect(chat_log(guest).get_by_text("Me too")).to_have_count(1)


def test_six_people_all_see_each_other(signed_in_page, new_page, alice, bob, charlie, meeting):
    pages = [signed_in_page(user, viewport=DESKTOP) for user in (alice, bob, charlie)]
    pages += [new_page(viewport=DESKTOP) for _ in range(3)]
    for page in pages:
        page.set_default_timeout(30_000)  # six pages on two cores: everything is slower
        page.goto(f"/m/{meeting.code}/")
    for page, name in zip(pages[3:], ("Gus Guest", "Gwen Guest", "Gil Guest"), strict=True):
        page.get_by_label("Your name").fill(name)
        page.get_by_role("button", name="Continue").click()
    # Everyone is on the pre-join page, then they press Join one right after the other.
    for page in pages:
        join_from_prejoin(page)

    wait_for_flowing_media_everywhere(pages, 5, timeout=60_000)
    for page in pages:
        expect(page.locator("#participant-count")).to_have_text("6 people")

    screenshot(pages[0], "six-people-desktop", DESKTOP)
    screenshot(pages[3], "six-people-phone", PHONE)

    # Everyone encodes one camera copy per other person: with five others, each copy is half size
    # at 15 frames a second, so six people cost each computer about what three do.
    for page in pages:
        wait_for_camera_budgets(page, 5, [2, 15])
    # When the call shrinks back to three, the copies grow back to full size.
    for page in pages[3:]:
        page.get_by_role("button", name="Leave").click()
    for page in pages[:3]:
        wait_for_camera_budgets(page, 2, [1, 24])
    wait_for_flowing_media_everywhere(pages[:3], 2, timeout=30_000)
