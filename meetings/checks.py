"""What operators are told: `manage.py check --deploy` (TURN, Janus) and /readyz (Janus)."""

from django.conf import settings
from django.core import checks
from django.core.checks import Tags, Warning, register

from operations.health import NOT_CONFIGURED, readiness_check

from . import janus
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


@checks.register(checks.Tags.compatibility, deploy=True)
def check_janus_reachable(app_configs=None, **kwargs):
    """Each server in JANUS_SERVERS answers its API and Admin API and accepts our secrets."""
    problems = []
    for server in janus.janus_servers():
        try:
            janus.sfu_server_check(server)
        except janus.JanusError as error:
            problems.append(
                checks.Error(
                    f"Janus {server.name} cannot be used: {error}",
                    hint="Check that it runs and that JANUS_SERVERS has its URLs and secrets "
                    "(docs/deploy-janus.md). Meetings larger than MESH_MAX_PEOPLE need it.",
                    id="meetings.E101",
                )
            )
    return problems


@readiness_check("janus")
def check_janus():
    """Every configured Janus answers; the detail names each with its version."""
    servers = janus.janus_servers()
    if not servers:
        return NOT_CONFIGURED
    return ", ".join(f"{server.name}: {janus.sfu_server_check(server)}" for server in servers)
