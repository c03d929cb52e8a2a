from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from meetings.stun import turn_check
from meetings.turn import turn_configured, turn_credentials_mint, turn_urls

HINTS = {
    401: "The server refused the credential: TURN_SECRET must equal coturn's static-auth-secret, "
    "coturn needs use-auth-secret, and both machines' clocks must be right (the username holds the expiry).",
    403: "The server forbids this: check denied-peer-ip and allowed-peer-ip in turnserver.conf.",
    437: "An allocation already exists for this address: wait a minute and try again.",
    486: "The allocation quota is reached: raise user-quota or total-quota in turnserver.conf.",
    508: "The server has no free relay port: widen min-port/max-port in turnserver.conf.",
}


class Command(BaseCommand):
    help = (
        "Check the configured TURN servers end to end: allocate with a freshly minted credential, "
        "as a browser would, and pass data between two relayed addresses. Exits 1 if any check fails."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", action="append", help="Check this TURN URL instead (repeatable).")
        parser.add_argument(
            "--allocate-only",
            action="store_true",
            help="Only allocate; skip relaying data between two allocations.",
        )
        parser.add_argument("--timeout", type=float, default=5.0, help="Seconds to wait for each answer.")

    def handle(self, *args, url, allocate_only, timeout, **options):
        checks = []  # (url, username, password)
        if turn_configured() or url:
            if not settings.TURN_SECRET:
                raise CommandError("TURN_SECRET is not set: a credential cannot be minted.")
            username, password = turn_credentials_mint()
            checks += [(u, username, password) for u in (url or turn_urls())]
        if not url:
            for server in settings.ICE_SERVERS:
                urls = server.get("urls", [])
                urls = [urls] if isinstance(urls, str) else urls
                for u in urls:
                    if u.startswith(("turn:", "turns:")):
                        checks.append((u, server.get("username", ""), server.get("credential", "")))
        if not checks:
            raise CommandError(
                "No TURN server is configured: set TURN_URLS and TURN_SECRET (docs/deploy-turn.md)."
            )
        failed = 0
        for check_url, username, password in checks:
            result = turn_check(check_url, username, password, relay=not allocate_only, timeout=timeout)
            if result.ok:
                self.stdout.write(
                    self.style.SUCCESS(f"OK    {check_url}")
                    + f"  {result.message} in {result.seconds * 1000:.0f} ms;"
                    f" relayed address {_address(result.relayed)}, your address as seen by the server"
                    f" {_address(result.mapped)}, lifetime {result.lifetime} s"
                )
            else:
                failed += 1
                self.stdout.write(self.style.ERROR(f"FAIL  {check_url}") + f"  {result.message}")
                hint = HINTS.get(result.error_code)
                if hint is None and not result.error_code and "did not arrive" in result.message:
                    hint = "Relaying failed: open the relay port range (min-port/max-port) and check denied-peer-ip."
                if hint is None and not result.error_code:
                    hint = "Nothing answered: check the host name, the port, and that the firewall lets it through."
                self.stdout.write(f"      {hint}")
        if failed:
            raise CommandError(f"{failed} of {len(checks)} TURN checks failed.")


def _address(address):
    return f"{address[0]}:{address[1]}" if address else "unknown"
