"""The signaling protocol's vocabulary and its validation, free of I/O so it is easy to test.

docs/signaling.md describes every message, error code and close code defined here.
"""

import json
import math
import re
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
MAX_RESUME_TOKEN_CHARS = 64
# Seconds a socket opened with resume=1 has to send its resume frame.
RESUME_FRAME_TIMEOUT = 10
# Objects and arrays inside one another: a real message nests two levels (a signal's candidate).
MAX_DEPTH = 16
# A request id echoed back as "re": a short string, or an integer a browser holds exactly.
MAX_ID_CHARS = 64
MAX_ID_INTEGER = 2**53 - 1
# Digits in one JSON number: nothing in the protocol needs more, and Python's int() of thousands of
# digits is slow (and refused beyond 4300).
MAX_NUMBER_CHARS = 20
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
    ACCOUNT_SOCKETS = 4108  # too many sockets of one account open at once: retry after a while
    KNOCK_LIMIT = 4406  # knocked again too soon after a denial, or too often from one address
    ADDRESS_BUSY = 4430  # too many new sockets from one address: retry after a while
    ADDRESS_SOCKETS = 4431  # too many sockets from one address open at once: retry after a while
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
    CHAT_TOO_FAST = "chat_too_fast"


# Message types, as docs/signaling.md lists them. static/js/meeting/protocol.js names the same ones
# for the browser (tests/signaling/test_wire_vocabulary.py keeps the three in step).
CLIENT_MESSAGES = frozenset(
    {"ping", "ice-servers", "join", "resume", "signal", "chat", "media", "leave", "admit", "deny", "remove"}
    | {"mute-request", "make-cohost", "lock", "end"}
)
SERVER_MESSAGES = frozenset(
    {"welcome", "waiting", "held", "peer-count", "ice-servers", "refused", "pong", "signal", "error"}
    | {"peer-joined", "peer-left", "peer-interrupted", "peer-resumed", "peer-media", "peer-role", "role"}
    | {"chat", "locked", "knock", "waiting-left", "mute-request"}
    | {"denied", "removed", "replaced", "signed-out", "ended"}
)


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


def _integer(digits):
    if len(digits) > MAX_NUMBER_CHARS:
        raise ProtocolError(Error.INVALID, f"Numbers may have at most {MAX_NUMBER_CHARS} digits.")
    return int(digits)


def _float(digits):
    if len(digits) > MAX_NUMBER_CHARS or not math.isfinite(number := float(digits)):
        raise ProtocolError(Error.INVALID, f"Numbers may have at most {MAX_NUMBER_CHARS} digits.")
    return number


def _not_json(constant):
    """Python's parser accepts NaN and Infinity; JSON does not, and they cannot be sent back."""
    raise ProtocolError(Error.BAD_JSON, f"{constant} is not JSON.")


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_TOO_DEEP = f"Objects and arrays may be nested at most {MAX_DEPTH} deep."


