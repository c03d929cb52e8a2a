"""The site's side of Janus: its HTTP API and Admin API, spoken from the server on loopback only.

Why HTTP rather than websockets for this side: every request the site makes (create, destroy, allow,
kick, list, add_token) is a synchronous VideoRoom or Admin request that Janus answers in the HTTP
response itself, so a plain POST per step needs no long-lived connection, no event loop and no extra
library (urllib). Debian's janus ships both transports; docs/deploy-janus.md binds this one to
127.0.0.1 and protects it twice (api_secret for the API, admin_secret for the Admin API), while
browsers reach Janus only through the websocket transport behind the site's proxy, with a token.

Functions are sync: room.py's services and the placement call them in a worker thread (the
consumer goes through database_sync_to_async), each request bounded by REQUEST_TIMEOUT.
"""

import json
import secrets
import urllib.error
import urllib.request
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

VIDEOROOM = "janus.plugin.videoroom"
REQUEST_TIMEOUT = 3.0  # seconds; a Janus on loopback answers in milliseconds

# VideoRoom error codes we act on (janus_videoroom.c).
NO_SUCH_ROOM = 426
UNAUTHORIZED = 433
NO_SUCH_FEED = 428
MISSING_ELEMENT = 429


class JanusError(Exception):
    """Janus answered with an error, or did not answer at all (code None)."""

    def __init__(self, reason, code=None):
        super().__init__(f"{reason} (Janus error {code})" if code else reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class JanusServer:
    """One entry of JANUS_SERVERS. `name` is how the database refers to it (sticky placement)."""

    name: str
    api_url: str
    admin_url: str
    api_secret: str
    admin_secret: str
    admin_key: str
    public_url: str = ""

    def __repr__(self):  # never print the secrets
        return f"JanusServer({self.name!r}, {self.api_url!r})"


def janus_servers_parse(entries):
    """JANUS_SERVERS as the settings give it (a list of dicts) into JanusServers; a clear error if not."""
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise ImproperlyConfigured("JANUS_SERVERS must be a JSON list of objects (README.md).")
    servers = []
    for index, entry in enumerate(entries):
        missing = [
            key
            for key in ("api_url", "admin_url", "api_secret", "admin_secret", "admin_key")
            if not entry.get(key)
        ]
        if missing:
            raise ImproperlyConfigured(f"JANUS_SERVERS[{index}] needs {', '.join(missing)}.")
        servers.append(
            JanusServer(
                name=entry.get("name") or entry["api_url"],
                api_url=entry["api_url"].rstrip("/"),
                admin_url=entry["admin_url"].rstrip("/"),
                api_secret=entry["api_secret"],
                admin_secret=entry["admin_secret"],
                admin_key=entry["admin_key"],
                public_url=entry.get("public_url", ""),
            )
        )
    if len({server.name for server in servers}) != len(servers):
        raise ImproperlyConfigured("JANUS_SERVERS: two servers have the same name (or API URL).")
    return servers


def janus_servers():
    return janus_servers_parse(settings.JANUS_SERVERS)


def janus_configured():
    """With no Janus configured the site is a mesh, exactly as before the SFU existed."""
    return bool(settings.JANUS_SERVERS)


def janus_server_named(name):
    """The configured server of that name, or None if the operator removed it."""
    return next((server for server in janus_servers() if server.name == name), None)


# --- Transport ------------------------------------------------------------------------------------


def _post(url, body):
    request = urllib.request.Request(  # noqa: S310 (the operator's loopback URL, http or https)
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:  # noqa: S310
            answer = json.loads(response.read())
    except (OSError, ValueError) as error:
        raise JanusError(f"{url} did not answer: {error}") from None
    if answer.get("janus") == "error":
        error = answer.get("error", {})
        raise JanusError(error.get("reason", "error"), error.get("code"))
    return answer


def _transaction():
    return secrets.token_urlsafe(12)


def _api(server, path, body):
    return _post(
        server.api_url + path, {**body, "transaction": _transaction(), "apisecret": server.api_secret}
    )


def _admin(server, body):
    return _post(
        server.admin_url, {**body, "transaction": _transaction(), "admin_secret": server.admin_secret}
    )


@contextmanager
def _videoroom(server):
    """A short Janus session with one VideoRoom handle; yields send(request body) -> plugin data."""
    session = _api(server, "", {"janus": "create"})["data"]["id"]
    try:
        handle = _api(server, f"/{session}", {"janus": "attach", "plugin": VIDEOROOM})["data"]["id"]

        def send(body):
            answer = _api(server, f"/{session}/{handle}", {"janus": "message", "body": body})
            data = answer.get("plugindata", {}).get("data", {})
            if data.get("videoroom") == "event" and "error_code" in data:
                raise JanusError(data.get("error", "error"), data["error_code"])
            return data

        yield send
    finally:
        with suppress(JanusError):  # if not, the session times out by itself (session_timeout)
            _api(server, f"/{session}", {"janus": "destroy"})


# --- The server as a whole ------------------------------------------------------------------------


def _get_info(server):
    """Janus's `info` answers without a secret: it proves only that the API is up."""
    try:
        with urllib.request.urlopen(server.api_url + "/info", timeout=REQUEST_TIMEOUT) as response:  # noqa: S310
            return json.loads(response.read())
    except (OSError, ValueError) as error:
        raise JanusError(f"{server.api_url} did not answer: {error}") from None


def sfu_server_check(server):
    """Both APIs answer and accept our secrets: what /readyz and check --deploy ask. Returns a summary."""
    info = _get_info(server)
    status = _admin(server, {"janus": "get_status"}).get("status", {})
    if not status.get("token_auth"):
        raise JanusError("token_auth is off: any browser could use this Janus (docs/deploy-janus.md)")
    with _videoroom(server) as send:
        send({"request": "list", "admin_key": server.admin_key})
    return f"Janus {info.get('version_string', '?')}"


def sfu_server_load(server):
    """(participants, rooms) on this server, counting private rooms too (the admin key shows them)."""
    with _videoroom(server) as send:
        rooms = send({"request": "list", "admin_key": server.admin_key}).get("list", [])
    return sum(room.get("num_participants", 0) for room in rooms), len(rooms)


# --- Rooms ----------------------------------------------------------------------------------------


def sfu_room_create(*, server, room_id, secret, publishers, description=""):
    """A private VideoRoom that only listed tokens may publish in and only its publishers may watch.

    `secret` (needed to edit, allow, kick, destroy) never leaves the site; `allowed` starts empty, so
    nobody joins until a grant adds their token; `require_pvtid` ties every subscription to a
    publisher's private ID, so a kick ends that person's subscriptions too.
    """
    with _videoroom(server) as send:
        send(
            {
                "request": "create",
                "admin_key": server.admin_key,
                "room": room_id,
                "description": description[:100],
                "secret": secret,
                "is_private": True,
                "permanent": False,
                "allowed": [],
                "require_pvtid": True,
                "publishers": publishers,
                "audiolevel_event": True,
                "notify_joining": True,
            }
        )


def sfu_room_destroy(*, server, room_id, secret):
    """Destroy the room (everyone in it is hung up). False if it was already gone."""
    with _videoroom(server) as send:
        try:
            send({"request": "destroy", "room": room_id, "secret": secret, "permanent": False})
        except JanusError as error:
            if error.code == NO_SUCH_ROOM:
                return False
            raise
    return True


def sfu_room_exists(*, server, room_id):
    with _videoroom(server) as send:
        return bool(send({"request": "exists", "room": room_id}).get("exists"))


def sfu_room_allow(*, server, room_id, secret, tokens, allow=True):
    """Add tokens to (or remove them from) the room's `allowed` list: who may join as a publisher."""
    with _videoroom(server) as send:
        send(
            {
                "request": "allowed",
                "room": room_id,
                "secret": secret,
                "action": "add" if allow else "remove",
                "allowed": list(tokens),
            }
        )


def sfu_participant_list(*, server, room_id):
    """Who is in the room now: Janus's `listparticipants` (id, display, publisher, talking)."""
    with _videoroom(server) as send:
        return send({"request": "listparticipants", "room": room_id}).get("participants", [])


def sfu_participant_kick(*, server, room_id, secret, feed_id):
    """Hang up that participant and, with require_pvtid, their subscriptions. False if not there."""
    with _videoroom(server) as send:
        try:
            send({"request": "kick", "room": room_id, "secret": secret, "id": feed_id})
        except JanusError as error:
            if error.code in (NO_SUCH_FEED, NO_SUCH_ROOM):
                return False
            raise
    return True


# --- Tokens (Janus core token_auth, stored mode) ------------------------------------------------


def sfu_token_add(*, server, token):
    """Janus accepts `token` on its API from now on, for the VideoRoom plugin only."""
    _admin(server, {"janus": "add_token", "token": token, "plugins": [VIDEOROOM]})


def sfu_token_remove(*, server, token):
    """Janus refuses `token` from now on. Removing an unknown token is not an error."""
    try:
        _admin(server, {"janus": "remove_token", "token": token})
    except JanusError as error:
        if error.reason != "Error removing token":  # what Janus says of a token it never had
            raise


def sfu_token_list(*, server):
    return [entry["token"] for entry in _admin(server, {"janus": "list_tokens"})["data"].get("tokens", [])]
