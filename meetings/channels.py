"""Channel-layer names in one place: the group of a meeting and the event types sent to it.

Event types carry the ``meeting.`` prefix so they never collide with client message types.
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def meeting_group(code):
    return f"meeting.{code}"


MEETING_ENDED = "meeting.ended"
MEETING_LOCK_CHANGED = "meeting.lock_changed"
MEETING_STARTED = "meeting.started"


def broadcast(code, event_type, **payload):
    """Send an event to every connection in a meeting (nothing happens if nobody is connected)."""
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(meeting_group(code), {"type": event_type, **payload})
