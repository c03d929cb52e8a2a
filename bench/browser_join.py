"""Browser join benchmark: how long until people in a Huddle call see each other, in real Chromium.

The bench builds its own world (a temporary SQLite database, collected static files, a host and fresh
meetings that guests may enter before the host, one daphne running `manage.py serve`), then drives
Debian's Chromium with fake camera and microphone through Playwright: one browser process, one context
per person, every page loaded and waiting on the pre-join page (camera and microphone open) before the
clock starts. It measures:

  a) two-person first frame: A is in the call; from B pressing Join until B decodes A's first frame;
  b) the floor: the same two-person call with no signaling server: two bare pages, the same
     getUserMedia constraints and three-transceiver layout, the harness passing offer, answer and ICE
     candidates between the pages directly; from B creating its connection until B's first frame;
  c) a six-person mesh: from the sixth person's Join until every page decodes five remote videos
     (all 30 directed streams), and from the first Join until the full mesh when all six press Join
     in quick succession.

With --relay the bench also starts a coturn on loopback, configures the site for it (TURN_URLS,
TURN_SECRET) and measures a) twice per run, side by side: in a meeting that hides addresses (relay
only, checked in getStats) and in an ordinary one (direct), and reports relay / direct.

Every page is instrumented (fetch, WebSocket, RTCPeerConnection, getUserMedia are wrapped by an init
script; the site's own code is not changed) so each run also yields the time of each stage: ticket
fetched, websocket open, welcome, offer sent, answer received, ICE connected, DTLS connected, track,
first frame. All times come from the pages' own clocks (performance.timeOrigin + performance.now()).

    .venv/bin/python bench/browser_join.py
    .venv/bin/python bench/browser_join.py --runs 20 --mesh-runs 5 --json
    .venv/bin/python bench/browser_join.py --relay --only two --runs 10
"""

import argparse
import contextlib
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.processes import CHROMIUM_ARGS, TurnServer, free_port, stop_process  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
REMOTE_VIDEOS = "#tiles .tile:not(.tile-self):not(.tile-screen) video"
FLOOR_PATH = "/__bench/floor/"
TIMEOUT_MS = 60_000

# --- In-page instrumentation ------------------------------------------------------------------------

