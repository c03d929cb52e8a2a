// The call: who is here, a PeerLink to each of them, and every action a participant can take.
// It owns the signaling client and the peer connections and never touches the DOM; the UI
// listens with on(event, handler). See docs/signaling.md for the wire messages.

import { PeerLink, credentialsExpireSoon } from "./peer.js";

/** No more connections made ahead than a call can have others (8 people at most). */
const MAX_PREPARED_LINKS = 7;

/** How long to wait for fresh ICE servers (ice-servers) before restarting with the ones we have. */
const FRESH_ICE_SERVERS_TIMEOUT_MS = 5000;

/**
 * @typedef {{peer_id: string, name: string, role: string, media: object,
 *            interrupted?: boolean, link?: PeerLink, linkState?: string,
 *            reach?: "no-relay"|"relay-refused"|"relay-unreachable"|"no-route"|null}} Peer
 */

export class Call {
  /**
   * @param {import("./signaling.js").SignalingClient} signaling
   * @param {import("./media.js").LocalMedia} media
   */
  constructor(signaling, media) {
    this.signaling = signaling;
    this.media = media;
    /** @type {Map<string, Peer>} */
    this.peers = new Map();
    /** @type {Map<string, {peer_id: string, name: string}>} */
    this.waiting = new Map();
    this.self = null;
    this.iceServers = [];
    /** "relay" when the meeting hides network addresses: then only relayed paths are tried. */
    this.iceTransportPolicy = "all";
    this.iceServersWaiters = [];
    this.handlers = new Map();
    this.localMedia = { audio: true, video: true, screen: false, hand: false };
    /** @type {PeerLink[]} connections made ahead on the pre-join page (prepareLinks) */
    this.preparedLinks = [];
    this.preparedIceServers = null;
    this.bindSignaling();
  }

  on(event, handler) {
    if (!this.handlers.has(event)) this.handlers.set(event, []);
    this.handlers.get(event).push(handler);
    return this;
  }

  emit(event, ...args) {
    for (const handler of this.handlers.get(event) || []) handler(...args);
  }

  async join() {
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
    s.on("held", (m) => {
      this.iceTransportPolicy = m.ice_transport_policy || "all";
      this.prepareLinks(m.ice_servers || [], m.peer_count);
    });
    s.on("peer-count", (m) => this.prepareLinks(this.preparedIceServers || [], m.peer_count));
    s.on("ice-servers", (m) => {
      this.iceServers = m.ice_servers || [];
      for (const resolve of this.iceServersWaiters.splice(0)) resolve(this.iceServers);
    });
    s.on("welcome", (m) => this.onWelcome(m));
    s.on("waiting", (m) => this.emit("waiting", m));
    s.on("peer-joined", ({ peer }) => this.addPeer(peer));
    s.on("peer-left", ({ peer_id: peerId, reason }) => this.removePeer(peerId, reason));
    s.on("peer-interrupted", ({ peer_id: peerId }) => this.updatePeer(peerId, { interrupted: true }));
    s.on("peer-resumed", ({ peer_id: peerId }) => {
      this.updatePeer(peerId, { interrupted: false });
      this.peers.get(peerId)?.link?.resendOffer();
    });
    s.on("peer-media", ({ peer_id: peerId, media }) => this.updatePeer(peerId, { media }));
    s.on("peer-role", ({ peer_id: peerId, role }) => {
      if (peerId === this.self?.peer_id) return;
      this.updatePeer(peerId, { role });
    });
    s.on("role", ({ role, waiting }) => {
      this.self.role = role;
      this.waiting = new Map(waiting.map((p) => [p.peer_id, p]));
      this.emit("role", role);
      this.emit("waiting-changed", [...this.waiting.values()]);
    });
    s.on("signal", (m) => this.onSignal(m));
    s.on("chat", (m) => this.emit("chat", m));
    s.on("locked", ({ locked }) => this.emit("locked", locked));
    s.on("knock", ({ peer }) => {
      this.waiting.set(peer.peer_id, peer);
      this.emit("knock", peer);
      this.emit("waiting-changed", [...this.waiting.values()]);
    });
    s.on("waiting-left", ({ peer_id: peerId }) => {
      this.waiting.delete(peerId);
      this.emit("waiting-changed", [...this.waiting.values()]);
    });
    s.on("mute-request", ({ by }) => this.emit("mute-request", by));
    s.on("error", (m) => this.emit("server-error", m));
    s.on("reconnecting", () => this.emit("reconnecting"));
    s.on("rejoining", () => this.resetPeers());
    for (const final of ["ended", "removed", "denied", "refused", "replaced", "signed-out"]) {
      s.on(final, (m) => this.finish(final, m));
    }
    s.on("closed", (m) => this.finish("closed", m));
  }

