import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from config.lan import lan_address, lan_server_certificate

TRUST_STEPS = """\
Once per device, trust this machine's certificate authority, {ca}
(it can vouch only for private addresses and localhost, nothing on the internet):
  - Firefox: Settings > Privacy & Security > Certificates > View Certificates > Authorities > Import
  - Chrome, Edge: Settings > Privacy and security > Security > Manage certificates > Import (as a trusted root)
  - macOS: open the file, then in Keychain Access set it to "Always Trust"
  - Android: Settings > Security > Encryption & credentials > Install a certificate > CA certificate
  - iPhone, iPad: send yourself the file, install the profile, then turn it on in
    Settings > General > About > Certificate Trust Settings
"""


class Command(BaseCommand):
    help = (
        "Serve the site in debug mode over HTTPS on this machine's LAN address, with a certificate "
        "made here for that address, so a phone or another laptop on the network can use its camera."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--address", help="The address to serve on (default: this machine's LAN address)."
        )
        parser.add_argument("--port", type=int, default=8443)
        parser.add_argument(
            "--ca-dir",
            default=str(Path(settings.BASE_DIR) / "var" / "lan-ca"),
            help="Where the local CA and the certificates are kept (default var/lan-ca).",
        )

    def handle(self, *args, address, port, ca_dir, **options):
        address = address or lan_address()
        cert, key, ca, new_ca = lan_server_certificate(ca_dir, address)
        host = f"[{address}]" if ":" in address else address
        url = f"https://{host}:{port}/"
        self.stdout.write(self.style.SUCCESS(f"Huddle on your network: {url}"))
        self.stdout.write("Open it on a phone or another computer connected to the same network.")
        if address.startswith("127."):
            self.stdout.write(self.style.WARNING("No network found: serving this computer only."))
        if new_ca:
            self.stdout.write(self.style.WARNING("A new certificate authority was made: trust it again."))
        self.stdout.write(TRUST_STEPS.format(ca=ca))
        self.stdout.flush()
        environment = {
            **os.environ,
            "DJANGO_DEBUG": "1",
            "HUDDLE_SERVE_LAN": "1",
            "DJANGO_ALLOWED_HOSTS": ",".join(dict.fromkeys([address, "localhost", "127.0.0.1"])),
        }
        manage = Path(settings.BASE_DIR) / "manage.py"
        command = [sys.executable, str(manage), "serve", "--bind", address, "--port", str(port)]
        command += ["--tls-cert", str(cert), "--tls-key", str(key)]
        # A fresh process, so the settings are read again with debug on and the LAN's host allowed.
        os.execve(sys.executable, command, environment)  # noqa: S606
