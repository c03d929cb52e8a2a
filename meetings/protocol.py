"""The signaling protocol's vocabulary and its validation, free of I/O so it is easy to test.

docs/signaling.md describes every message, error code and close code defined here.
"""

import json
import time
from dataclasses import dataclass, field

PROTOCOL_VERSION = 1

# Bounds on what a client may send. An SDP for audio, video and a screen is a few KB; 64 KiB leaves
# room for many codecs while keeping a flood of large frames cheap to refuse.
MAX_MESSAGE_BYTES = 64 * 1024
MAX_SDP_CHARS = 32 * 1024
MAX_CANDIDATE_CHARS = 1024
MAX_CHAT_CHARS = 2000
MAX_PEER_ID_CHARS = 32
# ICE candidates one client may send one peer per description; a browser gathers a handful to a
# few dozen, so more is a flood aimed at the other browser.
MAX_CANDIDATES_PER_DESCRIPTION = 200


class Close:
    """Websocket close codes (4000-4999 are for applications, RFC 6455 section 7.4.2)."""

    NO_CREDENTIALS = 4001
    BAD_TICKET = 4002
    TICKET_EXPIRED = 4003
    WRONG_MEETING = 4004
    TICKET_USED = 4005
    RESUME_FAILED = 4006
    HOLD_EXPIRED = 4007  # a socket opened with hold=1 did not send join in time: open a new one
    NOT_FOUND = 4040
    MEETING_ENDED = 4100
    MEETING_CANCELLED = 4101
    MEETING_LOCKED = 4102
    ROOM_FULL = 4103
    HOST_NOT_ARRIVED = 4104
    TOO_MANY_CONNECTIONS = 4106
    NOT_OPEN_YET = 4107  # a scheduled meeting before its room opens (Meeting.open_minutes_before)
    ADDRESS_BUSY = 4430  # too many new sockets from one address: retry after a while
    REMOVED = 4403
    DENIED = 4405
    IDLE_TIMEOUT = 4408
    REPLACED = 4409
    FLOOD = 4429
    LOGGED_OUT = 4401


class Error:
    """Codes of in-band error replies; the connection stays open after each, except rate_limited."""

    BAD_JSON = "bad_json"
    TOO_LARGE = "too_large"
    UNKNOWN_TYPE = "unknown_type"
    INVALID = "invalid_message"
    UNKNOWN_PEER = "unknown_peer"
    NOT_ALLOWED = "not_allowed"
    NOT_JOINED = "not_joined"
    RATE_LIMITED = "rate_limited"
    TOO_MANY_CANDIDATES = "too_many_candidates"
    PEER_BUSY = "peer_busy"


class ProtocolError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def _reject_duplicate_keys(pairs):
    """JSON with a key twice is refused: parsers disagree on which one wins (Jitsi JSA-2023-0001)."""
    result = {}
    for key, value in pairs:
        if key in result:
            raise ProtocolError(Error.BAD_JSON, f"Duplicate key “{key}”.")
        result[key] = value
    return result


def decode(text):
    """Parse one client frame into a dict with a string "type", or raise ProtocolError."""
    if text is None:
        raise ProtocolError(Error.BAD_JSON, "Send text frames containing JSON.")
    if len(text) > MAX_MESSAGE_BYTES or len(text.encode()) > MAX_MESSAGE_BYTES:
        raise ProtocolError(Error.TOO_LARGE, f"A message may have at most {MAX_MESSAGE_BYTES} bytes.")
    try:
        message = json.loads(text, object_pairs_hook=_reject_duplicate_keys)
    except ValueError as error:
        raise ProtocolError(Error.BAD_JSON, "The message is not valid JSON.") from error
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise ProtocolError(Error.INVALID, "A message is a JSON object with a string “type”.")
    return message


def _string(message, name, *, max_chars, required=True):
    value = message.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value):
        raise ProtocolError(Error.INVALID, f"“{name}” must be a non-empty string.")
    if len(value) > max_chars:
        raise ProtocolError(Error.TOO_LARGE, f"“{name}” may have at most {max_chars} characters.")
    return value


def _bool(message, name):
    value = message.get(name)
    if not isinstance(value, bool):
        raise ProtocolError(Error.INVALID, f"“{name}” must be true or false.")
    return value


def peer_id_field(message, name="peer"):
    return _string(message, name, max_chars=MAX_PEER_ID_CHARS)


