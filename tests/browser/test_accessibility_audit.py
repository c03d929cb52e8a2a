"""An axe-core audit of every page type at WCAG 2.1 A and AA, on a desktop and a phone screen.

axe-core comes from axe-playwright-python (it ships axe.min.js: nothing is fetched at run time) and
is evaluated inside each page. The audit's browser contexts are opened with `bypass_csp=True` so that
the injected engine runs whatever the page's strict Content-Security-Policy says; that one flag is
the only difference from what a visitor gets (the CSP itself is proven by the security-header tests).

Each test walks through many page types in one browser and one context per person, and fails at the
end with every violation found: rule, help text and the selectors of the elements at fault. A
screenshot of each audited page is kept under test-artifacts/screenshots/a11y/.
"""

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from .call_helpers import DESKTOP, PHONE, SCREENSHOTS, join_as_guest, join_from_prejoin, open_participants

pytestmark = pytest.mark.browser

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
AXE = Axe()


class Audit:
    """Runs axe on pages as a test reaches them and keeps every violation for one final assertion."""

    def __init__(self):
        self.problems = []
        self.audited = []
        (SCREENSHOTS / "a11y").mkdir(parents=True, exist_ok=True)

    def __call__(self, page, name):
        """Audit `page` as it is now, at each screen size, under the name of its page type."""
        original = page.viewport_size
        for size_name, size in VIEWPORTS.items():
            page.set_viewport_size(size)
            page.screenshot(path=str(SCREENSHOTS / "a11y" / f"{name}-{size_name}.png"), full_page=True)
            results = AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
            for violation in results.response["violations"]:
                targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"])
                self.problems.append(
                    f"{name} ({size_name}, {page.url}): {violation['id']}: {violation['help']} -> {targets}"
                )
        page.set_viewport_size(original)
        self.audited.append(name)

    def assert_clean(self):
        assert not self.problems, f"{len(self.problems)} WCAG 2.1 A/AA violations:\n" + "\n".join(
            self.problems
        )


@pytest.fixture
def audit():
    return Audit()


@pytest.fixture
def audit_page(new_page, signed_in_page):
    """A page for the audit: its context lets the injected axe engine run despite the page's CSP."""

    def make(user=None):
        if user is None:
            return new_page(bypass_csp=True, viewport=DESKTOP)
        return signed_in_page(user, bypass_csp=True, viewport=DESKTOP)

    return make


def test_pages_for_visitors_have_no_wcag_violations(audit, audit_page, alice, make_meeting):
    from meetings.links import rsvp_token

    page = audit_page()
    page.goto("/")
    audit(page, "home")

    page.goto("/accounts/signup/")
    audit(page, "signup")
    page.get_by_label("Your name").fill("Sam Signup")
    page.get_by_label("Email").fill("alice@example.org")  # taken
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password (again)").fill("different")
    page.locator("form").get_by_role("button", name=re.compile("Sign up", re.I)).click()
    expect(page.locator(".errorlist, .form-error, [role=alert]").first).to_be_visible()
    audit(page, "signup-errors")

    page.goto("/accounts/login/")
    audit(page, "login")
    page.goto("/accounts/password/reset/")
    audit(page, "password-reset")

    assert page.goto("/no-such-page/").status == 404
    audit(page, "not-found")
    assert page.goto("/m/zzz-zzz-zzz/").status == 404
    audit(page, "meeting-not-found")
    assert page.goto("/calendar/not-a-key.ics").status == 404
    audit(page, "calendar-feed-not-found")

    meeting = make_meeting(title="Parents' evening", starts_at=timezone.now() + timedelta(days=2))
    page.goto(f"/rsvp/{rsvp_token(meeting, 'parent@example.org')}/yes/")
    audit(page, "rsvp")

    page.goto(f"/m/{meeting.code}/")
    expect(page.get_by_label("Your name")).to_be_visible()
    audit(page, "guest-name")
    page.get_by_label("Your name").fill("Gina Guest")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("main")).to_contain_text(re.compile("opens", re.I))
    audit(page, "countdown")

    waiting = make_meeting(title="Assembly", join_before_host=False, starts_at=timezone.now())
    page.goto(f"/m/{waiting.code}/")
    expect(page.locator("main")).to_contain_text(re.compile("host", re.I))
    audit(page, "waiting-for-host")

    locked = make_meeting(title="Staff meeting", passcode="424242")
    page.goto(f"/m/{locked.code}/")
    expect(page.get_by_label(re.compile("Passcode", re.I))).to_be_visible()
    audit(page, "passcode")
    page.get_by_label(re.compile("Passcode", re.I)).fill("000000")
    page.get_by_label(re.compile("Passcode", re.I)).press("Enter")
    expect(page.locator("main")).to_contain_text("not right")
    audit(page, "passcode-wrong")

    audit.assert_clean()


