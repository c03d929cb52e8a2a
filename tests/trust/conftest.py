import pytest

from meetings import room, services
from meetings.tickets import Joiner


@pytest.fixture
def meeting(alice):
    """alice's meeting, open before she arrives, no waiting room."""
    return services.meeting_create(host=alice, title="Trust", join_before_host=True)


def connect(meeting, name, *, user=None):
    """Join through the room's rules directly (no socket): the Participant it makes."""
    joiner = Joiner(meeting.code, name, user.id if user else None, f"client-{name}")
    return room.participant_connect(joiner=joiner, channel_name=f"channel-{name}").participant
