"""System checks for the operator (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

from .turn import turn_configured


@register(Tags.security, deploy=True)
def check_ice_servers(app_configs, **kwargs):
    """Without STUN or TURN, calls connect only when the browsers can reach each other directly."""
    if settings.DEBUG or turn_configured() or settings.ICE_SERVERS or settings.TURN_URLS:
        return []
    return [
        Warning(
            "No TURN or STUN server is configured: browsers connect only when they can reach each other "
            "directly, so people behind a strict NAT or a company firewall (often one call in ten) see a "
            "black tile and cannot be heard.",
            hint="Run coturn and set TURN_URLS and TURN_SECRET (docs/deploy-turn.md), or list your "
            "servers in ICE_SERVERS.",
            id="meetings.W001",
        )
    ]
