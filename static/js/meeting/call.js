// The call: who is here, and every action a participant can take. It owns the signaling client
// and a media transport (the mesh today), and never touches the DOM; the page listens with
// on(event, handler) and talks only to the Call. See docs/signaling.md for the wire messages.

import { Emitter } from "./events.js";
import { MeshTransport } from "./mesh.js";
import { credentialsExpireSoon } from "./peer.js";
import { ClientMessage, FINAL_MESSAGES, ServerMessage } from "./protocol.js";
import { SignalingClient } from "./signaling.js";

/** How long to wait for fresh ICE servers (ice-servers) before restarting with the ones we have. */
const FRESH_ICE_SERVERS_TIMEOUT_MS = 5000;

/**
 * @typedef {{peer_id: string, name: string, role: string, media: object,
 *            interrupted?: boolean, linkState?: string,
 *            reach?: "no-relay"|"relay-refused"|"relay-unreachable"|"no-route"|null}} Peer
 */

export class Call extends Emitter {
  /**
   * @param {object} options
   * @param {string} options.ticketUrl  where the join ticket comes from (POST)
   * @param {string} options.csrfToken
   * @param {import("./media.js").LocalMedia} options.media  the camera, microphone and screen
   */
  constructor({ ticketUrl, csrfToken, media }) {
    super();
    this.signaling = new SignalingClient({ ticketUrl, csrfToken });
    this.media = media;
    /** @type {import("./mesh.js").MediaTransport} */
    this.transport = new MeshTransport({
      localTracks: () => media.tracks(),
      sendSignal: (peerId, signal) => this.signaling.send({ type: ClientMessage.SIGNAL, to: peerId, ...signal }),
      freshIceServers: () => this.freshIceServers(),
    });
    /** The servers of the welcome (or of the last ice-servers), and the meeting's ICE policy. */
    this.iceServers = [];
    this.iceTransportPolicy = "all";
    this.iceServersWaiters = [];
    /** @type {Map<string, Peer>} */
    this.peers = new Map();
    /** @type {Map<string, {peer_id: string, name: string}>} */
    this.waiting = new Map();
    this.self = null;
    this.localMedia = { audio: true, video: true, screen: false, hand: false };
    this.preparedIceServers = [];
    this.bindSignaling();
    this.bindTransport();
  }

  /**
   * On the pre-join page: get ready to join as `name` (a held socket, and the media transport's
   * preparations for the call it reports). A new name starts again; the same name is a no-op.
   */
  prepare(name) {
    this.signaling.holdFor(name);
  }

  /** Join as `name`: on the socket held for it, if any; else the long way. */
  async join(name) {
    this.signaling.displayName = name;
    this.localMedia = {
      audio: Boolean(this.media.audioTrack) && !this.media.muted,
      video: Boolean(this.media.cameraTrack),
      screen: false,
      hand: false,
    };
    await this.signaling.start();
  }

