"""The ICE servers a browser gets: the static list from settings, plus TURN credentials of its own.

TURN credentials follow coturn's "TURN REST API" (use-auth-secret): the username is
`<expiry unix time>:<opaque id>` and the password is base64(HMAC-SHA1(TURN_SECRET, username)), so
coturn checks them with the shared secret alone, and they stop working at the expiry. The ID is
random for each socket: nothing in it names a person (no email, no name, no peer ID).
"""

import base64
import hashlib
import hmac
import secrets
import time

from django.conf import settings

TURN_SCHEMES = ("turn:", "turns:")


def turn_urls():
    """The configured TURN (not STUN) URLs; credentials are minted only when there are some."""
    return [url for url in settings.TURN_URLS if url.startswith(TURN_SCHEMES)]


def turn_configured():
    """True when browsers can be handed a relay: TURN URLs and the secret to sign for them."""
    return bool(turn_urls() and settings.TURN_SECRET)


def turn_password(username, secret):
    """coturn's check for use-auth-secret: base64(HMAC-SHA1(secret, username))."""
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def turn_credentials_mint(*, now=None, ttl=None, secret=None):
    """A fresh username and password for the configured TURN servers, valid for TURN_TTL seconds."""
    expiry = int(now if now is not None else time.time()) + (settings.TURN_TTL if ttl is None else ttl)
    username = f"{expiry}:{secrets.token_hex(8)}"
    return username, turn_password(username, settings.TURN_SECRET if secret is None else secret)


def ice_servers_for_browser(*, now=None):
    """The RTCIceServer list for one browser: ICE_SERVERS as configured, then TURN_URLS.

    STUN URLs of TURN_URLS need no credential; the TURN ones share one minted credential.
    """
    servers = list(settings.ICE_SERVERS)
    stun = [url for url in settings.TURN_URLS if url.startswith(("stun:", "stuns:"))]
    if stun:
        servers.append({"urls": stun})
    if turn_configured():
        username, password = turn_credentials_mint(now=now)
        servers.append({"urls": turn_urls(), "username": username, "credential": password})
    return servers


def ice_transport_policy(*, hide_addresses):
    """ "relay" when the meeting hides addresses: the browser then offers only relay candidates."""
    return "relay" if hide_addresses else "all"
