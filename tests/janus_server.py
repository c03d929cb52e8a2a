"""A throwaway Janus (Debian's `janus`) on free loopback ports, with a config directory the test writes."""

import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.processes import free_port, stop_process

JANUS_LIBRARIES = Path("/usr/lib/x86_64-linux-gnu/janus")


def janus_library_folder():
    """Where Debian puts the plugins and transports (the multiarch triplet differs by machine)."""
    for candidate in [JANUS_LIBRARIES, *Path("/usr/lib").glob("*/janus")]:
        if (candidate / "plugins" / "libjanus_videoroom.so").exists():
            return candidate
    pytest.fail("The SFU tests need Debian's janus: apt-get install janus (make test does it).")


def janus_configs(*, http_port, admin_port, ws_port, api_secret, admin_secret, admin_key, rtp_ports, library):
    """The config files docs/deploy-janus.md describes, on loopback ports: {file name: text}."""
    return {
        "janus.jcfg": f"""general: {{
	configs_folder = "."
	plugins_folder = "{library}/plugins"
	transports_folder = "{library}/transports"
	events_folder = "{library}/events"
	loggers_folder = "{library}/loggers"
	debug_level = 4
	server_name = "huddle-test-{http_port}"
	api_secret = "{api_secret}"
	token_auth = true
	admin_secret = "{admin_secret}"
	session_timeout = 60
}}
media: {{
	rtp_port_range = "{rtp_ports}"
}}
nat: {{
	ice_enforce_list = "lo"
}}
plugins: {{
	disable = "libjanus_audiobridge.so,libjanus_duktape.so,libjanus_echotest.so,libjanus_lua.so,libjanus_nosip.so,libjanus_recordplay.so,libjanus_sip.so,libjanus_streaming.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_voicemail.so"
}}
transports: {{
	disable = "libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,libjanus_rabbitmq.so"
}}
loggers: {{
	disable = "libjanus_jsonlog.so"
}}
events: {{
	broadcast = false
}}
""",
        "janus.plugin.videoroom.jcfg": f"""general: {{
	admin_key = "{admin_key}"
	lock_rtp_forward = true
}}
""",
        "janus.transport.http.jcfg": f"""general: {{
	json = "plain"
	base_path = "/janus"
	http = true
	port = {http_port}
	ip = "127.0.0.1"
	https = false
}}
admin: {{
	admin_base_path = "/admin"
	admin_http = true
	admin_port = {admin_port}
	admin_ip = "127.0.0.1"
	admin_https = false
}}
""",
        "janus.transport.websockets.jcfg": f"""general: {{
	json = "plain"
	ws = true
	ws_port = {ws_port}
	ws_ip = "127.0.0.1"
	wss = false
}}
admin: {{
	admin_ws = false
	admin_wss = false
}}
""",
    }


class JanusServer:
    """Janus with the HTTP API and Admin API (for the site) and a websocket API (for browsers), all on
    loopback. Restartable on the same ports, killable like a crash."""

    def __init__(self, workdir, *, api_secret="test-api-secret", admin_secret="test-admin-secret"):
        self.workdir = Path(workdir)
        self.http_port, self.admin_port, self.ws_port = free_port(), free_port(), free_port()
        self.api_secret, self.admin_secret, self.admin_key = api_secret, admin_secret, "test-admin-key"
        self.config_dir = self.workdir / f"janus-{self.http_port}"
        self.process = None
        self.log = None

    @property
    def api_url(self):
        return f"http://127.0.0.1:{self.http_port}/janus"

    @property
    def admin_url(self):
        return f"http://127.0.0.1:{self.admin_port}/admin"

    @property
    def ws_url(self):
        return f"ws://127.0.0.1:{self.ws_port}"

    def setting(self):
        """This server as one entry of JANUS_SERVERS."""
        return {
            "api_url": self.api_url,
            "admin_url": self.admin_url,
            "api_secret": self.api_secret,
            "admin_secret": self.admin_secret,
            "admin_key": self.admin_key,
            "public_url": self.ws_url,
        }

    def start(self, timeout=30):
        executable = shutil.which("janus")
        if executable is None:
            pytest.fail("The SFU tests need Debian's janus: apt-get install janus (make test does it).")
        self.config_dir.mkdir(parents=True, exist_ok=True)
        rtp_low = 20000 + (self.http_port % 2000) * 20
        files = janus_configs(
            http_port=self.http_port,
            admin_port=self.admin_port,
            ws_port=self.ws_port,
            api_secret=self.api_secret,
            admin_secret=self.admin_secret,
            admin_key=self.admin_key,
            rtp_ports=f"{rtp_low}-{rtp_low + 19}",
            library=janus_library_folder(),
        )
        for name, text in files.items():
            (self.config_dir / name).write_text(text)
        self.log = open(self.config_dir / "janus.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [executable, "-F", str(self.config_dir), "-C", str(self.config_dir / "janus.jcfg"), "-o"],
            cwd=self.config_dir,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_for_info(timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_for_info(self, timeout):
        """Wait until both the API and the Admin API answer (the transports start after the plugins)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"janus exited with code {self.process.returncode}; see {self.config_dir / 'janus.log'}"
                )
            try:
                info = self.request(self.api_url.replace("/janus", "/janus/info"), None)
                ping = self.request(
                    self.admin_url, {"janus": "ping", "transaction": "t", "admin_secret": self.admin_secret}
                )
                if info.get("janus") == "server_info" and ping.get("janus") == "pong":
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"janus did not answer on port {self.http_port} within {timeout}s")

    @staticmethod
    def request(url, body):
        data = None if body is None else json.dumps(body).encode()
        with urllib.request.urlopen(url, data=data, timeout=2) as response:  # noqa: S310 (loopback)
            return json.loads(response.read())

    def stop(self):
        if self.process:
            stop_process(self.process)
        if self.log:
            self.log.close()
            self.log = None

    def kill(self):
        self.process.kill()
        self.process.wait()
