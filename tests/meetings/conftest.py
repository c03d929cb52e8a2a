"""Meeting factories and extra clients for the meetings tests; personas come from tests/conftest.py."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from meetings import services
from meetings.models import Participant


@pytest.fixture
def meeting_factory(alice):
    """A meeting hosted by alice (unless `host` is given) that starts in five minutes: its room is
    open (it opens ten minutes before the start by default)."""

    def make(host=None, **fields):
        fields.setdefault("title", "Team sync")
        fields.setdefault("starts_at", timezone.now() + timedelta(minutes=5))
        return services.meeting_create(host=host or alice, **fields)

    return make


@pytest.fixture
def participant_factory():
    """An attendance record: someone who joined `minutes_ago` and is still there (or left)."""

    def make(meeting, *, display_name="Guest", minutes_ago=30, left=False, user=None, **fields):
        joined_at = timezone.now() - timedelta(minutes=minutes_ago)
        return Participant.objects.create(
            meeting=meeting,
            user=user,
            display_name=display_name,
            status=Participant.Status.LEFT if left else Participant.Status.JOINED,
            joined_at=joined_at,
            left_at=joined_at + timedelta(minutes=10) if left else None,
            **fields,
        )

    return make


@pytest.fixture
def client_for(db):
    """A separate browser session logged in as `user` (or anonymous with None)."""

    def make(user=None):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def staff_client(client_for, staff):
    return client_for(staff)
