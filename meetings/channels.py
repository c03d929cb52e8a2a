"""Channel-layer names in one place: a meeting's groups and the event types sent to them.

Event types carry the ``meeting.`` prefix so they never collide with client message types; a
consumer handles ``meeting.peer_joined`` in its method ``meeting_peer_joined``.
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def meeting_group(code):
    """Everyone admitted to the call."""
    return f"meeting.{code}"


def moderators_group(code):
    """Hosts and co-hosts: they hear knocks from the waiting room."""
    return f"meeting.{code}.moderators"


def waiting_group(code):
    """People in the waiting room: they hear nothing of the call, only that it ended."""
    return f"meeting.{code}.waiting"


def lobby_group(code):
    """Held sockets on the pre-join page: told only that the call's roster changed."""
    return f"meeting.{code}.lobby"


def client_group(client_key):
    """Every meeting socket one browser session opened: closed when that session logs out."""
    return f"client.{client_key}"


def user_group(user_id):
    """Every meeting socket of one account: closed when the account is deactivated."""
    return f"user.{user_id}"


MEETING_STARTED = "meeting.started"
MEETING_ENDED = "meeting.ended"
MEETING_LOCK_CHANGED = "meeting.lock_changed"
PEER_JOINED = "meeting.peer_joined"
PEER_LEFT = "meeting.peer_left"
PEER_INTERRUPTED = "meeting.peer_interrupted"
PEER_RESUMED = "meeting.peer_resumed"
PEER_MEDIA = "meeting.peer_media"
PEER_ROLE = "meeting.peer_role"
CHAT = "meeting.chat"
KNOCK = "meeting.knock"
WAITING_LEFT = "meeting.waiting_left"
ADMITTED = "meeting.admitted"
DENIED = "meeting.denied"
REMOVED = "meeting.removed"
MUTE_REQUESTED = "meeting.mute_requested"
REPLACED = "meeting.replaced"
SIGNAL = "meeting.signal"
SIGNED_OUT = "meeting.signed_out"
ROSTER_CHANGED = "meeting.roster_changed"

# After these, a held socket may meet a different number of people if it joined; the lobby hears so
# here, whoever broadcast them (the room, or the dashboard and admin that lock and end meetings).
ROSTER_EVENTS = {PEER_JOINED, PEER_LEFT, PEER_ROLE, MEETING_LOCK_CHANGED, MEETING_ENDED}


def broadcast(code, event_type, *, groups=None, **payload):
    """Send an event to a meeting's groups (the call by default); nobody listening is fine.

    A roster event is followed by ROSTER_CHANGED to the lobby, without its payload: no name or peer
    ID reaches a held socket.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    for group in groups or [meeting_group(code)]:
        async_to_sync(layer.group_send)(group, {"type": event_type, **payload})
    if event_type in ROSTER_EVENTS:
        async_to_sync(layer.group_send)(lobby_group(code), {"type": ROSTER_CHANGED})


def send_to(channel_name, event_type, **payload):
    """Send an event to one connection."""
    layer = get_channel_layer()
    if layer is not None and channel_name:
        async_to_sync(layer.send)(channel_name, {"type": event_type, **payload})