def test_pages_for_members_and_staff_have_no_wcag_violations(audit, audit_page, alice, staff, make_meeting):
    meeting = make_meeting(
        title="Weekly sync",
        starts_at=timezone.now() + timedelta(days=1),
        rrule="FREQ=WEEKLY;COUNT=4",
        time_zone="Europe/Paris",
    )
    page = audit_page(alice)
    page.goto("/")
    audit(page, "dashboard")

    page.goto("/meetings/schedule/")
    audit(page, "schedule")
    page.get_by_label("Title").fill("")
    page.locator("main form").get_by_role("button", name=re.compile("Schedule", re.I)).click()
    expect(page.locator(".errorlist, .form-error").first).to_be_visible()
    audit(page, "schedule-errors")

    page.goto(f"/meetings/{meeting.code}/edit/")
    audit(page, "edit")
    page.goto(f"/meetings/{meeting.code}/")
    audit(page, "meeting-detail")
    occurrence = meeting.occurrence_list(after=timezone.now(), limit=1)[0]
    page.goto(f"/meetings/{meeting.code}/occurrences/{occurrence.key}/")
    audit(page, "occurrence")
    page.goto("/accounts/profile/")
    audit(page, "profile")

    admin = audit_page(staff)
    admin.goto("/operations/usage/")
    audit(admin, "staff-usage")
    for model in ("meetings/meeting", "meetings/participant", "accounts/user"):
        admin.goto(f"/admin/{model}/")
        expect(admin.locator("#result_list, #changelist")).not_to_have_count(0)
        audit(admin, "admin-" + model.split("/")[1])

    audit.assert_clean()


def test_two_factor_setup_and_sign_in_have_no_wcag_violations(audit, audit_page, bob, charlie):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from tests.conftest import PASSWORD

    page = audit_page()
    sign_in(page, bob)
    page.goto("/accounts/2fa/totp/activate/")
    if "/reauthenticate/" in page.url:  # allauth asks again before a security change
        audit(page, "reauthenticate")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_label(re.compile("Authenticator code", re.I))).to_be_visible()
    audit(page, "two-factor-setup")

    TOTP.activate(charlie, generate_totp_secret())
    other = audit_page()
    sign_in(other, charlie)
    expect(other).to_have_url(re.compile("/accounts/2fa/authenticate/"))
    audit(other, "two-factor-sign-in")

    audit.assert_clean()


def sign_in(page, user):
    """Sign in through the form (two-factor pages want a real sign-in, not a forced session)."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from tests.conftest import PASSWORD

    # The server runs the production settings, which do not read the tests' fast MD5 hashes.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "a11y-salt", iterations=1000)
    user.save(update_fields=["password"])
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name=re.compile("Sign in|Log in", re.I)).click()
    expect(page).not_to_have_url(re.compile("/accounts/login/"))


def test_the_call_and_its_screens_have_no_wcag_violations(audit, audit_page, alice, make_meeting):
    """Pre-join, the waiting room from both sides, the call with its panels and the host's controls,
    and every end screen: left, removed, denied, ended."""
    meeting = make_meeting(title="Class 4B", waiting_room=True)
    host = audit_page(alice)
    host.goto(f"/m/{meeting.code}/")
    expect(host.get_by_role("button", name="Join", exact=True)).to_be_enabled(timeout=30_000)
    audit(host, "prejoin")
    join_from_prejoin(host)
    expect(host.locator("#participant-count")).to_have_text("1 person")

    knocking = join_as_guest(audit_page(), meeting, "Kim Knocking")
    waiting_heading = knocking.get_by_role("heading", name="Waiting for the host to let you in")
    expect(waiting_heading).to_be_visible()
    audit(knocking, "waiting-room-guest")

    panel = open_participants(host)
    expect(panel.get_by_role("button", name="Admit Kim Knocking")).to_be_visible()
    audit(host, "waiting-room-host")
    panel.get_by_role("button", name="Admit Kim Knocking").click()
    expect(waiting_heading).to_be_hidden()

    denied = join_as_guest(audit_page(), meeting, "Dee Denied")
    expect(denied.get_by_role("heading", name="Waiting for the host to let you in")).to_be_visible()
    panel.get_by_role("button", name="Deny Dee Denied").click()
    expect(denied.get_by_role("heading", name="The host did not let you in")).to_be_visible()
    audit(denied, "end-denied")
    denied.context.close()

    knocking.get_by_role("button", name=re.compile("^Chat")).click()
    knocking.get_by_label("Message").fill("Hello, can everyone hear me?")
    knocking.get_by_label("Message").press("Enter")
    open_participants(knocking)
    expect(host.locator("#chat-log, #unread").first).to_contain_text(re.compile("unread|Hello"))
    host.get_by_role("button", name=re.compile("^Chat")).click()
    expect(host.locator("#chat-log")).to_contain_text("Hello, can everyone hear me?")
    audit(knocking, "call-with-chat-and-participants")
    audit(host, "call-host-controls")
    host.get_by_role("button", name="End for all").click()
    expect(host.get_by_role("alertdialog", name="End the meeting for everyone?")).to_be_visible()
    audit(host, "call-end-for-all-confirmation")
    host.get_by_role("button", name="Keep meeting").click()

    knocking.get_by_role("button", name="Leave").click()
    expect(knocking.get_by_role("heading", name="You left the meeting")).to_be_visible()
    audit(knocking, "end-left")

    removed = join_as_guest(audit_page(), meeting, "Rob Removed")
    panel.get_by_role("button", name="Admit Rob Removed").click()
    panel.get_by_role("button", name="Remove Rob Removed").click()
    expect(removed.get_by_role("heading", name="You were removed from the meeting")).to_be_visible()
    audit(removed, "end-removed")

    host.get_by_role("button", name="End for all").click()
    host.get_by_role("button", name="End meeting for everyone").click()
    expect(host.get_by_role("heading", name="The meeting has ended")).to_be_visible()
    audit(host, "end-ended")

    audit.assert_clean()
