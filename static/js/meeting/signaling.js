// The signaling websocket: tickets, heartbeat, reconnect with jittered backoff and resume.
// No DOM here: callers listen with on(type, handler). See docs/signaling.md for the messages.

import { Emitter } from "./events.js";
import { ClientMessage, Close, FINAL_CLOSE_CODES, ServerMessage, TICKET_PROBLEMS } from "./protocol.js";

// After join is sent on a held socket, this long without any answer means the socket is dead
// (a laptop that slept on the pre-join page): drop it and join the long way.
const JOIN_ANSWER_TIMEOUT_MS = 5_000;

export class SignalingClient extends Emitter {
  /**
   * @param {{ticketUrl: string, csrfToken: string, displayName?: string}} options
   */
  constructor({ ticketUrl, csrfToken, displayName }) {
    super();
    this.ticketUrl = ticketUrl;
    this.csrfToken = csrfToken;
    this.displayName = displayName;
    /** @type {WebSocket|null} */
    this.socket = null;
    this.resumeToken = null;
    this.closedByUs = false;
    this.attempt = 0;
    this.heartbeat = null;
    this.lastPong = 0;
    this.connectedOnce = false;
    /** The socket held open on the pre-join page (see hold()), or null. */
    this.holding = null;
    this.joinTimer = null;
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

  /** Hold a socket for this name (see hold()), unless one is held for it already. */
  holdFor(displayName) {
    if (this.holding && this.displayName === displayName) return;
    this.displayName = displayName;
    this.hold();
  }

  /**
   * On the pre-join page: fetch a ticket and open the socket now, and hold it until Join. The server
   * checks the ticket when the socket opens and admits us only when we send join, so Join costs one
   * message on an open socket instead of a ticket request, a handshake and the checks (on a real
   * network, several round trips). A new name holds a new socket (the ticket carries the name).
   * Failures are quiet: start() then goes the long way and reports them.
   */
  hold() {
    this.dropHold();
    const hold = { displayName: this.displayName, socket: null, heartbeat: null, listeners: null };
    this.holding = hold;
    hold.ready = this.openHeld(hold).catch(() => null);
  }

  async openHeld(hold) {
    const { ticket, websocket } = await this.fetchTicket();
    if (this.holding !== hold) return null;
    this.websocketPath = websocket;
    const socket = new WebSocket(this.url(`ticket=${encodeURIComponent(ticket)}&hold=1`));
    hold.socket = socket;
    hold.listeners = new AbortController();
    const { signal } = hold.listeners;
    return new Promise((resolve) => {
      socket.addEventListener("message", (event) => {
        const message = parseFrame(event.data);
        if (message?.type === ServerMessage.PONG) hold.lastPong = performance.now();
        if (message?.type === ServerMessage.PEER_COUNT && this.holding === hold) this.emit(message.type, message);
        if (message?.type !== ServerMessage.HELD) return;
        this.holdHeartbeat(hold, message.heartbeat_interval || 10);
        this.emit(ServerMessage.HELD, message);
        resolve(hold);
      }, { signal });
      socket.addEventListener("close", (event) => {
        resolve(null);
        if (this.holding !== hold) return;
        this.dropHold();
        if (event.code === Close.HOLD_EXPIRED) this.hold();
      }, { signal });
    });
  }

  /** Keep a held socket alive; one that stops answering is replaced. */
  holdHeartbeat(hold, intervalSeconds) {
    hold.lastPong = performance.now();
    hold.heartbeat = keepAlive(hold.socket, intervalSeconds, () => hold.lastPong, () => {
      if (this.holding === hold) this.hold();
    });
  }

  /** Forget the held socket (if any) and close it. */
  dropHold() {
    const hold = this.holding;
    this.holding = null;
    if (hold) this.releaseHold(hold, true);
  }

  releaseHold(hold, close) {
    clearInterval(hold.heartbeat);
    hold.listeners?.abort();
    if (close && hold.socket && hold.socket.readyState <= WebSocket.OPEN) hold.socket.close(1000, "not joining");
  }

  /** The held socket, open and for the current name, taken over by the caller; else null. */
  async takeHold() {
    const hold = this.holding;
    this.holding = null;
    if (!hold) return null;
    const held = hold.displayName === this.displayName ? await hold.ready : null;
    const usable = Boolean(held) && hold.socket.readyState === WebSocket.OPEN;
    this.releaseHold(hold, !usable);
    return usable ? hold.socket : null;
  }

  /** Join: on the held socket if there is one, else with a fresh ticket on a new socket. */
  async start() {
    this.closedByUs = false;
    const held = await this.takeHold();
    if (held) {
      this.adopt(held);
      held.send(JSON.stringify({ type: ClientMessage.JOIN }));
      this.joinTimer = setTimeout(() => {
        if (held !== this.socket) return;
        held.close(4000, "no answer to join");
        this.handleClose(held, { code: 1006, reason: "no answer to join" });
      }, JOIN_ANSWER_TIMEOUT_MS);
      return;
    }
    const { ticket, websocket } = await this.fetchTicket();
    this.websocketPath = websocket;
    this.open(`ticket=${encodeURIComponent(ticket)}`);
  }

  url(query) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}${this.websocketPath}?${query}`;
  }

  /** Open a socket; `firstMessage`, if given, is sent as soon as it opens. */
  open(query, firstMessage = null) {
    const socket = new WebSocket(this.url(query));
    if (firstMessage) {
      socket.addEventListener("open", () => socket.send(JSON.stringify(firstMessage)), { once: true });
    }
    this.adopt(socket);
  }

  adopt(socket) {
    this.socket = socket;
    socket.addEventListener("message", (event) => this.handleFrame(socket, event));
    socket.addEventListener("close", (event) => this.handleClose(socket, event));
  }

  handleFrame(socket, event) {
    if (socket !== this.socket) return; // a retired socket
    clearTimeout(this.joinTimer); // the server answers: the socket is alive
    const message = parseFrame(event.data);
    if (!message) return;
    if (message.type === ServerMessage.WELCOME || message.type === ServerMessage.WAITING) {
      const welcome = message.type === ServerMessage.WELCOME;
      const resumed = welcome && this.welcomed && message.peer_id === this.peerId;
      if (welcome) this.welcomed = true;
      this.peerId = message.peer_id;
      if (message.resume_token) this.resumeToken = message.resume_token;
      this.attempt = 0;
      this.connectedOnce = true;
      this.startHeartbeat(socket, message.heartbeat_interval || 10);
      message.resumed = resumed;
    }
    if (message.type === ServerMessage.PONG) this.lastPong = performance.now();
    this.emit(message.type, message);
  }

  startHeartbeat(socket, intervalSeconds) {
    clearInterval(this.heartbeat);
    this.lastPong = performance.now();
    this.heartbeat = keepAlive(socket, intervalSeconds, () => this.lastPong, () => {
      if (socket !== this.socket) return;
      socket.close(4000, "heartbeat lost");
      this.handleClose(socket, { code: 1006, reason: "heartbeat lost" });
    });
  }

  handleClose(socket, event) {
    if (socket !== this.socket) return;
    this.socket = null;
    clearInterval(this.heartbeat);
    clearTimeout(this.joinTimer);
    if (this.closedByUs) return;
    const code = event.code;
    if (FINAL_CLOSE_CODES.has(code)) {
      this.emit("closed", { code, reason: event.reason });
      return;
    }
    this.emit("reconnecting", { code });
    if (code === Close.RESUME_FAILED) this.resumeToken = null;
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
        // The token goes in the first frame, never in the URL (proxies log URLs).
        this.open("resume=1", { type: ClientMessage.RESUME, token: this.resumeToken });
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
    this.dropHold();
    clearTimeout(this.joinTimer);
    clearInterval(this.heartbeat);
    clearTimeout(this.reconnectTimer);
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify({ type: ClientMessage.LEAVE }));
      this.socket.close(1000, "left");
    }
    this.socket = null;
  }
}

function parseFrame(data) {
  try {
    return JSON.parse(data);
  } catch {
    return null;
  }
}

/**
 * Ping every interval. No pong for three intervals means the socket is dead even if the browser
 * has not noticed (a laptop that slept, a cut network): then onDead. Returns the interval timer.
 */
function keepAlive(socket, intervalSeconds, lastPong, onDead) {
  return setInterval(() => {
    if (socket.readyState !== WebSocket.OPEN) return;
    if (performance.now() - lastPong() > intervalSeconds * 3000) onDead();
    else socket.send(JSON.stringify({ type: ClientMessage.PING }));
  }, intervalSeconds * 1000);
}
