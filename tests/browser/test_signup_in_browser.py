import re

import pytest
from playwright.sync_api import expect

from accounts.models import User

pytestmark = pytest.mark.browser


def test_new_user_signs_up_confirms_email_and_logs_in(page, server):
    page.goto("/")
    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("Your name").fill("Grace Hopper")
    page.get_by_label("Email").fill("grace@example.org")
    page.get_by_label("Password", exact=True).fill("compilers-are-fun-1952")
    page.get_by_label("Password (again)").fill("compilers-are-fun-1952")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()

    confirm_link = server.link_in_last_mail(r"http://127\.0\.0\.1:\d+/accounts/confirm-email/\S+")
    page.goto(confirm_link)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("link", name="Grace Hopper", exact=True)).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in", exact=True)).to_be_visible()
    page.get_by_role("link", name="Log in", exact=True).click()
    page.get_by_label("Email").fill("grace@example.org")
    page.get_by_label("Password").fill("compilers-are-fun-1952")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Grace Hopper", exact=True)).to_be_visible()

    user = User.objects.get(email="grace@example.org")
    assert user.display_name == "Grace Hopper"
    assert user.emailaddress_set.get().verified
    assert re.fullmatch(r"[A-Za-z_]+(/[A-Za-z_+-]+)*", user.time_zone)