  onWelcome(message) {
    this.self = {
      peer_id: message.peer_id, role: message.role, name: message.name, media: message.media,
    };
    this.iceServers = message.ice_servers || [];
    this.iceTransportPolicy = message.ice_transport_policy || "all";
    this.meeting = message.meeting;
    this.waiting = new Map((message.waiting || []).map((p) => [p.peer_id, p]));
    if (message.resumed) {
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
      // Newcomer's rule: we offer to everyone already here; they answer. The connections made on
      // the pre-join page go first, their offers ready; any others are made next (the whole roster
      // is in place before, so each starts with the camera budget of the whole call), and the page
      // is drawn in a later task, so their offers go out before the drawing, not after it.
      for (const peer of message.peers) {
        this.peers.set(peer.peer_id, { ...peer, interrupted: false, linkState: "new" });
      }
      for (const peer of message.peers) {
        if (!this.attachPreparedLink(peer.peer_id)) this.linkTo(peer.peer_id).initiate();
      }
      this.dropPreparedLinks();
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
   * Camera video per copy: full size for up to two others, then smaller and fewer frames. A new
   * link starts with the budget of the call it joins; the others change once it is negotiated
   * (its onStable), so an answer never waits behind them.
   */
  videoBudget() {
    return videoBudgetFor(this.peers.size);
  }

  applyVideoBudget() {
    const budget = this.videoBudget();
    for (const peer of this.peers.values()) peer.link?.setVideoBudget(budget);
  }

  addPeer(peer) {
    if (peer.peer_id === this.self?.peer_id) return;
    const known = this.peers.get(peer.peer_id);
    if (known) {
      this.updatePeer(peer.peer_id, peer);
      return;
    }
    this.peers.set(peer.peer_id, { ...peer, interrupted: false, linkState: "new" });
    this.emit("peer-added", this.peers.get(peer.peer_id));
  }

  updatePeer(peerId, changes) {
    const peer = this.peers.get(peerId);
    if (!peer) return;
    Object.assign(peer, changes);
    this.emit("peer-updated", peer);
  }

  removePeer(peerId, reason) {
    const peer = this.peers.get(peerId);
    if (!peer) return;
    peer.link?.close();
    this.peers.delete(peerId);
    this.applyVideoBudget();
    this.emit("peer-removed", peerId, reason);
  }

  resetPeers() {
    for (const peerId of [...this.peers.keys()]) this.removePeer(peerId, "left");
  }

  /**
   * On the pre-join page (the socket is held): make a connection, with its offer, for each person
   * in the call now, and at least one (someone may arrive before we join). A newcomer offers to
   * everyone already in the call and an offer does not depend on who gets it, so each waits in its
   * link, with its ICE candidates, until the welcome names a peer. Join then sends ready offers
   * instead of making them: making one blocks the page on WebRTC's threads, longest when the call
   * is big and the computer busy. The server tells a held socket of each change in the count
   * ("peer-count"), so links follow the call while the person looks at their preview; other ICE
   * servers discard them, and links nobody takes are closed at the welcome.
   */
  prepareLinks(iceServers, peerCount) {
    if (this.self) return;
    if (!sameJson(this.preparedIceServers, iceServers)) this.dropPreparedLinks();
    this.preparedIceServers = iceServers;
    const wanted = Math.min(MAX_PREPARED_LINKS, Math.max(1, peerCount || 0));
    const budget = videoBudgetFor(wanted);
    while (this.preparedLinks.length > wanted) this.preparedLinks.pop().close();
    for (const link of this.preparedLinks) link.setVideoBudget(budget); // sent once negotiated
    while (this.preparedLinks.length < wanted) {
      const link = new PeerLink({
        iceServers, iceTransportPolicy: this.iceTransportPolicy, localTracks: () => this.media.tracks(), budget,
      });
      link.initiate();
      this.preparedLinks.push(link);
    }
  }

  attachPreparedLink(peerId) {
    const link = this.preparedLinks[0];
    if (!link || !sameJson(link.iceServers, this.iceServers) || link.iceTransportPolicy !== this.iceTransportPolicy) {
      return false;
    }
    this.preparedLinks.shift();
    this.peers.get(peerId).link = link;
    link.attach(this.linkCallbacks(peerId)).catch(() => {});
    link.setVideoBudget(this.videoBudget());
    return true;
  }

  dropPreparedLinks() {
    for (const link of this.preparedLinks) link.close();
    this.preparedLinks = [];
  }

  /** The PeerLink to a peer, created on first need. */
  linkTo(peerId) {
    let peer = this.peers.get(peerId);
    if (!peer) {
      // A signal can arrive before the peer-joined that names its sender.
      this.addPeer({ peer_id: peerId, name: "…", role: "guest", media: {} });
      peer = this.peers.get(peerId);
    }
    if (!peer.link) {
      peer.link = new PeerLink({
        ...this.linkCallbacks(peerId),
        iceServers: this.iceServers,
        iceTransportPolicy: this.iceTransportPolicy,
        localTracks: () => this.media.tracks(),
        budget: this.videoBudget(),
      });
    }
    return peer.link;
  }

  linkCallbacks(peerId) {
    return {
      peerId,
      polite: this.self.peer_id < peerId,
      sendSignal: (payload) => this.signaling.send({ type: "signal", to: peerId, ...payload }),
      onTrack: (slot, track) => this.emit("track", peerId, slot, track),
      onState: (state) => this.updatePeer(peerId, { linkState: state }),
      onStable: () => this.applyVideoBudget(),
      onReach: (reach) => this.updatePeer(peerId, { reach }),
      freshIceServers: () => this.freshIceServers(),
    };
  }

  /**
   * Before an ICE restart: if our TURN credential expires soon, ask the server for a new one and use it
   * for the links made from now on too. Null when the current ones are good (or no answer came).
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
      if (this.iceServersWaiters.length === 1) this.signaling.send({ type: "ice-servers" });
    });
  }

  async onSignal(message) {
    if (!this.self) return;
    const { from, description, candidate } = message;
    try {
      await this.linkTo(from).handleSignal({ description, candidate });
    } catch (error) {
      console.warn(`signal from ${from} failed`, error);
    }
  }

  /** Put a new local track into one slot of every connection. */
  async replaceTrack(slot, track) {
    await Promise.all([...this.peers.values()].map((peer) => peer.link?.setTrack(slot, track)));
  }

  sendMedia(changes) {
    Object.assign(this.localMedia, changes);
    if (this.self) this.self.media = { ...this.localMedia };
    this.signaling.send({ type: "media", ...changes });
  }

  sendChat(text) {
    return this.signaling.send({ type: "chat", text });
  }

  hostAction(type, peerId) {
    this.signaling.send({ type, peer: peerId });
  }

  setLocked(locked) {
    this.signaling.send({ type: "lock", locked });
  }

  endForAll() {
    this.signaling.send({ type: "end" });
  }

  leave() {
    this.signaling.leave();
    this.closeAll();
  }

  closeAll() {
    this.dropPreparedLinks();
    for (const peer of this.peers.values()) peer.link?.close();
    this.media.stopAll();
  }

  finish(kind, message) {
    this.signaling.closedByUs = true;
    this.closeAll();
    this.emit("finished", kind, message || {});
  }

  /** Decoded frames and received audio samples per peer: what proves media flows (tests, diagnostics). */
  async stats() {
    const result = {};
    for (const [peerId, peer] of this.peers) {
      if (!peer.link) continue;
      const report = await peer.link.stats();
      const summary = {
        framesDecoded: 0, audioSamples: 0, screenFrames: 0, state: peer.linkState, localCandidate: null, remoteCandidate: null,
      };
      const selected = selectedPair(report);
      if (selected) {
        summary.localCandidate = report.get(selected.localCandidateId)?.candidateType || null;
        summary.remoteCandidate = report.get(selected.remoteCandidateId)?.candidateType || null;
      }
      report.forEach((entry) => {
        if (entry.type !== "inbound-rtp") return;
        if (entry.kind === "video") {
          if (entry.mid === peer.link.pc.getTransceivers()[2]?.mid) summary.screenFrames += entry.framesDecoded || 0;
          else summary.framesDecoded += entry.framesDecoded || 0;
        }
        if (entry.kind === "audio") summary.audioSamples += entry.totalSamplesReceived || 0;
      });
      result[peer.name + " " + peerId] = summary;
    }
    return result;
  }
}

/** The candidate pair ICE chose: the transport's selected one (what media flows over). */
function selectedPair(report) {
  let pair = null;
  report.forEach((entry) => {
    if (entry.type === "transport" && entry.selectedCandidatePairId) pair = report.get(entry.selectedCandidatePairId);
  });
  return pair;
}

function videoBudgetFor(others) {
  if (others <= 2) return { scale: 1, fps: 24 };
  if (others <= 4) return { scale: 1.5, fps: 20 };
  return { scale: 2, fps: 15 };
}

function sameJson(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}
