"""Every page type renders under the real Content-Security-Policy without a single violation."""

import pytest
from django.test import Client

from meetings import services

pytestmark = pytest.mark.browser


@pytest.fixture
def pages(alice, staff):
    meeting = services.meeting_create(host=alice, title="CSP check", join_before_host=True, passcode="1234")
    return {
        "anonymous": [
            "/",
            "/accounts/login/",
            "/accounts/signup/",
            "/accounts/password/reset/",
            f"/m/{meeting.code}/",
            "/m/no-such-meeting/",
        ],
        alice: [
            "/",
            "/meetings/schedule/",
            f"/meetings/{meeting.code}/",
            f"/m/{meeting.code}/",
            "/accounts/profile/",
            "/accounts/2fa/",
        ],
        staff: [
            "/admin/",
            "/admin/meetings/meeting/",
            f"/admin/meetings/meeting/{meeting.pk}/change/",
            "/admin/accounts/user/",
        ],
    }


def test_no_page_breaks_the_content_security_policy(new_page, server, pages):
    for who, paths in pages.items():
        page = new_page()
        if who != "anonymous":
            client = Client()
            client.force_login(who)
            page.context.add_cookies(
                [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": server.url}]
            )
        violations = []

        def record(message, violations=violations):
            if "Content Security Policy" in message.text:
                violations.append(message.text)

        page.on("console", record)
        for path in paths:
            response = page.goto(path)
            assert "default-src 'self'" in response.headers["content-security-policy"], path
            assert "camera=(self)" in response.headers["permissions-policy"], path
            page.wait_for_load_state("networkidle")
        assert violations == [], (who, violations)
