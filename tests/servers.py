"""Real server processes for tests: daphne running the site, redis-server for the scale-out tests."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from tests.processes import TurnServer, free_port, stop_process, wait_for_port  # noqa: F401  (re-exported for the tests)

ROOT = Path(__file__).resolve().parent.parent


def chromium_path():
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        pytest.fail("Browser tests need Debian's Chromium: apt-get install chromium (make test does it).")
    return path


def database_url_for_servers():
    """A DATABASE_URL naming the test database pytest-django created, for another process."""
    settings = connection.settings_dict
    name = settings["NAME"]
    if settings["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{name}"
    auth = quote(settings["USER"] or "")
    if settings["PASSWORD"]:
        auth += ":" + quote(settings["PASSWORD"])
    host = settings["HOST"] or "localhost"
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{auth}@{host}{port}/{name}"


def server_environment(extra=None):
    """The environment of a server process: production settings on the test database, with the test
    process's secret key, so a ticket the test signs (tickets.ticket_issue) is valid there too."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url_for_servers(),
        "LOG_LEVEL": "WARNING",
    }
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    environment.update(extra or {})
    return environment


class DaphneServer:
    """A daphne process serving config.asgi on a free loopback port; restartable, killable."""

    def __init__(self, workdir, *, port=None, extra_env=None, static_root=None):
        self.workdir = Path(workdir)
        self.port = port or free_port()
        self.mail_dir = self.workdir / "mail"
        # Several servers may share one collected static directory: collectstatic then runs once.
        self.static_root = Path(static_root) if static_root else self.workdir / "static"
        self.mail_dir.mkdir(parents=True, exist_ok=True)
        self.environment = server_environment(
            {
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": str(self.mail_dir),
                "STATIC_ROOT": str(self.static_root),
                **(extra_env or {}),
            }
        )
        self.process = None
        self.log = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def collectstatic(self):
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=self.environment,
            check=True,
        )

    @property
    def log_path(self):
        return self.workdir / f"daphne-{self.port}.log"

    def start(self, *, wait=True):
        """Launch daphne; with wait=False the caller calls wait_until_listening() (to start several at once)."""
        if not (self.static_root / "staticfiles.json").exists():
            self.collectstatic()
        if self.log:
            self.log.close()
        self.log = open(self.log_path, "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            # The production command: daphne with the site's websocket size limit.
            [sys.executable, "manage.py", "serve", "--bind", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT,
            env=self.environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        if wait:
            self.wait_until_listening()

    def wait_until_listening(self):
        try:
            wait_for_port(self.port, self.process, timeout=60)  # a busy CI machine starts Django slowly
        except RuntimeError as error:
            self.stop()
            raise RuntimeError(f"{error}; see {self.log_path}") from None

    def restart(self, *, extra_env=None):
        """Start again on the same port (after stop() or kill()), optionally with changed settings."""
        self.stop()
        self.environment.update(extra_env or {})
        self.start()

    def stop(self, *, timeout=10):
        """SIGTERM, and SIGKILL if the process is still there after `timeout` seconds."""
        if self.process:
            stop_process(self.process, timeout=timeout)
        if self.log:
            self.log.close()
            self.log = None

    def kill(self):
        """SIGKILL: the process gets no chance to clean up, like a crash."""
        self.process.kill()
        self.process.wait()

    def clear_mail(self):
        for message in self.mail_dir.glob("*"):
            message.unlink()

    def mails(self):
        return [path.read_text() for path in sorted(self.mail_dir.glob("*"), key=os.path.getmtime)]

    def link_in_last_mail(self, pattern=r"http://127\.0\.0\.1:\d+/\S+"):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            mails = self.mails()
            if mails:
                found = re.findall(pattern, mails[-1])
                if found:
                    return found[0]
            time.sleep(0.05)
        raise AssertionError(f"no mail with a link matching {pattern!r}; mails: {self.mails()!r}")


class RedisServer:
    """A throwaway redis-server on a free loopback port: nothing saved to disk, never the machine's own."""

    def __init__(self, workdir, *, port=None):
        self.workdir = Path(workdir)
        self.port = port or free_port()
        self.process = None
        self.log = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout=10):
        executable = shutil.which("redis-server")
        if executable is None:
            pytest.fail("The scale-out tests need Redis: apt-get install redis-server (make test does it).")
        self.log = open(self.workdir / f"redis-{self.port}.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                executable,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_for_pong(timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_for_pong(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"redis-server exited with code {self.process.returncode}; see {self.log.name}"
                )
            try:
                if self.command("PING") == b"+PONG":
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not answer PING on port {self.port} within {timeout}s")

    def command(self, *words):
        """Send one command; the first line of the reply, e.g. b"+PONG" or b"+OK"."""
        request = f"*{len(words)}\r\n".encode()
        for word in words:
            data = str(word).encode()
            request += b"$%d\r\n%s\r\n" % (len(data), data)
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as sock:
            sock.sendall(request)
            reply = b""
            while not reply.endswith(b"\r\n"):
                chunk = sock.recv(4096)
                if not chunk:
                    break
                reply += chunk
        return reply.split(b"\r\n", 1)[0]

    def flush(self):
        assert self.command("FLUSHALL") == b"+OK"

    def stop(self):
        if self.process:
            stop_process(self.process)
        if self.log:
            self.log.close()
            self.log = None

    def kill(self):
        self.process.kill()
        self.process.wait()
