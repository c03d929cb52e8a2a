from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Serve the site (HTTP and websockets) with daphne and this site's limits: websocket frames "
        "and messages above WEBSOCKET_MAX_BYTES are refused (1009) before they reach Python, a "
        "socket whose messages wait unhandled is not read from until they are handled, and a request "
        "head must arrive within HTTP_HEADER_TIMEOUT seconds of its first byte (meetings/transport.py)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--tls-cert", help="Serve HTTPS with this certificate (PEM); needs --tls-key.")
        parser.add_argument("--tls-key", help="The certificate's private key (PEM).")
        parser.add_argument(
            "--proxy-headers",
            action="store_true",
            help="Trust X-Forwarded-For/Proto from the reverse proxy in front (set TRUSTED_PROXY_COUNT too).",
        )

    def handle(self, *args, bind, port, proxy_headers, tls_cert, tls_key, **options):
        from meetings.transport import SignalingCommandLine

        limit = str(settings.WEBSOCKET_MAX_BYTES)
        if tls_cert and tls_key:
            endpoint = f"ssl:port={port}:interface={_escape(bind)}"
            listen = ["--endpoint", f"{endpoint}:privateKey={_escape(tls_key)}:certKey={_escape(tls_cert)}"]
        elif tls_cert or tls_key:
            raise CommandError("--tls-cert and --tls-key go together.")
        else:
            listen = ["--bind", bind, "--port", str(port)]
        argv = [
            *listen,
            "--websocket-max-message-size",
            limit,
            "--websocket-max-frame-size",
            limit,
        ]
        if proxy_headers:
            argv.append("--proxy-headers")
        SignalingCommandLine().run([*argv, "config.asgi:application"])


def _escape(value):
    """A value in a Twisted endpoint description: colons (IPv6, Windows paths) are escaped."""
    return str(value).replace("\\", "\\\\").replace(":", "\\:")