# Runs before any script of every page. Records [stage, epoch ms, connection index] in window.__bench.
INSTRUMENT_JS = r"""
(() => {
  const now = () => performance.timeOrigin + performance.now();
  const bench = (window.__bench = { events: [], pcs: 0 });
  const mark = (stage, pc = null, extra = null) => bench.events.push({ stage, t: now(), pc, extra });
  bench.mark = mark;
  // Main-thread tasks over 50 ms: evidence of whether page JavaScript (or the page's own rendering)
  // holds things up.
  bench.longTasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) bench.longTasks.push([performance.timeOrigin + entry.startTime, entry.duration]);
    }).observe({ type: "longtask", buffered: true });
  } catch {}

  const originalFetch = window.fetch;
  window.fetch = function (input, init) {
    const url = String(input && input.url ? input.url : input);
    const isTicket = url.includes("/ticket/");
    if (isTicket) mark("ticket-start");
    const result = originalFetch.apply(this, arguments);
    if (isTicket) result.then(() => mark("ticket-done"), () => mark("ticket-failed"));
    return result;
  };

  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    const gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = (constraints) => {
      mark("gum-start");
      return gum(constraints).then((stream) => { mark("gum-done"); return stream; });
    };
  }

  const describe = (data) => {
    try {
      const m = JSON.parse(data);
      if (m.type !== "signal") return [m.type, null];
      if (m.description) return [m.description.type, m.from || m.to];
      if (m.candidate) return ["candidate", m.from || m.to];
      return ["signal", m.from || m.to];
    } catch { return [null, null]; }
  };
  const OriginalWebSocket = window.WebSocket;
  class BenchWebSocket extends OriginalWebSocket {
    constructor(...args) {
      super(...args);
      mark("ws-create");
      this.addEventListener("open", () => mark("ws-open"));
      const seen = new Set();
      this.addEventListener("message", (event) => {
        const [type, peer] = describe(event.data);
        if (!type) return;
        const key = type + " " + peer;
        if (type === "welcome" || type === "held" || type === "peer-joined" || type === "offer" || type === "answer" || (type === "candidate" && !seen.has(key))) {
          mark("recv-" + type, null, peer);
        }
        seen.add(key);
      });
      this.sentSeen = new Set();
    }
    send(data) {
      const [type, peer] = describe(data);
      const key = type + " " + peer;
      if (type === "join" || type === "offer" || type === "answer" || (type === "candidate" && !this.sentSeen.has(key))) {
        mark("send-" + type, null, peer);
      }
      this.sentSeen.add(key);
      return super.send(data);
    }
  }
  window.WebSocket = BenchWebSocket;

  const OriginalPC = window.RTCPeerConnection;
  class BenchPC extends OriginalPC {
    constructor(...args) {
      super(...args);
      const index = bench.pcs++;
      mark("pc-create", index);
      let firstCandidate = true;
      this.addEventListener("icegatheringstatechange", () => mark("gathering-" + this.iceGatheringState, index));
      this.addEventListener("icecandidate", (event) => {
        if (event.candidate && firstCandidate) { firstCandidate = false; mark("local-candidate", index); }
      });
      this.addEventListener("iceconnectionstatechange", () => mark("ice-" + this.iceConnectionState, index));
      this.addEventListener("connectionstatechange", () => mark("pc-" + this.connectionState, index));
      this.addEventListener("track", (event) => mark("track-" + event.track.kind, index));
      this.addEventListener("negotiationneeded", () => mark("negotiationneeded", index));
    }
  }
  for (const method of ["setLocalDescription", "setRemoteDescription"]) {
    const original = OriginalPC.prototype[method];
    BenchPC.prototype[method] = function (...args) {
      const short = method === "setLocalDescription" ? "sld" : "srd";
      mark(short + "-start");
      const result = original.apply(this, args);
      result.then(() => mark(short + "-done"), () => {});
      return result;
    };
  }
  window.RTCPeerConnection = BenchPC;

  // Resolves (to epoch ms) when `count` elements matching `selector` show a decoded frame
  // (videoWidth > 0). Media events are caught at the document in the capture phase; a 4 ms poll
  // catches anything they miss.
  bench.watch = (selector, count) => {
    bench.done = null;
    bench.firstFrames = [];
    const seen = new WeakSet();
    let timer = null;
    const check = () => {
      const videos = [...document.querySelectorAll(selector)];
      for (const video of videos) {
        if (video.videoWidth > 0 && !seen.has(video)) { seen.add(video); bench.firstFrames.push(now()); }
      }
      if (bench.done === null && videos.length >= count && videos.every((v) => v.videoWidth > 0)) {
        bench.done = now();
        clearInterval(timer);
        for (const type of ["loadedmetadata", "resize", "loadeddata"]) document.removeEventListener(type, check, true);
      }
    };
    for (const type of ["loadedmetadata", "resize", "loadeddata"]) document.addEventListener(type, check, true);
    timer = setInterval(check, 4);
    check();
  };
  bench.press = (id) => {
    const t = now();
    mark("press");
    document.getElementById(id).click();
    return t;
  };
})();
"""

