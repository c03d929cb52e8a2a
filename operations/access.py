"""Who may scrape /metrics: a bearer token, or an address on the allow-list."""

import hmac
import ipaddress

from django.conf import settings

from meetings.throttle import client_ip


def metrics_access(request):
    """ "ok"; "unauthorized" (no or wrong token: say how to authenticate); "forbidden" (an address
    outside the allow-list, and no token configured); "off" (nothing configured)."""
    token = settings.METRICS_TOKEN
    networks = settings.METRICS_ALLOWED_NETWORKS
    if not token and not networks:
        return "off"
    if networks and _address_in(client_ip(request), networks):
        return "ok"
    if token:
        scheme, _, offered = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(offered.strip().encode(), token.encode()):
            return "ok"
        return "unauthorized"
    return "forbidden"


def _address_in(address, networks):
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)
