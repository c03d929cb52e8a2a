// Small fakes of the browser APIs the client modules use (WebSocket, RTCPeerConnection, MediaStream,
// fetch, location), so `node --test` can drive them without a page. They model only what the
// modules rely on: signaling states and rollback, candidates refused before a remote description,
// sockets the test opens, feeds and drops by hand.

/** Let every queued task and timer due now run (the fakes answer in later tasks, as browsers do). */
export function settle(ms = 0) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Wait until `check()` is true, giving the event loop a turn between looks (at most `ms`). */
export async function until(check, what = "the condition", ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await settle(5);
  }
}

export class FakeMediaStream {
  constructor(tracks = []) {
    this.tracks = [...tracks];
  }

  getTracks() {
    return [...this.tracks];
  }
}

export class FakeTrack {
  constructor(kind) {
    this.kind = kind;
    this.enabled = true;
  }

  stop() {
    this.stopped = true;
  }
}

class FakeSender {
  constructor(track) {
    this.track = track;
    this.parameters = { encodings: [] };
  }

  async replaceTrack(track) {
    this.track = track;
  }

  setStreams() {}

  getParameters() {
    return structuredClone(this.parameters);
  }

  async setParameters(parameters) {
    this.parameters = structuredClone(parameters);
  }
}

let connectionNumber = 0;

export class FakeRTCPeerConnection {
  /** Every connection made, in order (a test resets it with FakeRTCPeerConnection.made = []). */
  static made = [];

  constructor({ iceServers } = {}) {
    this.id = ++connectionNumber;
    this.iceServers = iceServers;
    this.signalingState = "stable";
    this.connectionState = "new";
    this.localDescription = null;
    this.remoteDescription = null;
    this.transceivers = [];
    /** Candidates the connection accepted, in order. */
    this.candidates = [];
    /** How many times our own offer was rolled back because theirs came first. */
    this.rollbacks = 0;
    this.closed = false;
    this.negotiationQueued = false;
    this.offers = 0;
    for (const handler of ["onnegotiationneeded", "onicecandidate", "ontrack", "onsignalingstatechange"]) {
      this[handler] = null;
    }
    this.onconnectionstatechange = null;
    FakeRTCPeerConnection.made.push(this);
  }

  addTransceiver(trackOrKind, init = {}) {
    const track = typeof trackOrKind === "string" ? null : trackOrKind;
    const kind = typeof trackOrKind === "string" ? trackOrKind : trackOrKind.kind;
    const transceiver = { kind, mid: null, direction: init.direction, sender: new FakeSender(track) };
    if (init.sendEncodings) transceiver.sender.parameters.encodings = structuredClone(init.sendEncodings);
    this.transceivers.push(transceiver);
    this.needNegotiation();
    return transceiver;
  }

  getTransceivers() {
    return [...this.transceivers];
  }

  /** Like a browser, negotiationneeded fires in a later task, once, and only when stable. */
  needNegotiation() {
    if (this.negotiationQueued) return;
    this.negotiationQueued = true;
    setTimeout(() => {
      this.negotiationQueued = false;
      if (!this.closed && this.signalingState === "stable") this.onnegotiationneeded?.();
    }, 0);
  }

  restartIce() {
    this.iceRestart = true;
    this.needNegotiation();
  }

  setSignalingState(state) {
    if (this.signalingState === state) return;
    this.signalingState = state;
    this.onsignalingstatechange?.();
  }

  async setLocalDescription(description) {
    await settle();
    this.assertOpen();
    if (description?.type === "rollback") {
      this.localDescription = null;
      this.setSignalingState("stable");
      return;
    }
    if (this.signalingState === "have-remote-offer") {
      this.localDescription = sessionDescription("answer", { from: this.id });
      this.setSignalingState("stable");
      this.setConnectionState("connected");
    } else {
      this.offers += 1;
      const sdp = { from: this.id, offer: this.offers, slots: this.transceivers.map((t) => t.kind) };
      this.localDescription = sessionDescription("offer", sdp);
      this.setSignalingState("have-local-offer");
    }
    this.transceivers.forEach((transceiver, index) => {
      transceiver.mid ??= String(index);
    });
    setTimeout(() => {
      const candidate = `candidate:${this.id} 1 udp 2122260223 127.0.0.1 ${40000 + this.id} typ host`;
      this.onicecandidate?.({ candidate: { toJSON: () => ({ candidate, sdpMid: "0", sdpMLineIndex: 0 }) } });
    }, 0);
  }