def _check_shape(message):
    """Depth and text, without recursion: a lone surrogate ("\\ud800") is valid JSON but not
    Unicode, so it can be neither stored nor sent on to anyone."""
    pending = [(message, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if _LONE_SURROGATE.search(value):
                raise ProtocolError(Error.BAD_JSON, "Text must be valid Unicode (a lone surrogate is not).")
            continue
        if not isinstance(value, (dict, list)):
            continue
        if depth > MAX_DEPTH:
            raise ProtocolError(Error.INVALID, _TOO_DEEP)
        if isinstance(value, dict):
            pending.extend((key, depth) for key in value)
            value = value.values()
        pending.extend((item, depth + 1) for item in value)


def decode(text):
    """Parse one client frame into a dict with a string "type", or raise ProtocolError.

    Whatever the shape of a valid text frame (depth, numbers, lone surrogates), the answer is a
    ProtocolError, never another exception.
    """
    if text is None:
        raise ProtocolError(Error.BAD_JSON, "Send text frames containing JSON.")
    if len(text) > MAX_MESSAGE_BYTES or len(text.encode(errors="surrogatepass")) > MAX_MESSAGE_BYTES:
        raise ProtocolError(Error.TOO_LARGE, f"A message may have at most {MAX_MESSAGE_BYTES} bytes.")
    try:
        message = json.loads(
            text,
            object_pairs_hook=_reject_duplicate_keys,
            parse_int=_integer,
            parse_float=_float,
            parse_constant=_not_json,
        )
    except RecursionError:
        raise ProtocolError(Error.INVALID, _TOO_DEEP) from None
    except ValueError as error:
        raise ProtocolError(Error.BAD_JSON, "The message is not valid JSON.") from error
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise ProtocolError(Error.INVALID, "A message is a JSON object with a string “type”.")
    _check_shape(message)
    return message


def request_id(message):
    """The message's `id`, to be echoed as `re` in an error; None if it has none.

    An `id` that could not be echoed faithfully (a boolean, a float, an object, a long string, an
    integer a browser would round) is refused, without `re`, since there is nothing to echo.
    """
    value = message.get("id")
    if value is None:
        return None
    if isinstance(value, str) and len(value) <= MAX_ID_CHARS:
        return value
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_ID_INTEGER:
        return value
    raise ProtocolError(
        Error.INVALID,
        f"“id” must be a string of at most {MAX_ID_CHARS} characters or an integer of at most 2^53 - 1.",
    )


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


def resume_token_field(message):
    return _string(message, "token", max_chars=MAX_RESUME_TOKEN_CHARS)


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


def candidate_type(candidate):
    """The type of an ICE candidate line (host, srflx, prflx, relay), or "" if it names none."""
    words = candidate.split()
    for index, word in enumerate(words[:-1]):
        if word == "typ":
            return words[index + 1].lower()
    return ""


_RELATED_ADDRESS = re.compile(r"\braddr \S+ rport \d+")
_CONNECTION_ADDRESS = re.compile(r"^(c=IN IP([46]) )\S+", re.IGNORECASE)
_ORIGIN_ADDRESS = re.compile(r"^(o=(?:\S+ ){3}IN IP([46]) )\S+", re.IGNORECASE)
_RTCP_ADDRESS = re.compile(r"^(a=rtcp:\d+ IN IP([46]) )\S+", re.IGNORECASE)
_NO_ADDRESS = {"4": "0.0.0.0", "6": "::"}  # noqa: S104 - the unspecified address, not a bind


def _relay_candidate_or_none(candidate):
    """A relay candidate less its related address (the person's own public address); others: None."""
    if candidate_type(candidate) != "relay":
        return None
    return _RELATED_ADDRESS.sub("raddr 0.0.0.0 rport 0", candidate)


def signal_without_addresses(payload):
    """A signal for a meeting that hides network addresses: only relay candidates get through.

    A candidate that is not a relay one gives None (drop it); an SDP loses its non-relay
    `a=candidate` lines, and the addresses of its c=, o= and a=rtcp lines (a browser puts the
    default candidate's there) become the unspecified address. The end of candidates passes.
    """
    if "candidate" in payload:
        candidate = payload["candidate"]
        if candidate is None or not candidate["candidate"]:
            return payload
        line = candidate["candidate"]
        kept = _relay_candidate_or_none(line.removeprefix("a="))
        if kept is None:
            return None
        return {"candidate": {**candidate, "candidate": ("a=" if line.startswith("a=") else "") + kept}}
    description = payload["description"]
    lines = []
    for line in description["sdp"].split("\r\n" if "\r\n" in description["sdp"] else "\n"):
        if line.lower().startswith("a=candidate:"):
            kept = _relay_candidate_or_none(line)
            if kept is not None:
                lines.append(kept)
            continue
        for pattern in (_CONNECTION_ADDRESS, _RTCP_ADDRESS):
            line = pattern.sub(lambda m: m.group(1) + _NO_ADDRESS[m.group(2)], line)
        line = _ORIGIN_ADDRESS.sub(lambda m: m.group(1) + ("127.0.0.1" if m.group(2) == "4" else "::1"), line)
        lines.append(line)
    return {"description": {**description, "sdp": "\r\n".join(lines)}}


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