# The floor: a bare page (no site code, nothing fetched) that does what the client does with none of
# the signaling in between. The harness relays window.floorSend(message) to the other page's
# window.floorReceive(message).
FLOOR_HTML = r"""<!doctype html>
<html><head><meta charset="utf-8"><title>floor</title></head>
<body><video id="remote" autoplay playsinline muted></video>
<script>
(() => {
  let audio = null, camera = null, pc = null, pending = [];
  const marked = new Set();
  const markOnce = (stage) => { if (!marked.has(stage)) { marked.add(stage); window.__bench.mark(stage); } };
  const send = (message) => {
    markOnce("send-" + (message.description ? message.description.type : "candidate"));
    window.floorSend(message);
  };
  const cameraStream = new MediaStream(), screenStream = new MediaStream(), remote = new MediaStream();

  window.floorMedia = async () => {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: true, video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24 } },
    });
    audio = stream.getAudioTracks()[0] || null;
    camera = stream.getVideoTracks()[0] || null;
    return Boolean(audio && camera);
  };

  const connect = () => {
    // Like the client's tile: an empty stream on the video element, remote tracks added later. (Set
    // after the load event: a media element waiting for its first frame delays the load event.)
    document.getElementById("remote").srcObject = remote;
    pc = new RTCPeerConnection({ iceServers: [] });
    pc.onicecandidate = ({ candidate }) => { if (candidate) send({ candidate: candidate.toJSON() }); };
    pc.ontrack = ({ track, transceiver }) => {
      if (pc.getTransceivers().indexOf(transceiver) < 2) remote.addTrack(track);
      document.getElementById("remote").play().catch(() => {});
    };
    pc.onnegotiationneeded = async () => {
      await pc.setLocalDescription();
      send({ description: pc.localDescription.toJSON() });
    };
  };

  // B: the newcomer creates the connection and the three slots; negotiationneeded sends the offer.
  window.floorStart = () => {
    const t = performance.timeOrigin + performance.now();
    window.__bench.mark("start");
    connect();
    pc.addTransceiver(audio, { direction: "sendrecv", streams: [cameraStream] });
    pc.addTransceiver(camera, { direction: "sendrecv", streams: [cameraStream] });
    pc.addTransceiver("video", { direction: "sendrecv", streams: [screenStream] });
    return t;
  };

  window.floorReceive = async ({ description, candidate }) => {
    markOnce("recv-" + (description ? description.type : "candidate"));
    if (description) {
      if (!pc) connect();
      const first = description.type === "offer" && pc.getTransceivers().length === 0;
      await pc.setRemoteDescription(description);
      if (description.type === "offer") {
        if (first) {
          const tracks = [audio, camera, null], streams = [cameraStream, cameraStream, screenStream];
          await Promise.all(pc.getTransceivers().slice(0, 3).map(async (transceiver, slot) => {
            transceiver.direction = "sendrecv";
            transceiver.sender.setStreams(streams[slot]);
            if (tracks[slot]) await transceiver.sender.replaceTrack(tracks[slot]);
          }));
        }
        await pc.setLocalDescription();
        send({ description: pc.localDescription.toJSON() });
      }
      // As the client: the answer first, then the candidates that came before it.
      const queued = pending; pending = [];
      for (const c of queued) await pc.addIceCandidate(c);
    } else if (candidate) {
      if (!pc || !pc.remoteDescription) pending.push(candidate);
      else await pc.addIceCandidate(candidate);
    }
  };
})();
</script></body></html>
"""

# --- The world: database, meetings, daphne ----------------------------------------------------------


def load():
    return os.getloadavg()