def signal_payload(message):
    """The relayable part of a signal: exactly one SDP description or one ICE candidate.

    Only known fields are copied, so nothing a client adds (a forged "from", say) is relayed.
    """
    has_description = "description" in message
    has_candidate = "candidate" in message
    if has_description == has_candidate:
        raise ProtocolError(Error.INVALID, "A signal carries either “description” or “candidate”.")
    if has_description:
        description = message["description"]
        if not isinstance(description, dict):
            raise ProtocolError(Error.INVALID, "“description” must be an object.")
        kind = description.get("type")
        if kind not in ("offer", "answer", "rollback", "pranswer"):
            raise ProtocolError(
                Error.INVALID, "“description.type” must be offer, answer, pranswer or rollback."
            )
        sdp = description.get("sdp", "")
        if not isinstance(sdp, str):
            raise ProtocolError(Error.INVALID, "“description.sdp” must be a string.")
        if len(sdp) > MAX_SDP_CHARS:
            raise ProtocolError(Error.TOO_LARGE, f"An SDP may have at most {MAX_SDP_CHARS} characters.")
        if kind in ("offer", "answer") and not sdp:
            raise ProtocolError(Error.INVALID, "An offer or answer needs an SDP.")
        return {"description": {"type": kind, "sdp": sdp}}
    candidate = message["candidate"]
    if candidate is None:  # end of candidates
        return {"candidate": None}
    if not isinstance(candidate, dict):
        raise ProtocolError(Error.INVALID, "“candidate” must be an object or null.")
    text = candidate.get("candidate")
    if isinstance(text, str) and len(text) > MAX_CANDIDATE_CHARS:
        raise ProtocolError(
            Error.TOO_LARGE, f"“candidate.candidate” may have at most {MAX_CANDIDATE_CHARS} characters."
        )
    if not isinstance(text, str):
        raise ProtocolError(
            Error.INVALID, "“candidate.candidate” must be a string of at most 1024 characters."
        )
    clean = {"candidate": text}
    mid = candidate.get("sdpMid")
    if mid is not None:
        if not isinstance(mid, str) or len(mid) > 64:
            raise ProtocolError(Error.INVALID, "“candidate.sdpMid” must be a short string.")
        clean["sdpMid"] = mid
    index = candidate.get("sdpMLineIndex")
    if index is not None:
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < 1024:
            raise ProtocolError(Error.INVALID, "“candidate.sdpMLineIndex” must be a small integer.")
        clean["sdpMLineIndex"] = index
    fragment = candidate.get("usernameFragment")
    if fragment is not None:
        if not isinstance(fragment, str) or len(fragment) > 256:
            raise ProtocolError(Error.INVALID, "“candidate.usernameFragment” must be a short string.")
        clean["usernameFragment"] = fragment
    return {"candidate": clean}


MEDIA_KEYS = ("audio", "video", "screen", "hand")


def media_state(message):
    """A media update: any subset of audio/video/screen/hand booleans, at least one."""
    state = {key: _bool(message, key) for key in MEDIA_KEYS if key in message}
    if not state:
        raise ProtocolError(Error.INVALID, "A media update names at least one of audio, video, screen, hand.")
    return state


_CONTROL_CHARACTERS = {code: None for code in [*range(0, 9), 11, 12, *range(14, 32), 127, *range(128, 160)]}


def chat_text(message):
    """The text as typed, less invisible control characters (a NUL cannot even be stored).

    Bidi overrides stay: they are legitimate in right-to-left text, and the client isolates each
    message so they cannot reorder anything around it.
    """
    text = message.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ProtocolError(Error.INVALID, "“text” must be a non-empty string.")
    if len(text) > MAX_CHAT_CHARS:
        raise ProtocolError(Error.TOO_LARGE, f"A chat message may have at most {MAX_CHAT_CHARS} characters.")
    text = text.translate(_CONTROL_CHARACTERS)
    if not text.strip():
        raise ProtocolError(Error.INVALID, "“text” has nothing visible in it.")
    return text


def lock_flag(message):
    return _bool(message, "locked")


@dataclass
class TokenBucket:
    """Allows `rate` messages a second on average with bursts up to `burst`."""

    rate: float
    burst: float
    tokens: float = field(default=-1.0)
    updated: float = field(default_factory=time.monotonic)

    def __post_init__(self):
        if self.tokens < 0:
            self.tokens = self.burst

    def take(self, now=None):
        now = time.monotonic() if now is None else now
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False
