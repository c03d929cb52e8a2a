"""Signaling load benchmark: simulated clients run the full-mesh WebRTC exchange through real daphnes.

The bench builds its own world (a database, a host, R meetings, N daphne processes, optionally a
redis-server), joins P simulated participants to each meeting, and has every pair do what browsers do
(docs/signaling.md): the newcomer sends an offer and ten ICE candidates to each peer in its welcome
roster; the peer answers and sends ten candidates back. It reports join latency, relay throughput and
the servers' CPU and memory, and exits 1 if any signal was lost or any join failed.

    .venv/bin/python bench/signaling.py --rooms 50 --participants 4
    .venv/bin/python bench/signaling.py --rooms 10 --participants 8 --servers 2 --redis --json
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.processes import free_port, stop_process, wait_for_port  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CANDIDATES_PER_SIDE = 10
SIGNALS_PER_PEER = 1 + CANDIDATES_PER_SIDE  # what a client receives from each other peer
MAX_PARTICIPANTS_LIMIT = 12  # meetings.models.MAX_PARTICIPANTS_LIMIT, without importing Django early
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- Processes ------------------------------------------------------------------------------------


def cpu_seconds(pid):
    """utime + stime of a process, from /proc/<pid>/stat (fields 14 and 15)."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2 :].split()  # the command name may contain spaces
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def peak_memory_mib(pid):
    """VmHWM (peak resident set size) of a process, from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Server:
    """A child process whose CPU and memory the bench reports."""

    def __init__(self, name, command, *, port, env, log_path):
        self.name = name
        self.port = port
        self.log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for_port(port, self.process)
        self.cpu_at_start = None

    def mark(self):
        self.cpu_at_start = cpu_seconds(self.process.pid)

    def usage(self):
        return {
            "name": self.name,
            "cpu_seconds": round(cpu_seconds(self.process.pid) - self.cpu_at_start, 2),
            "peak_rss_mib": round(peak_memory_mib(self.process.pid), 1),
        }

    def stop(self):
        stop_process(self.process)
        self.log.close()


# --- The world ------------------------------------------------------------------------------------


def bench_environment(workdir, *, redis_url):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}",
        "STATIC_ROOT": str(workdir / "static"),
        "LOG_LEVEL": "WARNING",
        # A joining client sends 11 messages per peer at once; the bench must measure the relay, not
        # the flood protection.
        "SIGNALING_RATE": "100000",
        "SIGNALING_BURST": "100000",
        # Every simulated client connects from 127.0.0.1.
        "SIGNALING_CONNECTS_PER_IP_PER_MINUTE": "100000",
    }
    environment.pop("REDIS_URL", None)
    if redis_url:
        environment["REDIS_URL"] = redis_url
    return environment


def create_meetings(environment, *, rooms, participants):
    """Migrate, then create a host and the meetings from this process; returns the meeting codes."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=environment, check=True
    )
    os.environ.update(environment)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connections

    from accounts.models import User
    from meetings import services

    host = User.objects.create_user(f"bench-host-{secrets.token_hex(4)}@example.org", display_name="Host")
    codes = [
        services.meeting_create(
            host=host,
            title=f"Bench room {index}",
            join_before_host=True,
            max_participants=max(participants, 2),
        ).code
        for index in range(rooms)
    ]
    connections.close_all()
    return codes


def issue_ticket(code, name):
    from meetings.tickets import ticket_issue

    return ticket_issue(meeting_code=code, display_name=name, user_id=None, client_key=f"bench-{name}")


# --- Simulated clients ----------------------------------------------------------------------------

# The send time rides inside what the server relays (the SDP, the candidate's usernameFragment), so
# the receiving client, in this same process, can measure each signal's trip through the server.
SDP_PADDING = "a=x-bench:" + "s" * 3900 + "\r\n"  # an audio+video offer is about 4 KB


def fake_sdp():
    return f"v=0\r\na=x-sent:{time.perf_counter():.6f}\r\n{SDP_PADDING}"


def fake_candidate(number):
    return {
        "candidate": f"candidate:{842163049 + number} 1 udp 1677729535 203.0.113.{number} "
        f"{50000 + number} typ srflx raddr 192.168.1.{number} rport {50000 + number} "
        "generation 0 ufrag bNch network-cost 999",
        "sdpMid": "0",
        "sdpMLineIndex": 0,
        "usernameFragment": f"{time.perf_counter():.6f}",
    }