def cpu_snapshot():
    """(total, idle) jiffies of the whole machine, from the first line of /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(fields), fields[3] + fields[4]  # idle + iowait


def cpu_busy(before, after):
    """Fraction of all cores busy between two snapshots (1.0: every core busy all the time)."""
    total = after[0] - before[0]
    return 1 - (after[1] - before[1]) / total if total else 0.0


def background_cpu(seconds=2.0):
    before = cpu_snapshot()
    time.sleep(seconds)
    return cpu_busy(before, cpu_snapshot())


class World:
    """A temp directory with a SQLite database, collected static files and one daphne."""

    def __init__(self, keep=False, relay=False):
        self.keep = keep
        self.dir = Path(tempfile.mkdtemp(prefix="huddle-browser-bench-"))
        self.turn = TurnServer(self.dir) if relay else None
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "browser-bench-" + secrets.token_urlsafe(40),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_HTTPS": "0",
            "DATABASE_URL": f"sqlite:///{self.dir / 'db.sqlite3'}",  # an absolute path: sqlite:////tmp/...
            "STATIC_ROOT": str(self.dir / "static"),
            "LOG_LEVEL": "WARNING",
            # Every person of every run comes from 127.0.0.1: stay clear of the per-address limit.
            "SIGNALING_CONNECTS_PER_IP_PER_MINUTE": "10000",
        }
        for name in ("REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "ICE_SERVERS", "TURN_URLS", "TURN_SECRET"):
            self.env.pop(name, None)
        if self.turn:
            self.env.update(TURN_URLS=self.turn.url, TURN_SECRET=self.turn.secret)
        self.process = None
        self.log = None

    def manage(self, *args, capture=False):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=capture,
            text=True,
        )

    def prepare(self):
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")

    def make_meetings(self, count, *, hide_addresses=False):
        """`count` fresh meetings (join before host, up to 8 people); their codes."""
        script = (
            "import json\n"
            "from accounts.models import User\n"
            "from meetings import services\n"
            "host = User.objects.filter(email='bench-host@example.org').first() or "
            "User.objects.create_user('bench-host@example.org', None, display_name='Bench Host')\n"
            f"codes = [services.meeting_create(host=host, title='Browser bench {{}}'.format(i), "
            f"join_before_host=True, max_participants=8, hide_network_addresses={hide_addresses})"
            f".code for i in range({count})]\n"
            "print(json.dumps(codes))\n"
        )
        output = self.manage("shell", "-c", script, capture=True).stdout
        return json.loads(output.strip().splitlines()[-1])

    def start(self):
        if self.turn:
            self.turn.start()
        self.log = open(self.dir / "daphne.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--bind", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"daphne exited with code {self.process.returncode}; see {self.dir}/daphne.log"
                )
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2),
            ):
                return
            time.sleep(0.05)
        raise RuntimeError(f"daphne did not listen on {self.port} within 30 s")

    def stop(self):
        if self.process:
            stop_process(self.process)
        if self.turn:
            self.turn.stop()
        if self.log:
            self.log.close()
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)


# --- People -------------------------------------------------------------------------------------------


# static/js/meeting/<name>.js as of a git revision (--client-ref), served instead of the collected files.
CLIENT_OVERRIDE = {}


def load_client(ref):
    folder = "static/js/meeting"
    names = subprocess.run(
        ["git", "ls-tree", "--name-only", f"{ref}:{folder}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    for name in names:
        if name.endswith(".js"):
            CLIENT_OVERRIDE[name] = subprocess.run(
                ["git", "show", f"{ref}:{folder}/{name}"],
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            ).stdout


def serve_client_override(route):
    # Collected names carry a content hash (room.1a2b3c4d5e6f.js); both forms map to the same file.
    name = route.request.url.split("?")[0].rsplit("/", 1)[-1]
    stem = name.split(".")[0] + ".js"
    if stem in CLIENT_OVERRIDE:
        route.fulfill(status=200, content_type="text/javascript", body=CLIENT_OVERRIDE[stem])
    else:
        route.continue_()


class People:
    """Contexts (one per person) in one browser; closed together."""

    def __init__(self, browser, base_url):
        self.browser = browser
        self.base_url = base_url
        self.contexts = []

    def page(self):
        context = self.browser.new_context(base_url=self.base_url)
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(INSTRUMENT_JS)
        if CLIENT_OVERRIDE:
            context.route("**/static/js/meeting/*", serve_client_override)
        self.contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        return page

    def close(self):
        for context in self.contexts:
            with contextlib.suppress(Exception):
                context.pages[0].evaluate("() => window.huddle && window.huddle.leave()")
        for context in self.contexts:
            with contextlib.suppress(Exception):
                context.close()
        self.contexts = []


def to_prejoin(page, code, name):
    """Load the meeting as a guest called `name` and wait on the pre-join page until Join is enabled."""
    page.goto(f"/m/{code}/")
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_function("() => !document.getElementById('join-button').disabled", polling=20)
    # A client that holds its socket on the pre-join page (since a873ee7) has it held before the
    # clock starts, as it would be for a person looking at their preview; older clients do not hold.
    page.wait_for_function(
        "() => !window.huddle.signaling.hold || window.__bench.events.some((e) => e.stage === 'recv-held')",
        polling=20,
    )


def press_join(page):
    return page.evaluate("() => window.__bench.press('join-button')")


def wait_in_call(page):
    page.wait_for_function(
        "() => window.huddle && window.huddle.self && !document.getElementById('call').hidden", polling=10
    )


def watch(page, count, selector=REMOTE_VIDEOS):
    page.evaluate("([selector, count]) => window.__bench.watch(selector, count)", [selector, count])


def wait_done(page):
    return page.wait_for_function("() => window.__bench.done", polling=20).json_value()


def events(page):
    return page.evaluate(
        "() => window.__bench.events.map(({stage, t, pc, extra}) => ({stage, t, pc, extra}))"
    )


def long_tasks_ms(page, t0):
    """Total main-thread time in tasks over 50 ms since t0, and the longest."""
    tasks = [
        duration
        for start, duration in page.evaluate("() => window.__bench.longTasks")
        if start + duration >= t0
    ]
    return sum(tasks), max(tasks, default=0.0)


def first(events_, stage, after=0.0):
    times = [e["t"] for e in events_ if e["stage"] == stage and e["t"] >= after]
    return min(times) if times else None


def settle(seconds=1.0):
    time.sleep(seconds)


# --- The three measurements ----------------------------------------------------------------------------

B_STAGES = [
    ("ticket-start", "B: ticket request sent"),
    ("ticket-done", "B: ticket received"),
    ("ws-create", "B: websocket created"),
    ("ws-open", "B: websocket open"),
    ("send-join", "B: join sent (on the socket held since the pre-join page)"),
    ("recv-welcome", "B: welcome received"),
    ("pc-create", "B: RTCPeerConnection created"),
    ("negotiationneeded", "B: negotiationneeded fired"),
    ("sld-start", "B: setLocalDescription called"),
    ("sld-done", "B: setLocalDescription resolved"),
    ("send-offer", "B: offer sent"),
    ("local-candidate", "B: first local ICE candidate"),
    ("A:recv-peer-joined", "A: peer-joined received"),
    ("A:recv-offer", "A: offer received"),
    ("A:srd-start", "A: setRemoteDescription called"),
    ("A:srd-done", "A: setRemoteDescription resolved"),
    ("A:sld-start", "A: setLocalDescription called"),
    ("A:sld-done", "A: setLocalDescription resolved"),
    ("A:send-answer", "A: answer sent"),
    ("recv-answer", "B: answer received"),
    ("srd-start", "B: setRemoteDescription called"),
    ("srd-done", "B: setRemoteDescription resolved"),
    ("ice-checking", "B: ICE checking"),
    ("ice-connected", "B: ICE connected"),
    ("pc-connected", "B: DTLS connected (connectionState)"),
    ("track-video", "B: remote video track"),
    ("first-frame", "B: first remote frame decoded"),
]
# The floor has no server: its stages are the call's from the peer connection on.
FLOOR_STAGES = B_STAGES[[key for key, _ in B_STAGES].index("pc-create") :]


def stage_offsets(b_events, a_events, t0, done):
    offsets = {}
    for stage, _ in B_STAGES:
        if stage.startswith("A:"):
            value = first(a_events, stage[2:], t0)
        elif stage == "first-frame":
            value = done
        else:
            value = first(b_events, stage, t0)
        offsets[stage] = None if value is None else value - t0
    return offsets


def two_person_run(browser, base_url, code):
    people = People(browser, base_url)
    try:
        a, b = people.page(), people.page()
        to_prejoin(a, code, "Ann")
        to_prejoin(b, code, "Ben")
        press_join(a)
        wait_in_call(a)
        settle(0.5)  # A's welcome and media message are done: B joins a quiet room
        watch(b, 1)
        watch(a, 1)
        cpu_before = cpu_snapshot()
        t0 = press_join(b)
        b_done = wait_done(b)
        a_done = wait_done(a)
        cpu = cpu_busy(cpu_before, cpu_snapshot())
        b_events, a_events = events(b), events(a)
        pairs = b.evaluate(
            "async () => Object.values(await window.huddle.stats()).map((s) => [s.localCandidate, s.remoteCandidate])"
        )
        return {
            "first_frame_ms": b_done - t0,
            "a_first_frame_ms": a_done - t0,
            "candidate_pairs": pairs,
            "cpu_busy": cpu,
            "b_long_tasks_ms": long_tasks_ms(b, t0)[0],
            "stages": stage_offsets(b_events, a_events, t0, b_done),
        }
    finally:
        people.close()


def floor_run(browser, base_url):
    people = People(browser, base_url)
    try:
        a, b = people.page(), people.page()
        for page in (a, b):
            page.context.route(
                f"**{FLOOR_PATH}",
                lambda route: route.fulfill(status=200, content_type="text/html", body=FLOOR_HTML),
            )
        # The harness is the signaling channel: a page's floorSend goes straight to the other page.
        a.expose_function(
            "floorSend", lambda message: b.evaluate("(m) => { window.floorReceive(m); }", message)
        )
        b.expose_function(
            "floorSend", lambda message: a.evaluate("(m) => { window.floorReceive(m); }", message)
        )
        for page in (a, b):
            page.goto(FLOOR_PATH)
            if not page.evaluate("() => window.floorMedia()"):
                raise RuntimeError("the floor page got no camera or microphone")
        settle(1.0)  # as on the pre-join page: the camera runs and the page is idle before the clock starts
        watch(b, 1, "#remote")
        watch(a, 1, "#remote")
        cpu_before = cpu_snapshot()
        t0 = b.evaluate("() => window.floorStart()")
        b_done = wait_done(b)
        a_done = wait_done(a)
        cpu = cpu_busy(cpu_before, cpu_snapshot())
        b_events, a_events = events(b), events(a)
        stages = {}
        for stage, _ in FLOOR_STAGES:
            value = first(a_events, stage[2:], t0) if stage.startswith("A:") else first(b_events, stage, t0)
            stages[stage] = None if value is None else value - t0
        stages["first-frame"] = b_done - t0
        return {
            "first_frame_ms": b_done - t0,
            "a_first_frame_ms": a_done - t0,
            "cpu_busy": cpu,
            "stages": stages,
        }
    finally:
        people.close()


def on_prejoin(people, code, size):
    """`size` people, each on the meeting's pre-join page with Join enabled and the socket held."""
    pages = [people.page() for _ in range(size)]
    for index, page in enumerate(pages):
        to_prejoin(page, code, f"Person {index + 1}")
    return pages


