"""The staff's usage page and a pupil's dashboard, as a browser shows them under the strict CSP."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import Participant

pytestmark = pytest.mark.browser


def test_staff_see_usage_charts_drawn_without_any_script(signed_in_page, staff, meeting):
    now = timezone.now()
    for name in ("Ada", "Ben", "Cy"):
        Participant.objects.create(
            meeting=meeting,
            display_name=name,
            status=Participant.Status.LEFT,
            joined_at=now - datetime.timedelta(minutes=30),
            left_at=now - datetime.timedelta(minutes=10),
        )
    page = signed_in_page(staff)
    violations = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and violations.append(message.text),
    )

    page.goto("/")
    page.get_by_role("link", name="Usage").click()

    expect(page.get_by_role("heading", name="Usage", exact=True)).to_be_visible()
    chart = page.get_by_role("img", name=re.compile(r"^Most people at once, day by day:"))
    expect(chart).to_be_visible()
    expect(chart).to_have_attribute("aria-label", re.compile(r"3$"))  # today, the last bar
    bars = page.locator("figure.chart").nth(2).locator("rect.chart-bar")
    expect(bars).to_have_count(7)
    assert bars.nth(6).bounding_box()["height"] > 50  # today's bar is the tallest, drawn
    assert violations == []


def test_a_pupil_sees_no_hosting_buttons_and_is_refused_if_they_try(signed_in_page, bob, daphne_server):
    daphne_server.restart(extra_env={"HOSTING_REQUIRES_PERMISSION": "1"})
    try:
        page = signed_in_page(bob)
        page.goto("/")

        expect(page.get_by_role("heading", name="Your meetings")).to_be_visible()
        expect(page.get_by_role("button", name="New meeting")).to_have_count(0)
        expect(page.get_by_role("link", name="Schedule")).to_have_count(0)
        expect(page.get_by_role("link", name="Open personal room")).to_have_count(0)
        response = page.goto("/meetings/schedule/")
        assert response.status == 403
        expect(page.get_by_text("may join meetings but not host them")).to_be_visible()
    finally:
        daphne_server.environment.pop("HOSTING_REQUIRES_PERMISSION")
        daphne_server.restart()
