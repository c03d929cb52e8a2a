// The signaling websocket: tickets, heartbeat, reconnect with jittered backoff and resume.
// No DOM here: callers listen with on(type, handler). See docs/signaling.md for the messages.

/** Close codes after which reconnecting cannot help (docs/signaling.md). */
const FINAL_CLOSE_CODES = new Set([
  4001, 4002, 4004, 4040, 4100, 4101, 4102, 4103, 4104, 4106, 4401, 4403, 4405, 4409, 4429,
]);
const RESUME_FAILED = 4006;
const TICKET_PROBLEMS = new Set([4003, 4005]); // expired or used: fetch a new ticket and retry
// A ticket fetched ahead of Join is used only this fresh (the server accepts them for 60 s by default).
const PREFETCHED_TICKET_MAX_AGE_MS = 25_000;

export class SignalingClient {
  /**
   * @param {{ticketUrl: string, csrfToken: string, displayName?: string}} options
   */
  constructor({ ticketUrl, csrfToken, displayName }) {
    this.ticketUrl = ticketUrl;
    this.csrfToken = csrfToken;
    this.displayName = displayName;
    /** @type {WebSocket|null} */
    this.socket = null;
    this.resumeToken = null;
    this.handlers = new Map();
    this.closedByUs = false;
    this.attempt = 0;
    this.heartbeat = null;
    this.lastPong = 0;
    this.connectedOnce = false;
    /** @type {{promise: Promise<any>, displayName: string|undefined, at: number}|null} */
    this.prefetched = null;
  }

  /** @param {string} type @param {(message: any) => void} handler */
  on(type, handler) {
    if (!this.handlers.has(type)) this.handlers.set(type, []);
    this.handlers.get(type).push(handler);
    return this;
  }

  emit(type, message) {
    for (const handler of this.handlers.get(type) || []) handler(message);
  }

  async fetchTicket() {
    const body = new URLSearchParams();
    if (this.displayName) body.set("display_name", this.displayName);
    const response = await fetch(this.ticketUrl, {
      method: "POST",
      headers: { "X-CSRFToken": this.csrfToken, Accept: "application/json" },
      body,
      credentials: "same-origin",
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(data.error || `ticket request failed (${response.status})`);
      error.location = data.location;
      error.status = response.status;
      throw error;
    }
    return data;
  }

  /**
   * Fetch a ticket before Join (on the pre-join page), so that Join does not wait for one (about
   * 20 ms on loopback, a network round trip in real life). A failure is ignored here: start() then
   * asks again and reports it as before.
   */
  prefetchTicket() {
    const promise = this.fetchTicket();
    promise.catch(() => {});
    this.prefetched = { promise, displayName: this.displayName, at: performance.now() };
  }

  /** The prefetched ticket if it is fresh and for the same name (once), else null. */
  async takePrefetched() {
    const prefetched = this.prefetched;
    this.prefetched = null;
    if (!prefetched || prefetched.displayName !== this.displayName) return null;
    if (performance.now() - prefetched.at > PREFETCHED_TICKET_MAX_AGE_MS) return null;
    return prefetched.promise.catch(() => null);
  }

  /** Open the socket with a fresh ticket. */
  async start() {
    this.closedByUs = false;
    const { ticket, websocket } = (await this.takePrefetched()) || (await this.fetchTicket());
    this.websocketPath = websocket;
    this.open(`ticket=${encodeURIComponent(ticket)}`);
  }

  open(query) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}${this.websocketPath}?${query}`);
    this.socket = socket;
    socket.addEventListener("message", (event) => this.handleFrame(socket, event));
    socket.addEventListener("close", (event) => this.handleClose(socket, event));
  }

  handleFrame(socket, event) {
    if (socket !== this.socket) return; // a retired socket
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (message.type === "welcome" || message.type === "waiting") {
      const resumed = message.type === "welcome" && this.welcomed && message.peer_id === this.peerId;
      if (message.type === "welcome") this.welcomed = true;
      this.peerId = message.peer_id;
      if (message.resume_token) this.resumeToken = message.resume_token;
      this.attempt = 0;
      this.connectedOnce = true;
      this.startHeartbeat(socket, message.heartbeat_interval || 10);
      message.resumed = resumed;
    }
    if (message.type === "pong") this.lastPong = performance.now();
    this.emit(message.type, message);
  }

  startHeartbeat(socket, intervalSeconds) {
    clearInterval(this.heartbeat);
    this.lastPong = performance.now();
    this.heartbeat = setInterval(() => {
      if (socket !== this.socket || socket.readyState !== WebSocket.OPEN) return;
      // No pong for three intervals: the socket is dead even if the browser has not noticed.
      if (performance.now() - this.lastPong > intervalSeconds * 3000) {
        socket.close(4000, "heartbeat lost");
        this.handleClose(socket, { code: 1006, reason: "heartbeat lost" });
        return;
      }
      this.send({ type: "ping" });
    }, intervalSeconds * 1000);
  }

  handleClose(socket, event) {
    if (socket !== this.socket) return;
    this.socket = null;
    clearInterval(this.heartbeat);
    if (this.closedByUs) return;
    const code = event.code;
    if (FINAL_CLOSE_CODES.has(code)) {
      this.emit("closed", { code, reason: event.reason });
      return;
    }
    this.emit("reconnecting", { code });
    if (code === RESUME_FAILED) this.resumeToken = null;
    if (TICKET_PROBLEMS.has(code) && !this.connectedOnce) this.resumeToken = null;
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    // Jittered exponential backoff: 0.5 s, 1 s, 2 s ... up to 8 s, each ±50 %.
    const base = Math.min(8000, 500 * 2 ** this.attempt);
    const delay = base / 2 + Math.random() * base;
    this.attempt += 1;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.reconnect(), delay);
  }

  async reconnect() {
    if (this.closedByUs) return;
    try {
      if (this.resumeToken) {
        this.open(`resume=${encodeURIComponent(this.resumeToken)}`);
      } else {
        this.connectedOnce = false; // a new peer: the caller rebuilds its calls
        this.welcomed = false;
        this.emit("rejoining", {});
        await this.start();
      }
    } catch (error) {
      if (error.status === 409 || error.status === 410) {
        this.emit("closed", { code: 0, reason: error.message, location: error.location });
        return;
      }
      this.scheduleReconnect();
    }
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  /** Leave on purpose: the server tells the others at once and nobody reconnects. */
  leave() {
    this.closedByUs = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.reconnectTimer);
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify({ type: "leave" }));
      this.socket.close(1000, "left");
    }
    this.socket = null;
  }
}
