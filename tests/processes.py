"""Process plumbing shared by the test harness and the benchmarks (no Django, no pytest here)."""

import shutil
import socket
import subprocess
import time
from pathlib import Path

# Debian's Chromium, with a fake camera and microphone, never reaching for the internet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, process, timeout=20):
    """Wait until something listens on the loopback port; fail early if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited early with code {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listened on port {port} within {timeout}s")


def stop_process(process, timeout=10):
    """SIGTERM, then SIGKILL if it has not exited within `timeout` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class TurnServer:
    """A throwaway coturn on a free loopback port, with a config and a secret of the test's own.

    coturn refuses to relay to loopback peers by default; this one allows 127.0.0.1, and listens and
    relays on 127.0.0.1 only, so no traffic leaves the machine.
    """

    def __init__(
        self, workdir, *, secret="turn-secret-of-the-tests", realm="huddle.test", port=None, tls=None
    ):
        """`tls`: (certificate path, key path) to also listen for TURN over TLS (turns:) on tls_port."""
        self.workdir = Path(workdir)
        self.secret = secret
        self.realm = realm
        self.port = port or free_port()
        self.tls = tls
        self.tls_port = free_port() if tls else None
        self.process = None

    @property
    def url(self):
        return f"turn:127.0.0.1:{self.port}?transport=udp"

    @property
    def tcp_url(self):
        return f"turn:127.0.0.1:{self.port}?transport=tcp"

    @property
    def tls_url(self):
        return f"turns:127.0.0.1:{self.tls_port}?transport=tcp"

    @property
    def log_path(self):
        return self.workdir / f"turnserver-{self.port}.log"

    def _tls_lines(self):
        if not self.tls:
            return ["no-tls"]
        certificate, key = self.tls
        return [f"tls-listening-port={self.tls_port}", f"cert={certificate}", f"pkey={key}"]

    def config(self):
        # A relay range of its own per server, so that two test runs at once do not fight over ports.
        low = 20000 + (self.port % 400) * 100
        return "\n".join(
            [
                "listening-ip=127.0.0.1",
                "relay-ip=127.0.0.1",
                f"listening-port={self.port}",
                f"min-port={low}",
                f"max-port={low + 99}",
                "use-auth-secret",
                f"static-auth-secret={self.secret}",
                f"realm={self.realm}",
                "fingerprint",
                "no-cli",
                *self._tls_lines(),
                "no-dtls",
                "no-multicast-peers",
                "allow-loopback-peers",
                "allowed-peer-ip=127.0.0.1",
                "no-software-attribute",
                f"userdb={self.workdir / f'turndb-{self.port}'}",
                f"pidfile={self.workdir / f'turnserver-{self.port}.pid'}",
                f"log-file={self.log_path}",
                "simple-log",
                "verbose",  # one line per allocation and its user name: what the tests read
                "no-stdout-log",
                "",
            ]
        )

    def start(self, timeout=10):
        executable = shutil.which("turnserver")
        if executable is None:
            raise RuntimeError("The TURN tests need coturn: apt-get install coturn (make test does it).")
        config = self.workdir / f"turnserver-{self.port}.conf"
        config.write_text(self.config())
        self.process = subprocess.Popen(
            [executable, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        try:
            self._wait_until_answering(timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_until_answering(self, timeout):
        """coturn listens on UDP: wait until it answers a STUN binding request."""
        from meetings.stun import REQUEST, decode, encode

        deadline = time.monotonic() + timeout
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(0.2)
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(
                        f"turnserver exited with code {self.process.returncode}; see {self.log_path}"
                    )
                sock.sendto(encode(0x001, REQUEST, []), ("127.0.0.1", self.port))
                try:
                    if decode(sock.recv(2048)).method == 0x001:
                        return
                except OSError:
                    continue
        raise RuntimeError(
            f"turnserver did not answer on port {self.port} within {timeout}s; see {self.log_path}"
        )

    def stop(self):
        if self.process:
            stop_process(self.process)