def sent_at(signal):
    if signal.get("description"):
        return float(signal["description"]["sdp"].split("\r\n", 2)[1].removeprefix("a=x-sent:"))
    return float(signal["candidate"]["usernameFragment"])


@dataclass
class Client:
    room: int
    index: int
    port: int
    code: str
    opened_at: float = 0.0
    welcomed_at: float | None = None
    completed_at: float | None = None
    last_signal_at: float | None = None
    roster: list = field(default_factory=list)
    received: dict = field(default_factory=dict)  # peer_id -> signals received from it
    trips: list = field(default_factory=list)  # (arrival time, seconds from the sender's send)
    errors: list = field(default_factory=list)
    peer_id: str | None = None

    @property
    def name(self):
        return f"r{self.room}p{self.index}"

    @property
    def signals_received(self):
        return sum(self.received.values())


async def run_client(client, *, finished, all_done, expected_peers):
    """Join, do the exchange, stay until every client is done (later joiners need us), then leave."""
    ticket = issue_ticket(client.code, client.name)
    url = f"ws://127.0.0.1:{client.port}/ws/meetings/{client.code}/?ticket={ticket}"
    reported = False
    client.opened_at = time.perf_counter()
    try:
        async with connect(
            url, origin=f"http://127.0.0.1:{client.port}", proxy=None, compression=None, open_timeout=60
        ) as ws:
            welcome = json.loads(await ws.recv())
            if welcome["type"] != "welcome":
                client.errors.append(welcome)
                return
            client.welcomed_at = time.perf_counter()
            client.peer_id = welcome["peer_id"]
            client.roster = [peer["peer_id"] for peer in welcome["peers"]]
            if not client.roster:
                client.completed_at = client.welcomed_at

            async def send(message):
                await ws.send(json.dumps(message, separators=(",", ":")))

            async def describe_and_trickle(peer_id, kind):
                await send(
                    {"type": "signal", "to": peer_id, "description": {"type": kind, "sdp": fake_sdp()}}
                )
                for number in range(CANDIDATES_PER_SIDE):
                    await send({"type": "signal", "to": peer_id, "candidate": fake_candidate(number)})

            async def heartbeat():
                while True:
                    await asyncio.sleep(welcome["heartbeat_interval"])
                    await send({"type": "ping"})

            exchanged = asyncio.Event()
            pinger = asyncio.create_task(heartbeat())
            for peer_id in client.roster:
                await describe_and_trickle(peer_id, "offer")
            goal = SIGNALS_PER_PEER * expected_peers
            reader = asyncio.create_task(_read(ws, client, describe_and_trickle, goal=goal, done=exchanged))
            waits = [asyncio.create_task(exchanged.wait()), asyncio.create_task(finished.wait())]
            await asyncio.wait([reader, *waits], return_when=asyncio.FIRST_COMPLETED)
            reported = True
            all_done.release()
            await finished.wait()
            for task in (pinger, reader, *waits):
                task.cancel()
            await send({"type": "leave"})
    except Exception as error:  # noqa: BLE001 - a failed client is reported, not fatal to the bench
        client.errors.append(repr(error))
    finally:
        if not reported:
            all_done.release()


async def _read(ws, client, describe_and_trickle, *, goal, done):
    """Count signals per sender, answer offers, note when the roster exchange is complete."""
    waiting_for = set(client.roster)
    async for frame in ws:
        message = json.loads(frame)
        kind = message["type"]
        if kind == "signal":
            sender = message["from"]
            client.received[sender] = client.received.get(sender, 0) + 1
            client.last_signal_at = time.perf_counter()
            client.trips.append((client.last_signal_at, client.last_signal_at - sent_at(message)))
            description = message.get("description")
            if description and description["type"] == "offer":
                await describe_and_trickle(sender, "answer")
            if sender in waiting_for and client.received[sender] == SIGNALS_PER_PEER:
                waiting_for.discard(sender)
                if not waiting_for:
                    client.completed_at = time.perf_counter()
            if client.signals_received >= goal:
                done.set()
        elif kind in ("error", "refused", "ended", "removed", "replaced"):
            client.errors.append(message)


