"""Scheduling in a real browser: a room that opens on time by itself, and the in-page reminder."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from meetings import services

pytestmark = pytest.mark.browser

# The window opens this long after the guest arrives: long enough to see the countdown tick.
LEAD = timedelta(seconds=30)


def test_guest_before_the_window_sees_a_countdown_and_reaches_the_prejoin_page_by_itself(page, make_meeting):
    opens_at = timezone.now() + LEAD
    meeting = make_meeting(
        title="Opens on time", starts_at=opens_at + timedelta(minutes=10), open_minutes_before=10
    )

    page.goto(f"/m/{meeting.code}/")
    page.get_by_label("Your name").fill("Gus Guest")
    page.get_by_role("button", name="Continue").click()

    clock = page.get_by_role("timer")
    expect(clock).to_contain_text("Opens in 0:")
    first = clock.text_content()
    expect(clock).not_to_have_text(first)  # it counts down
    assert timezone.now() < opens_at, "the countdown must be seen before the window opens"

    page.locator("#join-button").wait_for(
        state="visible", timeout=int((LEAD + timedelta(seconds=60)).total_seconds() * 1000)
    )
    late = time.time() - opens_at.timestamp()
    print(f"pre-join page {late:.2f} s after the room opened")
    assert late <= 5, f"the pre-join page came {late:.1f} s after the room opened"
    expect(page.get_by_role("heading", name="Opens on time")).to_be_visible()
    assert page.url.endswith(f"/m/{meeting.code}/")


def test_member_with_the_site_open_sees_a_reminder_notice_with_a_join_link(signed_in_page, bob, make_meeting):
    meeting = make_meeting(title="Quarterly review", starts_at=timezone.now() + timedelta(minutes=7))
    services.meeting_invite(meeting=meeting, emails_to_invite=[bob.email], join_url="http://testserver/")
    page = signed_in_page(bob)

    page.goto("/")

    notice = page.locator(".reminder-notice")
    expect(notice).to_contain_text("Quarterly review starts in")
    join = page.get_by_role("link", name="Join Quarterly review")
    expect(join).to_have_attribute("href", f"/m/{meeting.code}/")
    page.get_by_role("button", name="Dismiss reminder").click()
    expect(notice).to_have_count(0)
    page.reload()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".reminder-notice")).to_have_count(0)  # dismissed stays dismissed
