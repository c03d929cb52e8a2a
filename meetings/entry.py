"""Who may enter a meeting, and how: every entry rule once, for every door.

Each rule is a plain function that returns a `Refused` (its close code and a sentence for the person)
or None; it is returned, not raised, so each door answers in its own way. The join page turns a refusal
into a page (the countdown, "waiting for the host"...), the ticket endpoint into a 409, the websocket
into a close code, and a held socket into "you would meet nobody". `admission` applies the rules a
socket meets, in the order a joiner hears of them.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from .models import Meeting, Participant
from .protocol import Close
from .tickets import Joiner, Refused, client_key_for_session

# The meetings whose passcode this browser session proved (on the join page), newest last.
SESSION_PASSCODES = "meetings.passcodes_ok"
PASSCODES_REMEMBERED = 50
# One account may be in a meeting from this many browsers at once (a laptop, a phone, a tablet).
MAX_CONNECTIONS_PER_USER = 3

Role = Participant.Role
Status = Participant.Status


# --- The rules ------------------------------------------------------------------------------------


def meeting_closed(meeting):
    """Nobody enters a meeting that ended or was cancelled."""
    if meeting.state == Meeting.State.ENDED:
        return Refused(Close.MEETING_ENDED, "This meeting has ended.")
    if meeting.state == Meeting.State.CANCELLED:
        return Refused(Close.MEETING_CANCELLED, "This meeting was cancelled.")
    return None


def passcode_unproven(meeting, *, user_id, session):
    """A meeting with a passcode needs it proven in this browser session, except by its host."""
    if meeting.passcode and user_id != meeting.host_id and meeting.code not in proven_passcodes(session):
        return Refused(Close.NO_CREDENTIALS, "Enter the passcode on the join page first.")
    return None


def not_open_yet(meeting, *, moderator):
    """Before a scheduled occurrence's room opens, only its hosts may enter (Meeting.opens_at)."""
    if not moderator and meeting.is_before_window():
        return Refused(Close.NOT_OPEN_YET, "This meeting's room is not open yet.")
    return None


def host_not_arrived(meeting, *, moderator):
    """Unless the meeting lets people in before its host, a guest waits until a host starts it."""
    if not moderator and meeting.state != Meeting.State.LIVE and not meeting.join_before_host:
        return Refused(Close.HOST_NOT_ARRIVED, "The host has not started this meeting yet.")
    return None


def ticket_used(joiner):
    """A ticket is good for one socket."""
    if joiner.nonce and Participant.objects.filter(ticket_nonce=joiner.nonce).exists():
        return Refused(Close.TICKET_USED, "This join ticket was used already; reload the page.")
    return None


def removed_earlier(meeting, joiner):
    """Someone the host removed stays out: their account, and their browser when they are a guest."""
    removed = meeting.participants.filter(status=Status.REMOVED)
    if (joiner.user_id and removed.filter(user_id=joiner.user_id).exists()) or (
        joiner.client_key and removed.filter(client_key=joiner.client_key).exists()
    ):
        return Refused(Close.REMOVED, "The host removed you from this meeting.")
    return None


def too_many_places(places, joiner):
    """One account is in a meeting from at most MAX_CONNECTIONS_PER_USER browsers at once."""
    if joiner.user_id is None:
        return None
    active = places.filter(user_id=joiner.user_id, status__in=Participant.ACTIVE)
    if active.count() >= MAX_CONNECTIONS_PER_USER:
        return Refused(Close.TOO_MANY_CONNECTIONS, "You are already in this meeting from too many places.")
    return None


def locked(meeting, *, moderator):
    """A locked meeting lets in only its hosts."""
    if meeting.locked and not moderator:
        return Refused(Close.MEETING_LOCKED, "The host locked this meeting.")
    return None


def full(meeting, places=None):
    """At most max_participants in the call; `places` are those that count (by default everyone's)."""
    places = meeting.participants.all() if places is None else places
    if places.filter(status=Status.JOINED).count() >= meeting.max_participants:
        return Refused(Close.ROOM_FULL, "The room is full.")
    return None


def role_for(meeting, user_id):
    """The role someone enters with: the meeting's host if their account may host (accounts.policy),
    a co-host if they were made one in this meeting before, a guest otherwise."""
    if user_id is not None:
        if user_id == meeting.host_id and meeting.host.may_host:
            return Role.HOST
        if meeting.participants.filter(user_id=user_id, role=Role.COHOST).exists():
            return Role.COHOST
    return Role.GUEST


def knocks_first(meeting, user, *, moderator):
    """True if this person goes to the waiting room rather than straight into the call: with a
    waiting room or an invite list, everyone but the hosts and the invitees knocks."""
    if moderator or not (meeting.waiting_room or meeting.has_invite_list):
        return False
    return not meeting.is_invited(user)


# --- The passcode a session proved ----------------------------------------------------------------


def proven_passcodes(session):
    return session.get(SESSION_PASSCODES, [])


def passcode_remember(session, meeting):
    """The join page's passcode form was answered right: this session may enter `meeting`."""
    session[SESSION_PASSCODES] = [*proven_passcodes(session), meeting.code][-PASSCODES_REMEMBERED:]


# --- The rules in order, as a socket meets them ---------------------------------------------------


def is_moderator(role):
    return role in (Role.HOST, Role.COHOST)


@dataclass(frozen=True)
class Admission:
    role: str
    knocks: bool  # to the waiting room first


def places_of_others(meeting, joiner):
    """The meeting's participants less this browser's own places, which its joining retires."""
    places = meeting.participants.all()
    if joiner.client_key:
        places = places.exclude(client_key=joiner.client_key)
    return places


def admission(meeting, joiner: Joiner) -> Admission:
    """How this joiner would come in now, or raise the first refusal; changes nothing.

    room.participant_connect applies it, and room.hold_peer_count asks it what a held socket would
    meet.
    """
    others = places_of_others(meeting, joiner)
    role = role_for(meeting, joiner.user_id)
    moderator = is_moderator(role)
    refusal = (
        meeting_closed(meeting)
        or ticket_used(joiner)
        or removed_earlier(meeting, joiner)
        or too_many_places(others, joiner)
        or locked(meeting, moderator=moderator)
        or not_open_yet(meeting, moderator=moderator)
        or host_not_arrived(meeting, moderator=moderator)
    )
    if refusal:
        raise refusal
    knocks = knocks_first(meeting, _active_user(joiner.user_id), moderator=moderator)
    if not knocks and (refusal := full(meeting, others)):
        raise refusal
    return Admission(role, knocks)


def _active_user(user_id):
    if user_id is None:
        return None
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


def session_joiner(meeting_code, user, session) -> Joiner:
    """A signed-in member's session stands in for a ticket on a socket opened without one, if it
    proved the meeting's passcode: the same rule as the join page's."""
    meeting = Meeting.objects.filter(code=meeting_code).first()
    if meeting is None:
        raise Refused(Close.NOT_FOUND, "There is no meeting with this ID.")
    if refusal := passcode_unproven(meeting, user_id=user.id, session=session):
        raise refusal
    return Joiner(meeting_code, user.public_name, user.id, client_key_for_session(session))
