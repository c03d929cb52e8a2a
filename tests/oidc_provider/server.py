import json
import secrets
import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.processes import free_port, stop_process, wait_for_port

ROOT = Path(__file__).resolve().parents[2]


class OidcProvider:
    """The provider site in its own process on a free loopback port, with its own database.

    `people` are dicts of username, password, email, email_verified and name; `redirect_uri` is
    Huddle's callback the one client registered here may use.
    """

    def __init__(self, workdir, *, people, redirect_uri):
        self.workdir = Path(workdir)
        self.port = free_port()
        self.client_id = "huddle-" + secrets.token_hex(4)
        self.secret = secrets.token_urlsafe(24)
        self.people = people
        self.redirect_uri = redirect_uri
        self.process = None
        self.log = None

    @property
    def issuer(self):
        return f"http://127.0.0.1:{self.port}/o"

    def settings_for_huddle(self, provider_id, name):
        """One entry of Huddle's OIDC_PROVIDERS for this provider."""
        return {
            "id": provider_id,
            "name": name,
            "issuer": self.issuer,
            "client_id": self.client_id,
            "secret": self.secret,
        }

    def start(self):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        environment = {
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
            "PROVIDER_SECRET_KEY": secrets.token_urlsafe(40),
            "PROVIDER_DATABASE": str(self.workdir / f"provider-{self.port}.sqlite3"),
            "PROVIDER_ISSUER": self.issuer,
            "PROVIDER_RSA_KEY": pem,
            "PROVIDER_PEOPLE": json.dumps(self.people),
            "PROVIDER_CLIENT": json.dumps(
                {"client_id": self.client_id, "secret": self.secret, "redirect_uri": self.redirect_uri}
            ),
        }
        self.log = open(self.workdir / f"provider-{self.port}.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.oidc_provider.run", str(self.port)],
            cwd=ROOT,
            env=environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(self.port, self.process, timeout=60)
        except RuntimeError as error:
            self.stop()
            raise RuntimeError(f"{error}; see {self.log.name}") from None

    def stop(self):
        if self.process:
            stop_process(self.process)
        if self.log:
            self.log.close()
            self.log = None
