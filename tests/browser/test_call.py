import pytest
from playwright.sync_api import expect

from .call_helpers import join_as_guest, join_signed_in, wait_for_flowing_media

pytestmark = pytest.mark.browser


def test_two_people_see_and_hear_each_other(signed_in_page, new_page, alice, meeting):
    host = join_signed_in(signed_in_page(alice), meeting)
    guest = join_as_guest(new_page(), meeting, "Gus Guest")

    wait_for_flowing_media(host, 1)
    wait_for_flowing_media(guest, 1)
    expect(host.locator("#tiles .tile-name", has_text="Gus Guest")).to_be_visible()
    expect(guest.locator("#tiles .tile-name", has_text="Alice Host")).to_be_visible()
