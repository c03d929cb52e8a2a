"""Personas and factories shared by every test: a host, another member, an outsider, a guest."""

import itertools

import pytest
from allauth.account.models import EmailAddress

from accounts.models import User

_sequence = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def user_factory(db):
    """Make a user whose email is confirmed, so they can log in at once."""

    def make(email=None, *, display_name=None, password=PASSWORD, time_zone="UTC", **extra):
        n = next(_sequence)
        email = email or f"user{n}@example.org"
        user = User.objects.create_user(
            email, password, display_name=display_name or f"User {n}", time_zone=time_zone, **extra
        )
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user

    return make


@pytest.fixture
def alice(user_factory):
    """The host of most meetings in the tests."""
    return user_factory("alice@example.org", display_name="Alice Host", time_zone="Europe/Paris")


@pytest.fixture
def bob(user_factory):
    """Another signed-up member."""
    return user_factory("bob@example.org", display_name="Bob Member")


@pytest.fixture
def charlie(user_factory):
    """A member with no business in alice's meetings."""
    return user_factory("charlie@example.org", display_name="Charlie Outsider")


@pytest.fixture
def staff(user_factory):
    return user_factory("staff@example.org", display_name="Staff", is_staff=True, is_superuser=True)


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client
