"""Single sign-on through a real OpenID Connect provider (tests/oidc_provider), in a real browser.

The provider is a second Django site with django-oauth-toolkit on its own loopback port; Huddle's
daphne is told about it through OIDC_PROVIDERS, exactly as an operator configures Keycloak or Google.
"""

import json

import pytest
from allauth.socialaccount.models import SocialAccount
from playwright.sync_api import expect

from accounts.models import User
from tests.oidc_provider.server import OidcProvider
from tests.servers import DaphneServer

pytestmark = pytest.mark.browser

PROVIDER_NAME = "Example School"
PEOPLE = [
    {
        "username": "grace",
        "password": "grace-pw-1906",
        "email": "grace@school.example",
        "email_verified": True,
        "name": "Grace Hopper",
    },
    {
        "username": "head",
        "password": "head-pw-1990",
        "email": "head@school.example",
        "email_verified": True,
        "name": "Head Teacher",
    },
    # Claims the head's address, but the provider never verified it.
    {
        "username": "mallory",
        "password": "mallory-pw-1",
        "email": "head@school.example",
        "email_verified": False,
        "name": "Mallory",
    },
    {
        "username": "olivia",
        "password": "olivia-pw-1",
        "email": "olivia@gmail.example",
        "email_verified": True,
        "name": "Olivia Outside",
    },
]


@pytest.fixture(scope="module")
def sso_server(django_db_setup, django_db_blocker, tmp_path_factory):
    """Huddle with one OpenID Connect provider and sign-up only for @school.example."""
    workdir = tmp_path_factory.mktemp("sso")
    huddle = DaphneServer(workdir)
    provider = OidcProvider(
        workdir, people=PEOPLE, redirect_uri=f"{huddle.url}/accounts/oidc/school/login/callback/"
    )
    provider.start()
    huddle.environment.update(
        OIDC_PROVIDERS=json.dumps([provider.settings_for_huddle("school", PROVIDER_NAME)]),
        SIGNUP_EMAIL_DOMAINS="school.example",
    )
    huddle.start()
    yield huddle
    huddle.stop()
    provider.stop()


@pytest.fixture
def sso_page(browser, sso_server, transactional_db):
    context = browser.new_context(base_url=sso_server.url)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def sign_in_at_the_provider(page, username):
    """From Huddle's login page, through the provider's own login page, and back."""
    page.goto("/accounts/login/")
    page.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}").click()
    expect(page.get_by_role("heading", name="Example School sign-in")).to_be_visible()
    person = next(p for p in PEOPLE if p["username"] == username)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(person["password"])
    page.get_by_role("button", name="Sign in to Example School").click()


def test_first_sign_in_makes_the_account_and_logout_leaves_the_provider_signed_in(sso_page):
    page = sso_page
    sign_in_at_the_provider(page, "grace")

    expect(page.get_by_role("heading", name="Your meetings")).to_be_visible()
    expect(page.get_by_role("link", name="Grace Hopper", exact=True)).to_be_visible()
    grace = User.objects.get(email="grace@school.example")
    assert grace.display_name == "Grace Hopper"
    assert grace.emailaddress_set.get().verified
    assert not grace.has_usable_password()
    assert SocialAccount.objects.get(user=grace).provider == "school"

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in", exact=True)).to_be_visible()

    # The provider's session was left alone: signing in again needs no password there.
    page.goto("/accounts/login/")
    page.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}").click()
    expect(page.get_by_role("heading", name="Your meetings")).to_be_visible()
    assert User.objects.count() == 1


def test_the_sign_up_page_offers_the_provider_too(sso_page):
    sso_page.goto("/accounts/signup/")

    expect(sso_page.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}")).to_be_visible()


def test_an_address_outside_signup_email_domains_is_refused_and_told_why(sso_page):
    page = sso_page
    sign_in_at_the_provider(page, "olivia")

    expect(page.get_by_role("heading", name="You can’t sign up here")).to_be_visible()
    expect(page.get_by_text("Sign-up here is for addresses at @school.example only")).to_be_visible()
    expect(page.get_by_role("navigation").get_by_role("link", name="Log in", exact=True)).to_be_visible()
    assert not User.objects.exists()
    assert not SocialAccount.objects.exists()


def test_a_verified_address_signs_in_to_the_existing_account_and_links_it(sso_page, user_factory):
    head = user_factory("head@school.example", display_name="The Head")

    sign_in_at_the_provider(sso_page, "head")

    expect(sso_page.get_by_role("link", name="The Head", exact=True)).to_be_visible()
    assert SocialAccount.objects.get(provider="school").user == head
    assert User.objects.count() == 1


def test_an_unverified_email_claim_does_not_reach_the_existing_account(sso_page, sso_server, user_factory):
    head = user_factory("head@school.example", display_name="The Head")
    page = sso_page
    sso_server.clear_mail()

    sign_in_at_the_provider(page, "mallory")

    # Nothing links and nobody signs in; the page looks like a sign-up (no hint that the address has
    # an account here), and the address's real owner is told by email.
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    expect(page.get_by_role("link", name="The Head", exact=True)).to_have_count(0)
    mail = sso_server.mails()[-1]
    assert "To: head@school.example" in mail
    assert "already" in mail.lower()
    page.goto("/")
    expect(page.get_by_role("navigation").get_by_role("link", name="Log in", exact=True)).to_be_visible()
    assert not SocialAccount.objects.exists()
    assert list(User.objects.all()) == [head]