  async setRemoteDescription(description) {
    await settle();
    this.assertOpen();
    if (description.type === "offer") {
      if (this.signalingState === "have-local-offer") {
        this.rollbacks += 1; // the implicit rollback of perfect negotiation
        this.localDescription = null;
        this.setSignalingState("stable");
      }
      this.remoteDescription = description;
      const { slots } = JSON.parse(description.sdp);
      const tracks = [];
      slots.forEach((kind, index) => {
        let transceiver = this.transceivers[index];
        if (!transceiver) {
          transceiver = { kind, mid: String(index), direction: "recvonly", sender: new FakeSender(null) };
          this.transceivers.push(transceiver);
        }
        transceiver.mid ??= String(index);
        transceiver.announced = true;
        tracks.push([transceiver, new FakeTrack(kind)]);
      });
      this.setSignalingState("have-remote-offer");
      for (const [transceiver, track] of tracks) this.ontrack?.({ track, transceiver });
    } else if (description.type === "answer") {
      if (this.signalingState !== "have-local-offer") {
        throw new DOMException(`answer in state ${this.signalingState}`, "InvalidStateError");
      }
      this.remoteDescription = description;
      this.setSignalingState("stable");
      this.setConnectionState("connected");
      // The far side's tracks, now that it answered (an offer's own tracks arrive with the offer).
      for (const transceiver of this.transceivers) {
        if (transceiver.announced) continue;
        transceiver.announced = true;
        this.ontrack?.({ track: new FakeTrack(transceiver.kind), transceiver });
      }
    }
  }

  setConnectionState(state) {
    if (this.connectionState === state) return;
    this.connectionState = state;
    this.onconnectionstatechange?.();
  }

  async addIceCandidate(candidate) {
    await settle();
    if (!this.remoteDescription) {
      throw new DOMException("no remote description", "InvalidStateError");
    }
    this.candidates.push(candidate);
  }

  async getStats() {
    return new Map();
  }

  close() {
    this.closed = true;
    this.signalingState = "closed";
  }

  assertOpen() {
    if (this.closed) throw new DOMException("closed", "InvalidStateError");
  }
}

function sessionDescription(type, sdp) {
  const description = { type, sdp: JSON.stringify(sdp) };
  return { ...description, toJSON: () => description };
}

/** A websocket the test plays the server of: open(), receive(message) and drop(code). */
export class FakeWebSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  /** Every socket made, in order. */
  static made = [];

  constructor(url) {
    this.url = new URL(url);
    this.readyState = FakeWebSocket.CONNECTING;
    /** What the client sent, parsed. */
    this.sent = [];
    this.listeners = { open: [], message: [], close: [] };
    FakeWebSocket.made.push(this);
    /** A FakeServer answers sockets by itself when one is installed; else the test plays the server. */
    if (FakeWebSocket.server) setTimeout(() => FakeWebSocket.server.accept(this), 0);
  }

  addEventListener(type, listener, { signal } = {}) {
    this.listeners[type].push(listener);
    signal?.addEventListener("abort", () => {
      this.listeners[type] = this.listeners[type].filter((l) => l !== listener);
    });
  }

  send(data) {
    if (this.readyState !== FakeWebSocket.OPEN) throw new DOMException("not open", "InvalidStateError");
    const message = JSON.parse(data);
    this.sent.push(message);
    if (FakeWebSocket.server) setTimeout(() => FakeWebSocket.server.handle(this, message), 0);
  }

  close(code = 1000, reason = "") {
    if (this.readyState >= FakeWebSocket.CLOSING) return;
    this.readyState = FakeWebSocket.CLOSING;
    this.closedWith = { code, reason };
    setTimeout(() => this.drop(code, reason), 0);
  }

  // --- The server's side ---

  open() {
    this.readyState = FakeWebSocket.OPEN;
    for (const listener of this.listeners.open) listener({});
  }

  receive(message) {
    for (const listener of this.listeners.message) listener({ data: JSON.stringify(message) });
  }

  drop(code = 1006, reason = "") {
    if (this.readyState === FakeWebSocket.CLOSED) return;
    this.readyState = FakeWebSocket.CLOSED;
    for (const listener of this.listeners.close) listener({ code, reason });
  }

  /** Message types the client sent on this socket. */
  sentTypes() {
    return this.sent.map((message) => message.type);
  }
}