def mesh_run_last_joins(browser, base_url, code, size):
    """size - 1 people in a full mesh; then the last one joins."""
    people = People(browser, base_url)
    try:
        pages = on_prejoin(people, code, size)
        for page in pages[:-1]:
            press_join(page)
            wait_in_call(page)
        for page in pages[:-1]:
            watch(page, size - 2)
        for page in pages[:-1]:
            wait_done(page)
        settle(1.0)
        for page in pages:
            watch(page, size - 1)
        cpu_before = cpu_snapshot()
        t0 = press_join(pages[-1])
        done = [wait_done(page) for page in pages]
        cpu = cpu_busy(cpu_before, cpu_snapshot())
        newcomer = pages[-1]
        new_events = events(newcomer)
        long_total, long_max = long_tasks_ms(newcomer, t0)
        return {
            "mesh_ms": max(done) - t0,
            "cpu_busy": cpu,
            "newcomer_long_tasks_ms": long_total,
            "newcomer_longest_task_ms": long_max,
            "ticket_ms": (first(new_events, "ticket-done", t0) or t0) - t0,
            "first_pc_ms": (first(new_events, "pc-create", t0) or t0) - t0,
            "newcomer_all_ms": done[-1] - t0,
            "welcome_ms": (first(new_events, "recv-welcome", t0) or t0) - t0,
            "last_offer_sent_ms": max((e["t"] for e in new_events if e["stage"] == "send-offer"), default=t0)
            - t0,
        }
    finally:
        people.close()