  bindSignaling() {
    const s = this.signaling;
    s.on(ServerMessage.HELD, (m) => {
      this.iceTransportPolicy = m.ice_transport_policy || "all";
      this.prepareTransport(m.ice_servers || [], m.peer_count);
    });
    s.on(ServerMessage.ICE_SERVERS, (m) => {
      this.iceServers = m.ice_servers || [];
      for (const resolve of this.iceServersWaiters.splice(0)) resolve(this.iceServers);
    });
    s.on(ServerMessage.PEER_COUNT, (m) => this.prepareTransport(this.preparedIceServers, m.peer_count));
    s.on(ServerMessage.WELCOME, (m) => this.onWelcome(m));
    s.on(ServerMessage.WAITING, (m) => this.emit("waiting", m));
    s.on(ServerMessage.PEER_JOINED, ({ peer }) => this.addPeer(peer));
    s.on(ServerMessage.PEER_LEFT, ({ peer_id: peerId, reason }) => this.removePeer(peerId, reason));
    s.on(ServerMessage.PEER_INTERRUPTED, ({ peer_id: peerId }) => this.updatePeer(peerId, { interrupted: true }));
    s.on(ServerMessage.PEER_RESUMED, ({ peer_id: peerId }) => {
      this.updatePeer(peerId, { interrupted: false });
      this.transport.restart(peerId);
    });
    s.on(ServerMessage.PEER_MEDIA, ({ peer_id: peerId, media }) => this.updatePeer(peerId, { media }));
    s.on(ServerMessage.PEER_ROLE, ({ peer_id: peerId, role }) => {
      if (peerId === this.self?.peer_id) return;
      this.updatePeer(peerId, { role });
    });
    s.on(ServerMessage.ROLE, ({ role, waiting }) => {
      this.self.role = role;
      this.waiting = new Map(waiting.map((p) => [p.peer_id, p]));
      this.emit("role", role);
      this.emit("waiting-changed", [...this.waiting.values()]);
    });
    s.on(ServerMessage.SIGNAL, (m) => this.onSignal(m));
    s.on(ServerMessage.CHAT, (m) => this.emit("chat", m));
    s.on(ServerMessage.LOCKED, ({ locked }) => this.emit("locked", locked));
    s.on(ServerMessage.KNOCK, ({ peer }) => {
      this.waiting.set(peer.peer_id, peer);
      this.emit("knock", peer);
      this.emit("waiting-changed", [...this.waiting.values()]);
    });
    s.on(ServerMessage.WAITING_LEFT, ({ peer_id: peerId }) => {
      this.waiting.delete(peerId);
      this.emit("waiting-changed", [...this.waiting.values()]);
    });
    s.on(ServerMessage.MUTE_REQUEST, ({ by }) => this.emit("mute-request", by));
    s.on(ServerMessage.ERROR, (m) => this.emit("server-error", m));
    s.on("reconnecting", () => this.emit("reconnecting"));
    s.on("rejoining", () => this.resetPeers());
    for (const final of FINAL_MESSAGES) s.on(final, (m) => this.finish(final, m));
    s.on("closed", (m) => this.finish("closed", m));
  }

  bindTransport() {
    this.transport.on("track", (peerId, slot, track) => this.emit("track", peerId, slot, track));
    this.transport.on("state", (peerId, state) => this.updatePeer(peerId, { linkState: state }));
    this.transport.on("reach", (peerId, reach) => this.updatePeer(peerId, { reach }));
  }

  /** The socket is held: let the transport get ready for the call a join would meet. */
  prepareTransport(iceServers, peerCount) {
    if (this.self) return;
    this.preparedIceServers = iceServers;
    this.transport.setQualityBudget(videoBudgetFor(peerCount));
    this.transport.prepare({ iceServers, iceTransportPolicy: this.iceTransportPolicy, peerCount });
  }

  onWelcome(message) {
    this.self = {
      peer_id: message.peer_id, role: message.role, name: message.name, media: message.media,
    };
    this.meeting = message.meeting;
    this.iceServers = message.ice_servers || [];
    this.iceTransportPolicy = message.ice_transport_policy || "all";
    this.waiting = new Map((message.waiting || []).map((p) => [p.peer_id, p]));
    if (message.resumed) {
      this.transport.setIceServers(message.ice_servers || []);
      // Same peer ID: calls kept running while the socket was down; reconcile the roster only.
      const present = new Set(message.peers.map((p) => p.peer_id));
      for (const peerId of [...this.peers.keys()]) if (!present.has(peerId)) this.removePeer(peerId, "left");
      for (const peer of message.peers) {
        if (this.peers.has(peer.peer_id)) this.updatePeer(peer.peer_id, { ...peer, interrupted: false });
        else this.addPeer(peer); // joined while we were away: they offer to us (peer-resumed)
      }
      this.emit("reconnected", message);
    } else {
      this.resetPeers();
      // The whole roster is in place before the transport starts, so each connection starts with
      // the camera budget of the whole call; the page is drawn in a later task, so the offers go
      // out before the drawing, not after it.
      for (const peer of message.peers) {
        this.peers.set(peer.peer_id, { ...peer, interrupted: false, linkState: "new" });
        this.transport.addPeer(peer.peer_id);
      }
      this.transport.setQualityBudget(this.videoBudget());
      this.transport.publish({
        selfId: message.peer_id,
        iceServers: message.ice_servers || [],
        iceTransportPolicy: this.iceTransportPolicy,
        peerIds: message.peers.map((peer) => peer.peer_id),
      });
      setTimeout(() => {
        for (const peer of message.peers) {
          const known = this.peers.get(peer.peer_id);
          if (known) this.emit("peer-added", known);
        }
        this.emit("welcome", message);
        this.emit("waiting-changed", [...this.waiting.values()]);
      }, 0);
    }
    if (message.resumed) this.emit("waiting-changed", [...this.waiting.values()]);
    // Tell the room our real media state (e.g. joined with the camera off).
    this.sendMedia(this.localMedia);
  }