async def run_clients(ports, codes, *, participants, stagger, timeout):
    """Rooms start together; within a room people arrive one after another, `stagger` apart."""
    finished = asyncio.Event()
    total = len(codes) * participants
    all_done = asyncio.Semaphore(0)
    clients = []
    tasks = []
    rng = random.Random(1)
    number = 0

    async def join_later(client, delay):
        await asyncio.sleep(delay)
        await run_client(client, finished=finished, all_done=all_done, expected_peers=participants - 1)

    for room, code in enumerate(codes):
        start = rng.uniform(0, stagger)
        for index in range(participants):
            # Round-robin over the daphnes, so a room's people are spread across servers.
            client = Client(room=room, index=index, port=ports[number % len(ports)], code=code)
            number += 1
            clients.append(client)
            delay = start + index * stagger * rng.uniform(0.5, 1.5)
            tasks.append(asyncio.create_task(join_later(client, delay)))

    async def wait_for_everyone():
        for _ in range(total):
            await all_done.acquire()

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(wait_for_everyone(), timeout)
    finished.set()
    await asyncio.wait(tasks, timeout=30)
    return clients


# --- Figures --------------------------------------------------------------------------------------


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def summarise(clients):
    by_room = {}
    for client in clients:
        by_room.setdefault(client.room, []).append(client)
    expected = received = 0
    for members in by_room.values():
        joined = [c for c in members if c.welcomed_at is not None]
        for client in joined:
            expected += SIGNALS_PER_PEER * (len(joined) - 1)
            received += client.signals_received
    welcome = [(c.welcomed_at - c.opened_at) * 1000 for c in clients if c.welcomed_at]
    complete = [(c.completed_at - c.opened_at) * 1000 for c in clients if c.completed_at and c.roster]
    incomplete = sum(1 for c in clients if c.welcomed_at and c.roster and not c.completed_at)
    starts = [c.opened_at for c in clients if c.opened_at]
    ends = [c.last_signal_at for c in clients if c.last_signal_at]
    window = (max(ends) - min(starts)) if ends else 0.0
    trips = [trip for c in clients for _, trip in c.trips]
    per_second = {}
    for c in clients:
        for arrival, _ in c.trips:
            second = int(arrival)
            per_second[second] = per_second.get(second, 0) + 1
    return {
        "clients": len(clients),
        "joined": len(welcome),
        "failed_joins": len(clients) - len(welcome),
        "welcome_ms": {"p50": _ms(percentile(welcome, 0.5)), "p99": _ms(percentile(welcome, 0.99))},
        "join_complete_ms": {"p50": _ms(percentile(complete, 0.5)), "p99": _ms(percentile(complete, 0.99))},
        "incomplete_joins": incomplete,
        "signals_expected": expected,
        "signals_received": received,
        "signals_lost": expected - received,
        "relay_window_s": round(window, 2),
        "relayed_per_second": round(received / window) if window else 0,
        "relayed_peak_second": max(per_second.values(), default=0),
        "relay_trip_ms": {
            "p50": _ms(percentile(trips, 0.5) * 1000 if trips else None),
            "p99": _ms(percentile(trips, 0.99) * 1000 if trips else None),
        },
        "client_errors": [error for c in clients for error in c.errors][:10],
    }


def _ms(value):
    return None if value is None else round(value, 1)


def report_text(result):
    config, figures = result["config"], result["figures"]
    lines = [
        f"{config['rooms']} rooms x {config['participants']} participants, {config['servers']} daphne, "
        f"{'redis' if config['redis'] else 'in-memory'} layer, {config['database']}",
        f"  joined {figures['joined']}/{figures['clients']} (failed {figures['failed_joins']})",
        f"  welcome        p50 {figures['welcome_ms']['p50']} ms  p99 {figures['welcome_ms']['p99']} ms",
        f"  join complete  p50 {figures['join_complete_ms']['p50']} ms  "
        f"p99 {figures['join_complete_ms']['p99']} ms  (incomplete: {figures['incomplete_joins']})",
        f"  signals        {figures['signals_received']}/{figures['signals_expected']} received, "
        f"lost {figures['signals_lost']}",
        f"  relay          {figures['relayed_per_second']} signals/s over {figures['relay_window_s']} s, "
        f"busiest second {figures['relayed_peak_second']}",
        f"  signal trip    p50 {figures['relay_trip_ms']['p50']} ms  "
        f"p99 {figures['relay_trip_ms']['p99']} ms (client send to client receive)",
    ]
    for usage in result["servers"]:
        lines.append(
            f"  {usage['name']:<14} cpu {usage['cpu_seconds']:>6.2f} s  "
            f"peak rss {usage['peak_rss_mib']:.1f} MiB"
        )
    lines.append(f"  bench clients  cpu {result['bench_cpu_seconds']:>6.2f} s")
    load = result["load_average"]
    lines.append(f"  load average   {load['before']:.2f} before, {load['after']:.2f} after")
    for error in figures["client_errors"]:
        lines.append(f"  error: {error}")
    return "\n".join(lines)