def mesh_run_all_join(browser, base_url, code, size):
    """size people press Join one right after the other."""
    people = People(browser, base_url)
    try:
        pages = on_prejoin(people, code, size)
        for page in pages:
            watch(page, size - 1)
        cpu_before = cpu_snapshot()
        presses = [press_join(page) for page in pages]
        done = [wait_done(page) for page in pages]
        cpu = cpu_busy(cpu_before, cpu_snapshot())
        return {
            "mesh_ms": max(done) - presses[0],
            "press_spread_ms": presses[-1] - presses[0],
            "cpu_busy": cpu,
        }
    finally:
        people.close()


# --- Report ----------------------------------------------------------------------------------------------


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(values, runs=None):
    return {
        "cpu_busy_p50": statistics.median(r["cpu_busy"] for r in runs) if runs else None,
        "n": len(values),
        "p50": percentile(values, 0.5),
        "p90": percentile(values, 0.9),
        "min": min(values) if values else None,
        "max": max(values) if values else None,
    }


def stage_medians(runs, stages):
    """Per stage, the median over the runs where it happened (None if it never did)."""
    medians = {}
    for stage, _ in stages:
        values = [r["stages"][stage] for r in runs if r["stages"].get(stage) is not None]
        medians[stage] = statistics.median(values) if values else None
    return medians


def fmt(value):
    return "   -  " if value is None else f"{value:6.0f}"