  /**
   * Camera video per copy: full size for up to two others, then smaller and fewer frames (in a
   * full mesh every sender encodes one copy per peer). The transport decides when to apply it.
   */
  videoBudget() {
    return videoBudgetFor(this.peers.size);
  }

  addPeer(peer) {
    if (peer.peer_id === this.self?.peer_id) return;
    const known = this.peers.get(peer.peer_id);
    if (known) {
      this.updatePeer(peer.peer_id, peer);
      return;
    }
    this.peers.set(peer.peer_id, { ...peer, interrupted: false, linkState: "new" });
    this.transport.addPeer(peer.peer_id);
    this.transport.setQualityBudget(this.videoBudget());
    this.emit("peer-added", this.peers.get(peer.peer_id));
  }

  updatePeer(peerId, changes) {
    const peer = this.peers.get(peerId);
    if (!peer) return;
    Object.assign(peer, changes);
    this.emit("peer-updated", peer);
  }

  removePeer(peerId, reason) {
    if (!this.peers.has(peerId)) return;
    this.transport.removePeer(peerId);
    this.peers.delete(peerId);
    this.transport.setQualityBudget(this.videoBudget());
    this.emit("peer-removed", peerId, reason);
  }

  resetPeers() {
    for (const peerId of [...this.peers.keys()]) this.removePeer(peerId, "left");
  }

  async onSignal(message) {
    if (!this.self) return;
    const { from, description, candidate } = message;
    // A signal can arrive before the peer-joined that names its sender.
    if (!this.peers.has(from)) this.addPeer({ peer_id: from, name: "…", role: "guest", media: {} });
    try {
      await this.transport.handleSignal(from, { description, candidate });
    } catch (error) {
      console.warn(`signal from ${from} failed`, error);
    }
  }

  /** Send a new local track (or nothing) in one slot (peer.js SLOT_*) to everyone. */
  async replaceTrack(slot, track) {
    await this.transport.replaceTrack(slot, track);
  }

  sendMedia(changes) {
    Object.assign(this.localMedia, changes);
    if (this.self) this.self.media = { ...this.localMedia };
    this.signaling.send({ type: ClientMessage.MEDIA, ...changes });
  }

  sendChat(text) {
    return this.signaling.send({ type: ClientMessage.CHAT, text });
  }

  hostAction(type, peerId) {
    this.signaling.send({ type, peer: peerId });
  }

  setLocked(locked) {
    this.signaling.send({ type: ClientMessage.LOCK, locked });
  }

  endForAll() {
    this.signaling.send({ type: ClientMessage.END });
  }

  leave() {
    this.signaling.leave();
    this.closeAll();
  }

  closeAll() {
    this.transport.close();
    this.media.stopAll();
  }

  finish(kind, message) {
    this.signaling.closedByUs = true;
    this.closeAll();
    this.emit("finished", kind, message || {});
  }

  /**
   * Before an ICE restart: if our TURN credential expires soon, ask the server for a new one (the
   * transport uses it for the connections made from then on too). Null when the current ones are
   * good, or no answer came in time.
   * @returns {Promise<RTCIceServer[]|null>}
   */
  freshIceServers() {
    if (!credentialsExpireSoon(this.iceServers)) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), FRESH_ICE_SERVERS_TIMEOUT_MS);
      this.iceServersWaiters.push((servers) => {
        clearTimeout(timer);
        resolve(servers);
      });
      if (this.iceServersWaiters.length === 1) this.signaling.send({ type: ClientMessage.ICE_SERVERS });
    });
  }

  /** Decoded frames and received audio samples per peer: what proves media flows (tests, diagnostics). */
  async stats() {
    const byPeer = await this.transport.stats();
    const result = {};
    for (const [peerId, peer] of this.peers) {
      if (byPeer[peerId]) result[`${peer.name} ${peerId}`] = { ...byPeer[peerId], state: peer.linkState };
    }
    return result;
  }
}

function videoBudgetFor(others) {
  if (others <= 2) return { scale: 1, fps: 24 };
  if (others <= 4) return { scale: 1.5, fps: 20 };
  return { scale: 2, fps: 15 };
}