# --- Main -----------------------------------------------------------------------------------------


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rooms", type=int, default=10, help="meetings joined in parallel (default 10)")
    parser.add_argument(
        "--participants",
        type=int,
        default=4,
        help=f"people per meeting, 2-{MAX_PARTICIPANTS_LIMIT} (default 4)",
    )
    parser.add_argument("--servers", type=int, choices=(1, 2), default=1, help="daphne processes (default 1)")
    parser.add_argument("--redis", action="store_true", help="use a fresh redis-server as the channel layer")
    parser.add_argument(
        "--stagger", type=float, default=1.0, help="mean seconds between two joins in one room (default 1.0)"
    )
    parser.add_argument("--timeout", type=float, default=180, help="seconds before giving up (default 180)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--application",
        default="config.asgi:application",
        help="the ASGI application daphne serves, to compare a variant (default config.asgi:application)",
    )
    arguments = parser.parse_args()
    if not 2 <= arguments.participants <= MAX_PARTICIPANTS_LIMIT:
        parser.error(f"--participants must be between 2 and {MAX_PARTICIPANTS_LIMIT}")
    if arguments.servers > 1 and not arguments.redis:
        parser.error("two daphne processes share a call only through Redis: add --redis")
    return arguments


def main():
    arguments = parse_arguments()
    workdir = Path(tempfile.mkdtemp(prefix="huddle-bench-"))
    servers = []
    result = None
    try:
        redis_url = None
        if arguments.redis:
            port = free_port()
            servers.append(
                Server(
                    "redis-server",
                    [
                        "redis-server",
                        "--port",
                        str(port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                    ],
                    port=port,
                    env=os.environ,
                    log_path=workdir / "redis.log",
                )
            )
            redis_url = f"redis://127.0.0.1:{port}/0"
        environment = bench_environment(workdir, redis_url=redis_url)
        codes = create_meetings(environment, rooms=arguments.rooms, participants=arguments.participants)
        ports = []
        for number in range(arguments.servers):
            port = free_port()
            command = [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                arguments.application,
            ]
            servers.append(
                Server(
                    f"daphne-{number + 1}",
                    command,
                    port=port,
                    env=environment,
                    log_path=workdir / f"daphne-{number + 1}.log",
                )
            )
            ports.append(port)
        for server in servers:
            server.mark()
            print(f"{server.name} pid {server.process.pid} port {server.port}", file=sys.stderr)
        load_before = os.getloadavg()[0]
        own_cpu = sum(os.times()[:2])
        clients = asyncio.run(
            run_clients(
                ports,
                codes,
                participants=arguments.participants,
                stagger=arguments.stagger,
                timeout=arguments.timeout,
            )
        )
        time.sleep(0.5)  # let the servers finish the leaves before their CPU is read
        result = {
            "config": {
                "rooms": arguments.rooms,
                "participants": arguments.participants,
                "servers": arguments.servers,
                "redis": arguments.redis,
                "stagger_s": arguments.stagger,
                "database": environment["DATABASE_URL"].split("://", 1)[0],
                "capacity": int(environment.get("CHANNEL_CAPACITY", 1000)),
                "application": arguments.application,
            },
            "figures": summarise(clients),
            "servers": [server.usage() for server in servers],
            "bench_cpu_seconds": round(sum(os.times()[:2]) - own_cpu, 2),
            # Other work on the machine skews every figure; the 1-minute load average tells of it.
            "load_average": {"before": load_before, "after": os.getloadavg()[0]},
        }
    finally:
        for server in reversed(servers):
            server.stop()
        figures = result["figures"] if result else None
        failed = (
            not figures or figures["signals_lost"] or figures["failed_joins"] or figures["incomplete_joins"]
        )
        if failed:
            print(f"Something failed; the server logs are kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(result, indent=2) if arguments.json else report_text(result))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