def report_text(result):
    lines = [
        f"Browser join benchmark ({result['chromium']}, {result['cpus']} CPUs, client: {result['client']}); machine busy "
        f"{result['background_cpu_busy']:.0%} before the browser started; load average "
        f"{result['load_before'][0]:.2f} at the start, {result['load_after'][0]:.2f} at the end",
        "",
        f"{'measurement':<52} {'n':>3} {'p50':>6} {'p90':>6} {'min':>6} {'max':>6}  (ms)  CPU busy",
    ]
    for key, label in [
        ("two_person", "a) two-person first frame (B's Join -> B decodes A)"),
        ("two_person_a_side", "   same run, A decodes B"),
        ("two_person_relay", "a) through the relay (meeting hides addresses)"),
        ("floor", "b) floor: no server (B's connection -> B decodes A)"),
        ("floor_a_side", "   same run, A decodes B"),
        ("mesh_last", f"c) {result['mesh_size']}-person mesh, last person joins -> all decode"),
        ("mesh_all", f"c) {result['mesh_size']}-person mesh, all press Join -> all decode"),
    ]:
        s = result.get(key)
        if s:
            cpu = f"{s['cpu_busy_p50']:8.0%}" if s.get("cpu_busy_p50") is not None else ""
            lines.append(
                f"{label:<52} {s['n']:>3} {fmt(s['p50'])} {fmt(s['p90'])} {fmt(s['min'])} {fmt(s['max'])}{cpu}"
            )
    targets = result["targets"]
    lines.append("")
    if "relay_ratio_p50" in targets:
        lines.append(
            f"relay / direct, Join -> first frame (p50): {targets['relay_ratio_p50']:.2f}; "
            f"relay runs on relay/relay pairs: {targets['relay_runs_relayed']}/{result['two_person_relay']['n']}"
        )
    if "ratio_p50" in targets:
        lines.append(
            f"two-person / floor (p50): {targets['ratio_p50']:.2f}  (target <= 1.25: "
            f"{'met' if targets['two_person_met'] else 'MISSED'})"
        )
    if "mesh_last_met" in targets:
        lines.append(
            f"six-person mesh, last joins, p50 {targets['mesh_last_p50']:.0f} ms (target < 4000: "
            f"{'met' if targets['mesh_last_met'] else 'MISSED'}); all join, p50 "
            f"{targets['mesh_all_p50']:.0f} ms ({'met' if targets['mesh_all_met'] else 'MISSED'})"
        )
    for key, stages, title in [
        ("two_person_stages", B_STAGES, "a) stages, median ms after B's Join"),
        ("floor_stages", FLOOR_STAGES, "b) stages, median ms after B's connection is created"),
    ]:
        if result.get(key):
            lines += ["", title]
            lines += [f"  {label:<44} {fmt(result[key][stage])}" for stage, label in stages]
    if result.get("mesh_details"):
        lines += ["", "c) last-joins details, median ms after the Join:"]
        lines += [f"  {name:<44} {value:7.1f}" for name, value in result["mesh_details"].items()]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__,
    )
    parser.add_argument("--runs", type=int, default=10, help="two-person and floor runs (default 10)")
    parser.add_argument("--mesh-runs", type=int, default=3, help="runs of each mesh measurement (default 3)")
    parser.add_argument("--mesh-size", type=int, default=6, help="people in the mesh (default 6, at most 8)")
    parser.add_argument(
        "--only",
        choices=("two", "floor", "mesh"),
        action="append",
        help="run only these measurements (repeatable)",
    )
    parser.add_argument(
        "--relay",
        action="store_true",
        help="start a coturn too, and measure a) through the relay (hidden addresses) against direct, "
        "side by side",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temp directory (database, daphne log)")
    parser.add_argument(
        "--client-ref",
        metavar="REV",
        help="serve static/js/meeting/*.js as of this git revision (e.g. HEAD) instead of the "
        "working tree's: before/after comparisons of client changes",
    )
    arguments = parser.parse_args()
    wanted = set(arguments.only or ("two", "floor", "mesh"))
    if not 2 <= arguments.mesh_size <= 8:
        parser.error("--mesh-size must be between 2 and 8")

    from playwright.sync_api import sync_playwright

    if arguments.client_ref:
        load_client(arguments.client_ref)

    world = World(keep=arguments.keep, relay=arguments.relay)
    result = {
        "cpus": os.cpu_count(),
        "mesh_size": arguments.mesh_size,
        "targets": {},
        "client": arguments.client_ref or "working tree",
    }
    try:
        world.prepare()
        codes = iter(world.make_meetings(arguments.runs + 2 * arguments.mesh_runs + 1))
        relay_codes = iter(
            world.make_meetings(arguments.runs, hide_addresses=True) if arguments.relay else []
        )
        world.start()
        result["background_cpu_busy"] = background_cpu()  # the others' load, before any browser runs
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            result["chromium"] = "Chromium " + browser.version
            try:
                # A warm-up call: the first one pays for Python imports in daphne and browser caches.
                two_person_run(browser, world.url, next(codes))
                result["load_before"] = load()
                runs, floors, relayed = [], [], []
                for index in range(arguments.runs):
                    # Relay and direct take turns going first, so neither always meets a calmer machine.
                    if arguments.relay and index % 2 == 0:
                        relayed.append(two_person_run(browser, world.url, next(relay_codes)))
                    if "two" in wanted:
                        runs.append(two_person_run(browser, world.url, next(codes)))
                    if arguments.relay and index % 2 == 1:
                        relayed.append(two_person_run(browser, world.url, next(relay_codes)))
                    if "floor" in wanted:
                        floors.append(floor_run(browser, world.url))
                    print(
                        (f"  relay {relayed[-1]['first_frame_ms']:.0f} ms, " if relayed else "")
                        + f"  two-person {runs[-1]['first_frame_ms'] if runs else 0:.0f} ms, "
                        f"floor {floors[-1]['first_frame_ms'] if floors else 0:.0f} ms, "
                        f"load {load()[0]:.2f}",
                        file=sys.stderr,
                    )
                if runs:
                    result["two_person"] = summary([r["first_frame_ms"] for r in runs], runs)
                    result["two_person_a_side"] = summary([r["a_first_frame_ms"] for r in runs])
                    result["two_person_stages"] = stage_medians(runs, B_STAGES)
                    result["two_person_runs"] = runs
                if floors:
                    result["floor"] = summary([r["first_frame_ms"] for r in floors], floors)
                    result["floor_a_side"] = summary([r["a_first_frame_ms"] for r in floors])
                    result["floor_stages"] = stage_medians(floors, FLOOR_STAGES)
                    result["floor_runs"] = floors
                if relayed and runs:
                    result["two_person_relay"] = summary([r["first_frame_ms"] for r in relayed], relayed)
                    result["two_person_relay_runs"] = relayed
                    result["targets"].update(
                        relay_ratio_p50=result["two_person_relay"]["p50"] / result["two_person"]["p50"],
                        relay_runs_relayed=sum(
                            all(pair == ["relay", "relay"] for pair in r["candidate_pairs"]) for r in relayed
                        ),
                    )
                if runs and floors:
                    ratio = result["two_person"]["p50"] / result["floor"]["p50"]
                    result["targets"].update(ratio_p50=ratio, two_person_met=ratio <= 1.25)
                if "mesh" in wanted:
                    last, together = [], []
                    for _ in range(arguments.mesh_runs):
                        settle(2.0)
                        last.append(mesh_run_last_joins(browser, world.url, next(codes), arguments.mesh_size))
                        settle(2.0)
                        together.append(
                            mesh_run_all_join(browser, world.url, next(codes), arguments.mesh_size)
                        )
                        print(
                            f"  mesh: last joins {last[-1]['mesh_ms']:.0f} ms, all join "
                            f"{together[-1]['mesh_ms']:.0f} ms, load {load()[0]:.2f}",
                            file=sys.stderr,
                        )
                    result["mesh_last"] = summary([r["mesh_ms"] for r in last], last)
                    result["mesh_all"] = summary([r["mesh_ms"] for r in together], together)
                    result["mesh_details"] = {
                        "ticket received by the newcomer (0: prefetched)": statistics.median(
                            r["ticket_ms"] for r in last
                        ),
                        "welcome received by the newcomer": statistics.median(r["welcome_ms"] for r in last),
                        "newcomer's first RTCPeerConnection after Join (0: none, all made ahead)": statistics.median(
                            r["first_pc_ms"] for r in last
                        ),
                        "newcomer's last offer sent": statistics.median(
                            r["last_offer_sent_ms"] for r in last
                        ),
                        "newcomer decodes all others": statistics.median(r["newcomer_all_ms"] for r in last),
                        "everyone decodes everyone": statistics.median(r["mesh_ms"] for r in last),
                        "newcomer main thread in long tasks": statistics.median(
                            r["newcomer_long_tasks_ms"] for r in last
                        ),
                    }
                    result["mesh_last_runs"], result["mesh_all_runs"] = last, together
                    result["targets"].update(
                        mesh_last_p50=result["mesh_last"]["p50"],
                        mesh_last_met=result["mesh_last"]["p50"] < 4000,
                        mesh_all_p50=result["mesh_all"]["p50"],
                        mesh_all_met=result["mesh_all"]["p50"] < 4000,
                    )
                result["load_after"] = load()
            finally:
                browser.close()
    finally:
        world.stop()
    print(json.dumps(result, indent=2) if arguments.json else report_text(result))


if __name__ == "__main__":
    main()
