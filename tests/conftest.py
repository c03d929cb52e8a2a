"""Personas and factories shared by every test: a host, another member, an outsider, a guest."""

import itertools
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.utils import timezone

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


@pytest.fixture(autouse=True)
def clear_cache():
    """Throttles (passcode failures, sockets a minute, chat, knocks) and allauth's rate limits count
    in the cache: each test starts and ends with none used."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def meeting(alice):
    """alice's meeting that anyone with the link may open at once: no start time, guests welcome,
    no host needed first, no waiting room. The signaling, trust and scale-out tests meet in it."""
    from meetings import services

    return services.meeting_create(host=alice, title="Standup", join_before_host=True)


@pytest.fixture
def scheduled_meeting(alice):
    """alice's meeting starting in five minutes: its room is open (ten minutes before the start by
    default), but guests wait until she starts it."""
    from meetings import services

    return services.meeting_create(
        host=alice, title="Team sync", starts_at=timezone.now() + timedelta(minutes=5)
    )


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client
