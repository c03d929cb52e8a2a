"""What a screen reader hears during a call: announcements through a polite live region.

A recorder in the page notes the text of every polite live region (aria-live="polite", role=status,
role=log) that changes while it is shown: a hidden region is not read out, so a change there does not
count.
"""

import pytest
from playwright.sync_api import expect

from .call_helpers import join_as_guest, join_signed_in

pytestmark = pytest.mark.browser

RECORD_ANNOUNCEMENTS = """() => {
    window.announced = [];
    const politeRegion = '[aria-live="polite"], [role="status"], [role="log"]';
    new MutationObserver((records) => {
        for (const record of records) {
            const node = record.target.nodeType === Node.ELEMENT_NODE ? record.target : record.target.parentElement;
            const region = node?.closest(politeRegion);
            if (region && !region.closest('[hidden]')) window.announced.push(region.textContent.trim());
        }
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true,
                                attributeFilter: ['hidden'] });
}"""


def announced(page, *words, timeout=15_000):
    """Wait until one announcement holds all of `words`."""
    page.wait_for_function(
        "(words) => window.announced.some((text) => words.every((word) => text.includes(word)))",
        arg=list(words),
        timeout=timeout,
    )


def test_a_new_chat_message_is_announced_while_the_chat_is_open(signed_in_page, new_page, alice, meeting):
    host = join_signed_in(signed_in_page(alice), meeting)
    guest = join_as_guest(new_page(), meeting, "Nina New")
    expect(host.locator("#participant-count")).to_have_text("2 people")
    host.get_by_role("button", name="Chat", exact=True).click()
    host.evaluate(RECORD_ANNOUNCEMENTS)

    guest.get_by_role("button", name="Chat", exact=True).click()
    guest.get_by_label("Message").fill("Page 12, everyone")
    guest.get_by_label("Message").press("Enter")

    announced(host, "Nina New", "Page 12, everyone")


def test_joins_leaves_and_chat_are_announced_with_the_panels_closed(signed_in_page, new_page, alice, meeting):
    host = join_signed_in(signed_in_page(alice), meeting)
    host.evaluate(RECORD_ANNOUNCEMENTS)

    guest = join_as_guest(new_page(), meeting, "Nina New")
    announced(host, "Nina New", "joined")
    guest.get_by_role("button", name="Chat", exact=True).click()
    guest.get_by_label("Message").fill("Page 12, everyone")
    guest.get_by_label("Message").press("Enter")
    announced(host, "Nina New", "Page 12, everyone")
    guest.get_by_role("button", name="Leave").click()
    announced(host, "Nina New", "left")