/**
 * A signaling server in miniature, for calls of several Call objects in one test: held sockets and
 * peer-count, join and welcome, peer-joined, the relay of signals. Everyone is let in at once.
 */
export class FakeServer {
  constructor() {
    /** @type {Map<string, FakeWebSocket>} the people in the call, by peer ID */
    this.inCall = new Map();
    this.held = new Set();
    this.joined = 0;
  }

  accept(socket) {
    socket.open();
    if (socket.url.searchParams.get("hold") === "1") {
      this.held.add(socket);
      this.deliver(socket, { type: "held", ice_servers: [], peer_count: this.inCall.size, heartbeat_interval: 10 });
    } else {
      this.join(socket);
    }
  }

  handle(socket, message) {
    if (message.type === "join" && this.held.delete(socket)) this.join(socket);
    if (message.type === "ping") this.deliver(socket, { type: "pong" });
    if (message.type === "signal") {
      const from = [...this.inCall].find(([, member]) => member === socket)?.[0];
      const { type, to, ...payload } = message;
      const target = this.inCall.get(to);
      if (from && target) this.deliver(target, { type, from, ...payload });
    }
  }

  join(socket) {
    this.joined += 1;
    const peerId = `p${this.joined}`;
    this.deliver(socket, welcome(peerId, [...this.inCall.keys()]));
    const peer = { peer_id: peerId, name: `Person ${peerId}`, role: "guest", media: {} };
    for (const member of this.inCall.values()) this.deliver(member, { type: "peer-joined", peer });
    this.inCall.set(peerId, socket);
    for (const held of this.held) this.deliver(held, { type: "peer-count", peer_count: this.inCall.size });
  }

  /** In a later task, in order, like frames on a socket. */
  deliver(socket, message) {
    setTimeout(() => {
      if (socket.readyState === FakeWebSocket.OPEN) socket.receive(message);
    }, 0);
  }
}

/** Answers the ticket endpoint: a new ticket each time. Records the calls in `tickets.requests`. */
export function ticketEndpoint() {
  const tickets = { requests: 0 };
  tickets.fetch = async () => {
    tickets.requests += 1;
    const ticket = `ticket-${tickets.requests}`;
    return { ok: true, status: 200, json: async () => ({ ticket, websocket: "/ws/meetings/abc-defg-hij/" }) };
  };
  return tickets;
}

/** The local media a Call reads: no devices (the connections carry empty slots). */
export function noMedia() {
  return {
    audioTrack: null,
    cameraTrack: null,
    screenTrack: null,
    muted: false,
    tracks: () => [null, null, null],
    stopAll() {},
  };
}

/** Put the fakes where the modules look for the browser's objects. Returns the ticket endpoint. */
export function installBrowser() {
  FakeWebSocket.made = [];
  FakeWebSocket.server = null;
  FakeRTCPeerConnection.made = [];
  const tickets = ticketEndpoint();
  Object.assign(globalThis, {
    WebSocket: FakeWebSocket,
    RTCPeerConnection: FakeRTCPeerConnection,
    MediaStream: FakeMediaStream,
    fetch: tickets.fetch,
    location: { protocol: "http:", host: "testserver" },
  });
  return tickets;
}

/** A `welcome` as the server sends it (docs/signaling.md), with `peers` as peer IDs. */
export function welcome(peerId, peers, { resumeToken = `token-of-${peerId}` } = {}) {
  return {
    type: "welcome",
    peer_id: peerId,
    role: "guest",
    name: `Person ${peerId}`,
    media: { audio: true, video: true, screen: false, hand: false },
    resume_token: resumeToken,
    heartbeat_interval: 10,
    ice_servers: [],
    peers: peers.map((id) => ({ peer_id: id, name: `Person ${id}`, role: "guest", media: {} })),
    waiting: [],
    chat: [],
    meeting: { locked: false },
  };
}
